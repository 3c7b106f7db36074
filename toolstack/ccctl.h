/* ccctl.h - colorcomctl, the colorcom toolstack command.
 *
 *   spec.c    pure: SPEC parsing, detach targets, the list of xenstore writes
 *             of an attach/detach, their JSON form (dry run)
 *   xsutil.c  xenstore: domain lookup, transactions, applying writes
 *   cmds.c    one function per subcommand
 *   main.c    global options and the command table
 */
#ifndef CCCTL_H
#define CCCTL_H

#include <stdint.h>
#include <stdio.h>

#include "ccd_conf.h"
#include "ccd_valid.h"

#define CCCTL_ERRLEN 256
#define CCCTL_DETACH_WAIT_S 15
#define CCCTL_DEFAULT_NET "default"
/* The domid of a domain `create` has not made yet (dry run): "$DOMID". */
#define CCCTL_DOMID_NEW 0xFFFFFFFFu
#define CCCTL_UUID_LEN 36

/* ---- SPEC ---------------------------------------------------------------- */
struct ccctl_spec {
	char network[CCD_NET_MAXLEN + 1];
	uint8_t mac[6];
	unsigned mtu, order;
	int devid;              /* -1 = first free */
	int has_mac;            /* 0: auto-assign (ccctl_auto_mac) */
	int has_order;          /* 0: the configured default ring */
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
/* Prefix from the configuration, the rest from a hash of seed (the domain
 * name), network, devid and attempt: the same domain gets the same MAC each
 * time; a clash is resolved by the next attempt. */
void ccctl_auto_mac(const struct ccd_conf *c, const char *seed,
		    const char *network, unsigned devid, unsigned attempt,
		    uint8_t mac[6]);

void ccctl_persist_dir(char *buf, size_t sz, const char *uuid, unsigned devid);
void ccctl_backend_dir(char *buf, size_t sz, unsigned domid, unsigned devid);
void ccctl_frontend_dir(char *buf, size_t sz, unsigned domid, unsigned devid);

/* ---- xenstore (xsutil.c) ----------------------------------------------------- */
struct xs_handle;
struct xs_handle *ccctl_xs(void);       /* opened on first use; NULL = error */
void ccctl_xs_close(void);
/* Resolve a domid or a name.  Returns 0, or -1 with err set. */
int ccctl_domain(struct xs_handle *h, const char *arg, unsigned *domid,
		 char *err, size_t errsz);
int ccctl_read(struct xs_handle *h, uint32_t t, const char *path, char *buf,
	       size_t bufsz);
int ccctl_apply_ops(struct xs_handle *h, uint32_t t,
		    const struct ccctl_ops *ops);
/* xsops.c: the same without logging; *failed = the op that failed, errno set. */
int ccctl_xs_apply(struct xs_handle *h, uint32_t t, const struct ccctl_ops *ops,
		   const struct ccctl_op **failed);
/* fn returns 0 commit, >0 abort with err already set (rc returned), <0 error. */
typedef int (*ccctl_tx_fn)(struct xs_handle *h, uint32_t t, void *arg);
int ccctl_transact(struct xs_handle *h, ccctl_tx_fn fn, void *arg);

/* Liveness through libxenctrl (back/dom.c): 0, or -1 with "domain D is
 * dying or has shut down" in err.  Unknown liveness (no privcmd) passes. */
int ccctl_dom_usable(struct xs_handle *h, unsigned domid, char *err,
		     size_t errsz);
/* The domain's name (or its domid if it has none) and UUID ("" for dom0 or
 * when /local/domain/D/vm is not "/vm/UUID").  name may be NULL. */
void ccctl_dom_ident(struct xs_handle *h, unsigned domid, char *name,
		     size_t namesz, char uuid[CCCTL_UUID_LEN + 1]);
/* Numeric entries of a directory, sorted; returns count (<= max). */
unsigned ccctl_list_ids(struct xs_handle *h, uint32_t t, const char *path,
			unsigned long maxid, unsigned *out, unsigned max);
struct ccd_dom_ctx *ccctl_dc(void);     /* opened on first use */

/* ---- configuration --------------------------------------------------------- */
/* Loaded on first use from -c FILE or CCD_CONF_PATH (which may be missing);
 * NULL on error, with the "FILE:LINE: reason" in ccctl_conf_err. */
const struct ccd_conf *ccctl_conf(void);
const char *ccctl_conf_path(void);
extern char ccctl_conf_err[CCCTL_ERRLEN];

/* ---- commands --------------------------------------------------------------- */
struct ccctl_global {
	int dry_run;
	int verbose;
	const char *conf_path;  /* -c */
};
extern struct ccctl_global ccctl_g;

/* One attach, shared by `attach` and `create`. */
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
/* Parse SPEC with the configured defaults.  -1 with err set. */
int ccctl_attach_prepare(struct ccctl_attach *c, const char *spec, char *err,
			 size_t errsz);
/* Inside transaction t: 0 written (or checked, dry run), >0 refused (c->err),
 * <0 xenstore error (reported). */
int ccctl_attach_tx(struct xs_handle *h, uint32_t t, struct ccctl_attach *c);
void ccctl_attach_json(FILE *f, const struct ccctl_attach *c);

/* detach's second half, shared with `uplink off`: one transaction (online=0,
 * state=5, end of the reboot record), then (wait) until colorcomd removed the
 * dirs, or remove them after timeout seconds.  cmd names the JSON and the
 * messages.  Exit status. */
struct ccctl_target;
int ccctl_detach_run(struct xs_handle *h, unsigned domid,
		     const struct ccctl_target *tg, int wait,
		     unsigned long timeout, const char *cmd);

/* getopt over a subcommand's argv; handles -N and -h.  0 go on, 1 help
 * printed, 2 usage error. */
struct option;
int ccctl_parse_opts(int argc, char **argv, const char *sopts,
		     const struct option *lopts, int (*on)(int opt, void *),
		     void *arg);

int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_networks(int argc, char **argv);
int cmd_channels(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_uplink(int argc, char **argv);
int cmd_help(int argc, char **argv);

/* Where colorcomd publishes when each channel entered its state. */
#define CCCTL_STATUS_PATH CCD_STATUS_PATH

struct ccctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *summary;
};
extern const struct ccctl_cmd ccctl_cmds[];
const struct ccctl_cmd *ccctl_find_cmd(const char *name);

/* "colorcomctl: " + message to stderr. */
void ccctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ccctl_usage(const struct ccctl_cmd *c);

/* Dry-run hook for tests: was xenstore opened? */
extern unsigned long ccctl_xs_opens;

#endif
