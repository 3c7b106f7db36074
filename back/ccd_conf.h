/* ccd_conf.h - /etc/colorcom/colorcomd.conf, read by colorcomd and
 * colorcomctl, and the ring-size syntax they share.  Pure: no I/O besides
 * reading the file, unit tested in back/tests/test_conf.c.
 *
 * Syntax (colorcomd.conf(5)): one `key = value` per line, `#` starts a
 * comment, blank lines ignored.  Keys:
 *   ring = SIZE                    default ring (order 6..9 or 256K..2M)
 *   mac-prefix = xx[:xx...]        1..5 octets auto-assigned MACs start with
 *   reboot-grace = SECONDS         keep a vanished domain's NICs this long
 *   network.NAME.max-peers = N     at most N NICs on network NAME (0: no limit)
 *   network.NAME.uplink = on|off   dom0's uplink NIC on NAME (ccup-NAME)
 */
#ifndef CCD_CONF_H
#define CCD_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "ccd_valid.h"

#define CCD_CONF_PATH           "/etc/colorcom/colorcomd.conf"
#define CCD_CONF_MAXNETS        64
#define CCD_REBOOT_GRACE_S      60u
#define CCD_MAX_PEERS_MAX       4096ul

struct ccd_conf_net {
	char name[CCD_NET_MAXLEN + 1];
	unsigned max_peers;     /* 0 = no limit */
	int max_peers_set;      /* the key was given (duplicate detection) */
	int uplink;             /* CCD_UPLINK_UNSET, _OFF or _ON */
};

/* network.NAME.uplink: unset = colorcomctl decides; on/off = colorcomd keeps
 * dom0's uplink NIC on NAME present/absent (and colorcomctl will not go
 * against it). */
enum { CCD_UPLINK_UNSET = -1, CCD_UPLINK_OFF = 0, CCD_UPLINK_ON = 1 };

struct ccd_conf {
	unsigned order;                 /* default ring-page-order */
	uint8_t mac_prefix[5];
	unsigned mac_prefix_len;        /* octets, 1..5 */
	unsigned reboot_grace_s;
	struct ccd_conf_net nets[CCD_CONF_MAXNETS];
	unsigned nnet;
};

void ccd_conf_defaults(struct ccd_conf *c);
/* Parse text (len bytes, need not be NUL-terminated).  On error returns -1
 * with "FILE:LINE: reason" in err and leaves *c at its defaults. */
int ccd_conf_parse(const char *text, size_t len, const char *fname,
		   struct ccd_conf *c, char *err, size_t errsz);
/* Read and parse path.  A missing file is fine (defaults) when missing_ok. */
int ccd_conf_load(const char *path, int missing_ok, struct ccd_conf *c,
		  char *err, size_t errsz);
/* SIGHUP: load path (NULL: CCD_CONF_PATH, which may be missing) into *cur;
 * on error *cur is left as it was and err says why.  *used is the path. */
int ccd_conf_reload(const char *path, struct ccd_conf *cur, const char **used,
		    char *err, size_t errsz);
/* 0 = no limit. */
unsigned ccd_conf_max_peers(const struct ccd_conf *c, const char *network);
/* CCD_UPLINK_UNSET when the file does not say. */
int ccd_conf_uplink(const struct ccd_conf *c, const char *network);

/* A ring size: an order 6..9, or bytes with an optional K/KiB/M/MiB suffix
 * that is a power of two between 256K and 2M.  -1 with a reason in err. */
int ccd_parse_ring(const char *v, unsigned *order, char *err, size_t errsz);
/* "xx" .. "xx:xx:xx:xx:xx" (1..5 octets), unicast first octet. */
int ccd_parse_mac_prefix(const char *v, uint8_t prefix[5], unsigned *len,
			 char *err, size_t errsz);

/* ---- channel status (colorcomd writes, colorcomctl reads) ------------- */
/* One line per link seen by colorcomd: "A L FSTATE BSTATE SINCE", states
 * of the front half (in A) and back half (in B, -1 = missing), SINCE the
 * Unix time colorcomd first saw this pair of states.  Rewritten (atomic
 * rename) whenever a line changes; xenstore stays the truth for the
 * states, this file only adds the time. */
#define CCD_STATUS_PATH         "/run/colorcom/channels"

struct ccd_chan {
	unsigned a, l;
	int fstate, bstate;
	long long since;
};
/* 0, or -1 if the line is malformed. */
int ccd_chan_parse(const char *line, struct ccd_chan *c);

#endif
