// SPDX-License-Identifier: GPL-2.0 OR MIT
/* test_domcfg.c - a domain config's `colorcom = [...]` list, read with
 * libxlutil (domcfg.c): devids as xl numbers vifs, one bad entry leaves
 * the others usable, whole-config errors. */
#define TST_PREFIX "dom0lib.domcfg."
#include <stdlib.h>

#include "ccdom0.h"
#include "tst.h"

static struct ccctl_domcfg cfg;
static struct ccd_conf conf;

static int parse(const char *text, char **over, int nover, char *err)
{
	return ccctl_domcfg_parse("t.cfg", text, strlen(text), over, nover,
				  &conf, "test.conf", &cfg, err, 256);
}

static int t_good_list(void)
{
	char err[256];

	ccd_conf_defaults(&conf);
	CHECK_INT(parse("name = \"vm\"\nmemory = 128\n"
			"colorcom = [ 'network=blue,devid=0', 'network=red', "
			"'network=blue,mac=00:16:3e:00:00:09', 'devid=1' ]\n",
			NULL, 0, err), 0);
	CHECK_STR(cfg.name, "vm");
	CHECK_INT(cfg.n, 4);
	CHECK_INT(cfg.nbad, 0);
	/* explicit devids first, the rest in list order around them */
	CHECK_INT(cfg.nic[0].at.devid, 0);
	CHECK_INT(cfg.nic[1].at.devid, 2);
	CHECK_INT(cfg.nic[2].at.devid, 3);
	CHECK_INT(cfg.nic[3].at.devid, 1);
	CHECK_STR(cfg.nic[3].at.spec.network, "default");
	CHECK_STR(cfg.nic[1].at.seed, "vm");
	CHECK_INT(cfg.nic[2].at.spec.has_mac, 1);
	return 0;
}

static int t_bad_entries_alone(void)
{
	char err[256];

	ccd_conf_defaults(&conf);
	CHECK_INT(parse("name = \"vm\"\n"
			"colorcom = [ 'network=blue', 'network=no such', "
			"'network=red,mac=00:16:3e:00:00:01', "
			"'network=red,mac=00:16:3e:00:00:01', 'ring=3' ]\n",
			NULL, 0, err), 0);
	CHECK_INT(cfg.n, 5);
	CHECK_INT(cfg.nbad, 3);
	CHECK_INT(cfg.nic[0].bad, 0);
	CHECK_INT(cfg.nic[1].bad, 1);
	CHECK(strstr(cfg.nic[1].at.err, "network"));
	CHECK_INT(cfg.nic[2].bad, 0);
	CHECK_INT(cfg.nic[3].bad, 1);
	CHECK_STR(cfg.nic[3].at.err, "same MAC and network as colorcom[2]");
	CHECK_INT(cfg.nic[4].bad, 1);
	/* the good ones still get devids 0 and 1 */
	CHECK_INT(cfg.nic[0].at.devid, 0);
	CHECK_INT(cfg.nic[2].at.devid, 1);
	return 0;
}

static int t_overrides_and_errors(void)
{
	char err[256], *over[] = { (char *)"colorcom = [ 'network=green' ]" };

	ccd_conf_defaults(&conf);
	CHECK_INT(parse("name = \"vm\"\ncolorcom = [ 'network=blue' ]\n", over,
			1, err), 0);
	CHECK_INT(cfg.n, 1);
	CHECK_STR(cfg.nic[0].at.spec.network, "green");
	CHECK_INT(parse("memory = 128\n", NULL, 0, err), -1);
	CHECK_STR(err, "t.cfg: no name = \"...\" (xl needs one too)");
	CHECK_INT(parse("name = \"vm\"\ncolorcom = 'network=blue'\n", NULL, 0,
			err), -1);
	CHECK(strstr(err, "colorcom must be a list of strings"));
	CHECK_INT(parse("name = \"vm\"\ncolorcom = [ 'x' \n", NULL, 0, err), -1);
	CHECK(strstr(err, "t.cfg"));
	CHECK_INT(parse("name = \"vm\"\n", NULL, 0, err), 0);
	CHECK_INT(cfg.n, 0);
	return 0;
}

int main(void)
{
	RUN(t_good_list);
	RUN(t_bad_entries_alone);
	RUN(t_overrides_and_errors);
	return tst_failed ? 1 : 0;
}
