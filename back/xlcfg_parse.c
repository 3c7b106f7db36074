/* xlcfg_parse.c - the `colorcom = [...]` list of an xl domain config.
 *
 * Parsed with libxlutil, the parser xl itself uses, from the config text xl
 * stored.  Unlike `colorcomctl create`, which refuses a config with any bad
 * entry before the domain exists, the domain is already running here: a bad
 * entry is reported on its own and the others still attach.  Devids follow
 * create's rule (list order, skipping explicit ones); a bad entry still
 * takes a devid, so the numbering of the others does not depend on it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libxlutil.h>

#include "xlcfg.h"

static void entry_err(struct ccd_xlnic *c, const char *fmt, const char *a)
{
	c->ok = 0;
	snprintf(c->err, sizeof(c->err), fmt, a);
}

int ccd_xlcfg_parse(const char *data, size_t len, const char *what,
		    const struct ccd_conf *conf, struct ccd_xlcfg *cfg)
{
	char rep[256], err[256];
	XLU_ConfigList *list = NULL;
	const char *name = NULL;
	unsigned taken = 0, i, j;
	XLU_Config *x;
	FILE *report;
	int n = 0, e, rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (len > 1 << 20)
		return snprintf(cfg->err, sizeof(cfg->err), "%s: too long", what), -1;
	/* libxlutil's lexer asserts on a NUL inside a quoted string (it
	 * measures the token with strlen): such text is no config anyway. */
	if (memchr(data, '\0', len))
		return snprintf(cfg->err, sizeof(cfg->err),
				"%s: contains a NUL byte", what), -1;
	/* libxlutil reports syntax errors on `report`: keep the first line. */
	memset(rep, 0, sizeof(rep));
	report = fmemopen(rep, sizeof(rep) - 1, "w");
	if (!report)
		return snprintf(cfg->err, sizeof(cfg->err), "%s: %s", what,
				strerror(errno)), -1;
	setvbuf(report, NULL, _IONBF, 0);
	x = xlu_cfg_init(report, what);
	if (!x) {
		snprintf(cfg->err, sizeof(cfg->err), "%s: out of memory", what);
		goto out_report;
	}
	e = xlu_cfg_readdata(x, data, (int)len);
	if (e) {
		char *nl = strchr(rep, '\n');

		if (nl)
			*nl = '\0';
		snprintf(cfg->err, sizeof(cfg->err), "%s",
			 rep[0] ? rep : "syntax error");
		goto out_cfg;
	}
	if (!xlu_cfg_get_string(x, "name", &name, 1) && name)
		snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	e = xlu_cfg_get_list(x, "colorcom", &list, &n, 1);
	if (e == ESRCH) {
		rc = 1;
		goto out_cfg;
	}
	if (e) {
		snprintf(cfg->err, sizeof(cfg->err),
			 "%s: colorcom must be a list of strings: colorcom = [ 'network=NAME,...', ... ]",
			 what);
		goto out_cfg;
	}
	if (n > (int)CCD_XLCFG_MAX) {
		snprintf(cfg->err, sizeof(cfg->err),
			 "%s: colorcom: %d NICs, at most %u", what, n,
			 CCD_XLCFG_MAX);
		goto out_cfg;
	}
	for (i = 0; i < (unsigned)n; i++) {
		struct ccd_xlnic *c = &cfg->nic[i];
		const char *spec = xlu_cfg_get_listitem(list, (int)i);

		c->index = (int)i;
		c->ok = 1;
		c->spec.devid = -1;
		if (!spec) {
			entry_err(c, "not a string%s", "");
			continue;
		}
		if (ccctl_parse_spec(spec, &c->spec, err, sizeof(err))) {
			c->spec.devid = -1;
			entry_err(c, "%s", err);
			continue;
		}
		if (!c->spec.has_order)
			c->spec.order = conf->order;
		for (j = 0; j < i; j++) {
			const struct ccd_xlnic *o = &cfg->nic[j];

			if (!o->ok)
				continue;
			if (c->spec.has_mac && o->spec.has_mac &&
			    !memcmp(c->spec.mac, o->spec.mac, 6) &&
			    !strcmp(c->spec.network, o->spec.network)) {
				snprintf(c->err, sizeof(c->err),
					 "same MAC and network as colorcom[%u]", j);
				c->ok = 0;
				break;
			}
			if (c->spec.devid >= 0 && c->spec.devid == o->spec.devid) {
				snprintf(c->err, sizeof(c->err),
					 "devid %d already used by colorcom[%u]",
					 c->spec.devid, j);
				c->ok = 0;
				c->spec.devid = -1;
				break;
			}
		}
		if (c->ok && c->spec.devid >= 0)
			taken |= 1u << c->spec.devid;
	}
	for (i = 0; i < (unsigned)n; i++) {
		struct ccd_xlnic *c = &cfg->nic[i];
		unsigned d;

		if (c->spec.devid >= 0 && c->ok) {
			c->devid = (unsigned)c->spec.devid;
			continue;
		}
		for (d = 0; d < CCD_XLCFG_MAX && taken >> d & 1; d++)
			;
		if (d == CCD_XLCFG_MAX) {
			/* only reachable with bad entries holding no devid */
			c->ok = 0;
			snprintf(c->err, sizeof(c->err), "no free devid");
			c->devid = CCD_XLCFG_MAX;
			continue;
		}
		taken |= 1u << d;
		c->devid = d;
		if (c->ok)
			c->spec.devid = (int)d;
	}
	cfg->n = (unsigned)n;
	rc = 0;
out_cfg:
	xlu_cfg_destroy(x);
out_report:
	fclose(report);
	return rc;
}
