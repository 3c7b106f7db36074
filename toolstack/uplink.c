// SPDX-License-Identifier: GPL-2.0 OR MIT
/* uplink.c - `colorcomctl uplink NETWORK [on|off]`: dom0's colorcom NIC on a
 * network, flagged as the network's uplink.
 *
 * The uplink is an ordinary attach to domain 0 with `uplink` = 1 in its
 * backend dir (spec.c's write list), so colorcomd brokers it like any NIC;
 * the flag makes colorcomd write `peer-uplink` into the guests' halves of
 * their links to it, and makes dom0's colorcom.ko name the interface
 * ccup-NETWORK so it can be put into a bridge.  `off` is a detach of that
 * NIC.  Neither touches the links between guests.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "ccctl.h"

struct uplink_find {
	const char *network;
	int devid;                      /* dom0's uplink NIC there, or -1 */
	char clash_net[CCD_NET_MAXLEN + 1];  /* an uplink with our ifname */
	char mac[24], bstate[16], fstate[16];
};

/* dom0's NICs: which one is the uplink of f->network, and does another
 * network's uplink already have the interface name ours would get? */
static void uplink_find(struct xs_handle *h, uint32_t t, struct uplink_find *f)
{
	unsigned devs[CCD_DEVID_MAX + 1], n, i;
	char p[128], net[64], up[8], mine[CCD_IFNAMSIZ], theirs[CCD_IFNAMSIZ];

	f->devid = -1;
	f->clash_net[0] = '\0';
	ccd_uplink_ifname(f->network, mine);
	n = ccctl_list_ids(h, t, CCD_BACKEND_ROOT "/0", CCD_DEVID_MAX, devs,
			   CCD_DEVID_MAX + 1);
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/0/%u/%s", devs[i],
			 CCD_K_UPLINK);
		if (ccctl_read(h, t, p, up, sizeof(up)) != 1 || up[0] != '1')
			continue;
		snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/0/%u/%s", devs[i],
			 CCD_K_NETWORK);
		if (ccctl_read(h, t, p, net, sizeof(net)) < 0)
			continue;
		if (!strcmp(net, f->network)) {
			f->devid = (int)devs[i];
			snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/0/%u/%s",
				 devs[i], CCD_K_MAC);
			if (ccctl_read(h, t, p, f->mac, sizeof(f->mac)) < 0)
				snprintf(f->mac, sizeof(f->mac), "?");
			snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/0/%u/%s",
				 devs[i], CCD_K_STATE);
			if (ccctl_read(h, t, p, f->bstate, sizeof(f->bstate)) < 0)
				snprintf(f->bstate, sizeof(f->bstate), "-");
			ccctl_frontend_dir(p, sizeof(p), 0, devs[i]);
			strncat(p, "/" CCD_K_STATE, sizeof(p) - strlen(p) - 1);
			if (ccctl_read(h, t, p, f->fstate, sizeof(f->fstate)) < 0)
				snprintf(f->fstate, sizeof(f->fstate), "-");
			continue;
		}
		ccd_uplink_ifname(net, theirs);
		if (!strcmp(mine, theirs))
			snprintf(f->clash_net, sizeof(f->clash_net), "%.32s", net);
	}
}

struct uplink_on {
	struct ccctl_attach at;
	struct uplink_find f;
	int already;
};

static int uplink_on_tx(struct xs_handle *h, uint32_t t, void *arg)
{
	struct uplink_on *u = arg;
	char ifn[CCD_IFNAMSIZ];

	uplink_find(h, t, &u->f);
	if (u->f.devid >= 0) {
		u->already = 1;
		return 1;
	}
	if (u->f.clash_net[0]) {
		ccd_uplink_ifname(u->f.network, ifn);
		snprintf(u->at.err, sizeof(u->at.err),
			 "interface name %s is already the uplink of network %s (names are cut to %d characters)",
			 ifn, u->f.clash_net, CCD_IFNAMSIZ - 1);
		return 1;
	}
	return ccctl_attach_tx(h, t, &u->at);
}

/* SPEC of `on`: mac, mtu, ring only (the network is the argument, the
 * devid the first free one of dom0). */
static int uplink_spec(const char *spec, char *err, size_t errsz)
{
	const char *p = spec;

	while (*p) {
		if (!strncmp(p, "network=", 8) || !strncmp(p, "devid=", 6)) {
			snprintf(err, errsz,
				 "'%.*s' is not for an uplink (known: mac, mtu, ring)",
				 (int)strcspn(p, ",="), p);
			return -1;
		}
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return 0;
}

static int uplink_conf_forbids(const char *net, int want)
{
	const struct ccd_conf *conf = ccctl_conf();
	int v;

	if (!conf) {
		ccctl_err("uplink: %s", ccctl_conf_err);
		return 1;
	}
	v = ccd_conf_uplink(conf, net);
	if (v == CCD_UPLINK_UNSET || v == want)
		return 0;
	/* colorcomd would undo us at once: say where the setting lives. */
	ccctl_err("uplink: %s sets network.%s.uplink = %s; change it there and reload colorcomd",
		  ccctl_conf_path(), net, v == CCD_UPLINK_ON ? "on" : "off");
	return 1;
}

/* --wait: the interface appears when dom0's colorcom.ko brings the NIC up,
 * a moment after the attach; a script that enslaves it to a bridge next
 * must not race that. */
static int wait_ifname(const char *ifn, unsigned long timeout)
{
	const char *root = getenv("COLORCOMCTL_SYSFS_NET");     /* tests */
	char p[128];
	struct timespec ts;
	long long now, until;

	snprintf(p, sizeof(p), "%s/%s", root && *root ? root : "/sys/class/net",
		 ifn);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	until = now + (long long)timeout * 1000;
	for (;;) {
		if (!access(p, F_OK))
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		if (now >= until)
			break;
		usleep(100 * 1000);
	}
	ccctl_err("uplink: interface %s did not appear within %lu s (is colorcom.ko loaded in dom0? modprobe colorcom)",
		  ifn, timeout);
	return 1;
}

static int uplink_on(const char *net, int argc, char **argv, int wait,
		     unsigned long timeout)
{
	struct ccctl_ops ops;
	struct uplink_on u;
	struct xs_handle *h;
	char spec[512], err[CCCTL_ERRLEN], mac[18], ifn[CCD_IFNAMSIZ];
	size_t off;
	int i, rc;

	memset(&u, 0, sizeof(u));
	off = (size_t)snprintf(spec, sizeof(spec), "network=%s", net);
	for (i = 0; i < argc; i++) {
		/* `uplink blue on --wait` reads as well as `uplink --wait blue on` */
		if (!strcmp(argv[i], "--wait") || !strcmp(argv[i], "-w")) {
			wait = 1;
			continue;
		}
		if (uplink_spec(argv[i], err, sizeof(err))) {
			ccctl_err("uplink: %s", err);
			return 1;
		}
		rc = snprintf(spec + off, sizeof(spec) - off, ",%s", argv[i]);
		if (rc < 0 || (size_t)rc >= sizeof(spec) - off) {
			ccctl_err("uplink: SPEC too long");
			return 1;
		}
		off += (size_t)rc;
	}
	if (ccctl_attach_prepare(&u.at, spec, err, sizeof(err))) {
		ccctl_err("uplink: %s", err);
		return 1;
	}
	if (uplink_conf_forbids(net, CCD_UPLINK_ON))
		return 1;
	u.at.spec.uplink = 1;
	u.at.domid = 0;
	u.f.network = u.at.spec.network;
	snprintf(u.at.seed, sizeof(u.at.seed), "%s", CCCTL_UPLINK_SEED);
	ccd_uplink_ifname(net, ifn);
	if (ccctl_g.dry_run) {
		/* Like attach with a numeric domid: no xenstore at all, devid
		 * 0, no MAC or name clash check. */
		u.at.devid = 0;
		if (!u.at.spec.has_mac)
			ccctl_auto_mac(u.at.conf, u.at.seed, net, 0, 0,
				       u.at.spec.mac);
		ccctl_attach_ops(0, 0, &u.at.spec, &ops);
		ccctl_ops_json(stdout, "uplink", 0, 0, &ops);
		return 0;
	}
	if (!(h = ccctl_xs()))
		return 1;
	rc = ccctl_transact(h, uplink_on_tx, &u);
	if (rc > 0 && u.already) {
		printf("network %s already has an uplink: colorcom NIC 0/%d, interface %s (mac %s)\n",
		       net, u.f.devid, ifn, u.f.mac);
		fflush(stdout);
		return wait ? wait_ifname(ifn, timeout) : 0;
	}
	if (rc > 0) {
		ccctl_err("uplink: %s", u.at.err);
		return 1;
	}
	if (rc < 0)
		return 1;
	if (ccctl_g.verbose) {
		ccctl_attach_ops(0, u.at.devid, &u.at.spec, &ops);
		ccctl_ops_json(stderr, "uplink", 0, u.at.devid, &ops);
	}
	ccd_mac_format(u.at.spec.mac, mac);
	printf("uplink of network %s: colorcom NIC 0/%u, interface %s (mac %s)\n",
	       net, u.at.devid, ifn, mac);
	fflush(stdout);
	return wait ? wait_ifname(ifn, timeout) : 0;
}

static int uplink_find_tx(struct xs_handle *h, uint32_t t, void *arg)
{
	uplink_find(h, t, arg);
	return 0;
}

struct uplink_opts {
	int wait;               /* off: for colorcomd to remove the NIC */
	int wait_if;            /* on: for the interface (--wait) */
	unsigned long timeout;
};

static int uplink_opt(int opt, void *arg)
{
	struct uplink_opts *o = arg;

	switch (opt) {
	case 'W':
		o->wait = 0;
		return 0;
	case 'w':
		o->wait_if = 1;
		return 0;
	case 't':
		if (ccd_parse_uint(optarg, strlen(optarg), 3600, &o->timeout)) {
			ccctl_err("uplink: bad timeout '%s' (0..3600 seconds)",
				  optarg);
			return 1;
		}
		return 0;
	}
	return 1;
}

int cmd_uplink(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "no-wait", no_argument, NULL, 'W' },
		{ "wait", no_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct uplink_opts o = { .wait = 1, .timeout = CCCTL_DETACH_WAIT_S };
	struct uplink_find f;
	struct ccctl_target tg;
	struct xs_handle *h;
	const char *net, *what;
	char ifn[CCD_IFNAMSIZ];
	int rc;

	if ((rc = ccctl_parse_opts(argc, argv, "+NhwWt:", lopts, uplink_opt, &o)))
		return rc == 1 ? 0 : rc;
	if (argc - optind < 1) {
		ccctl_err("uplink: need NETWORK [on|off]");
		ccctl_usage(ccctl_find_cmd("uplink"));
		return 2;
	}
	net = argv[optind];
	what = argc - optind > 1 ? argv[optind + 1] : NULL;
	if (!ccd_valid_network(net, strlen(net))) {
		ccctl_err("uplink: bad network name '%s' (want [a-z0-9][a-z0-9_-]{0,31})",
			  net);
		return 1;
	}
	if (what && strcmp(what, "on") && strcmp(what, "off")) {
		ccctl_err("uplink: '%s': want on or off", what);
		ccctl_usage(ccctl_find_cmd("uplink"));
		return 2;
	}
	if (what && !strcmp(what, "on"))
		return uplink_on(net, argc - optind - 2, argv + optind + 2,
				 o.wait_if, o.timeout);
	if (argc - optind > 2) {
		ccctl_err("uplink: unexpected '%s'", argv[optind + 2]);
		ccctl_usage(ccctl_find_cmd("uplink"));
		return 2;
	}
	if (what && uplink_conf_forbids(net, CCD_UPLINK_OFF))
		return 1;

	if (!(h = ccctl_xs()))
		return 1;
	memset(&f, 0, sizeof(f));
	f.network = net;
	if (ccctl_transact(h, uplink_find_tx, &f) < 0)
		return 1;
	ccd_uplink_ifname(net, ifn);
	if (!what) {
		if (f.devid < 0)
			printf("network %s: no uplink\n", net);
		else
			printf("network %s: uplink colorcom NIC 0/%d, interface %s, mac %s, backend %s, frontend %s\n",
			       net, f.devid, ifn, f.mac,
			       ccd_state_name(atoi(f.bstate)),
			       f.fstate[0] == '-' ? "absent" :
			       ccd_state_name(atoi(f.fstate)));
		return 0;
	}
	if (f.devid < 0) {
		printf("network %s has no uplink\n", net);
		return 0;
	}
	memset(&tg, 0, sizeof(tg));
	tg.devid = f.devid;
	return ccctl_detach_run(h, 0, &tg, o.wait, o.timeout, "uplink");
}
