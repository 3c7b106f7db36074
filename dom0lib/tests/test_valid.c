/* test_valid.c - libccdom0's validation helpers (pure). */
#define TST_PREFIX "dom0lib.valid."
#include <stdlib.h>

#include "ccdom0.h"
#include "tst.h"

static int t_parse_uint(void)
{
	unsigned long v;

	CHECK(ccd_parse_uint("0", 1, 10, &v) == 0 && v == 0);
	CHECK(ccd_parse_uint("42", 2, 100, &v) == 0 && v == 42);
	CHECK(ccd_parse_uint("4294967295", 10, 4294967295ul, &v) == 0);
	CHECK(ccd_parse_uint("4294967296", 10, 4294967295ul, &v) == -1);
	CHECK(ccd_parse_uint("99999999999", 11, ~0ul, &v) == -1);
	CHECK(ccd_parse_uint("", 0, 10, &v) == -1);
	CHECK(ccd_parse_uint("01", 2, 10, &v) == -1);
	CHECK(ccd_parse_uint("-1", 2, 10, &v) == -1);
	CHECK(ccd_parse_uint("+1", 2, 10, &v) == -1);
	CHECK(ccd_parse_uint(" 1", 2, 10, &v) == -1);
	CHECK(ccd_parse_uint("1 ", 2, 10, &v) == -1);
	CHECK(ccd_parse_uint("0x1", 3, 10, &v) == -1);
	CHECK(ccd_parse_uint("11", 2, 10, &v) == -1);
	CHECK(ccd_parse_uint("4\0", 2, 10, &v) == -1);
	CHECK(ccd_parse_uint(NULL, 1, 10, &v) == -1);
	return 0;
}

static int t_parse_mac(void)
{
	uint8_t m[6];
	char s[18];

	CHECK(ccd_parse_mac("00:16:3e:0A:bC:ff", 17, m) == 0);
	ccd_mac_format(m, s);
	CHECK_STR(s, "00:16:3e:0a:bc:ff");
	CHECK(ccd_mac_is_unicast(m));
	CHECK(ccd_parse_mac("00:16:3e:0a:bc:f", 16, m) == -1);
	CHECK(ccd_parse_mac("00:16:3e:0a:bc:fff", 18, m) == -1);
	CHECK(ccd_parse_mac("00-16-3e-0a-bc-ff", 17, m) == -1);
	CHECK(ccd_parse_mac("00:16:3e:0g:bc:ff", 17, m) == -1);
	CHECK(ccd_parse_mac("0:016:3e:0a:bc:ff", 17, m) == -1);
	CHECK(ccd_parse_mac("01:00:5e:00:00:01", 17, m) == 0);
	CHECK(!ccd_mac_is_unicast(m));
	CHECK(ccd_parse_mac("ff:ff:ff:ff:ff:ff", 17, m) == 0);
	CHECK(!ccd_mac_is_unicast(m));
	CHECK(ccd_parse_mac("00:00:00:00:00:00", 17, m) == 0);
	CHECK(!ccd_mac_is_unicast(m));
	CHECK(ccd_parse_mac("02:00:00:00:00:01", 17, m) == 0);
	CHECK(ccd_mac_is_unicast(m));      /* locally administered is fine */
	return 0;
}

static int t_network_name(void)
{
	CHECK(ccd_valid_network("blue", 4));
	CHECK(ccd_valid_network("0", 1));
	CHECK(ccd_valid_network("a_b-9", 5));
	CHECK(ccd_valid_network("abcdefghijklmnopqrstuvwxyz012345", 32));
	CHECK(!ccd_valid_network("abcdefghijklmnopqrstuvwxyz0123456", 33));
	CHECK(!ccd_valid_network("", 0));
	CHECK(!ccd_valid_network("-a", 2));
	CHECK(!ccd_valid_network("_a", 2));
	CHECK(!ccd_valid_network("Blue", 4));
	CHECK(!ccd_valid_network("a b", 3));
	CHECK(!ccd_valid_network("a/b", 3));
	CHECK(!ccd_valid_network("a.b", 3));
	CHECK(!ccd_valid_network("a\0b", 3));
	return 0;
}

static int t_mtu_order_state(void)
{
	CHECK(!ccd_valid_mtu(67) && ccd_valid_mtu(68) && ccd_valid_mtu(65521) &&
	      !ccd_valid_mtu(65522));
	CHECK(!ccd_valid_order(5) && ccd_valid_order(6) && ccd_valid_order(9) &&
	      !ccd_valid_order(10));
	CHECK_INT(ccd_parse_state("4", 1), 4);
	CHECK_INT(ccd_parse_state("8", 1), 8);
	CHECK_INT(ccd_parse_state("9", 1), -1);
	CHECK_INT(ccd_parse_state("04", 2), -1);
	CHECK_INT(ccd_parse_state("4\n", 2), -1);
	CHECK_STR(ccd_state_name(4), "Connected");
	CHECK_STR(ccd_state_name(-2), "?");
	CHECK_STR(ccd_state_name(99), "?");
	return 0;
}

static int t_link_id(void)
{
	unsigned b, na, nb;

	CHECK_INT(ccd_link_id(2, 1, 0), 0x210);
	CHECK_INT(ccd_link_id(0x7fef, 15, 15), 0x7fefff);
	CHECK_INT(ccd_link_id(5, 0, 3), 0x503);
	ccd_link_decode(0x210, &b, &na, &nb);
	CHECK(b == 2 && na == 1 && nb == 0);
	ccd_link_decode(0x7fefff, &b, &na, &nb);
	CHECK(b == 0x7fef && na == 15 && nb == 15);
	return 0;
}

static int t_sanitize(void)
{
	char out[8];

	ccd_sanitize("ab\ncd\x01\xff", 7, out, sizeof(out));
	CHECK_STR(out, "ab?cd??");
	ccd_sanitize("0123456789", 10, out, sizeof(out));
	CHECK_STR(out, "0123456");
	return 0;
}

static int t_uplink_ifname(void)
{
	char b[CCD_IFNAMSIZ];

	ccd_uplink_ifname("blue", b);
	CHECK_STR(b, "ccup-blue");
	ccd_uplink_ifname("abcdefghij", b);
	CHECK_STR(b, "ccup-abcdefghij");
	ccd_uplink_ifname("abcdefghijklmnopqrstuvwxyz012345", b);
	CHECK_STR(b, "ccup-abcdefghij");        /* IFNAMSIZ - 1 = 15 */
	return 0;
}

int main(void)
{
	RUN(t_parse_uint);
	RUN(t_parse_mac);
	RUN(t_network_name);
	RUN(t_mtu_order_state);
	RUN(t_link_id);
	RUN(t_sanitize);
	RUN(t_uplink_ifname);
	return tst_failed ? 1 : 0;
}
