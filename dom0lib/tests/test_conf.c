// SPDX-License-Identifier: GPL-2.0 OR MIT
/* test_conf.c - colorcomd.conf parsing and ring sizes (pure). */
#define TST_PREFIX "dom0lib.conf."
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>

#include "ccdom0.h"
#include "tst.h"

static struct ccd_conf c;
static char err[512];

static int parse(const char *text)
{
	err[0] = '\0';
	return ccd_conf_parse(text, strlen(text), "t.conf", &c, err,
			      sizeof(err));
}

static int t_defaults(void)
{
	CHECK_INT(parse(""), 0);
	CHECK_INT(c.order, 6);
	CHECK_INT(c.mac_prefix_len, 3);
	CHECK(c.mac_prefix[0] == 0x00 && c.mac_prefix[1] == 0x16 &&
	      c.mac_prefix[2] == 0x3e);
	CHECK_INT(c.reboot_grace_s, 60);
	CHECK_INT(c.relink_backoff_s, 60);
	CHECK_INT(c.nnet, 0);
	CHECK_INT(ccd_conf_max_peers(&c, "blue"), 0);
	return 0;
}

static int t_full(void)
{
	CHECK_INT(parse("# colorcomd.conf\n"
			"\n"
			"ring = 1M   # per direction\n"
			"  mac-prefix=02:aa:bb:cc\t\n"
			"reboot-grace = 5\r\n"
			"relink-backoff = 0\n"
			"network.blue.max-peers = 2\n"
			"network.red_1.max-peers = 0\n"
			"network.green.max-peers = 4"), 0);
	CHECK_STR(err, "");
	CHECK_INT(c.order, 8);
	CHECK_INT(c.mac_prefix_len, 4);
	CHECK(c.mac_prefix[0] == 0x02 && c.mac_prefix[3] == 0xcc);
	CHECK_INT(c.reboot_grace_s, 5);
	CHECK_INT(c.relink_backoff_s, 0);
	CHECK_INT(ccd_conf_max_peers(&c, "blue"), 2);
	CHECK_INT(ccd_conf_max_peers(&c, "red_1"), 0);
	CHECK_INT(ccd_conf_max_peers(&c, "green"), 4);
	CHECK_INT(ccd_conf_max_peers(&c, "yellow"), 0);
	return 0;
}

#define BAD(text, want) do {                                             \
		CHECK_INT(parse(text), -1);                              \
		CHECK_STR(err, want);                                    \
		CHECK_INT(c.order, 6);  /* defaults left, nothing half */ \
		CHECK_INT(c.nnet, 0);                                    \
	} while (0)

static int t_errors_name_the_line(void)
{
	BAD("ring = 512K\nnetwork.blue.max-peers = 3\nring 1M\n",
	    "t.conf:3: expected 'key = value'");
	BAD("\n\n\n\nfoo = 1\n",
	    "t.conf:5: unknown key 'foo' (known: ring, mac-prefix, mac-seed, reboot-grace, relink-backoff, network.NAME.max-peers, network.NAME.uplink, network.NAME.mtu)");
	BAD("ring = 3M", "t.conf:1: ring size '3M' is not a power of two (want 256K, 512K, 1M or 2M)");
	BAD("ring = 4M", "t.conf:1: ring size '4M' is out of range (want 256K..2M)");
	BAD("ring = 10", "t.conf:1: ring order 10 is out of range (want 6..9)");
	BAD("ring = big", "t.conf:1: bad ring 'big' (want an order 6..9 or a size 256K, 512K, 1M or 2M)");
	BAD("ring = 1M\nring = 2M", "t.conf:2: duplicate key 'ring'");
	BAD("mac-prefix = 01:16:3e", "t.conf:1: MAC prefix '01:16:3e' is multicast (the first octet must be even)");
	BAD("mac-prefix = 00:16:3e:00:00:01", "t.conf:1: bad MAC prefix '00:16:3e:00:00:01' (want 1 to 5 octets, e.g. 00:16:3e)");
	BAD("mac-prefix = 00-16-3e", "t.conf:1: bad MAC prefix '00-16-3e' (want 1 to 5 octets, e.g. 00:16:3e)");
	BAD("mac-prefix = ", "t.conf:1: bad MAC prefix '' (want 1 to 5 octets, e.g. 00:16:3e)");
	BAD("reboot-grace = -1", "t.conf:1: bad reboot-grace '-1' (want 0..86400 seconds)");
	BAD("relink-backoff = 3601", "t.conf:1: bad relink-backoff '3601' (want 0..3600 seconds)");
	BAD("relink-backoff = 1\nrelink-backoff = 2", "t.conf:2: duplicate key 'relink-backoff'");
	BAD("network.Blue.max-peers = 2", "t.conf:1: bad network name 'Blue' (want [a-z0-9][a-z0-9_-]{0,31})");
	BAD("network.blue.max-peers = x", "t.conf:1: bad max-peers 'x' (want 0..4096)");
	BAD("network.blue.speed = 9000", "t.conf:1: unknown key 'network.blue.speed' (known: network.NAME.max-peers, network.NAME.uplink, network.NAME.mtu)");
	BAD("network.blue.mtu = 67", "t.conf:1: bad mtu '67' (want 68..65521)");
	BAD("network.blue.mtu = 65522", "t.conf:1: bad mtu '65522' (want 68..65521)");
	BAD("network.blue.mtu = 09000", "t.conf:1: bad mtu '09000' (want 68..65521)");
	BAD("network.blue.mtu = ", "t.conf:1: bad mtu '' (want 68..65521)");
	BAD("network.blue.mtu = 9000\nnetwork.blue.uplink = on\nnetwork.blue.mtu = 1500",
	    "t.conf:3: duplicate key 'network.blue.mtu'");
	BAD("network.blue.max-peers = 2\nnetwork.blue.max-peers = 3",
	    "t.conf:2: duplicate key 'network.blue.max-peers'");
	BAD("= 3", "t.conf:1: expected 'key = value'");
	BAD("network.blue.uplink = yes", "t.conf:1: bad uplink 'yes' (want on or off)");
	BAD("network.blue.uplink = On", "t.conf:1: bad uplink 'On' (want on or off)");
	BAD("network.blue.uplink = on\nnetwork.blue.max-peers = 2\nnetwork.blue.uplink = off",
	    "t.conf:3: duplicate key 'network.blue.uplink'");
	BAD("network.blue.uplink = on\nnetwork.blue.max-peers = 2\nnetwork.blue.max-peers = 3",
	    "t.conf:3: duplicate key 'network.blue.max-peers'");
	return 0;
}

static int t_uplink(void)
{
	static const char text[] =
		"network.blue.uplink = on\n"
		"network.blue.max-peers = 8\n"
		"network.red.uplink = off   # the red network stays inside\n"
		"network.green.max-peers = 2\n";

	CHECK_INT(parse(text), 0);
	CHECK_INT(c.nnet, 3);           /* one entry per network */
	CHECK_INT(ccd_conf_uplink(&c, "blue"), CCD_UPLINK_ON);
	CHECK_INT(ccd_conf_max_peers(&c, "blue"), 8);
	CHECK_INT(ccd_conf_uplink(&c, "red"), CCD_UPLINK_OFF);
	CHECK_INT(ccd_conf_max_peers(&c, "red"), 0);
	CHECK_INT(ccd_conf_uplink(&c, "green"), CCD_UPLINK_UNSET);
	CHECK_INT(ccd_conf_uplink(&c, "other"), CCD_UPLINK_UNSET);
	return 0;
}

static int t_mtu(void)
{
	static const char text[] =
		"network.blue.max-peers = 8\n"
		"network.blue.mtu = 9000\n"
		"network.red.mtu = 68\n"
		"network.green.mtu = 65521   # the largest\n"
		"network.plain.uplink = on\n";

	CHECK_INT(parse(text), 0);
	CHECK_INT(c.nnet, 4);           /* mtu shares the network's entry */
	CHECK_INT(ccd_conf_mtu(&c, "blue"), 9000);
	CHECK_INT(ccd_conf_max_peers(&c, "blue"), 8);
	CHECK_INT(ccd_conf_mtu(&c, "red"), 68);
	CHECK_INT(ccd_conf_mtu(&c, "green"), 65521);
	CHECK_INT(ccd_conf_mtu(&c, "plain"), 0);       /* unset */
	CHECK_INT(ccd_conf_mtu(&c, "other"), 0);       /* no entry */
	return 0;
}

static int t_nul_and_long(void)
{
	static const char nul[] = "ring = 1M\nri\0ng = 2\n";
	char big[700];

	CHECK_INT(ccd_conf_parse(nul, sizeof(nul) - 1, "t.conf", &c, err,
				 sizeof(err)), -1);
	CHECK_STR(err, "t.conf:2: NUL byte in line");
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	BAD(big, "t.conf:1: line too long");
	return 0;
}

static int t_load(void)
{
	char path[] = "/tmp/ccd-conf-XXXXXX";
	int fd = mkstemp(path);
	static const char text[] = "ring = 512K\nbogus\n";

	CHECK(fd >= 0);
	CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1);
	close(fd);
	CHECK_INT(ccd_conf_load(path, 0, &c, err, sizeof(err)), -1);
	CHECK(strstr(err, ":2: expected 'key = value'") != NULL);
	CHECK(!strncmp(err, path, strlen(path)));
	unlink(path);
	CHECK_INT(ccd_conf_load(path, 1, &c, err, sizeof(err)), 0);
	CHECK_INT(c.order, 6);
	CHECK_INT(ccd_conf_load(path, 0, &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "No such file or directory") != NULL);
	return 0;
}

static int t_reload(void)
{
	char path[] = "/tmp/ccd-reload-XXXXXX";
	const char *used = NULL;
	int fd = mkstemp(path);
	static const char good[] = "ring = 1M\n", bad[] = "ring = 1M\nring = 2M\n";

	CHECK(fd >= 0);
	CHECK(write(fd, good, sizeof(good) - 1) > 0);
	close(fd);
	ccd_conf_defaults(&c);
	CHECK_INT(ccd_conf_reload(path, &c, &used, err, sizeof(err)), 0);
	CHECK_STR(used, path);
	CHECK_INT(c.order, 8);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, bad, sizeof(bad) - 1) > 0);
	close(fd);
	CHECK_INT(ccd_conf_reload(path, &c, &used, err, sizeof(err)), -1);
	CHECK(strstr(err, ":2: duplicate key 'ring'"));
	CHECK_INT(c.order, 8);                  /* kept */
	unlink(path);
	/* no -c: the default path, whose absence means defaults */
	if (access(CCD_CONF_PATH, F_OK)) {      /* (a dev box has none) */
		CHECK_INT(ccd_conf_reload(NULL, &c, &used, err, sizeof(err)), 0);
		CHECK_STR(used, CCD_CONF_PATH);
		CHECK_INT(c.order, 6);
	}
	return 0;
}

static int t_ring_sizes(void)
{
	static const struct { const char *v; int order; } cases[] = {
		{ "6", 6 }, { "9", 9 }, { "5", -1 }, { "256K", 6 },
		{ "512KiB", 7 }, { "1M", 8 }, { "2M", 9 }, { "262144", 6 },
		{ "128K", -1 }, { "300K", -1 }, { "0K", -1 }, { "06", -1 },
		{ "99999999999M", -1 },
	};
	unsigned o, i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = ccd_parse_ring(cases[i].v, &o, err, sizeof(err));

		if (cases[i].order < 0 ? r != -1 :
		    (r || o != (unsigned)cases[i].order)) {
			snprintf(tst_why, sizeof(tst_why), "ring '%s': r=%d",
				 cases[i].v, r);
			return 1;
		}
	}
	return 0;
}

static int write_file(char *path, const char *text)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* mac-seed from the file wins; else the machine-id; else none. */
static int t_mac_seed(void)
{
	char mid[] = "/tmp/ccd-mid-XXXXXX", bad[] = "/tmp/ccd-mid-XXXXXX";
	char cf[] = "/tmp/ccd-conf-XXXXXX";
	static const char seed[] = "mac-seed = Zq3-x_9aaaaBBBB0000\n";

	CHECK(write_file(mid, "0123456789abcdef0123456789ABCDEF\n") == 0);
	CHECK(write_file(bad, "not-a-machine-id\n") == 0);
	CHECK(write_file(cf, seed) == 0);
	CHECK_INT(ccd_conf_parse(seed, sizeof(seed) - 1, "f", &c, err, sizeof(err)), 0);
	CHECK_STR(c.mac_seed, "Zq3-x_9aaaaBBBB0000");
	CHECK_INT(c.mac_seed_from, CCD_SEED_CONF);
	ccd_conf_host_seed(&c, mid);            /* the file's key stays */
	CHECK_STR(c.mac_seed, "Zq3-x_9aaaaBBBB0000");
	ccd_conf_defaults(&c);
	ccd_conf_host_seed(&c, mid);
	CHECK_STR(c.mac_seed, "0123456789abcdef0123456789ABCDEF");
	CHECK_INT(c.mac_seed_from, CCD_SEED_MACHINE_ID);
	ccd_conf_host_seed(&c, bad);
	CHECK_STR(c.mac_seed, "");
	CHECK_INT(c.mac_seed_from, CCD_SEED_NONE);
	ccd_conf_host_seed(&c, "/nonexistent/machine-id");
	CHECK_INT(c.mac_seed_from, CCD_SEED_NONE);
	/* ccd_conf_load: the environment names the machine-id (tests) */
	setenv(CCD_MACHINE_ID_ENV, mid, 1);
	CHECK_INT(ccd_conf_load("/nonexistent/colorcomd.conf", 1, &c, err, sizeof(err)), 0);
	CHECK_INT(c.mac_seed_from, CCD_SEED_MACHINE_ID);
	CHECK_INT(ccd_conf_load(cf, 0, &c, err, sizeof(err)), 0);
	CHECK_STR(c.mac_seed, "Zq3-x_9aaaaBBBB0000");
	unsetenv(CCD_MACHINE_ID_ENV);
	unlink(mid);
	unlink(bad);
	unlink(cf);
	/* refused: too short, too long, bad characters, twice */
	CHECK_INT(ccd_conf_parse("mac-seed = short\n", 16, "f", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "f:1: bad mac-seed (want 16..64 of [A-Za-z0-9_-]"));
	CHECK_INT(ccd_conf_parse("mac-seed = 0123456789abcdef!\n", 28, "f", &c, err, sizeof(err)), -1);
	CHECK_INT(ccd_conf_parse("mac-seed = 0123456789abcdef\nmac-seed = 0123456789abcdef\n", 54, "f", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "f:2: duplicate key 'mac-seed'"));
	CHECK_STR(c.mac_seed, "");
	return 0;
}

int main(void)
{
	RUN(t_defaults);
	RUN(t_full);
	RUN(t_errors_name_the_line);
	RUN(t_uplink);
	RUN(t_mtu);
	RUN(t_nul_and_long);
	RUN(t_load);
	RUN(t_reload);
	RUN(t_ring_sizes);
	RUN(t_mac_seed);
	return tst_failed ? 1 : 0;
}
