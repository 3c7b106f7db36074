// SPDX-License-Identifier: GPL-2.0 OR MIT
/* main.c - colorcomctl: global options and the command table. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ccctl.h"

struct ccctl_global ccctl_g;

const struct ccctl_cmd ccctl_cmds[] = {
	{ "create", cmd_create, "CONFIG [xl create options] [KEY=VALUE...]",
	  "create a domain paused with xl, attach its colorcom = [...] NICs, unpause" },
	{ "attach", cmd_attach, "DOMAIN [network=NAME][,mac=MAC][,mtu=N][,ring=SIZE][,devid=N]",
	  "attach a colorcom NIC to a domain" },
	{ "detach", cmd_detach, "[--no-wait] [-t SECONDS] DOMAIN DEVID|MAC",
	  "detach a colorcom NIC (waits for colorcomd, 15 s)" },
	{ "uplink", cmd_uplink, "[--wait|--no-wait] [-t SECONDS] NETWORK [on [mac=MAC][,mtu=N][,ring=SIZE] | off]",
	  "dom0's uplink NIC of a network (ccup-NETWORK): on, off, show" },
	{ "list", cmd_list, "[--json] [DOMAIN]",
	  "list colorcom NICs: network, MAC, states, links" },
	{ "networks", cmd_networks, "[--json]",
	  "list networks: NICs, links, policy" },
	{ "links", cmd_links, "[--json] [NETWORK]",
	  "list links (NIC pairs): states, ring sizes, since when" },
	{ "show", cmd_show, "DOMAIN",
	  "everything about one domain's NICs and links" },
	{ "rpc", cmd_rpc, "[--json] [DOMAIN]",
	  "list libccrpc services and connections (colorcomd's broker dirs)" },
	{ "help", cmd_help, "[COMMAND]", "show help" },
	{ NULL, NULL, NULL, NULL },
};

const struct ccctl_cmd *ccctl_find_cmd(const char *name)
{
	const struct ccctl_cmd *c;

	/* The old name of `links`, for scripts written before it; not shown. */
	if (!strcmp(name, "channels"))
		name = "links";
	for (c = ccctl_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void usage_to(FILE *f, const struct ccctl_cmd *c)
{
	if (!c)
		return;
	fprintf(f, "usage: colorcomctl [-N] [-v] [-c FILE] %s %s\n", c->name,
		c->args);
}

void ccctl_usage(const struct ccctl_cmd *c)
{
	usage_to(stderr, c);
}

void ccctl_help(const struct ccctl_cmd *c)
{
	usage_to(stdout, c);
	if (c)
		printf("%s.  See colorcomctl(8).\n", c->summary);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "dry-run", no_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct ccctl_cmd *c;
	int opt, rc;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+Nvhc:", lopts, NULL)) != -1) {
		switch (opt) {
		case 'N':
			ccctl_g.dry_run = 1;
			break;
		case 'v':
			ccctl_g.verbose = 1;
			break;
		case 'c':
			ccctl_g.conf_path = optarg;
			break;
		case 'h':
			return cmd_help(1, argv);
		case 'V':
			printf("colorcomctl %s\n", ccd_version);
			return 0;
		default:
			if (optopt == 'c') {
				ccctl_err("-c needs a FILE");
				return 2;
			}
			if (optopt)
				ccctl_err("unknown option '-%c' (see colorcomctl help)",
					  optopt);
			else
				ccctl_err("unknown option '%s' (see colorcomctl help)",
					  argv[optind - 1]);
			return 2;
		}
	}
	if (optind >= argc) {
		cmd_help(1, argv);
		return 2;
	}
	c = ccctl_find_cmd(argv[optind]);
	if (!c) {
		ccctl_err("unknown command '%s' (see colorcomctl help)",
			  argv[optind]);
		return 2;
	}
	rc = c->fn(argc - optind, argv + optind);
	ccctl_xs_close();
	return rc;
}
