// SPDX-License-Identifier: MIT
/*
 * test_meta.c - common/ccmeta.c: which offload metadata a receiver hands to
 * virtio_net_hdr_to_skb() (issue #14 item 4, docs/protocol.md section 3).
 * Every kind the hostile build sends (front/hostile/hostile.c) with the
 * verdict the lab expects, honest frames of every shape, the feature matrix,
 * and a random sweep whose accepted cases must satisfy every rule.
 */
#include "harness.h"
#include "../../common/ccmeta.h"

#define ALL_ADV (CCMETA_ADV_CSUM | CCMETA_ADV_GSO4 | CCMETA_ADV_GSO6)
#define MTU 1500u
#define CS CCRING_F_CSUM_NEEDED
#define DV CCRING_F_DATA_VALID
#define V4 CCRING_GSO_TCPV4
#define V6 CCRING_GSO_TCPV6
#define ECN CCRING_GSO_ECN

static uint8_t frame[4096];

/* Ethernet, tags VLAN tags (802.1ad outer when 2), then ethertype l3 (0x0800,
 * 0x86dd, or anything); returns the L3 offset. */
static uint32_t mkframe(unsigned int tags, uint16_t l3)
{
	uint32_t off = 12;
	unsigned int i;

	memset(frame, 0, sizeof(frame));
	memcpy(frame, "\x00\x16\x3e\x00\x00\x0a\x00\x16\x3e\x00\x00\x0e", 12);
	for (i = 0; i < tags; i++) {
		uint16_t tpid = (tags == 2 && i == 0) ? 0x88a8 : 0x8100;

		frame[off] = tpid >> 8;
		frame[off + 1] = tpid & 0xff;
		frame[off + 3] = 5;
		off += 4;
	}
	frame[off] = l3 >> 8;
	frame[off + 1] = l3 & 0xff;
	return off + 2;
}

static struct ccring_meta meta(uint16_t flags, uint16_t gso, uint16_t gso_size,
			       uint16_t start, uint16_t off)
{
	struct ccring_meta m = { .flags = flags, .gso_type = gso, .gso_size = gso_size,
				 .csum_start = start, .csum_offset = off };
	return m;
}

struct mcase {
	const char *name;
	unsigned int tags;
	uint16_t l3;
	uint32_t len;		/* 0 = MTU + 14 + 1 */
	struct ccring_meta m;
	enum ccmeta_verdict want;
};

static const char *run_cases(const struct mcase *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t len = c[i].len ? c[i].len : MTU + 14 + 1;
		enum ccmeta_verdict v;

		mkframe(c[i].tags, c[i].l3);
		v = ccmeta_check(frame, len < 256 ? len : 256, len, &c[i].m, MTU, ALL_ADV);
		CHECK(v == c[i].want, "%s: verdict %d, want %d", c[i].name, v, c[i].want);
	}
	return NULL;
}

/* The kinds of front/hostile/hostile.c, with the counter the lab expects. */
static const char *t_hostile_kinds(void)
{
	static const struct mcase c[] = {
		{ "good-csum",        0, 0x0800, 200,  { CS, 0, 0, 0, 34, 16 }, CCMETA_OK },
		{ "good-gso",         0, 0x0800, 3000, { CS, V4, 54, 1448, 34, 16 }, CCMETA_OK },
		{ "csum-start-eth",   0, 0x0800, 200,  { CS, 0, 0, 0, 0, 16 }, CCMETA_CSUM },
		{ "csum-start-vlan",  1, 0x0800, 200,  { CS, 0, 0, 0, 14, 16 }, CCMETA_CSUM },
		{ "csum-beyond",      0, 0x0800, 200,  { CS, 0, 0, 0, 34, 180 }, CCMETA_CSUM },
		{ "csum-start-huge",  0, 0x0800, 200,  { CS, 0, 0, 0, 0xffff, 0xffff }, CCMETA_CSUM },
		{ "gso-no-csum",      0, 0x0800, 3000, { 0, V4, 54, 1448, 34, 16 }, CCMETA_GSO },
		{ "gso-no-csum-dv",   0, 0x0800, 3000, { DV, V4, 54, 1448, 0, 0 }, CCMETA_GSO },
		{ "gso-wrong-l3",     0, 0x0800, 3000, { CS, V6, 54, 1448, 34, 16 }, CCMETA_GSO },
		{ "gso-ecn-v6-on-v4", 0, 0x0800, 3000, { CS, V6 | ECN, 54, 1448, 34, 16 }, CCMETA_GSO },
		{ "gso-size-zero",    0, 0x0800, 3000, { CS, V4, 54, 0, 34, 16 }, CCMETA_GSO },
		{ "gso-size-small",   0, 0x0800, 3000, { CS, V4, 54, 7, 34, 16 }, CCMETA_GSO },
		{ "gso-size-big",     0, 0x0800, 3000, { CS, V4, 54, 65535, 34, 16 }, CCMETA_GSO },
		{ "gso-csum-off",     0, 0x0800, 3000, { CS, V4, 54, 1448, 34, 6 }, CCMETA_GSO },
		{ "gso-csum-in-ip",   0, 0x0800, 3000, { CS, V4, 54, 1448, 24, 16 }, CCMETA_GSO },
		{ "at-mtu",           0, 0x0800, MTU + 14, { 0, 0, 0, 0, 0, 0 }, CCMETA_OK },
		{ "too-big",          0, 0x0800, 0,    { 0, 0, 0, 0, 0, 0 }, CCMETA_TOO_BIG },
	};
	return run_cases(c, sizeof(c) / sizeof(c[0]));
}

/* What honest senders produce must pass, at the edges too. */
static const char *t_honest(void)
{
	static const struct mcase c[] = {
		{ "plain",            0, 0x0800, 60,   { 0, 0, 0, 0, 0, 0 }, CCMETA_OK },
		{ "data-valid",       0, 0x0800, 60,   { DV, 0, 0, 0, 0, 0 }, CCMETA_OK },
		{ "arp",              0, 0x0806, 42,   { 0, 0, 0, 0, 0, 0 }, CCMETA_OK },
		{ "runt-ish",         0, 0x0800, 14,   { 0, 0, 0, 0, 0, 0 }, CCMETA_OK },
		{ "at-mtu",           0, 0x0800, 1514, { 0, 0, 0, 0, 0, 0 }, CCMETA_OK },
		{ "vlan-at-mtu",      1, 0x0800, 1518, { 0, 0, 0, 0, 0, 0 }, CCMETA_OK },
		{ "qinq-at-mtu",      2, 0x0800, 1522, { 0, 0, 0, 0, 0, 0 }, CCMETA_OK },
		{ "qinq-over-mtu",    2, 0x0800, 1523, { 0, 0, 0, 0, 0, 0 }, CCMETA_TOO_BIG },
		{ "udp-csum",         0, 0x0800, 100,  { CS, 0, 0, 0, 34, 6 }, CCMETA_OK },
		{ "csum-field-at-end", 0, 0x0800, 100, { CS, 0, 0, 0, 34, 64 }, CCMETA_OK },
		{ "csum-field-1-over", 0, 0x0800, 100, { CS, 0, 0, 0, 34, 65 }, CCMETA_CSUM },
		{ "csum-start-at-l3", 0, 0x0800, 100,  { CS, 0, 0, 0, 14, 10 }, CCMETA_OK },
		{ "csum-start-l3-1",  0, 0x0800, 100,  { CS, 0, 0, 0, 13, 10 }, CCMETA_CSUM },
		{ "vlan-csum-at-l3",  1, 0x0800, 100,  { CS, 0, 0, 0, 18, 10 }, CCMETA_OK },
		{ "vlan-csum-in-tag", 1, 0x0800, 100,  { CS, 0, 0, 0, 17, 10 }, CCMETA_CSUM },
		{ "qinq-csum-in-tag", 2, 0x0800, 100,  { CS, 0, 0, 0, 21, 10 }, CCMETA_CSUM },
		{ "tso4",             0, 0x0800, 65000, { CS, V4, 66, 1448, 34, 16 }, CCMETA_OK },
		{ "tso4-ecn",         0, 0x0800, 65000, { CS, V4 | ECN, 66, 1448, 34, 16 }, CCMETA_OK },
		{ "tso6",             0, 0x86dd, 65000, { CS, V6, 86, 1428, 54, 16 }, CCMETA_OK },
		{ "tso6-csum-in-ip",  0, 0x86dd, 65000, { CS, V6, 86, 1428, 34, 16 }, CCMETA_GSO },
		{ "tso4-vlan",        1, 0x0800, 65000, { CS, V4, 70, 1448, 38, 16 }, CCMETA_OK },
		{ "tso4-vlan-ip-hdr", 1, 0x0800, 65000, { CS, V4, 70, 1448, 34, 16 }, CCMETA_GSO },
		{ "tso4-ip-options",  0, 0x0800, 65000, { CS, V4, 78, 1436, 46, 16 }, CCMETA_OK },
		{ "tso4-mss-min",     0, 0x0800, 3000, { CS, V4, 66, 8, 34, 16 }, CCMETA_OK },
		{ "tso4-mss-mtu",     0, 0x0800, 3000, { CS, V4, 66, 1500, 34, 16 }, CCMETA_OK },
		{ "tso4-mss-mtu+1",   0, 0x0800, 3000, { CS, V4, 66, 1501, 34, 16 }, CCMETA_GSO },
		{ "tso4-on-arp",      0, 0x0806, 3000, { CS, V4, 66, 1448, 34, 16 }, CCMETA_GSO },
		{ "tso4-tcp-cut",     0, 0x0800, 53,   { CS, V4, 54, 1448, 34, 16 }, CCMETA_GSO },
		{ "gso-type-3",       0, 0x0800, 3000, { CS, 3, 54, 1448, 34, 16 }, CCMETA_GSO },
		{ "ecn-alone",        0, 0x0800, 200,  { CS, ECN, 54, 1448, 34, 16 }, CCMETA_OK },
	};
	/* "ecn-alone": the ring refuses gso_type 0x80 (CCRING_E_FLAGS) before
	 * this sees it; here it is GSO-less, and its csum is valid. */
	return run_cases(c, sizeof(c) / sizeof(c[0]));
}

/* Each offload needs its own feature key; none needs another's. */
static const char *t_features(void)
{
	struct ccring_meta csum = meta(CS, 0, 0, 34, 16), g4 = meta(CS, V4, 1448, 34, 16),
			   g6 = meta(CS, V6, 1428, 54, 16), dv = meta(DV, 0, 0, 0, 0),
			   none = meta(0, 0, 0, 0, 0);
	uint32_t adv;

	for (adv = 0; adv < 8; adv++) {
		bool c = adv & CCMETA_ADV_CSUM, a4 = adv & CCMETA_ADV_GSO4,
		     a6 = adv & CCMETA_ADV_GSO6;
		enum ccmeta_verdict v;

		mkframe(0, 0x0800);
		v = ccmeta_check(frame, 256, 3000, &none, MTU, adv);
		CHECK(v == (3000 > 14 + MTU ? CCMETA_TOO_BIG : CCMETA_OK), "none, adv %u: %d", adv, v);
		CHECK(ccmeta_check(frame, 256, 200, &none, MTU, adv) == CCMETA_OK, "none adv %u", adv);
		CHECK(ccmeta_check(frame, 256, 200, &dv, MTU, adv) == CCMETA_OK, "data-valid adv %u", adv);
		v = ccmeta_check(frame, 256, 200, &csum, MTU, adv);
		CHECK(v == (c ? CCMETA_OK : CCMETA_FEATURE), "csum adv %u: %d", adv, v);
		v = ccmeta_check(frame, 256, 3000, &g4, MTU, adv);
		CHECK(v == (c && a4 ? CCMETA_OK : CCMETA_FEATURE), "gso4 adv %u: %d", adv, v);
		mkframe(0, 0x86dd);
		v = ccmeta_check(frame, 256, 3000, &g6, MTU, adv);
		CHECK(v == (c && a6 ? CCMETA_OK : CCMETA_FEATURE), "gso6 adv %u: %d", adv, v);
	}
	return NULL;
}

/*
 * Random metadata on random frame shapes: whatever is accepted satisfies
 * every rule of protocol.md section 3, and only frame[0, hlen) is read (the
 * frame sits at the end of a guarded page).  The sweep must also reach every
 * verdict, or it proves nothing.
 */
static const char *t_sweep(void)
{
	static const uint16_t l3s[] = { 0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8 };
	static const uint16_t gsos[] = { 0, V4, V6, V4 | ECN, V6 | ECN, 3, ECN };
	uint8_t *page = guarded_page();
	unsigned int seen[5] = { 0 }, i;
	uint64_t s = 0xc0102;

	for (i = 0; i < 2000000; i++) {
		uint64_t r = rnd_next(&s), q = rnd_next(&s);
		unsigned int tags = r % 3;
		uint32_t mtu = 68 + (uint32_t)(q % 9000), len, hlen, l3, adv = (r >> 2) & 7;
		uint16_t proto;
		struct ccring_meta m = {
			.flags = (uint16_t)((r >> 5) & 3),
			.gso_type = gsos[(r >> 8) % 7],
			.gso_size = (uint16_t)((r >> 12) & 1 ? (q >> 16) % 2000 : q >> 20),
			.csum_start = (uint16_t)((r >> 13) & 1 ? (q >> 32) % 80 : q >> 40),
			.csum_offset = (uint16_t)((r >> 14) & 1 ? (q >> 48) % 24 : q >> 52),
		};
		enum ccmeta_verdict v;

		/* a VLAN ethertype after fewer than two tags is one more tag */
		l3 = mkframe(tags, l3s[(r >> 16) % (tags == 2 ? 5 : 3)]);
		proto = (uint16_t)(frame[l3 - 2] << 8 | frame[l3 - 1]);
		len = 14 + (uint32_t)((r >> 20) % 66000);
		hlen = len < 256 ? len : 256;
		if (hlen < l3)	/* the tags are not all in the head */
			continue;
		memcpy(page + PG - hlen, frame, hlen);
		v = ccmeta_check(page + PG - hlen, hlen, len, &m, mtu, adv);
		CHECK(v <= CCMETA_GSO, "verdict %d", v);
		seen[v]++;
		if (v != CCMETA_OK)
			continue;
		/* l3 as the rules define it: tags past the second are payload */
		if (m.flags & CS) {
			CHECK(adv & CCMETA_ADV_CSUM, "csum accepted without the feature");
			CHECK(m.csum_start >= l3, "csum_start %u < l3 %u accepted", m.csum_start, l3);
			CHECK((uint32_t)m.csum_start + m.csum_offset + 2 <= len, "csum field beyond len");
		}
		if ((m.gso_type & ~ECN) == 0) {
			CHECK(len <= l3 + mtu, "len %u > l3 %u + mtu %u accepted", len, l3, mtu);
			continue;
		}
		CHECK(m.flags & CS, "gso without csum accepted");
		CHECK(m.csum_offset == 16, "gso csum_offset %u", m.csum_offset);
		CHECK(m.gso_size >= 8 && m.gso_size <= mtu, "gso_size %u mtu %u", m.gso_size, mtu);
		if ((m.gso_type & ~ECN) == V4)
			CHECK(proto == 0x0800 && (adv & CCMETA_ADV_GSO4) && m.csum_start >= l3 + 20,
			      "tcpv4 gso on %04x / start %u", proto, m.csum_start);
		else
			CHECK((m.gso_type & ~ECN) == V6 && proto == 0x86dd &&
			      (adv & CCMETA_ADV_GSO6) && m.csum_start >= l3 + 40,
			      "gso type %u on %04x / start %u", m.gso_type, proto, m.csum_start);
	}
	for (i = 0; i < 5; i++)
		CHECK(seen[i] > 100, "verdict %u reached only %u times", i, seen[i]);
	return NULL;
}

int main(void)
{
	run_test("meta-hostile-kinds", t_hostile_kinds, 10);
	run_test("meta-honest-frames", t_honest, 10);
	run_test("meta-feature-matrix", t_features, 10);
	run_test("meta-random-sweep", t_sweep, 120);
	return t_failed;
}
