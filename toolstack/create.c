/* create.c - `colorcomctl create CONFIG [xl create options] [KEY=VALUE...]`.
 *
 * The domain config is read with libxlutil, Xen's own parser for xl's
 * syntax, so `colorcom = [ 'network=blue,mac=...', ... ]` means what it
 * would mean to xl (xl itself ignores the key).  KEY=VALUE overrides are
 * applied the way xl applies them (xlu_cfg_readdata after the file).
 *
 * Order: everything is validated before xl runs; `xl create -p` makes the
 * domain paused; all its NICs are attached in ONE transaction; then
 * `xl unpause`, so the guest sees its NICs from its first instruction.  If
 * the attach fails the domain is destroyed: nothing is left half made.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libxlutil.h>
#include <xenstore.h>

#include "ccctl.h"

#define CCCTL_MAX_NICS  (CCD_DEVID_MAX + 1)
#define CCCTL_MAX_XLARGS 64

struct ccctl_domcfg {
	char name[64];
	unsigned n;
	struct ccctl_attach nic[CCCTL_MAX_NICS];
	char err[CCCTL_ERRLEN];
};

/* Parse CONFIG plus overrides into cfg.  -1 with a one-line err. */
int ccctl_domcfg_read(const char *path, char **over, int nover,
		      struct ccctl_domcfg *cfg, char *err, size_t errsz)
{
	char spec_err[CCCTL_ERRLEN], rep[512];
	XLU_ConfigList *list = NULL;
	const char *name = NULL;
	unsigned taken = 0;
	XLU_Config *x;
	FILE *report;
	int i, n = 0, e, rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (access(path, R_OK))         /* libxlutil's report loses errno */
		return snprintf(err, errsz, "%s: %s", path, strerror(errno)), -1;
	/* libxlutil reports syntax errors as "FILE:LINE: ..." on `report`;
	 * catch them to print one line. */
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
	e = xlu_cfg_readfile(x, path);
	for (i = 0; !e && i < nover; i++)
		e = xlu_cfg_readdata(x, over[i], (int)strlen(over[i]));
	if (e) {
		char *nl = strchr(rep, '\n');

		if (nl)
			*nl = '\0';
		if (rep[0])
			snprintf(err, errsz, "%s", rep);
		else
			snprintf(err, errsz, "%s: %s", path, strerror(e));
		goto out_cfg;
	}
	if (xlu_cfg_get_string(x, "name", &name, 1) || !name || !*name) {
		snprintf(err, errsz, "%s: no name = \"...\" (xl needs one too)",
			 path);
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
	if (n > (int)CCCTL_MAX_NICS) {
		snprintf(err, errsz, "%s: colorcom: %d NICs, at most %u", path,
			 n, CCCTL_MAX_NICS);
		goto out_cfg;
	}
	for (i = 0; i < n; i++) {
		struct ccctl_attach *c = &cfg->nic[i];
		const char *spec = xlu_cfg_get_listitem(list, i);
		unsigned j;

		if (!spec) {
			snprintf(err, errsz, "%s: colorcom[%d] is not a string",
				 path, i);
			goto out_cfg;
		}
		if (ccctl_attach_prepare(c, spec, spec_err, sizeof(spec_err))) {
			snprintf(err, errsz, "%s: colorcom[%d]: %s", path, i,
				 spec_err);
			goto out_cfg;
		}
		snprintf(c->seed, sizeof(c->seed), "%s", cfg->name);
		for (j = 0; j < (unsigned)i; j++) {
			if (c->spec.has_mac && cfg->nic[j].spec.has_mac &&
			    !memcmp(c->spec.mac, cfg->nic[j].spec.mac, 6) &&
			    !strcmp(c->spec.network, cfg->nic[j].spec.network)) {
				snprintf(err, errsz,
					 "%s: colorcom[%d]: same MAC and network as colorcom[%u]",
					 path, i, j);
				goto out_cfg;
			}
			if (c->spec.devid >= 0 &&
			    c->spec.devid == cfg->nic[j].spec.devid) {
				snprintf(err, errsz,
					 "%s: colorcom[%d]: devid %d already used by colorcom[%u]",
					 path, i, c->spec.devid, j);
				goto out_cfg;
			}
		}
		if (c->spec.devid >= 0)
			taken |= 1u << c->spec.devid;
	}
	/* Devids as xl numbers vifs: in list order, skipping explicit ones. */
	for (i = 0; i < n; i++) {
		struct ccctl_attach *c = &cfg->nic[i];
		unsigned d;

		if (c->spec.devid >= 0)
			continue;
		for (d = 0; taken >> d & 1; d++)
			;
		taken |= 1u << d;
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

/* ---- running xl ------------------------------------------------------------------- */

static const char *xl_path(void)
{
	const char *p = getenv("COLORCOMCTL_XL");     /* tests */

	return p && *p ? p : "xl";
}

static int run_xl(char *const argv[])
{
	pid_t pid;
	int st;

	if (ccctl_g.verbose) {
		int i;

		fprintf(stderr, "colorcomctl: running");
		for (i = 0; argv[i]; i++)
			fprintf(stderr, " %s", argv[i]);
		fprintf(stderr, "\n");
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		ccctl_err("create: fork: %s", strerror(errno));
		return -1;
	}
	if (!pid) {
		execvp(argv[0], argv);
		fprintf(stderr, "colorcomctl: create: cannot run %s: %s\n",
			argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			ccctl_err("create: waitpid: %s", strerror(errno));
			return -1;
		}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int xl_simple(const char *verb, unsigned domid)
{
	char d[16];
	char *argv[] = { (char *)xl_path(), (char *)verb, d, NULL };

	snprintf(d, sizeof(d), "%u", domid);
	return run_xl(argv);
}

/* ---- the command ----------------------------------------------------------------- */

static int attach_all_tx(struct xs_handle *h, uint32_t t, void *arg)
{
	struct ccctl_domcfg *cfg = arg;
	unsigned i;
	int rc;

	for (i = 0; i < cfg->n; i++) {
		rc = ccctl_attach_tx(h, t, &cfg->nic[i]);
		if (rc > 0)     /* the refusal of one NIC is the command's */
			snprintf(cfg->err, sizeof(cfg->err),
				 "colorcom[%u]: %.200s", i, cfg->nic[i].err);
		if (rc)
			return rc;
	}
	return 0;
}

static void print_dry(const struct ccctl_domcfg *cfg, char **xlargv)
{
	unsigned i;
	int k;

	printf("{\n  \"command\": \"create\",\n  \"name\": ");
	ccctl_json_str(stdout, cfg->name);
	printf(",\n  \"xl\": [");
	for (k = 0; xlargv[k]; k++) {
		printf("%s", k ? ", " : "");
		ccctl_json_str(stdout, xlargv[k]);
	}
	printf("],\n  \"attach\": [");
	for (i = 0; i < cfg->n; i++) {
		printf("%s\n", i ? "," : "");
		ccctl_attach_json(stdout, &cfg->nic[i]);
	}
	printf("%s],\n  \"unpause\": true\n}\n", cfg->n ? "" : "");
}

int cmd_create(int argc, char **argv)
{
	static struct ccctl_domcfg cfg;
	char *xlargv[CCCTL_MAX_XLARGS + 4], *over[CCCTL_MAX_XLARGS];
	char err[CCCTL_ERRLEN], mac[18];
	const char *config = NULL;
	int nx = 0, nover = 0, i, rc, keep_paused = 0;
	struct xs_handle *h;
	unsigned domid, k;

	/* xl's own options pass through; -N is ours (also after create). */
	xlargv[nx++] = (char *)xl_path();
	xlargv[nx++] = (char *)"create";
	xlargv[nx++] = (char *)"-p";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-N") || !strcmp(a, "--dry-run")) {
			ccctl_g.dry_run = 1;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			ccctl_usage(ccctl_find_cmd("create"));
			return 0;
		}
		if (nx >= CCCTL_MAX_XLARGS || nover >= CCCTL_MAX_XLARGS) {
			ccctl_err("create: too many arguments");
			return 2;
		}
		if (a[0] == '-') {
			/* These would make xl wait on a console or stay in the
			 * foreground, with the domain paused. */
			if (!strcmp(a, "-c") || !strcmp(a, "-V") ||
			    !strcmp(a, "-F") || !strcmp(a, "-e") ||
			    !strcmp(a, "--vncviewer") ||
			    !strcmp(a, "--vncviewer-autopass")) {
				ccctl_err("create: xl option '%s' is not supported here (attach the console with xl console)",
					  a);
				return 2;
			}
			if (!strcmp(a, "-p")) {
				keep_paused = 1;
				continue;
			}
			if (!strcmp(a, "-f") && i + 1 < argc) {
				config = argv[++i];
				continue;
			}
			xlargv[nx++] = (char *)a;
		} else if (!config && !strchr(a, '=')) {
			config = a;
		} else if (strchr(a, '=')) {
			over[nover++] = (char *)a;
		} else {
			ccctl_err("create: unexpected argument '%s'", a);
			return 2;
		}
	}
	if (!config) {
		ccctl_err("create: need a CONFIG file");
		ccctl_usage(ccctl_find_cmd("create"));
		return 2;
	}
	xlargv[nx++] = (char *)config;
	for (i = 0; i < nover; i++)
		xlargv[nx++] = over[i];
	xlargv[nx] = NULL;

	if (ccctl_domcfg_read(config, over, nover, &cfg, err, sizeof(err))) {
		ccctl_err("create: %s", err);
		return 1;
	}
	if (ccctl_g.dry_run) {
		/* No domain yet: paths say $DOMID, auto MACs are the ones the
		 * name gives (a clash on the live system takes the next). */
		for (k = 0; k < cfg.n; k++) {
			struct ccctl_attach *c = &cfg.nic[k];

			c->domid = CCCTL_DOMID_NEW;
			c->devid = (unsigned)c->spec.devid;
			if (!c->spec.has_mac)
				ccctl_auto_mac(c->conf, c->seed, c->spec.network,
					       c->devid, 0, c->spec.mac);
		}
		print_dry(&cfg, xlargv);
		return 0;
	}

	if (!(h = ccctl_xs()))
		return 1;
	rc = run_xl(xlargv);
	if (rc) {
		ccctl_err("create: xl create failed (exit status %d)", rc);
		return 1;
	}
	if (ccctl_domain(h, cfg.name, &domid, err, sizeof(err))) {
		ccctl_err("create: xl made no domain '%s': %s", cfg.name, err);
		return 1;
	}
	for (k = 0; k < cfg.n; k++) {
		cfg.nic[k].domid = domid;
		ccctl_dom_ident(h, domid, NULL, 0, cfg.nic[k].uuid);
	}
	rc = cfg.n ? ccctl_transact(h, attach_all_tx, &cfg) : 0;
	if (rc) {
		if (rc > 0)
			ccctl_err("create: %s; destroying domain %u", cfg.err,
				  domid);
		else
			ccctl_err("create: attach failed; destroying domain %u",
				  domid);
		xl_simple("destroy", domid);
		return 1;
	}
	for (k = 0; k < cfg.n; k++) {
		if (ccctl_g.verbose)
			ccctl_attach_json(stderr, &cfg.nic[k]);
		ccd_mac_format(cfg.nic[k].spec.mac, mac);
		printf("attached colorcom NIC %u/%u (network %s, mac %s)\n",
		       domid, cfg.nic[k].devid, cfg.nic[k].spec.network, mac);
	}
	if (!keep_paused && xl_simple("unpause", domid)) {
		ccctl_err("create: xl unpause %u failed; the domain is paused with its NICs",
			  domid);
		return 1;
	}
	printf("created domain %u (%s)%s\n", domid, cfg.name,
	       keep_paused ? ", paused" : "");
	return 0;
}
