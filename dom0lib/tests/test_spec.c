/* test_spec.c - libccdom0's SPEC parser: SPEC, ring sizes, targets, write
 * lists. */
#define TST_PREFIX "dom0lib.spec."
#include <stdlib.h>

#include "ccdom0.h"
#include "tst.h"


static int t_spec_minimal(void)
{
	struct ccctl_spec s;
	char err[256];

	CHECK(ccctl_parse_spec("network=blue,mac=00:16:3e:00:00:01", &s, err,
			       sizeof(err)) == 0);
	CHECK_STR(s.network, "blue");
	CHECK_INT(s.mac[5], 1);
	CHECK_INT(s.mtu, 1500);
	CHECK_INT(s.order, 6);
	CHECK_INT(s.devid, -1);
	return 0;
}

static int t_spec_full_any_order(void)
{
	struct ccctl_spec s;
	char err[256];

	CHECK(ccctl_parse_spec("devid=15,ring=9,mtu=65521,mac=02:AA:bb:CC:dd:EE,network=a_b-c",
			       &s, err, sizeof(err)) == 0);
	CHECK_STR(s.network, "a_b-c");
	CHECK_INT(s.mac[1], 0xaa);
	CHECK_INT(s.mtu, 65521);
	CHECK_INT(s.order, 9);
	CHECK_INT(s.devid, 15);
	return 0;
}

#define BAD(spec, msg) do {                                                \
		struct ccctl_spec s_;                                      \
		char e_[256] = "";                                         \
		CHECK(ccctl_parse_spec(spec, &s_, e_, sizeof(e_)) == -1);  \
		CHECK_STR(e_, msg);                                        \
	} while (0)

/* Every key is optional (xl vif style): network "default", MAC auto. */
static int t_spec_defaults(void)
{
	struct ccctl_spec s;
	char e[256] = "";

	CHECK_INT(ccctl_parse_spec("", &s, e, sizeof(e)), 0);
	CHECK_STR(s.network, "default");
	CHECK(!s.has_mac && !s.has_order && s.devid == -1 && s.mtu == 1500);
	CHECK_INT(ccctl_parse_spec("network=blue", &s, e, sizeof(e)), 0);
	CHECK_STR(s.network, "blue");
	CHECK(!s.has_mac);
	CHECK_INT(ccctl_parse_spec("mac=00:16:3e:00:00:01,ring=1M", &s, e,
				   sizeof(e)), 0);
	CHECK_STR(s.network, "default");
	CHECK(s.has_mac && s.has_order && s.order == 8);
	return 0;
}

static int t_auto_mac(void)
{
	struct ccd_conf c;
	uint8_t m1[6], m2[6], m3[6];
	char f[18];

	ccd_conf_defaults(&c);
	ccctl_auto_mac(&c, "vm1", "blue", 0, 0, m1);
	ccctl_auto_mac(&c, "vm1", "blue", 0, 0, m2);
	CHECK(!memcmp(m1, m2, 6));              /* stable */
	CHECK(m1[0] == 0x00 && m1[1] == 0x16 && m1[2] == 0x3e);
	ccctl_auto_mac(&c, "vm1", "blue", 0, 1, m3);
	CHECK(memcmp(m1, m3, 6));               /* next attempt differs */
	ccctl_auto_mac(&c, "vm2", "blue", 0, 0, m3);
	CHECK(memcmp(m1, m3, 6));
	ccctl_auto_mac(&c, "vm1", "blue", 1, 0, m3);
	CHECK(memcmp(m1, m3, 6));
	c.mac_prefix[0] = 0x02;
	c.mac_prefix_len = 1;
	ccctl_auto_mac(&c, "vm1", "blue", 0, 0, m3);
	ccd_mac_format(m3, f);
	CHECK(m3[0] == 0x02 && ccd_mac_is_unicast(m3));
	CHECK(memcmp(m3 + 1, m1 + 1, 5));
	return 0;
}

static int t_spec_errors(void)
{
	BAD("network=blue,mac=00:16:3e:00:00:01,", "malformed SPEC item '' (want key=value)");
	BAD("network=blue,,mac=00:16:3e:00:00:01", "malformed SPEC item '' (want key=value)");
	BAD("network", "malformed SPEC item 'network' (want key=value)");
	BAD("=blue", "malformed SPEC item '=blue' (want key=value)");
	BAD("network=blue,bridge=br0", "unknown key 'bridge' in SPEC (known: network, mac, mtu, ring, devid)");
	BAD("network=blue,network=red", "duplicate key 'network' in SPEC");
	BAD("network=,mac=00:16:3e:00:00:01", "bad network name '' (want [a-z0-9][a-z0-9_-]{0,31})");
	BAD("network=-x,mac=00:16:3e:00:00:01", "bad network name '-x' (want [a-z0-9][a-z0-9_-]{0,31})");
	BAD("network=abcdefghijklmnopqrstuvwxyz0123456", "bad network name 'abcdefghijklmnopqrstuvwxyz0123456' (want [a-z0-9][a-z0-9_-]{0,31})");
	BAD("network=blue,mac=00:16:3e:00:00", "malformed MAC '00:16:3e:00:00' (want xx:xx:xx:xx:xx:xx)");
	BAD("network=blue,mac=00:16:3e:00:00:0g", "malformed MAC '00:16:3e:00:00:0g' (want xx:xx:xx:xx:xx:xx)");
	BAD("network=blue,mac=01:00:5e:00:00:01", "MAC 01:00:5e:00:00:01 is multicast; a NIC needs a unicast MAC");
	BAD("network=blue,mac=FF:FF:FF:FF:FF:FF", "MAC ff:ff:ff:ff:ff:ff is multicast; a NIC needs a unicast MAC");
	BAD("network=blue,mac=00:00:00:00:00:00", "MAC 00:00:00:00:00:00 is not a usable unicast address");
	BAD("network=blue,mac=00:16:3e:00:00:01,mtu=67", "bad mtu '67' (want 68..65521)");
	BAD("network=blue,mac=00:16:3e:00:00:01,mtu=65522", "bad mtu '65522' (want 68..65521)");
	BAD("network=blue,mac=00:16:3e:00:00:01,mtu=1500x", "bad mtu '1500x' (want 68..65521)");
	BAD("network=blue,mac=00:16:3e:00:00:01,mtu=", "bad mtu '' (want 68..65521)");
	BAD("network=blue,mac=00:16:3e:00:00:01,devid=16", "bad devid '16' (want 0..15)");
	BAD("network=blue,mac=00:16:3e:00:00:01,devid=-1", "bad devid '-1' (want 0..15)");
	BAD("network=blue,mac=00:16:3e:00:00:01,ring=5", "ring order 5 is out of range (want 6..9)");
	return 0;
}

static int t_ring(void)
{
	unsigned o;
	char err[256];
	static const struct { const char *v; int order; } cases[] = {
		{ "6", 6 }, { "9", 9 }, { "5", -1 }, { "10", -1 }, { "0", -1 },
		{ "256K", 6 }, { "256k", 6 }, { "256KiB", 6 }, { "512K", 7 },
		{ "1M", 8 }, { "1MiB", 8 }, { "2M", 9 }, { "2m", 9 },
		{ "262144", 6 }, { "2097152", 9 }, { "4M", -1 }, { "128K", -1 },
		{ "300K", -1 }, { "1G", -1 }, { "K", -1 }, { "", -1 },
		{ "06", -1 }, { "1 M", -1 }, { "99999999999M", -1 },
		{ "4194304K", -1 }, { "-1", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = ccctl_parse_ring(cases[i].v, &o, err, sizeof(err));

		if (cases[i].order < 0) {
			if (r != -1) {
				snprintf(tst_why, sizeof(tst_why),
					 "ring '%s' accepted", cases[i].v);
				return 1;
			}
		} else if (r || o != (unsigned)cases[i].order) {
			snprintf(tst_why, sizeof(tst_why),
				 "ring '%s' -> r=%d o=%u", cases[i].v, r, o);
			return 1;
		}
	}
	return 0;
}

static int t_domid(void)
{
	unsigned d;

	CHECK(ccctl_parse_domid("0", &d) == 0 && d == 0);
	CHECK(ccctl_parse_domid("32751", &d) == 0 && d == 0x7fef);
	CHECK(ccctl_parse_domid("32752", &d) == -1);   /* DOMID_FIRST_RESERVED */
	CHECK(ccctl_parse_domid("guest1", &d) == -1);
	CHECK(ccctl_parse_domid("1a", &d) == -1);
	CHECK(ccctl_parse_domid("01", &d) == -1);
	return 0;
}

static int t_target(void)
{
	struct ccctl_target t;
	char err[256];

	CHECK(ccctl_parse_target("3", &t, err, sizeof(err)) == 0 && t.devid == 3);
	CHECK(ccctl_parse_target("00:16:3e:00:00:01", &t, err, sizeof(err)) == 0 &&
	      t.devid == -1 && t.mac[5] == 1);
	CHECK(ccctl_parse_target("16", &t, err, sizeof(err)) == -1);
	CHECK_STR(err, "bad devid '16' (want 0..15 or a MAC)");
	CHECK(ccctl_parse_target("eth0", &t, err, sizeof(err)) == -1);
	CHECK_STR(err, "malformed MAC 'eth0' (want a devid 0..15 or xx:xx:xx:xx:xx:xx)");
	return 0;
}

static int t_attach_ops(void)
{
	struct ccctl_spec s;
	struct ccctl_ops ops;
	char err[256];
	unsigned i, state_seen = 0;

	CHECK(ccctl_parse_spec("network=blue,mac=00:16:3e:00:00:01,mtu=9000,ring=1M",
			       &s, err, sizeof(err)) == 0);
	ccctl_attach_ops(5, 2, &s, &ops);
	CHECK_INT(ops.n, 13);
	/* Directories with their permissions come first. */
	CHECK(ops.op[0].kind == CCCTL_MKDIR);
	CHECK_STR(ops.op[0].path, "/local/domain/5/device/colorcom/2");
	CHECK(ops.op[0].nperms == 2 && ops.op[0].perms[0].id == 5 &&
	      ops.op[0].perms[0].mode == 'n' && ops.op[0].perms[1].id == 0 &&
	      ops.op[0].perms[1].mode == 'r');
	CHECK(ops.op[1].kind == CCCTL_MKDIR);
	CHECK_STR(ops.op[1].path, "/local/domain/0/backend/colorcom/5/2");
	CHECK(ops.op[1].perms[0].id == 0 && ops.op[1].perms[1].id == 5);
	for (i = 2; i < ops.n; i++) {
		CHECK(ops.op[i].kind == CCCTL_WRITE);
		if (strstr(ops.op[i].path, "/state"))
			state_seen++;
		else
			CHECK(!state_seen);     /* state keys last */
		if (!strcmp(ops.op[i].path, "/local/domain/0/backend/colorcom/5/2/mtu"))
			CHECK_STR(ops.op[i].value, "9000");
		if (!strcmp(ops.op[i].path, "/local/domain/0/backend/colorcom/5/2/ring-page-order"))
			CHECK_STR(ops.op[i].value, "8");
	}
	CHECK_INT(state_seen, 2);
	return 0;
}

static int t_attach_ops_dom0(void)
{
	struct ccctl_spec s;
	struct ccctl_ops ops;
	char err[256];

	CHECK(ccctl_parse_spec("network=up,mac=00:16:3e:00:00:01", &s, err,
			       sizeof(err)) == 0);
	ccctl_attach_ops(0, 0, &s, &ops);
	CHECK_INT(ops.op[0].nperms, 1);      /* {0: none}, no duplicate */
	return 0;
}

static int t_json_escaping(void)
{
	struct ccctl_ops ops;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f);
	ops.n = 1;
	memset(&ops.op[0], 0, sizeof(ops.op[0]));
	ops.op[0].kind = CCCTL_WRITE;
	snprintf(ops.op[0].path, sizeof(ops.op[0].path), "/a");
	snprintf(ops.op[0].value, sizeof(ops.op[0].value), "q\"b\\\n");
	ccctl_ops_json(f, "x", 1, 2, &ops);
	fclose(f);
	CHECK(strstr(buf, "\"value\": \"q\\\"b\\\\\\u000a\""));
	free(buf);
	return 0;
}

int main(void)
{
	RUN(t_spec_minimal);
	RUN(t_spec_full_any_order);
	RUN(t_spec_defaults);
	RUN(t_auto_mac);
	RUN(t_spec_errors);
	RUN(t_ring);
	RUN(t_domid);
	RUN(t_target);
	RUN(t_attach_ops);
	RUN(t_attach_ops_dom0);
	RUN(t_json_escaping);
	return tst_failed ? 1 : 0;
}
