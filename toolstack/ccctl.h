/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* ccctl.h - colorcomctl, the colorcom toolstack command.
 *
 * SPEC parsing and the write lists come from libccdom0 (dom0lib/ccdom0.h).
 *
 *   xsutil.c  xenstore: domain lookup, transactions, applying writes
 *   cmds.c    one function per subcommand
 *   main.c    global options and the command table
 */
#ifndef CCCTL_H
#define CCCTL_H

#include <stdint.h>
#include <stdio.h>

#include "ccdom0.h"

#define CCCTL_DETACH_WAIT_S 15
/* ---- xenstore (xsutil.c) ----------------------------------------------------- */
struct xs_handle;
struct xs_handle *ccctl_xs(void);       /* opened on first use; NULL = error */
/* The same without an error message: dry runs check against xenstore when
 * there is one, and still work on a host without. */
struct xs_handle *ccctl_xs_quiet(void);
void ccctl_xs_close(void);
/* A DOMAIN argument that is a domid: decimal 0..32751, leading zeros
 * allowed as xl allows them.  0, or -1. */
int ccctl_domid_arg(const char *arg, unsigned *domid);
/* Resolve a domid or a name.  Returns 0, or -1 with err set. */
int ccctl_domain(struct xs_handle *h, const char *arg, unsigned *domid,
		 char *err, size_t errsz);
int ccctl_apply_ops(struct xs_handle *h, uint32_t t,
		    const struct ccctl_ops *ops);
/* fn returns 0 commit, >0 abort with err already set (rc returned), <0 error. */
typedef int (*ccctl_tx_fn)(struct xs_handle *h, uint32_t t, void *arg);
int ccctl_transact(struct xs_handle *h, ccctl_tx_fn fn, void *arg);

/* Liveness through libxenctrl (libccdom0's dom.c): 0, or -1 with "domain D is
 * dying or has shut down" in err.  Unknown liveness (no privcmd) passes. */
int ccctl_dom_usable(struct xs_handle *h, unsigned domid, char *err,
		     size_t errsz);
/* The domain's name (or its domid if it has none) and UUID ("" for dom0 or
 * when /local/domain/D/vm is not "/vm/UUID").  name may be NULL. */
void ccctl_dom_ident(struct xs_handle *h, unsigned domid, char *name,
		     size_t namesz, char uuid[CCCTL_UUID_LEN + 1]);
/* Length of the domain's name in xenstore, -1 if it has none. */
int ccctl_dom_name_len(struct xs_handle *h, unsigned domid);
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

/* Parse SPEC with the configured defaults.  -1 with err set. */
int ccctl_attach_prepare(struct ccctl_attach *c, const char *spec, char *err,
			 size_t errsz);
/* ccctl_attach_write (ccdom0.h), with a xenstore error reported: 0 written
 * (or checked, dry run), >0 refused (c->err), <0 xenstore error. */
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
int cmd_links(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_rpc(int argc, char **argv);     /* rpc.c */
int cmd_create(int argc, char **argv);
int cmd_uplink(int argc, char **argv);
int cmd_help(int argc, char **argv);

/* Where colorcomd publishes when each link entered its state. */
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
void ccctl_usage(const struct ccctl_cmd *c);     /* stderr: after an error */
void ccctl_help(const struct ccctl_cmd *c);      /* stdout: asked for */

/* Dry-run hook for tests: was xenstore opened? */
extern unsigned long ccctl_xs_opens;

#endif
