// SPDX-License-Identifier: GPL-2.0 OR MIT
/* test_xlargv.c - which config an `xl create` command line names (xlargv.c),
 * against the way xl 4.17's main() and main_create() read their options. */
#include <stdlib.h>
#include <string.h>

#include "ccd.h"
#define TST_PREFIX "xlargv_"
#include "tst.h"

static char store[32][128];

/* Parse a space-separated command line into writable argv (getopt permutes). */
static int parse(const char *line, struct ccd_xlargs *a)
{
	char *argv[33], buf[1024], *tok, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 32;
	     tok = strtok_r(NULL, " ", &save)) {
		snprintf(store[argc], sizeof(store[0]), "%s", tok);
		argv[argc] = store[argc];
		argc++;
	}
	argv[argc] = NULL;
	return ccd_xl_create_args(argc, argv, a);
}

static int t_plain(void)
{
	struct ccd_xlargs a;

	CHECK_INT(parse("xl create /etc/xen/a.cfg", &a), 0);
	CHECK_STR(a.config, "/etc/xen/a.cfg");
	CHECK_INT(a.nover, 0);
	CHECK_INT(a.paused, 0);
	CHECK_INT(parse("/usr/sbin/xl create a.cfg", &a), 0);
	CHECK_STR(a.config, "a.cfg");
	return 0;
}

static int t_options_anywhere(void)
{
	struct ccd_xlargs a;

	/* getopt_long permutes: options after the file count too. */
	CHECK_INT(parse("xl -v create -q a.cfg -p memory=256 name=x", &a), 0);
	CHECK_STR(a.config, "a.cfg");
	CHECK_INT(a.paused, 1);
	CHECK_INT(a.nover, 2);
	CHECK_STR(a.over[0], "memory=256");
	CHECK_STR(a.over[1], "name=x");
	CHECK_INT(parse("xl create -f b.cfg", &a), 0);
	CHECK_STR(a.config, "b.cfg");
	CHECK_INT(parse("xl create -fb.cfg", &a), 0);
	CHECK_STR(a.config, "b.cfg");
	CHECK_INT(parse("xl create --defconfig=/etc/xen/auto/c", &a), 0);
	CHECK_STR(a.config, "/etc/xen/auto/c");
	CHECK_INT(parse("xl create --quiet --defconfig /etc/xen/auto/c", &a), 0);
	CHECK_STR(a.config, "/etc/xen/auto/c");
	/* xl's first-argument rule: the file, even before the options. */
	CHECK_INT(parse("xl create a.cfg -d", &a), 0);
	CHECK_STR(a.config, "a.cfg");
	return 0;
}

static int t_not_a_create(void)
{
	struct ccd_xlargs a;

	CHECK_INT(parse("xl restore /tmp/a.save", &a), -1);
	CHECK_INT(parse("xl migrate-receive", &a), -1);
	CHECK_INT(parse("xl list", &a), -1);
	CHECK_INT(parse("xl create", &a), -1);                  /* no file */
	CHECK_INT(parse("xl create -n a.cfg", &a), -1);         /* dry run */
	CHECK_INT(parse("xl create --dryrun a.cfg", &a), -1);
	CHECK_INT(parse("xl -N create a.cfg", &a), -1);
	CHECK_INT(parse("xl create -h", &a), -1);
	CHECK_INT(parse("xl create -Z a.cfg", &a), -1);         /* bad option */
	CHECK_INT(parse("xl create a.cfg b.cfg", &a), -1);      /* usage error */
	CHECK_INT(parse("xlx create a.cfg", &a), -1);
	CHECK_INT(parse("colorcomctl create a.cfg", &a), -1);
	CHECK_INT(parse("xl", &a), -1);
	CHECK(a.config == NULL);
	return 0;
}

static int t_overrides_only(void)
{
	struct ccd_xlargs a;

	/* An override as the first argument is not the file. */
	CHECK_INT(parse("xl create name=x a.cfg", &a), 0);
	CHECK_STR(a.config, "a.cfg");
	CHECK_INT(a.nover, 1);
	CHECK_STR(a.over[0], "name=x");
	return 0;
}

static int t_env_path(void)
{
	static const char env[] = "HOME=/root\0OLDPWD=/\0PWD=/etc/xen\0TERM=x";
	static const char rel[] = "PWD=etc\0HOME=/";
	static const char cut[] = { 'P', 'W', 'D', '=', '/', 'v', 'a', 'r' };
	char path[32];

	CHECK_INT(ccd_xl_env_path(env, sizeof(env), "b.cfg", path, sizeof(path)), 0);
	CHECK_STR(path, "/etc/xen/b.cfg");
	/* OLDPWD is not PWD; a relative PWD names nothing. */
	CHECK_INT(ccd_xl_env_path(rel, sizeof(rel), "b.cfg", path, sizeof(path)), -1);
	/* The last variable need not end in NUL (a read cut short). */
	CHECK_INT(ccd_xl_env_path(cut, sizeof(cut), "b.cfg", path, sizeof(path)), 0);
	CHECK_STR(path, "/var/b.cfg");
	CHECK_INT(ccd_xl_env_path(env, sizeof(env), "a-name-longer-than-the-buffer.cfg",
				  path, sizeof(path)), -1);
	CHECK_INT(ccd_xl_env_path("", 0, "b.cfg", path, sizeof(path)), -1);
	return 0;
}

int main(void)
{
	RUN(t_plain);
	RUN(t_options_anywhere);
	RUN(t_not_a_create);
	RUN(t_overrides_only);
	RUN(t_env_path);
	return tst_failed ? 1 : 0;
}
