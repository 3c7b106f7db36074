// SPDX-License-Identifier: GPL-2.0 OR MIT
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libxlutil.h>
#include <xenstore.h>

#include "ccctl.h"

#define CCCTL_MAX_NICS  (CCD_DEVID_MAX + 1)
#define CCCTL_MAX_XLARGS 64

struct ccctl_domcfg {
	char name[CCCTL_NAME_MAX + 1];
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
	struct stat st;
	XLU_Config *x;
	FILE *report;
	int i, n = 0, e, rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (access(path, R_OK))         /* libxlutil's report loses errno */
		return snprintf(err, errsz, "%s: %s", path, strerror(errno)), -1;
	if (!stat(path, &st) && S_ISDIR(st.st_mode))    /* else a scanner error */
		return snprintf(err, errsz, "%s: %s", path, strerror(EISDIR)), -1;
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
	if (strlen(name) > CCCTL_NAME_MAX) {
		snprintf(err, errsz, "%s: name is %zu characters long (colorcomctl takes at most %d)",
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

static int xl_simple(const char *verb, const char *dom)
{
	char *argv[] = { (char *)xl_path(), (char *)verb, (char *)dom, NULL };

	return run_xl(argv);
}

static int xl_domid(const char *verb, unsigned domid)
{
	char d[16];

	snprintf(d, sizeof(d), "%u", domid);
	return xl_simple(verb, d);
}

/* ---- xl create's options ------------------------------------------------------ */

/* xl create's short flags (xl 4.17: "AFVcdef:inpq" and -h).  These would
 * make xl wait on a console or stay in the foreground with the domain
 * paused, so they are refused. */
static const char no_here[] = "AFVce";

static int refuse(const char *opt)
{
	ccctl_err("create: xl option '%s' is not supported here (attach the console with xl console)",
		  opt);
	return 2;
}

/* "-X" for a flag passed on to xl, from static storage. */
static char *short_flag(char c)
{
	static char flags[CCCTL_MAX_XLARGS][3];
	static unsigned n;
	char *f = flags[n++ % CCCTL_MAX_XLARGS];

	f[0] = '-';
	f[1] = c;
	f[2] = '\0';
	return f;
}

/* One flag of a bundle; rest = what follows it in the same argument, next =
 * the next argument.  0 handled, 1 pass "-c" on to xl, 2 usage error,
 * 3 consumed next (FILE), 4 help printed, 5 consumed rest (FILE). */
static int short_opt(char c, const char *rest, const char *next,
		     const char **config, int *keep_paused)
{
	char o[3] = { '-', c, '\0' };

	switch (c) {
	case 'N':
	case 'n':               /* xl's own dry run: ours */
		ccctl_g.dry_run = 1;
		return 0;
	case 'p':
		*keep_paused = 1;
		return 0;
	case 'h':
		ccctl_help(ccctl_find_cmd("create"));
		return 4;
	case 'f':
		if (*rest) {
			*config = rest;
			return 5;
		}
		if (!next) {
			ccctl_err("create: -f needs a FILE");
			return 2;
		}
		*config = next;
		return 3;
	case 'd':
	case 'q':
	case 'i':
		return 1;
	}
	if (strchr(no_here, c))
		return refuse(o);
	ccctl_err("create: unknown option '%s' (xl create takes -d, -f FILE, -n, -p, -q)",
		  o);
	return 2;
}

/* --name[=value]: as short_opt, 3 = consumed next. */
static int long_opt(const char *a, const char *next, const char **config,
		    int *keep_paused)
{
	if (!strcmp(a, "--dry-run") || !strcmp(a, "--dryrun")) {
		ccctl_g.dry_run = 1;
		return 0;
	}
	if (!strcmp(a, "--help")) {
		ccctl_help(ccctl_find_cmd("create"));
		return 4;
	}
	if (!strncmp(a, "--defconfig=", 12)) {
		*config = a + 12;
		return 0;
	}
	if (!strcmp(a, "--defconfig")) {
		if (!next) {
			ccctl_err("create: --defconfig needs a FILE");
			return 2;
		}
		*config = next;
		return 3;
	}
	if (!strcmp(a, "--quiet") || !strcmp(a, "--ignore-global-affinity-masks"))
		return 1;
	if (!strcmp(a, "--vncviewer") || !strcmp(a, "--vncviewer-autopass"))
		return refuse(a);
	(void)keep_paused;
	ccctl_err("create: unknown option '%s'", a);
	return 2;
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

static void print_dry(const struct ccctl_domcfg *cfg, char **xlargv,
		      int keep_paused)
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
	printf("],\n  \"unpause\": %s\n}\n", keep_paused ? "false" : "true");
}

int cmd_create(int argc, char **argv)
{
	static struct ccctl_domcfg cfg;
	char *xlargv[CCCTL_MAX_XLARGS + 4], *over[CCCTL_MAX_XLARGS];
	char err[CCCTL_ERRLEN], mac[18];
	const char *config = NULL;
	int nx = 0, nover = 0, i, j, rc, keep_paused = 0;
	struct xs_handle *h;
	unsigned domid, k;

	/* xl's own options pass through; -N is ours (also after create). */
	xlargv[nx++] = (char *)xl_path();
	xlargv[nx++] = (char *)"create";
	xlargv[nx++] = (char *)"-p";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (nx >= CCCTL_MAX_XLARGS || nover >= CCCTL_MAX_XLARGS) {
			ccctl_err("create: too many arguments");
			return 2;
		}
		if (!strncmp(a, "--", 2)) {
			rc = long_opt(a, i + 1 < argc ? argv[i + 1] : NULL,
				      &config, &keep_paused);
			if (rc == 3)
				i++;            /* --defconfig FILE */
			else if (rc == 1)
				xlargv[nx++] = (char *)a;
			else if (rc == 4)
				return 0;       /* --help */
			else if (rc == 2)
				return 2;
		} else if (a[0] == '-' && a[1]) {
			/* getopt-style bundles, as xl takes them: -dp, -qfFILE */
			for (j = 1; a[j]; j++) {
				rc = short_opt(a[j], a + j + 1,
					       i + 1 < argc ? argv[i + 1] : NULL,
					       &config, &keep_paused);
				if (rc == 2)
					return 2;
				if (rc == 4)
					return 0;
				if (rc == 1) {
					if (nx >= CCCTL_MAX_XLARGS) {
						ccctl_err("create: too many arguments");
						return 2;
					}
					xlargv[nx++] = short_flag(a[j]);
				}
				if (rc == 3) {          /* -f FILE */
					i++;
					break;
				}
				if (rc == 5)            /* -fFILE */
					break;
			}
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
		/* No domain yet: paths say $DOMID.  With xenstore, each NIC's
		 * MAC and max-peers are checked as the real run would (the
		 * NICs before it counted as written); without, auto MACs are
		 * the ones the name gives. */
		h = ccctl_xs_quiet();
		if (!h)
			ccctl_err("create: note: no xenstore here, so the dry run checks no MAC clash");
		for (k = 0; k < cfg.n; k++) {
			struct ccctl_attach *c = &cfg.nic[k];

			c->domid = CCCTL_DOMID_NEW;
			c->devid = (unsigned)c->spec.devid;
			if (h) {
				rc = ccctl_attach_net(h, XBT_NULL, c, cfg.nic, k);
				if (rc) {
					ccctl_err("create: colorcom[%u]: %s", k,
						  c->err);
					return 1;
				}
			} else if (!c->spec.has_mac) {
				ccctl_auto_mac(c->conf, c->seed, c->spec.network,
					       c->devid, 0, c->spec.mac);
			}
		}
		print_dry(&cfg, xlargv, keep_paused);
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
		/* xl said it made it: do not leave it paused behind us. */
		ccctl_err("create: cannot find the domain xl made ('%s': %s); destroying it",
			  cfg.name, err);
		xl_simple("destroy", cfg.name);
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
		xl_domid("destroy", domid);
		return 1;
	}
	for (k = 0; k < cfg.n; k++) {
		if (ccctl_g.verbose)
			ccctl_attach_json(stderr, &cfg.nic[k]);
		ccd_mac_format(cfg.nic[k].spec.mac, mac);
		printf("attached colorcom NIC %u/%u (network %s, mac %s)\n",
		       domid, cfg.nic[k].devid, cfg.nic[k].spec.network, mac);
	}
	if (!keep_paused && xl_domid("unpause", domid)) {
		ccctl_err("create: xl unpause %u failed; the domain is paused with its NICs",
			  domid);
		return 1;
	}
	printf("created domain %u (%s)%s\n", domid, cfg.name,
	       keep_paused ? ", paused" : "");
	return 0;
}
