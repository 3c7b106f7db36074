// SPDX-License-Identifier: GPL-2.0 OR MIT
/* xlargv.c - which config an `xl create` command line names.
 *
 * xl 4.17 keeps no copy of the config text of a domain it creates (only the
 * libxl JSON, which drops keys libxl does not know, such as `colorcom`):
 * docs/admin.md "A guest's life cycle".  The xl process that creates a
 * domain, and the one that stays to watch it, do keep their command line.
 * This reads that command line the way xl's main_create() does: the global
 * options ("+vftTN"), a config file as the first argument, then getopt_long
 * over "AFVcdef:inpq" with --defconfig, then KEY=VALUE overrides and the
 * config file if it was not given yet.  Pure: the caller reads /proc.
 */
#include <getopt.h>
#include <string.h>

#include "ccd.h"

static const struct option ccd_xl_create_opts[] = {
	{ "defconfig", 1, 0, 'f' },
	{ "dryrun", 0, 0, 'n' },
	{ "ignore-global-affinity-masks", 0, 0, 'i' },
	{ "quiet", 0, 0, 'q' },
	{ "vncviewer", 0, 0, 'V' },
	{ "vncviewer-autopass", 0, 0, 'A' },
	{ "help", 0, 0, 'h' },
	{ 0, 0, 0, 0 }
};

int ccd_xl_create_args(int argc, char **argv, struct ccd_xlargs *out)
{
	const char *base;
	int opt, n, saved_opterr = opterr;
	char **sv;

	memset(out, 0, sizeof(*out));
	if (argc < 2 || !argv[0])
		return -1;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (strcmp(base, "xl"))
		return -1;
	opterr = 0;
	optind = 0;                     /* GNU: full reset of getopt's state */
	while ((opt = getopt(argc, argv, "+vftTN")) != -1)
		if (opt == '?' || opt == 'N')   /* xl -N: a dry run, no domain */
			goto not_create;
	if (optind >= argc || strcmp(argv[optind], "create"))
		goto not_create;
	sv = argv + optind;
	n = argc - optind;
	if (n > 1 && sv[1][0] != '-' && !strchr(sv[1], '=')) {
		out->config = sv[1];
		n--;
		sv++;
	}
	optind = 0;
	while ((opt = getopt_long(n, sv, "hAFVcdef:inpq", ccd_xl_create_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'f':
			out->config = optarg;
			break;
		case 'n':               /* dry run */
		case 'h':
		case '?':               /* xl prints its help, makes nothing */
			goto not_create;
		case 'p':
			out->paused = 1;
			break;
		}
	}
	for (; optind < n; optind++) {
		if (strchr(sv[optind], '=')) {
			if (out->nover == CCD_XL_MAX_OVER)
				goto not_create;
			out->over[out->nover++] = sv[optind];
		} else if (!out->config) {
			out->config = sv[optind];
		} else {
			goto not_create;        /* xl: usage error */
		}
	}
	opterr = saved_opterr;
	optind = 0;
	return out->config ? 0 : -1;
not_create:
	opterr = saved_opterr;
	optind = 0;
	memset(out, 0, sizeof(*out));
	return -1;
}

int ccd_xl_env_path(const char *env, size_t n, const char *file, char *path,
		    size_t sz)
{
	size_t i, l;
	int w;

	for (i = 0; i < n; i += l + 1) {
		l = strnlen(env + i, n - i);
		/* Absolute only: a relative PWD says nothing about where. */
		if (l > 5 && !strncmp(env + i, "PWD=/", 5)) {
			w = snprintf(path, sz, "%.*s/%s", (int)(l - 4),
				     env + i + 4, file);
			return w > 0 && (size_t)w < sz ? 0 : -1;
		}
	}
	return -1;
}
