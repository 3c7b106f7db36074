/* test_xlcfg.c - the colorcom list of an xl config, as colorcomd reads it. */
#define TST_PREFIX "back.xlcfg."
#include <stdlib.h>

#include "xlcfg.h"
#include "tst.h"

static struct ccd_conf conf;

static int parse(const char *text, struct ccd_xlcfg *cfg)
{
	return ccd_xlcfg_parse(text, strlen(text), "cfg", &conf, cfg);
}

static int t_two_nics(void)
{
	struct ccd_xlcfg c;

	CHECK_INT(parse("name = \"a\"\nmemory = 128\n"
			"colorcom = [ 'network=blue,mac=00:16:3e:00:00:01', 'network=green,ring=1M' ]\n",
			&c), 0);
	CHECK_STR(c.name, "a");
	CHECK_INT(c.n, 2);
	CHECK(c.nic[0].ok && c.nic[1].ok);
	CHECK_INT(c.nic[0].devid, 0);
	CHECK_INT(c.nic[1].devid, 1);
	CHECK_STR(c.nic[1].spec.network, "green");
	CHECK_INT(c.nic[0].spec.has_mac, 1);
	CHECK_INT(c.nic[1].spec.has_mac, 0);
	CHECK_INT(c.nic[0].spec.order, conf.order);     /* the configured ring */
	CHECK_INT(c.nic[1].spec.order, 8);
	return 0;
}

static int t_no_key(void)
{
	struct ccd_xlcfg c;

	CHECK_INT(parse("name = \"a\"\nvif = [ 'bridge=br0' ]\n", &c), 1);
	return 0;
}

/* A bad entry is reported alone; the others keep create's devids. */
static int t_bad_entry_alone(void)
{
	struct ccd_xlcfg c;

	CHECK_INT(parse("name = \"a\"\ncolorcom = [ 'network=blue', 'network=blue,mac=00:16:3e:00:00:0g', 'network=red,devid=0', 'network=x' ]\n",
			&c), 0);
	CHECK_INT(c.n, 4);
	CHECK(c.nic[0].ok && !c.nic[1].ok && c.nic[2].ok && c.nic[3].ok);
	CHECK(strstr(c.nic[1].err, "00:16:3e:00:00:0g") != NULL);
	CHECK_INT(c.nic[2].devid, 0);   /* explicit */
	CHECK_INT(c.nic[0].devid, 1);   /* then list order */
	CHECK_INT(c.nic[1].devid, 2);   /* the bad one still takes its place */
	CHECK_INT(c.nic[3].devid, 3);
	return 0;
}

static int t_duplicates(void)
{
	struct ccd_xlcfg c;

	CHECK_INT(parse("colorcom = [ 'network=blue,mac=00:16:3e:00:00:01', 'network=blue,mac=00:16:3e:00:00:01', 'network=g,devid=3', 'network=h,devid=3' ]\n",
			&c), 0);
	CHECK(c.nic[0].ok && !c.nic[1].ok && c.nic[2].ok && !c.nic[3].ok);
	CHECK(strstr(c.nic[1].err, "same MAC and network as colorcom[0]") != NULL);
	CHECK(strstr(c.nic[3].err, "devid 3 already used by colorcom[2]") != NULL);
	CHECK_INT(c.nic[2].devid, 3);
	CHECK(c.nic[3].devid != 3);
	return 0;
}

static int t_not_a_list(void)
{
	struct ccd_xlcfg c;

	CHECK_INT(parse("colorcom = 'network=blue'\n", &c), -1);
	CHECK(strstr(c.err, "must be a list of strings") != NULL);
	return 0;
}

static int t_syntax_error(void)
{
	struct ccd_xlcfg c;

	CHECK_INT(parse("name = \"a\"\ncolorcom = [ 'network=blue'\n", &c), -1);
	CHECK(c.err[0] != '\0');
	return 0;
}

static int t_too_many(void)
{
	struct ccd_xlcfg c;
	char buf[2048];
	size_t o;
	int i;

	o = (size_t)snprintf(buf, sizeof(buf), "colorcom = [");
	for (i = 0; i < 17; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s'network=n%d'",
				      i ? "," : "", i);
	snprintf(buf + o, sizeof(buf) - o, "]\n");
	CHECK_INT(parse(buf, &c), -1);
	CHECK(strstr(c.err, "at most 16") != NULL);
	return 0;
}

/* Random text never crashes the parser.  A NUL inside a quoted string made
 * libxlutil assert (found by this test): refused before it gets there. */
static int t_nul(void)
{
	struct ccd_xlcfg c;
	static const char t[] = "#[[\n'a\0a]'";

	CHECK_INT(ccd_xlcfg_parse(t, sizeof(t) - 1, "cfg", &conf, &c), -1);
	CHECK(strstr(c.err, "NUL") != NULL);
	return 0;
}

static int t_garbage(void)
{
	struct ccd_xlcfg c;
	char buf[256];
	unsigned seed = 7;
	int i, k;

	for (i = 0; i < 2000; i++) {
		for (k = 0; k < (int)sizeof(buf); k++) {
			seed = seed * 1103515245u + 12345u;
			buf[k] = "colorcm=[]',\"\n #abnetwork=mac:0123456789\0"[(seed >> 16) % 42];
		}
		(void)ccd_xlcfg_parse(buf, sizeof(buf), "g", &conf, &c);
	}
	return 0;
}

int main(void)
{
	ccd_conf_defaults(&conf);
	RUN(t_two_nics);
	RUN(t_no_key);
	RUN(t_bad_entry_alone);
	RUN(t_duplicates);
	RUN(t_not_a_list);
	RUN(t_syntax_error);
	RUN(t_too_many);
	RUN(t_nul);
	RUN(t_garbage);
	return tst_failed ? 1 : 0;
}
