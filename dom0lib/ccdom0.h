/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* ccdom0.h - libccdom0, the dom0 code colorcomd (back/) and colorcomctl
 * (toolstack/) share: the xenstore schema and key names, validation, the
 * colorcomd.conf and SPEC parsers, the xenstore write lists of an attach or
 * detach, domain liveness and logging.  Both tools link dom0lib/libccdom0.a;
 * neither compiles a file of the other.
 *
 *   ccd_valid.c  pure: key names, limits, strict parsers (docs/protocol.md)
 *   ccd_conf.c   pure: colorcomd.conf(5), ring sizes, the link status file
 *   spec.c       pure: SPEC, detach targets, write lists and their JSON, auto MACs
 *   xsops.c      applies a write list inside a xenstore transaction
 *   dom.c        domain liveness through libxenctrl
 *   log.c        stderr/syslog logging
 *   version.c    the release (dkms.conf), for --version
 *
 * Key names mirror docs/protocol.md, "Xenstore keys and states"; these are the
 * single copy for the dom0 side.
 */
#ifndef CCDOM0_H
#define CCDOM0_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The release, as in dkms.conf (version.c). */
extern const char ccd_version[];

/* --- xenstore layout ---------------------------------------------------- */
#define CCD_NIC_TYPE        "colorcom"
#define CCD_LINK_TYPE       "cclink"
#define CCD_BACKEND_ROOT    "/local/domain/0/backend/colorcom"
/* dom0-only records of attached NICs, by domain UUID, for re-attaching them
 * after a reboot: CCD_PERSIST_ROOT/UUID/DEVID/{name,network,mac,mtu,
 * ring-page-order}.  Written by colorcomctl with the attach, removed by
 * detach, and by colorcomd once no domain has had the UUID for the
 * configured reboot-grace. */
#define CCD_PERSIST_ROOT    "/local/domain/0/colorcom/persist"
/* What colorcomd made of each domain's xl config: CCD_XLCFG_ROOT/D/source
 * (where the config came from, written last: D is done), name, and
 * error/N (colorcom[N] not attached, why) or error/config (none read). */
#define CCD_XLCFG_ROOT      "/local/domain/0/colorcom/config"

#define CCD_K_BACKEND       "backend"
#define CCD_K_BACKEND_ID    "backend-id"
#define CCD_K_FRONTEND      "frontend"
#define CCD_K_FRONTEND_ID   "frontend-id"
#define CCD_K_STATE         "state"
#define CCD_K_MAC           "mac"
#define CCD_K_NETWORK       "network"
#define CCD_K_MTU           "mtu"
#define CCD_K_ORDER         "ring-page-order"
#define CCD_K_ONLINE        "online"
#define CCD_K_ERROR         "error"
#define CCD_K_NIC           "nic"
#define CCD_K_PEER_MAC      "peer-mac"
#define CCD_K_BROKEN        "broken"
/* NIC backend dir, written by the toolstack (colorcomctl uplink, or colorcomd
 * from network.NAME.uplink): "1" = this is dom0's uplink NIC of its network. */
#define CCD_K_UPLINK        "uplink"
/* Link half, written by colorcomd only, in the half of the NIC whose PEER is
 * the uplink: "1" = accept any source MAC from this peer, send it unknown
 * unicast.  It lives in the reader's own half so the peer cannot forge it. */
#define CCD_K_PEER_UPLINK   "peer-uplink"
/* Written by the guests' drivers into their link halves (docs/protocol.md);
 * colorcomd creates them empty, so that they are dom0's nodes. */
#define CCD_K_TX_RING_REF   "tx-ring-ref"
#define CCD_K_EVENT_CHANNEL "event-channel"
#define CCD_K_FEATURE_CSUM  "feature-csum"
#define CCD_K_FEATURE_GSO4  "feature-gso-tcpv4"
#define CCD_K_FEATURE_GSO6  "feature-gso-tcpv6"

/* XenbusState values (xen/io/xenbus.h), spelled out to stay header-free. */
enum {
	CCD_XS_UNKNOWN = 0,
	CCD_XS_INITIALISING = 1,
	CCD_XS_INITWAIT = 2,
	CCD_XS_INITIALISED = 3,
	CCD_XS_CONNECTED = 4,
	CCD_XS_CLOSING = 5,
	CCD_XS_CLOSED = 6,
	CCD_XS_RECONFIGURING = 7,
	CCD_XS_RECONFIGURED = 8,
	CCD_XS_MAX = 8,
};

/* --- limits ------------------------------------------------------------- */
#define CCD_DOMID_MAX       0x7FEFu    /* DOMID_FIRST_RESERVED - 1 */
#define CCD_DEVID_MAX       15u
#define CCD_NET_MAXLEN      32
#define CCD_MTU_MIN         68ul
#define CCD_MTU_MAX         65521ul
#define CCD_MTU_DEFAULT     1500ul
#define CCD_ORDER_MIN       6ul
#define CCD_ORDER_MAX       9ul
#define CCD_ORDER_DEFAULT   6ul
#define CCD_LINK_ID_MAX     ((CCD_DOMID_MAX << 8) | 0xFFu)
#define CCD_VAL_MAXLEN      255        /* longest value we ever accept */

/* Strict unsigned decimal: 1..10 digits, no sign, no spaces, no leading
 * zero (except "0" itself), value <= max.  Returns 0 or -1. */
int ccd_parse_uint(const char *s, size_t len, unsigned long max,
		   unsigned long *out);

/* "xx:xx:xx:xx:xx:xx", hex digits of either case, exactly 17 chars. */
int ccd_hexval(char c);
int ccd_parse_mac(const char *s, size_t len, uint8_t mac[6]);
/* Unicast: I/G bit clear and not all-zero. */
int ccd_mac_is_unicast(const uint8_t mac[6]);
/* Lower-case canonical form, out must hold 18 bytes. */
void ccd_mac_format(const uint8_t mac[6], char out[18]);

/* [a-z0-9][a-z0-9_-]{0,31} */
int ccd_valid_network(const char *s, size_t len);

int ccd_valid_mtu(unsigned long mtu);
int ccd_valid_order(unsigned long order);

/* XenbusState as written by a guest: strict decimal 0..8, else -1. */
int ccd_parse_state(const char *s, size_t len);
const char *ccd_state_name(int state);

/* L = (B << 8) | (na << 4) | nb, for domains A < B. */
unsigned ccd_link_id(unsigned b, unsigned na, unsigned nb);
void ccd_link_decode(unsigned l, unsigned *b, unsigned *na, unsigned *nb);

/* dom0's interface name for the uplink of network net: "ccup-" + net, cut
 * to IFNAMSIZ - 1 = 15 characters (front/nic.c makes the same name).  out
 * holds 16 bytes. */
#define CCD_UPLINK_PREFIX   "ccup-"
#define CCD_IFNAMSIZ        16
void ccd_uplink_ifname(const char *net, char out[CCD_IFNAMSIZ]);

/* Copy printable ASCII of s (at most len bytes) into out (size outsz),
 * replacing anything else by '?'.  For logging guest-written text. */
void ccd_sanitize(const char *s, size_t len, char *out, size_t outsz);
/* For messages to a terminal or log that may quote what a user or a guest
 * typed: control characters (< 0x20, 0x7f) become "\xNN", so an escape
 * sequence in a file name or SPEC cannot drive the admin's terminal.  Cut
 * to fit outsz (NUL-terminated). */
void ccd_escape(const char *s, char *out, size_t outsz);

/* ---- colorcomd.conf -------------------------------------------------------
 * /etc/colorcom/colorcomd.conf, read by colorcomd and colorcomctl, and the
 * ring-size syntax they share.
 *
 * Syntax (colorcomd.conf(5)): one `key = value` per line, `#` starts a
 * comment, blank lines ignored.  Keys:
 *   ring = SIZE                    default ring (order 6..9 or 256K..2M)
 *   mac-prefix = xx[:xx...]        1..5 octets auto-assigned MACs start with
 *   reboot-grace = SECONDS         keep a vanished domain's NICs this long
 *   relink-backoff = SECONDS       longest wait between re-creations of a link
 *   network.NAME.max-peers = N     at most N NICs on network NAME (0: no limit)
 *   network.NAME.uplink = on|off   dom0's uplink NIC on NAME (ccup-NAME)
 *   mac-seed = STRING              this host's auto-MAC secret (else machine-id)
 */
#define CCD_CONF_PATH           "/etc/colorcom/colorcomd.conf"
#define CCD_CONF_MAXNETS        64
#define CCD_REBOOT_GRACE_S      60u
#define CCD_MAX_PEERS_MAX       4096ul
/* relink-backoff: the longest wait colorcomd puts between re-creations of a
 * link whose pair or NIC keeps failing or flapping (doubling from 1 s);
 * 0 = no back-off (the fixed 1 s of a pair only). */
#define CCD_RELINK_BACKOFF_S    60u
#define CCD_RELINK_BACKOFF_MAX  3600ul

struct ccd_conf_net {
	char name[CCD_NET_MAXLEN + 1];
	unsigned max_peers;     /* 0 = no limit */
	int max_peers_set;      /* the key was given (duplicate detection) */
	int uplink;             /* CCD_UPLINK_UNSET, _OFF or _ON */
	unsigned mtu;           /* network.NAME.mtu; 0 = unset */
};

/* network.NAME.uplink: unset = colorcomctl decides; on/off = colorcomd keeps
 * dom0's uplink NIC on NAME present/absent (and colorcomctl will not go
 * against it). */
enum { CCD_UPLINK_UNSET = -1, CCD_UPLINK_OFF = 0, CCD_UPLINK_ON = 1 };

/* Auto MACs mix in a per-host secret so that two dom0s bridged onto one LAN
 * do not give their `web1` the same MAC: `mac-seed` from the file, else
 * the machine-id (32 hex digits, systemd's, stable across reboots). */
#define CCD_MAC_SEED_MINLEN     16
#define CCD_MAC_SEED_MAXLEN     64
#define CCD_MACHINE_ID_PATH     "/etc/machine-id"
/* Tests and chroots: read the machine-id from this file instead. */
#define CCD_MACHINE_ID_ENV      "COLORCOM_MACHINE_ID"
enum { CCD_SEED_NONE, CCD_SEED_CONF, CCD_SEED_MACHINE_ID };

struct ccd_conf {
	unsigned order;                 /* default ring-page-order */
	uint8_t mac_prefix[5];
	unsigned mac_prefix_len;        /* octets, 1..5 */
	unsigned reboot_grace_s;
	unsigned relink_backoff_s;      /* 0 = no back-off */
	struct ccd_conf_net nets[CCD_CONF_MAXNETS];
	unsigned nnet;
	char mac_seed[CCD_MAC_SEED_MAXLEN + 1]; /* "" = none (CCD_SEED_NONE) */
	int mac_seed_from;              /* CCD_SEED_* */
};

void ccd_conf_defaults(struct ccd_conf *c);
/* Parse text (len bytes, need not be NUL-terminated).  On error returns -1
 * with "FILE:LINE: reason" in err and leaves *c at its defaults. */
int ccd_conf_parse(const char *text, size_t len, const char *fname,
		   struct ccd_conf *c, char *err, size_t errsz);
/* Read and parse path.  A missing file is fine (defaults) when missing_ok.
 * Without a mac-seed key the seed is the machine-id (ccd_conf_host_seed). */
int ccd_conf_load(const char *path, int missing_ok, struct ccd_conf *c,
		  char *err, size_t errsz);
/* SIGHUP: load path (NULL: CCD_CONF_PATH, which may be missing) into *cur;
 * on error *cur is left as it was and err says why.  *used is the path. */
int ccd_conf_reload(const char *path, struct ccd_conf *cur, const char **used,
		    char *err, size_t errsz);
/* Fill c->mac_seed from the machine-id file (path; NULL = $COLORCOM_MACHINE_ID
 * or CCD_MACHINE_ID_PATH) unless the configuration set one.  A missing or
 * malformed file leaves CCD_SEED_NONE (MACs then depend on names only). */
void ccd_conf_host_seed(struct ccd_conf *c, const char *path);
/* 0 = no limit. */
unsigned ccd_conf_max_peers(const struct ccd_conf *c, const char *network);
/* CCD_UPLINK_UNSET when the file does not say. */
int ccd_conf_uplink(const struct ccd_conf *c, const char *network);
/* network.NAME.mtu: the one MTU of every NIC on NAME (colorcomctl writes it
 * as the NIC's `mtu`, colorcomd refuses a NIC with another); 0 = unset:
 * each NIC keeps the `mtu` it was attached with (default 1500). */
unsigned ccd_conf_mtu(const struct ccd_conf *c, const char *network);

/* A ring size: an order 6..9, or bytes with an optional K/KiB/M/MiB suffix
 * that is a power of two between 256K and 2M.  -1 with a reason in err. */
int ccd_parse_ring(const char *v, unsigned *order, char *err, size_t errsz);
/* "xx" .. "xx:xx:xx:xx:xx" (1..5 octets), unicast first octet. */
int ccd_parse_mac_prefix(const char *v, uint8_t prefix[5], unsigned *len,
			 char *err, size_t errsz);

/* ---- link status (colorcomd writes, colorcomctl reads) ---------------- */
/* One line per link seen by colorcomd: "A L FSTATE BSTATE SINCE RECREATED
 * WAIT", states of the front half (in A) and back half (in B, -1 =
 * missing), SINCE the Unix time colorcomd first saw this pair of states,
 * RECREATED how often colorcomd re-created the pair's link after a failure
 * or a flap (since the pair's back-off was last forgotten), WAIT the Unix
 * time before which it will not create it again (0 = none).  A pair in
 * back-off with no half left has a line with both states -1.  One line per
 * NIC with a back-off: "nic DOMID DEVID FLAPS WAIT".  Rewritten (atomic
 * rename) whenever a line changes; xenstore stays the truth for the
 * states, this file only adds what the daemon alone knows. */
#define CCD_STATUS_PATH         "/run/colorcom/links"

struct ccd_chan {
	unsigned a, l;
	int fstate, bstate;
	long long since;
	unsigned long recreated;
	long long wait_until;   /* 0 = none */
};
/* 0, or -1 if the line is malformed (the last two fields may be absent:
 * an older colorcomd). */
int ccd_chan_parse(const char *line, struct ccd_chan *c);
struct ccd_nicwait {
	unsigned domid, devid;
	unsigned long flaps;
	long long wait_until;   /* 0 = none */
};
/* A "nic ..." line: 0, or -1. */
int ccd_nicwait_parse(const char *line, struct ccd_nicwait *w);

/* ---- logging ------------------------------------------------------------- */
extern int ccd_verbose;
extern int ccd_use_syslog;
void ccd_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Log once per distinct key (garbage reports); verbose-independent. */
void ccd_log_once(int prio, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Tests: receive messages instead of stderr/syslog. */
extern void (*ccd_log_hook)(int prio, const char *msg);
#define CCD_LOG_ERR     3
#define CCD_LOG_WARN    4
#define CCD_LOG_INFO    6
#define CCD_LOG_DEBUG   7

/* ---- domain liveness (dom.c) -------------------------------------------- */
struct ccd_dom_ctx;
struct ccd_dom_ctx *ccd_dom_open(void);    /* NULL-safe: falls back */
void ccd_dom_close(struct ccd_dom_ctx *dc);
/* 1 alive, 0 dead, -1 unknown (no libxenctrl access). */
int ccd_dom_alive(struct ccd_dom_ctx *dc, unsigned domid);
/* As ccd_dom_alive(); if @handle is not NULL and the domain exists, also its
 * 16-octet handle (the VM's UUID, kept across save/restore, migration and
 * reboot), or all zeros. */
int ccd_dom_info(struct ccd_dom_ctx *dc, unsigned domid, unsigned char handle[16]);

/* ---- SPEC and write lists (spec.c) ---------------------------------------- */
#define CCCTL_UUID_LEN 36
#define CCCTL_DEFAULT_NET "default"
/* The domid of a domain `create` has not made yet (dry run): "$DOMID". */
#define CCCTL_DOMID_NEW 0xFFFFFFFFu

struct ccctl_spec {
	char network[CCD_NET_MAXLEN + 1];
	uint8_t mac[6];
	unsigned mtu, order;
	int devid;              /* -1 = first free */
	int has_mac;            /* 0: auto-assign (ccctl_auto_mac) */
	int has_order;          /* 0: the configured default ring */
	int has_mtu;            /* 0: the network's (conf) or 1500 */
	int uplink;             /* dom0's uplink NIC (`colorcomctl uplink`) */
};

/* The uplink NIC's auto MAC is seeded with this name whoever writes it
 * (colorcomctl uplink, colorcomd from network.NAME.uplink, a dry run), so
 * all three agree: the same network and devid give the same MAC. */
#define CCCTL_UPLINK_SEED "Domain-0"

/* Parse "[network=NAME][,mac=MAC][,mtu=N][,ring=ORDER_OR_SIZE][,devid=N]"
 * (xl vif style; every key optional, network defaults to "default").
 * Returns 0, or -1 with a one-line reason in err. */
int ccctl_parse_spec(const char *spec, struct ccctl_spec *out, char *err,
		     size_t errsz);
/* ring=: an order 6..9, or a size: bytes, or with K/KiB/M/MiB suffix. */
int ccctl_parse_ring(const char *v, unsigned *order, char *err, size_t errsz);
/* A domid written in decimal (0..0x7FEF); -1 if s is not a number. */
int ccctl_parse_domid(const char *s, unsigned *domid);

/* detach target: a devid (0..15) or a MAC. */
struct ccctl_target {
	int devid;              /* -1 if by mac */
	uint8_t mac[6];
};
int ccctl_parse_target(const char *s, struct ccctl_target *t, char *err,
		       size_t errsz);

/* ---- xenstore write lists -------------------------------------------------- */
enum ccctl_op_kind { CCCTL_MKDIR, CCCTL_WRITE, CCCTL_RM };

struct ccctl_perm {
	unsigned id;
	char mode;              /* 'n' or 'r' */
};

struct ccctl_op {
	enum ccctl_op_kind kind;
	char path[128];
	char value[128];
	struct ccctl_perm perms[2];  /* MKDIR: set; WRITE: inherited (shown) */
	unsigned nperms;
};

#define CCCTL_MAXOPS 32
struct ccctl_ops {
	struct ccctl_op op[CCCTL_MAXOPS];
	unsigned n;
};

/* Every write of an attach, in order: both dirs with their permissions
 * first, then the keys, `state` last. */
void ccctl_attach_ops(unsigned domid, unsigned devid,
		      const struct ccctl_spec *s, struct ccctl_ops *ops);
/* The attach's persistence record (same transaction; colorcomd re-attaches
 * from it when a domain with this UUID comes back after a reboot). */
void ccctl_persist_ops(const char *uuid, unsigned domid, unsigned devid,
		       const char *name, const struct ccctl_spec *s,
		       struct ccctl_ops *ops);
void ccctl_detach_ops(unsigned domid, unsigned devid, struct ccctl_ops *ops);
void ccctl_ops_json(FILE *f, const char *cmd, unsigned domid, unsigned devid,
		    const struct ccctl_ops *ops);

void ccctl_json_str(FILE *f, const char *s);
/* Decimal, or "$DOMID" for CCCTL_DOMID_NEW; buf holds 16 bytes. */
const char *ccctl_domstr(unsigned domid, char buf[16]);
/* Prefix from the configuration, the rest from a hash of the host's
 * mac_seed, seed (the domain name), network, devid and attempt: on one host
 * the same domain gets the same MAC each time (across reboots too, as long as
 * the machine-id or mac-seed stays); another host gets another MAC; a clash
 * on this host is resolved by the next attempt. */
void ccctl_auto_mac(const struct ccd_conf *c, const char *seed,
		    const char *network, unsigned devid, unsigned attempt,
		    uint8_t mac[6]);

void ccctl_persist_dir(char *buf, size_t sz, const char *uuid, unsigned devid);
void ccctl_backend_dir(char *buf, size_t sz, unsigned domid, unsigned devid);
void ccctl_frontend_dir(char *buf, size_t sz, unsigned domid, unsigned devid);

/* ---- one attach (attach.c) --------------------------------------------- */
#define CCCTL_ERRLEN 256
/* Longest domain name the tools take (a config's name, a DOMAIN argument);
 * longer ones are refused, never cut (it seeds the MAC, names the record). */
#define CCCTL_NAME_MAX 63

struct ccctl_attach {
	unsigned domid, devid;
	struct ccctl_spec spec;
	const struct ccd_conf *conf;
	const char *conf_path;
	char seed[64];                  /* domain name: seeds the auto MAC */
	char uuid[CCCTL_UUID_LEN + 1];  /* "" = no persistence record */
	int dry_run;                    /* check everything, write nothing */
	char err[CCCTL_ERRLEN];
};
struct xs_handle;
/* xs_read into buf as a string: its length, -1 missing, -2 too long or
 * holding a NUL (buf = ""). */
int ccctl_read(struct xs_handle *h, uint32_t t, const char *path, char *buf,
	       size_t bufsz);
/* Numeric entries of a directory, sorted; returns count (<= max). */
unsigned ccctl_list_ids(struct xs_handle *h, uint32_t t, const char *path,
			unsigned long maxid, unsigned *out, unsigned max);
/* Backend key of NIC (d, n) into buf, as ccctl_read. */
int ccctl_nic_key(struct xs_handle *h, uint32_t t, unsigned d, unsigned n,
		  const char *key, char *buf, size_t sz);
/* Parse SPEC with conf's defaults (ring, the network's MTU).  -1 with err. */
int ccctl_attach_prepare_conf(struct ccctl_attach *c, const char *spec,
			      const struct ccd_conf *conf,
			      const char *conf_path, char *err, size_t errsz);
/* The network half of an attach, inside t: the MAC (given: not used on the
 * network; auto: the first free one) and max-peers.  pend[0..npend) are NICs
 * of the same command a dry run did not write: counted as if present.  0, or
 * 1 refused (c->err). */
int ccctl_attach_net(struct xs_handle *h, uint32_t t, struct ccctl_attach *c,
		     const struct ccctl_attach *pend, unsigned npend);
/* Inside transaction t: choose the devid and (auto) MAC, enforce the
 * network's policy, write the NIC and (c->uuid set) its reboot record.  0
 * written (or checked, dry run), >0 refused, <0 xenstore error: c->err
 * says why either way. */
int ccctl_attach_write(struct xs_handle *h, uint32_t t, struct ccctl_attach *c);

/* ---- a domain's xl config (domcfg.c, libxlutil) ---------------------------- */
/* One `colorcom = [...]` entry: prepared (devid chosen as xl numbers vifs),
 * or bad with the reason in nic.err. */
struct ccctl_domcfg_nic {
	struct ccctl_attach at;
	int bad;
};
struct ccctl_domcfg {
	char name[CCCTL_NAME_MAX + 1];
	unsigned n;                     /* entries in the list */
	unsigned nbad;
	struct ccctl_domcfg_nic nic[CCD_DEVID_MAX + 1];
};
/* Parse an xl domain config with libxlutil, xl's own parser: the file at
 * path, or (data != NULL) len bytes of config text named path in messages,
 * then each over[i] ("KEY=VALUE", applied after as xl applies them).  -1 with
 * a one-line err when the config as a whole is unusable (syntax, no name,
 * `colorcom` not a list of strings, more entries than devids); otherwise 0,
 * each entry prepared with conf's defaults or marked bad on its own. */
int ccctl_domcfg_parse(const char *path, const char *data, size_t len,
		       char **over, int nover, const struct ccd_conf *conf,
		       const char *conf_path, struct ccctl_domcfg *cfg,
		       char *err, size_t errsz);

/* xsops.c: apply a write list inside transaction t, without logging;
 * *failed = the op that failed, errno set.  0 or -1. */
int ccctl_xs_apply(struct xs_handle *h, uint32_t t, const struct ccctl_ops *ops,
		   const struct ccctl_op **failed);

#endif
