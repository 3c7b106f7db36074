/* xlcfg.h - colorcomd: `colorcom = [...]` from each domain's xl config.
 *
 * xl stores the exact config of every domain it creates, restores or
 * receives as libxl userdata "xl" (before it unpauses the domain); the
 * daemon reads it back and attaches the NICs the `colorcom` list names,
 * with colorcomctl's SPEC parser, auto-MAC rule and write lists (dom0lib).
 */
#ifndef CCD_XLCFG_H
#define CCD_XLCFG_H

#include <stddef.h>
#include "ccdom0.h"

/* Per-domain "config applied" markers (value: the domain's UUID), so a
 * restarted daemon neither re-attaches a NIC the admin detached nor misses a
 * domain created while it was down. */
#define CCD_XLCFG_ROOT "/local/domain/0/colorcom/xlcfg"
#define CCD_XLCFG_MAX  (CCD_DEVID_MAX + 1)

struct ccd_xlnic {
	int ok;                 /* the entry is usable; else err says why */
	int index;              /* position in the colorcom list */
	unsigned devid;
	struct ccctl_spec spec;
	char err[256];
};

struct ccd_xlcfg {
	char name[64];          /* `name`: seeds the auto MAC, like create */
	unsigned n;
	struct ccd_xlnic nic[CCD_XLCFG_MAX];
	char err[320];          /* the whole list is unusable */
};

/* Parse config text (pure: libxlutil only).  0: cfg filled, entries may be
 * !ok individually; 1: no colorcom key; -1: no usable list (cfg->err). */
int ccd_xlcfg_parse(const char *data, size_t len, const char *what,
		    const struct ccd_conf *conf, struct ccd_xlcfg *cfg);

/* The daemon side (xlcfg.c, libxl). */
struct xs_handle;
struct ccd_snap;
struct ccd_xlcfg_ctx;
struct ccd_xlcfg_ctx *ccd_xlcfg_new(void);
void ccd_xlcfg_free(struct ccd_xlcfg_ctx *x);
/* After a pass: apply the config of every live domain not done yet.
 * Returns when to pass again (0 = no need). */
long long ccd_xlcfg_pass(struct xs_handle *h, struct ccd_xlcfg_ctx *x,
			 const struct ccd_snap *snap,
			 const struct ccd_conf *conf, long long now_ms);

#endif
