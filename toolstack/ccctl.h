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

#include "ccd_valid.h"

#define CCCTL_ERRLEN 256
#define CCCTL_DETACH_WAIT_S 15

/* ---- SPEC ---------------------------------------------------------------- */
struct ccctl_spec {
	char network[CCD_NET_MAXLEN + 1];
	uint8_t mac[6];
	unsigned mtu, order;
	int devid;              /* -1 = first free */
};

/* Parse "network=NAME,mac=MAC[,mtu=N][,ring=ORDER_OR_SIZE][,devid=N]".
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
void ccctl_detach_ops(unsigned domid, unsigned devid, struct ccctl_ops *ops);
void ccctl_ops_json(FILE *f, const char *cmd, unsigned domid, unsigned devid,
		    const struct ccctl_ops *ops);

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
/* fn returns 0 commit, >0 abort with err already set (rc returned), <0 error. */
typedef int (*ccctl_tx_fn)(struct xs_handle *h, uint32_t t, void *arg);
int ccctl_transact(struct xs_handle *h, ccctl_tx_fn fn, void *arg);

/* ---- commands --------------------------------------------------------------- */
struct ccctl_global {
	int dry_run;
	int verbose;
};
extern struct ccctl_global ccctl_g;

int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_help(int argc, char **argv);

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
