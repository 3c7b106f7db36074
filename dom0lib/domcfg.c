// SPDX-License-Identifier: GPL-2.0 OR MIT
/* domcfg.c - the `colorcom = [...]` list of an xl domain config.
 *
 * Read with libxlutil, Xen's own parser for xl's syntax, so the list means
 * what it would mean to xl (xl itself ignores the key).  colorcomctl create
 * reads the file it is given; colorcomd reads the config a domain was made
 * from (xlcfg.c).  Overrides ("KEY=VALUE" after the file on xl's command
 * line) are applied the way xl applies them: xlu_cfg_readdata after the file.
 *
 * One bad entry does not spoil the others: colorcomd attaches the good ones
 * and reports the bad; colorcomctl create refuses the whole config.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxlutil.h>

#include "ccdom0.h"

/* Entry i against the entries before it: the same MAC on the same network,
 * or the same explicit devid, makes the later one bad. */
static void domcfg_clash(struct ccctl_domcfg *cfg, unsigned i)
{
	struct ccctl_attach *c = &cfg->nic[i].at;
	unsigned j;

	for (j = 0; j < i; j++) {
		const struct ccctl_attach *o = &cfg->nic[j].at;

		if (cfg->nic[j].bad)
			continue;
		if (c->spec.has_mac && o->spec.has_mac &&
		    !memcmp(c->spec.mac, o->spec.mac, 6) &&
		    !strcmp(c->spec.network, o->spec.network)) {
			snprintf(c->err, sizeof(c->err),
				 "same MAC and network as colorcom[%u]", j);
			cfg->nic[i].bad = 1;
			return;
		}
		if (c->spec.devid >= 0 && c->spec.devid == o->spec.devid) {
			snprintf(c->err, sizeof(c->err),
				 "devid %d already used by colorcom[%u]",
				 c->spec.devid, j);
			cfg->nic[i].bad = 1;
			return;
		}
	}
}

/* libxlutil reports syntax errors as "FILE:LINE: ..." on `report`: keep the
 * first line of it for a one-line message. */
static void domcfg_report_err(const char *rep, const char *path, int e,
			      char *err, size_t errsz)
{
	const char *nl = strchr(rep, '\n');
	int len = nl ? (int)(nl - rep) : (int)strlen(rep);

	if (len)
		snprintf(err, errsz, "%.*s", len, rep);
	else
		snprintf(err, errsz, "%s: %s", path, strerror(e));
}

int ccctl_domcfg_parse(const char *path, const char *data, size_t len,
		       char **over, int nover, const struct ccd_conf *conf,
		       const char *conf_path, struct ccctl_domcfg *cfg,
		       char *err, size_t errsz)
{
	XLU_ConfigList *list = NULL;
	const char *name = NULL;
	unsigned taken = 0, i;
	char rep[512];
	struct stat st;
	XLU_Config *x;
	FILE *report;
	int k, n = 0, e, rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (!data) {
		if (access(path, R_OK))         /* libxlutil's report loses errno */
			return snprintf(err, errsz, "%s: %s", path,
					strerror(errno)), -1;
		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			return snprintf(err, errsz, "%s: %s", path,
					strerror(EISDIR)), -1;
	}
	if (len > 1 << 20)
		return snprintf(err, errsz, "%s: %zu bytes of config, more than xl reads",
				path, len), -1;
	report = fmemopen(rep, sizeof(rep) - 1, "w");
	if (!report)
		return snprintf(err, errsz, "%s: %s", path, strerror(errno)), -1;
	memset(rep, 0, sizeof(rep));
	setvbuf(report, NULL, _IONBF, 0);
	x = xlu_cfg_init(report, path);
	if (!x) {
		snprintf(err, errsz, "%s: out of memory", path);
		goto out_report;
	}
	e = data ? xlu_cfg_readdata(x, data, (int)len) : xlu_cfg_readfile(x, path);
	for (k = 0; !e && k < nover; k++)
		e = xlu_cfg_readdata(x, over[k], (int)strlen(over[k]));
	if (e) {
		domcfg_report_err(rep, path, e, err, errsz);
		goto out_cfg;
	}
	if (xlu_cfg_get_string(x, "name", &name, 1) || !name || !*name) {
		snprintf(err, errsz, "%s: no name = \"...\" (xl needs one too)",
			 path);
		goto out_cfg;
	}
	if (strlen(name) > CCCTL_NAME_MAX) {
		snprintf(err, errsz, "%s: name is %zu characters long (at most %d)",
			 path, strlen(name), CCCTL_NAME_MAX);
		goto out_cfg;
	}
	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	e = xlu_cfg_get_list(x, "colorcom", &list, &n, 1);
	if (e == ESRCH) {
		n = 0;
	} else if (e) {
		snprintf(err, errsz,
			 "%s: colorcom must be a list of strings: colorcom = [ 'network=NAME,...', ... ]",
			 path);
		goto out_cfg;
	}
	if (n > (int)(CCD_DEVID_MAX + 1)) {
		snprintf(err, errsz, "%s: colorcom: %d NICs, at most %u", path,
			 n, CCD_DEVID_MAX + 1);
		goto out_cfg;
	}
	cfg->n = (unsigned)n;
	for (i = 0; i < cfg->n; i++) {
		struct ccctl_attach *c = &cfg->nic[i].at;
		const char *spec = xlu_cfg_get_listitem(list, (int)i);

		memcpy(c->seed, cfg->name, sizeof(cfg->name));
		if (!spec) {
			snprintf(c->err, sizeof(c->err), "not a string");
			cfg->nic[i].bad = 1;
		} else if (ccctl_attach_prepare_conf(c, spec, conf, conf_path,
						     c->err, sizeof(c->err))) {
			cfg->nic[i].bad = 1;
		} else {
			domcfg_clash(cfg, i);
		}
		if (cfg->nic[i].bad)
			cfg->nbad++;
		else if (c->spec.devid >= 0)
			taken |= 1u << c->spec.devid;
	}
	/* Devids as xl numbers vifs: in list order, skipping explicit ones. */
	for (i = 0; i < cfg->n; i++) {
		struct ccctl_attach *c = &cfg->nic[i].at;
		unsigned d;

		if (cfg->nic[i].bad)
			continue;
		if (c->spec.devid < 0) {
			for (d = 0; taken >> d & 1; d++)
				;
			taken |= 1u << d;
			c->spec.devid = (int)d;
		}
		c->devid = (unsigned)c->spec.devid;
	}
	rc = 0;
out_cfg:
	xlu_cfg_destroy(x);
out_report:
	fclose(report);
	return rc;
}
