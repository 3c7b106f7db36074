// SPDX-License-Identifier: GPL-2.0 OR MIT
/* create.c - `colorcomctl create CONFIG [xl create options] [KEY=VALUE...]`.
 *
 * Plain `xl create` of a config with `colorcom = [...]` gets its NICs too:
 * colorcomd reads the config of every new domain (back/xlcfg.c).  What
 * create adds is all-or-nothing with synchronous errors: the config is
 * parsed with libxlutil (dom0lib/domcfg.c, the parser colorcomd uses) and
 * every entry checked before xl runs; `xl create -p` makes the domain
 * paused; colorcomd attaches its NICs; if any entry was refused the domain is
 * destroyed, else unpaused, so the guest sees its NICs from its first
 * instruction.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libxlutil.h>
#include <xenstore.h>

#include "ccctl.h"

#define CCCTL_MAX_XLARGS 64
/* How long create waits for colorcomd to attach the NICs of the new
 * domain (it reads the config when xl introduces the domain). */
#define CCCTL_CREATE_WAIT_S 30

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
		ccctl_attach_json(stdout, &cfg->nic[i].at);
	}
	printf("],\n  \"unpause\": %s\n}\n", keep_paused ? "false" : "true");
}

/* Wait until colorcomd has read the new domain's config (its mark in
 * CCD_XLCFG_ROOT), then check that it attached every entry; each NIC's MAC
 * comes back into cfg.  0, or 1 with the reasons printed. */
static int wait_colorcomd(struct xs_handle *h, unsigned domid,
			  struct ccctl_domcfg *cfg)
{
	const struct timespec tick = { 0, 100 * 1000 * 1000 };
	char p[160], v[CCCTL_ERRLEN], src[320];
	unsigned k, i, n = 0, bad = 0;
	char **errs;
	int l;

	const char *ws = getenv("COLORCOMCTL_CREATE_WAIT_S");    /* tests */
	unsigned wait_s = ws && *ws ? (unsigned)atoi(ws) : CCCTL_CREATE_WAIT_S;

	for (i = 0; i < wait_s * 10; i++) {
		snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/source", domid);
		if (ccctl_read(h, XBT_NULL, p, src, sizeof(src)) >= 0)
			break;
		nanosleep(&tick, NULL);
	}
	if (i == wait_s * 10) {
		ccctl_err("create: colorcomd did not read domain %u's config within %u s (is it running? systemctl status colorcomd)",
			  domid, wait_s);
		return 1;
	}
	snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/error", domid);
	errs = xs_directory(h, XBT_NULL, p, &n);
	for (k = 0; errs && k < n; k++) {
		snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/error/%.16s", domid,
			 errs[k]);
		if (ccctl_read(h, XBT_NULL, p, v, sizeof(v)) >= 0) {
			ccctl_err("create: %s", v);
			bad++;
		}
	}
	free(errs);
	if (bad)
		return 1;
	for (k = 0; k < cfg->n; k++) {
		struct ccctl_attach *c = &cfg->nic[k].at;

		snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%u/%u/" CCD_K_MAC,
			 domid, c->devid);
		l = ccctl_read(h, XBT_NULL, p, v, sizeof(v));
		if (l < 0 || ccd_parse_mac(v, (size_t)l, c->spec.mac)) {
			ccctl_err("create: colorcom[%u]: colorcomd (config from %s) attached no NIC %u/%u",
				  k, src, domid, c->devid);
			bad++;
		}
	}
	return bad ? 1 : 0;
}

int cmd_create(int argc, char **argv)
{
	static struct ccctl_domcfg cfg;
	char *xlargv[CCCTL_MAX_XLARGS + 4], *over[CCCTL_MAX_XLARGS];
	char err[CCCTL_ERRLEN], mac[18];
	const struct ccd_conf *conf;
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

	conf = ccctl_conf();
	if (!conf) {
		ccctl_err("create: %s", ccctl_conf_err);
		return 1;
	}
	if (ccctl_domcfg_parse(config, NULL, 0, over, nover, conf,
			       ccctl_conf_path(), &cfg, err, sizeof(err))) {
		ccctl_err("create: %s", err);
		return 1;
	}
	/* colorcomd would attach the good entries and report the others;
	 * create refuses the whole config before anything exists. */
	for (k = 0; k < cfg.n; k++)
		if (cfg.nic[k].bad) {
			ccctl_err("create: %s: colorcom[%u]: %s", config, k,
				  cfg.nic[k].at.err);
			return 1;
		}
	if (ccctl_g.dry_run) {
		static struct ccctl_attach pend[CCD_DEVID_MAX + 1];

		/* No domain yet: paths say $DOMID.  With xenstore, each NIC's
		 * MAC and max-peers are checked as the real run would (the
		 * NICs before it counted as written); without, auto MACs are
		 * the ones the name gives. */
		h = ccctl_xs_quiet();
		if (!h)
			ccctl_err("create: note: no xenstore here, so the dry run checks no MAC clash");
		for (k = 0; k < cfg.n; k++) {
			struct ccctl_attach *c = &cfg.nic[k].at;

			c->domid = CCCTL_DOMID_NEW;
			if (h) {
				rc = ccctl_attach_net(h, XBT_NULL, c, pend, k);
				if (rc) {
					ccctl_err("create: colorcom[%u]: %s", k,
						  c->err);
					return 1;
				}
			} else if (!c->spec.has_mac) {
				ccctl_auto_mac(c->conf, c->seed, c->spec.network,
					       c->devid, 0, c->spec.mac);
			}
			pend[k] = *c;
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
		cfg.nic[k].at.domid = domid;
		ccctl_dom_ident(h, domid, NULL, 0, cfg.nic[k].at.uuid);
	}
	rc = wait_colorcomd(h, domid, &cfg);
	if (rc) {
		ccctl_err("create: destroying domain %u", domid);
		xl_domid("destroy", domid);
		return 1;
	}
	for (k = 0; k < cfg.n; k++) {
		if (ccctl_g.verbose)
			ccctl_attach_json(stderr, &cfg.nic[k].at);
		ccd_mac_format(cfg.nic[k].at.spec.mac, mac);
		printf("attached colorcom NIC %u/%u (network %s, mac %s)\n",
		       domid, cfg.nic[k].at.devid, cfg.nic[k].at.spec.network,
		       mac);
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
