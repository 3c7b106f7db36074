// SPDX-License-Identifier: GPL-2.0 OR MIT
/* cmds.c - colorcomctl subcommands, one function each. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "ccctl.h"

/* ---- helpers ----------------------------------------------------------------- */

int ccctl_parse_opts(int argc, char **argv, const char *sopts,
		      const struct option *lopts, int (*on)(int opt, void *),
		      void *arg)
{
	/* Every command takes --help and --dry-run, whatever else it has. */
	static const struct option common[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "dry-run", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	char so[32];
	int opt;

	/* A leading ':' (after '+') makes a missing value ':', not '?'. */
	snprintf(so, sizeof(so), "%s:%s", sopts[0] == '+' ? "+" : "",
		 sopts + (sopts[0] == '+'));
	optind = 0;     /* glibc: re-initialise for this argv */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, so, lopts ? lopts : common,
				  NULL)) != -1) {
		if (opt == 'N') {
			ccctl_g.dry_run = 1;
			continue;
		}
		if (opt == 'h') {
			ccctl_help(ccctl_find_cmd(argv[0]));
			return 1;
		}
		if (opt == '?' || opt == ':' || !on || on(opt, arg)) {
			/* optopt names a short option; a long one is the
			 * argument getopt just stepped over. */
			if (opt == '?' && optopt)
				ccctl_err("%s: unknown option '-%c'", argv[0],
					  optopt);
			else if (opt == '?')
				ccctl_err("%s: unknown option '%s'", argv[0],
					  argv[optind - 1]);
			else if (opt == ':' && strncmp(argv[optind - 1], "--", 2))
				ccctl_err("%s: option '-%c' needs a value",
					  argv[0], optopt);
			else if (opt == ':')
				ccctl_err("%s: option '%s' needs a value",
					  argv[0], argv[optind - 1]);
			ccctl_usage(ccctl_find_cmd(argv[0]));
			return 2;
		}
	}
	return 0;
}

/* All digits but not a valid domid: refuse without touching xenstore. */
static int bad_domid(const char *arg, char *err, size_t errsz)
{
	unsigned d;

	if (!arg[0] || strspn(arg, "0123456789") != strlen(arg) ||
	    !ccctl_domid_arg(arg, &d))
		return 0;
	snprintf(err, errsz, "bad domid '%.16s' (want 0..%u or a domain name)",
		 arg, CCD_DOMID_MAX);
	return 1;
}

/* ---- attach ------------------------------------------------------------------ */

int ccctl_attach_tx(struct xs_handle *h, uint32_t t, struct ccctl_attach *c)
{
	int rc = ccctl_attach_write(h, t, c);

	if (rc < 0)
		ccctl_err("%s", c->err);
	return rc;
}

int ccctl_attach_prepare(struct ccctl_attach *c, const char *spec, char *err,
			 size_t errsz)
{
	const struct ccd_conf *conf = ccctl_conf();

	if (!conf)
		return snprintf(err, errsz, "%s", ccctl_conf_err), -1;
	return ccctl_attach_prepare_conf(c, spec, conf, ccctl_conf_path(), err,
					 errsz);
}

static int attach_tx(struct xs_handle *h, uint32_t t, void *arg)
{
	return ccctl_attach_tx(h, t, arg);
}

/* Print the JSON of an attach (dry run, or -v after the commit). */
void ccctl_attach_json(FILE *f, const struct ccctl_attach *c)
{
	struct ccctl_ops ops;

	ccctl_attach_ops(c->domid, c->devid, &c->spec, &ops);
	if (c->uuid[0])
		ccctl_persist_ops(c->uuid, c->domid, c->devid, c->seed,
				  &c->spec, &ops);
	ccctl_ops_json(f, "attach", c->domid, c->devid, &ops);
}

/* SPEC may come as one argument or as several (xl style). */
static int join_spec(int argc, char **argv, char *spec, size_t sz)
{
	size_t off = 0;
	int i;

	spec[0] = '\0';
	for (i = 0; i < argc; i++) {
		int w = snprintf(spec + off, sz - off, "%s%s", off ? "," : "",
				 argv[i]);

		if (w < 0 || (size_t)w >= sz - off)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

int cmd_attach(int argc, char **argv)
{
	struct ccctl_attach c;
	struct xs_handle *h;
	char spec[512], err[CCCTL_ERRLEN], mac[18];
	int rc;

	if ((rc = ccctl_parse_opts(argc, argv, "+Nh", NULL, NULL, NULL)))
		return rc == 1 ? 0 : rc;
	if (argc - optind < 1) {
		ccctl_err("attach: need DOMAIN [SPEC]");
		ccctl_usage(ccctl_find_cmd("attach"));
		return 2;
	}
	if (join_spec(argc - optind - 1, argv + optind + 1, spec, sizeof(spec))) {
		ccctl_err("attach: SPEC too long");
		return 1;
	}
	memset(&c, 0, sizeof(c));
	if (ccctl_attach_prepare(&c, spec, err, sizeof(err))) {
		ccctl_err("attach: %s", err);
		return 1;
	}

	if (bad_domid(argv[optind], err, sizeof(err))) {
		ccctl_err("attach: %s", err);
		return 1;
	}
	if (ccctl_g.dry_run && ccctl_domid_arg(argv[optind], &c.domid) == 0 &&
	    !ccctl_xs_quiet()) {
		/* No xenstore (a build host): devid auto means 0, no MAC
		 * check, the domid stands for the name, no persistence
		 * record.  With xenstore the dry run checks what the real run
		 * would, below. */
		ccctl_err("attach: note: no xenstore here, so the dry run checks no devid or MAC clash");
		c.devid = c.spec.devid >= 0 ? (unsigned)c.spec.devid : 0;
		snprintf(c.seed, sizeof(c.seed), "%u", c.domid);
		if (!c.spec.has_mac)
			ccctl_auto_mac(c.conf, c.seed, c.spec.network, c.devid,
				       0, c.spec.mac);
		ccctl_attach_json(stdout, &c);
		return 0;
	}

	if (!(h = ccctl_xs()))
		return 1;
	if (ccctl_domain(h, argv[optind], &c.domid, err, sizeof(err)) ||
	    ccctl_dom_usable(h, c.domid, err, sizeof(err))) {
		ccctl_err("attach: %s", err);
		return 1;
	}
	ccctl_dom_ident(h, c.domid, c.seed, sizeof(c.seed), c.uuid);
	/* The name seeds the MAC and goes into the reboot record: never cut. */
	if (ccctl_dom_name_len(h, c.domid) > CCCTL_NAME_MAX) {
		ccctl_err("attach: domain %u's name is longer than %d characters (colorcomctl does not cut names)",
			  c.domid, CCCTL_NAME_MAX);
		return 1;
	}
	c.dry_run = ccctl_g.dry_run;
	rc = ccctl_transact(h, attach_tx, &c);
	if (rc > 0) {
		ccctl_err("attach: %s", c.err);
		return 1;
	}
	if (rc < 0)
		return 1;
	if (c.dry_run || ccctl_g.verbose)
		ccctl_attach_json(c.dry_run ? stdout : stderr, &c);
	if (c.dry_run)
		return 0;
	ccd_mac_format(c.spec.mac, mac);
	printf("attached colorcom NIC %u/%u (network %s, mac %s)\n", c.domid,
	       c.devid, c.spec.network, mac);
	return 0;
}

/* ---- detach ------------------------------------------------------------------ */

struct detach_ctx {
	unsigned domid;
	char uuid[CCCTL_UUID_LEN + 1];
	int last_record;        /* the domain's only reboot record: rm its dir */
	struct ccctl_target tg;
	unsigned devid;
	int remove;             /* second phase: rm both dirs */
	int dry_run;
	char err[CCCTL_ERRLEN];
};

static int detach_find(struct xs_handle *h, uint32_t t, struct detach_ctx *c)
{
	unsigned devs[64], nn, j;
	char p[96], buf[32];
	uint8_t mac[6];

	if (c->tg.devid >= 0) {
		c->devid = (unsigned)c->tg.devid;
		ccctl_backend_dir(p, sizeof(p), c->domid, c->devid);
		if (ccctl_read(h, t, p, buf, sizeof(buf)) == -1) {
			snprintf(c->err, sizeof(c->err),
				 "domain %u has no colorcom NIC %u", c->domid,
				 c->devid);
			return 1;
		}
		return 0;
	}
	snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%u", c->domid);
	nn = ccctl_list_ids(h, t, p, CCD_DEVID_MAX, devs, 64);
	for (j = 0; j < nn; j++) {
		int l = ccctl_nic_key(h, t, c->domid, devs[j], CCD_K_MAC, buf,
				sizeof(buf));

		if (l > 0 && !ccd_parse_mac(buf, (size_t)l, mac) &&
		    !memcmp(mac, c->tg.mac, 6)) {
			c->devid = devs[j];
			return 0;
		}
	}
	ccd_mac_format(c->tg.mac, buf);
	snprintf(c->err, sizeof(c->err), "domain %u has no colorcom NIC with MAC %s",
		 c->domid, buf);
	return 1;
}

/* online=0, state=5, and the end of the reboot record. */
static void detach_ops(const struct detach_ctx *c, struct ccctl_ops *ops)
{
	struct ccctl_op *o;

	ccctl_detach_ops(c->domid, c->devid, ops);
	if (!c->uuid[0])
		return;
	o = &ops->op[ops->n++];
	memset(o, 0, sizeof(*o));
	o->kind = CCCTL_RM;
	if (c->last_record)
		snprintf(o->path, sizeof(o->path), CCD_PERSIST_ROOT "/%s",
			 c->uuid);
	else
		ccctl_persist_dir(o->path, sizeof(o->path), c->uuid, c->devid);
}

static int detach_tx(struct xs_handle *h, uint32_t t, void *arg)
{
	struct detach_ctx *c = arg;
	struct ccctl_ops ops;
	char p[96];
	int rc;

	if ((rc = detach_find(h, t, c)))
		return rc;
	if (c->uuid[0]) {
		unsigned recs[CCD_DEVID_MAX + 2], nr;

		snprintf(p, sizeof(p), CCD_PERSIST_ROOT "/%s", c->uuid);
		nr = ccctl_list_ids(h, t, p, CCD_DEVID_MAX, recs,
				    CCD_DEVID_MAX + 2);
		c->last_record = !nr || (nr == 1 && recs[0] == c->devid);
	}
	if (c->dry_run)
		return 0;
	if (c->remove) {
		ops.n = 0;
		ccctl_backend_dir(p, sizeof(p), c->domid, c->devid);
		ops.op[ops.n].kind = CCCTL_RM;
		ops.op[ops.n].nperms = 0;
		snprintf(ops.op[ops.n++].path, sizeof(ops.op[0].path), "%s", p);
		ccctl_frontend_dir(p, sizeof(p), c->domid, c->devid);
		ops.op[ops.n].kind = CCCTL_RM;
		ops.op[ops.n].nperms = 0;
		snprintf(ops.op[ops.n++].path, sizeof(ops.op[0].path), "%s", p);
		return ccctl_apply_ops(h, t, &ops);
	}
	detach_ops(c, &ops);
	return ccctl_apply_ops(h, t, &ops);
}

struct detach_opts {
	int wait;
	unsigned long timeout;
};

static int detach_opt(int opt, void *arg)
{
	struct detach_opts *o = arg;

	switch (opt) {
	case 'w':
		o->wait = 1;
		return 0;
	case 'W':
		o->wait = 0;
		return 0;
	case 't':
		if (ccd_parse_uint(optarg, strlen(optarg), 3600, &o->timeout)) {
			ccctl_err("detach: bad timeout '%s' (0..3600 seconds)",
				  optarg);
			return 1;
		}
		return 0;
	}
	return 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cmd_detach(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "no-wait", no_argument, NULL, 'W' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct detach_opts o = { .wait = 1, .timeout = CCCTL_DETACH_WAIT_S };
	struct detach_ctx c;
	struct xs_handle *h;
	char err[CCCTL_ERRLEN];
	int rc;

	if ((rc = ccctl_parse_opts(argc, argv, "+NhwWt:", lopts, detach_opt, &o)))
		return rc == 1 ? 0 : rc;
	if (argc - optind != 2) {
		ccctl_err("detach: need DOMAIN and DEVID|MAC");
		ccctl_usage(ccctl_find_cmd("detach"));
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.dry_run = ccctl_g.dry_run;
	if (ccctl_parse_target(argv[optind + 1], &c.tg, err, sizeof(err))) {
		ccctl_err("detach: %s", err);
		return 1;
	}
	if (bad_domid(argv[optind], err, sizeof(err))) {
		ccctl_err("detach: %s", err);
		return 1;
	}
	if (c.dry_run && c.tg.devid >= 0 &&
	    ccctl_domid_arg(argv[optind], &c.domid) == 0) {
		struct ccctl_ops ops;

		ccctl_detach_ops(c.domid, (unsigned)c.tg.devid, &ops);
		ccctl_ops_json(stdout, "detach", c.domid, (unsigned)c.tg.devid,
			       &ops);
		return 0;
	}
	if (!(h = ccctl_xs()))
		return 1;
	if (ccctl_domain(h, argv[optind], &c.domid, err, sizeof(err))) {
		ccctl_err("detach: %s", err);
		return 1;
	}
	return ccctl_detach_run(h, c.domid, &c.tg, o.wait, o.timeout, "detach");
}

int ccctl_detach_run(struct xs_handle *h, unsigned domid,
		     const struct ccctl_target *tg, int wait,
		     unsigned long timeout, const char *cmd)
{
	struct detach_opts o = { .wait = wait, .timeout = timeout };
	struct detach_ctx c;
	char p[96], buf[8];
	long long until;
	int rc;

	memset(&c, 0, sizeof(c));
	c.dry_run = ccctl_g.dry_run;
	c.domid = domid;
	c.tg = *tg;
	ccctl_dom_ident(h, c.domid, NULL, 0, c.uuid);
	rc = ccctl_transact(h, detach_tx, &c);
	if (rc > 0) {
		ccctl_err("%s: %s", cmd, c.err);
		return 1;
	}
	if (rc < 0)
		return 1;
	if (c.dry_run || ccctl_g.verbose) {
		struct ccctl_ops ops;

		detach_ops(&c, &ops);
		ccctl_ops_json(c.dry_run ? stdout : stderr, cmd, c.domid,
			       c.devid, &ops);
	}
	if (c.dry_run)
		return 0;
	if (!o.wait) {
		printf("detach of colorcom NIC %u/%u requested\n", c.domid,
		       c.devid);
		return 0;
	}
	/* colorcomd removes the links, waits for the frontend, removes both
	 * dirs.  If it does not within the timeout, remove them ourselves
	 * (docs/protocol.md: dirs removed after the detach timeout). */
	ccctl_backend_dir(p, sizeof(p), c.domid, c.devid);
	until = now_ms() + (long long)o.timeout * 1000;
	for (;;) {
		if (ccctl_read(h, XBT_NULL, p, buf, sizeof(buf)) == -1) {
			printf("detached colorcom NIC %u/%u\n", c.domid, c.devid);
			return 0;
		}
		if (now_ms() >= until)
			break;
		usleep(100 * 1000);
	}
	c.remove = 1;
	rc = ccctl_transact(h, detach_tx, &c);
	if (rc > 0) {           /* vanished meanwhile */
		printf("detached colorcom NIC %u/%u\n", c.domid, c.devid);
		return 0;
	}
	if (rc < 0)
		return 1;
	ccctl_err("%s: warning: colorcomd did not finish within %lu s (is it running?); removed the device nodes of %u/%u",
		  cmd, o.timeout, c.domid, c.devid);
	printf("detached colorcom NIC %u/%u\n", c.domid, c.devid);
	return 0;
}

/* ---- help -------------------------------------------------------------------- */

int cmd_help(int argc, char **argv)
{
	const struct ccctl_cmd *c;

	if (argc > 1) {
		c = ccctl_find_cmd(argv[1]);
		if (!c) {
			ccctl_err("help: unknown command '%s'", argv[1]);
			return 2;
		}
		ccctl_help(c);
		return 0;
	}
	printf("usage: colorcomctl [-N] [-v] [-c FILE] COMMAND [ARGS]\n\n"
	       "Global options:\n"
	       "  -c, --config FILE  settings (default " CCD_CONF_PATH ")\n"
	       "  -N, --dry-run   print the xenstore writes as JSON, change nothing\n"
	       "  -v, --verbose   also print the committed xenstore writes (JSON, stderr)\n"
	       "  -h, --help      this text\n"
	       "      --version   print the version\n\n"
	       "Commands:\n");
	for (c = ccctl_cmds; c->name; c++)
		printf("  %-9s %s\n", c->name, c->summary);
	printf("\nSee 'colorcomctl help COMMAND' and colorcomctl(8).\n");
	return 0;
}
