// SPDX-License-Identifier: MIT
/*
 * test_hostile.c - the ring facing a hostile peer.
 *
 * Consumer side: a well-behaved producer writes records, then the test
 * corrupts shared state (control page indices, record headers, data) at every
 * protocol point, including *during* a consumer call through the test hook
 * (ccring.c built with -DCCRING_TEST_HOOKS calls ccring_test_hook right after
 * each load of peer-written memory: that simulates a peer that changes a value
 * after it was validated, i.e. a double-fetch attack).
 * Producer side: a hostile consumer writes bad cons / event values.
 *
 * Every case must end with the right error within a bounded number of calls,
 * the error must be sticky, and no access may leave the ring area: every page
 * has PROT_NONE guards, and the data pages are read-only while the consumer
 * runs (the consumer must never write them).
 */
#include "harness.h"

static uint8_t src[CCRING_MAX_FRAME];
static uint8_t dst[CCRING_MAX_FRAME];

static struct ccring_meta zmeta;

/* Produce n records of length len (or random lengths if len == 0), push. */
static void produce_n(struct tring *t, uint32_t n, uint32_t len, uint64_t *s)
{
	while (n--) {
		uint32_t l = len ? len : 1 + rnd_below(s, 200);

		if (ccring_prod_space(&t->prod, l) != 1)
			break;
		ccring_prod_begin(&t->prod, l, &zmeta);
		ccring_prod_copy(&t->prod, 0, src, l);
		ccring_prod_commit(&t->prod);
	}
	ccring_prod_push(&t->prod);
}

/* Header of the next unread record (ring index cons), as a writable pointer to a
 * private copy; write back with hdr_put.  Headers may straddle pages. */
static void hdr_get(struct tring *t, uint32_t idx, struct ccring_hdr *h)
{
	uint8_t *b = (uint8_t *)h;
	uint32_t i, size = t->npages * PG;

	for (i = 0; i < CCRING_HDR_SIZE; i++) {
		uint32_t o = (idx + i) & (size - 1);

		b[i] = t->pages[o / PG][o % PG];
	}
}

static void hdr_put(struct tring *t, uint32_t idx, const struct ccring_hdr *h)
{
	const uint8_t *b = (const uint8_t *)h;
	uint32_t i, size = t->npages * PG;

	for (i = 0; i < CCRING_HDR_SIZE; i++) {
		uint32_t o = (idx + i) & (size - 1);

		t->pages[o / PG][o % PG] = b[i];
	}
}

/*
 * Run the consumer for at most max_calls API calls.  Returns the first error
 * (negative), or 0 if none.  *ok_records counts records delivered.  Checks
 * stickiness after an error.
 */
static int run_consumer(struct tring *t, unsigned max_calls, unsigned *ok_records,
			const char **why)
{
	struct ccring_meta m;
	uint32_t len, maxlen = ccring_max_len(&t->cons);
	unsigned calls = 0;
	int rc = 0;

	*why = NULL;
	*ok_records = 0;
	while (calls < max_calls) {
		calls++;
		rc = ccring_cons_peek(&t->cons, &m, &len);
		if (rc < 0)
			break;
		if (rc == 1) {
			if (len == 0 || len > maxlen) {
				*why = failf("peek returned len %u", len);
				return 0;
			}
			ccring_cons_copy(&t->cons, 0, dst, len);
			ccring_cons_release(&t->cons);
			(*ok_records)++;
			continue;
		}
		calls++;
		ccring_cons_publish(&t->cons);
		calls++;
		if (!ccring_cons_final_check(&t->cons)) {
			rc = 0;
			break;	/* consumer would sleep */
		}
	}
	if (rc < 0) {
		uint32_t c = t->ctrl->cons;
		int i;

		for (i = 0; i < 3; i++) {
			if (ccring_cons_peek(&t->cons, &m, &len) != rc) {
				*why = failf("error %d not sticky", rc);
				return 0;
			}
			if (!ccring_cons_final_check(&t->cons)) {
				*why = failf("final_check on a broken ring says sleep");
				return 0;
			}
			ccring_cons_release(&t->cons);
			if (ccring_cons_publish(&t->cons) || t->ctrl->cons != c) {
				*why = failf("broken ring still publishes cons");
				return 0;
			}
		}
		if (t->cons.broken != -rc) {
			*why = failf("r->broken %d for rc %d", t->cons.broken, rc);
			return 0;
		}
	}
	return rc;
}

/* A fresh ring at a random starting index with a few valid records pushed. */
static struct tring *setup(uint32_t order, uint32_t nrec, uint32_t len, uint64_t *s)
{
	struct tring *t = tring_new(order);

	tring_set_index(t, (uint32_t)rnd_next(s) & ~7u);
	produce_n(t, nrec, len, s);
	return t;
}

enum target { T_PROD, T_LEN, T_FLAGS, T_GSO, T_RESERVED, T_SEQ };

struct ccase {
	const char *name;
	enum target target;
	uint32_t value;		/* T_PROD: added to prod; others: field value */
	int want;		/* expected error */
};

static const struct ccase ccases[] = {
	{ "prod beyond ring",		T_PROD, 4 * PG + 8, -CCRING_E_INDEX },
	{ "prod far beyond ring",	T_PROD, 0x80000000u, -CCRING_E_INDEX },
	{ "prod misaligned",		T_PROD, 4, -CCRING_E_INDEX },
	{ "prod backwards",		T_PROD, (uint32_t)-8, -CCRING_E_INDEX },
	{ "prod before cons",		T_PROD, (uint32_t)-4096, -CCRING_E_INDEX },
	{ "len zero",			T_LEN, 0, -CCRING_E_LEN },
	{ "len huge",			T_LEN, 0xFFFFFFFFu, -CCRING_E_LEN },
	{ "len max frame+1",		T_LEN, CCRING_MAX_FRAME + 1, -CCRING_E_LEN },
	{ "len ring size",		T_LEN, 4 * PG - CCRING_HDR_SIZE + 1, -CCRING_E_LEN },
	{ "len beyond published",	T_LEN, 4000, -CCRING_E_LEN },
	{ "flag 0x4",			T_FLAGS, 0x4, -CCRING_E_FLAGS },
	{ "flag 0x8000",		T_FLAGS, 0x8003, -CCRING_E_FLAGS },
	{ "gso 2",			T_GSO, 2, -CCRING_E_FLAGS },
	{ "gso 3",			T_GSO, 3, -CCRING_E_FLAGS },
	{ "gso 5",			T_GSO, 5, -CCRING_E_FLAGS },
	{ "gso ecn alone",		T_GSO, 0x80, -CCRING_E_FLAGS },
	{ "gso 0xffff",			T_GSO, 0xFFFF, -CCRING_E_FLAGS },
	{ "reserved",			T_RESERVED, 1, -CCRING_E_FLAGS },
	{ "seq replay",			T_SEQ, (uint32_t)-1, -CCRING_E_SEQ },
	{ "seq skip",			T_SEQ, 1, -CCRING_E_SEQ },
};

/*
 * Deterministic consumer cases.  For each case and each "protocol point"
 * (corrupt before the consumer starts, after it consumed some records, or from
 * inside the hook right after it loaded prod), the ring holds 20 records of
 * 100 bytes in an order-2 ring (so 2 wraps of the start index cover headers
 * straddling pages and the ring end); the 5th record is the victim.
 */
static struct tring *hk_ring;
static const struct ccase *hk_case;
static uint32_t hk_victim;
static int hk_armed;

static void apply_case(struct tring *t, const struct ccase *c, uint32_t victim_idx,
		       uint32_t victim_seq)
{
	struct ccring_hdr h;

	tring_protect_data(t, PROT_READ | PROT_WRITE);
	if (c->target == T_PROD) {
		t->ctrl->prod += c->value;
	} else {
		hdr_get(t, victim_idx, &h);
		switch (c->target) {
		case T_LEN:	 h.len = c->value; break;
		case T_FLAGS:	 h.flags = (uint16_t)c->value; break;
		case T_GSO:	 h.gso_type = (uint16_t)c->value; break;
		case T_RESERVED: h.reserved = c->value; break;
		case T_SEQ:	 h.seq = victim_seq + c->value; break;
		default: break;
		}
		hdr_put(t, victim_idx, &h);
	}
	tring_protect_data(t, PROT_READ);
}

static void hook_prod_read(struct ccring *r, int point)
{
	(void)r;
	if (!hk_armed || point != CCRING_HOOK_PROD_READ)
		return;
	hk_armed = 0;
	apply_case(hk_ring, hk_case, hk_victim, 4);
}

static const char *t_consumer_cases(void)
{
	uint64_t s = 7;
	unsigned ci, point, rep;

	for (ci = 0; ci < sizeof(ccases) / sizeof(ccases[0]); ci++) {
		const struct ccase *c = &ccases[ci];

		for (point = 0; point < 3; point++) {
			for (rep = 0; rep < 40; rep++) {
				struct tring *t = setup(2, 20, 100, &s);
				uint32_t victim = t->prod.pushed - 16 * ccring_rec_size(100);
				unsigned ok, pre = 0;
				const char *why;
				int rc, want;

				/* "len beyond published": make the victim the last record */
				if (c->target == T_LEN && c->value == 4000)
					victim = t->prod.pushed - ccring_rec_size(100);
				if (point == 1) {
					/* consume 2 records, then corrupt */
					struct ccring_meta m;
					uint32_t l;

					while (pre < 2 && ccring_cons_peek(&t->cons, &m, &l) == 1)
						pre++;
					ccring_cons_release(&t->cons);
				}
				if (point == 2) {
					hk_ring = t;
					hk_case = c;
					hk_victim = victim;
					hk_armed = 1;
					ccring_test_hook = hook_prod_read;
				} else {
					apply_case(t, c, victim,
						   (victim - t->cons.cons) / ccring_rec_size(100) +
						   t->cons.seq);
				}
				tring_protect_data(t, PROT_READ);
				rc = run_consumer(t, 200, &ok, &why);
				ccring_test_hook = NULL;
				if (why)
					return failf("%s/point %u: %s", c->name, point, why);
				/*
				 * "prod backwards" before the consumer ever saw prod is not
				 * backwards: it publishes a cut record, which is a length error.
				 */
				want = c->want;
				if (point == 0 && c->value == (uint32_t)-8)
					want = -CCRING_E_LEN;
				CHECK(rc == want, "%s/point %u: rc %d want %d after %u records",
				      c->name, point, rc, want, ok);
				if (c->target != T_PROD)
					CHECK(pre + ok <= 4 + (c->target == T_LEN && c->value == 4000) * 15,
					      "%s: %u records delivered before the bad one", c->name,
					      pre + ok);
				tring_free(t);
			}
		}
	}
	return NULL;
}

/*
 * Double fetch: right after the consumer copied a header, the peer rewrites it
 * with garbage.  The consumer must keep using what it validated: the record
 * comes out intact, and the next record is found where the real length says.
 */
static uint32_t df_idx;
static struct tring *df_ring;
static int df_hits;

static void hook_double_fetch(struct ccring *r, int point)
{
	struct ccring_hdr h;

	if (point != CCRING_HOOK_HDR_READ)
		return;
	df_idx = r->cons;
	tring_protect_data(df_ring, PROT_READ | PROT_WRITE);
	hdr_get(df_ring, df_idx, &h);
	h.len = (df_hits & 1) ? 0xFFFFFFF0u : 3;
	h.flags = 0xFFFF;
	h.gso_type = 0x55;
	h.seq ^= 0xA5A5;
	h.reserved = 0xDEAD;
	hdr_put(df_ring, df_idx, &h);
	tring_protect_data(df_ring, PROT_READ);
	df_hits++;
}

static const char *t_double_fetch_header(void)
{
	uint64_t s = 99;
	unsigned iter;

	for (iter = 0; iter < 200; iter++) {
		struct tring *t = setup(1, 30, 0, &s);
		uint32_t n = t->prod.seq, i, len;
		struct ccring_meta m;

		df_ring = t;
		df_hits = 0;
		tring_protect_data(t, PROT_READ);
		ccring_test_hook = hook_double_fetch;
		for (i = 0; i < n; i++) {
			int rc = ccring_cons_peek(&t->cons, &m, &len);

			CHECK(rc == 1, "iter %u rec %u: peek %d after header rewrite", iter, i, rc);
			CHECK(len >= 1 && len <= 200, "len %u is the rewritten one", len);
			CHECK(m.flags == 0 && m.gso_type == 0, "meta from rewritten header");
			CHECK(ccring_cons_copy(&t->cons, 0, dst, len) == 0, "copy refused");
			CHECK(memcmp(dst, src, len) == 0, "payload mismatch");
		}
		CHECK(ccring_cons_peek(&t->cons, &m, &len) == 0, "extra record");
		ccring_test_hook = NULL;
		CHECK(df_hits == (int)n, "hook ran %d times for %u records", df_hits, n);
		tring_free(t);
	}
	return NULL;
}

/*
 * Double fetch of prod: right after the consumer loaded prod, the peer moves
 * it to garbage.  The consumer delivers the records it validated, then
 * detects the bad value on its next load of prod.
 */
static struct tring *dp_ring;
static int dp_armed;

static void hook_prod_garbage(struct ccring *r, int point)
{
	(void)r;
	if (point == CCRING_HOOK_PROD_READ && dp_armed) {
		dp_armed = 0;
		dp_ring->ctrl->prod = 0xDEADBEEF;
	}
}

static const char *t_double_fetch_prod(void)
{
	uint64_t s = 5;
	struct tring *t = setup(1, 10, 50, &s);
	unsigned ok;
	const char *why;
	int rc;

	dp_ring = t;
	dp_armed = 1;
	tring_protect_data(t, PROT_READ);
	ccring_test_hook = hook_prod_garbage;
	rc = run_consumer(t, 100, &ok, &why);
	ccring_test_hook = NULL;
	if (why)
		return why;
	CHECK(ok == 10, "%u of 10 validated records delivered", ok);
	CHECK(rc == -CCRING_E_INDEX, "rc %d", rc);
	tring_free(t);
	return NULL;
}

/*
 * Random corruption: random records, then random bytes of the control page's
 * producer line and of the data pages get random values (before the consumer
 * runs and from the hooks during its calls).  Whatever happens, every call
 * returns, within a bounded number of calls the consumer is either broken or
 * idle, and nothing outside the ring is touched (guard pages, read-only data).
 * When the corruption sets a validated header field of the next record to an
 * invalid value, the error is mandatory.
 */
static struct tring *rc_ring;
static uint64_t rc_seed;
static unsigned rc_budget;

static void corrupt_random(struct tring *t, uint64_t *s)
{
	uint32_t size = t->npages * PG;

	switch (rnd_below(s, 4)) {
	case 0:	/* producer line of the control page: prod, cons_event, reserved */
		((uint8_t *)&t->ctrl->prod)[rnd_below(s, 64)] = (uint8_t)rnd_next(s);
		break;
	case 1: {	/* an aligned word of data: likely a header field */
		uint32_t o = rnd_below(s, size / 4) * 4;

		tring_protect_data(t, PROT_READ | PROT_WRITE);
		*(uint32_t *)(t->pages[o / PG] + o % PG) = (uint32_t)rnd_next(s);
		tring_protect_data(t, PROT_READ);
		break;
	}
	case 2: {	/* the header of the next record: any of its 24 bytes */
		struct ccring_hdr h;

		tring_protect_data(t, PROT_READ | PROT_WRITE);
		hdr_get(t, t->cons.cons, &h);
		((uint8_t *)&h)[rnd_below(s, CCRING_HDR_SIZE)] = (uint8_t)rnd_next(s);
		hdr_put(t, t->cons.cons, &h);
		tring_protect_data(t, PROT_READ);
		break;
	}
	default:	/* prod to an arbitrary value */
		t->ctrl->prod = (uint32_t)rnd_next(s);
		break;
	}
}

static void hook_random(struct ccring *r, int point)
{
	(void)r;
	(void)point;
	if (rc_budget && rnd_below(&rc_seed, 4) == 0) {
		rc_budget--;
		corrupt_random(rc_ring, &rc_seed);
	}
}

static const char *t_random_corruption(void)
{
	uint64_t s = 2024;
	unsigned iter, broken = 0;

	for (iter = 0; iter < 3000; iter++) {
		uint32_t order = rnd_below(&s, 2);
		struct tring *t = setup(order, 1 + rnd_below(&s, 60), 0, &s);
		unsigned k, ok, bound = 3 * (t->npages * PG / 32) + 20;
		const char *why;
		int rc;

		for (k = rnd_below(&s, 3); k; k--)
			corrupt_random(t, &s);
		tring_protect_data(t, PROT_READ);
		rc_ring = t;
		rc_seed = rnd_next(&s);
		rc_budget = rnd_below(&s, 3);
		ccring_test_hook = hook_random;
		rc = run_consumer(t, bound, &ok, &why);
		ccring_test_hook = NULL;
		if (why)
			return failf("iter %u: %s", iter, why);
		CHECK(ok <= t->npages * PG / 32 + 64, "iter %u: %u records", iter, ok);
		if (rc < 0) {
			broken++;
		} else {
			/* not broken: the consumer must be idle (caught up with a valid prod) */
			CHECK(t->cons.cons == t->cons.peer_idx && !t->cons.cur_len,
			      "iter %u: consumer neither broken nor idle after %u calls", iter,
			      bound);
		}
		/* mandatory detection: next header made invalid */
		if (!t->cons.broken) {
			struct ccring_hdr h;

			tring_protect_data(t, PROT_READ | PROT_WRITE);
			produce_n(t, 0, 0, &s);
			t->prod.prod = t->prod.pushed = t->prod.peer_idx = t->cons.cons;
			t->prod.seq = t->cons.seq;
			produce_n(t, 2, 40, &s);
			hdr_get(t, t->cons.cons, &h);
			switch (rnd_below(&s, 5)) {
			case 0: h.len = 0; break;
			case 1: h.len = 0x10000000u + (uint32_t)rnd_next(&s) % 0x1000000u; break;
			case 2: h.flags |= 4u << rnd_below(&s, 14); break;
			case 3: h.reserved |= 1u << rnd_below(&s, 32); break;
			default: h.seq += 1 + rnd_below(&s, 1000); break;
			}
			hdr_put(t, t->cons.cons, &h);
			tring_protect_data(t, PROT_READ);
			rc = run_consumer(t, 10, &ok, &why);
			if (why)
				return failf("iter %u (mandatory): %s", iter, why);
			CHECK(rc < 0 && ok == 0, "iter %u: invalid header accepted (rc %d)", iter, rc);
		}
		tring_free(t);
	}
	CHECK(broken > 100, "only %u of 3000 random corruptions broke the ring", broken);
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Producer facing a hostile consumer                                      */

/* Produce until an error or max_calls; returns the error or 0. */
static int run_producer(struct tring *t, unsigned max_calls, uint32_t len, unsigned *recs)
{
	unsigned calls = 0;
	int rc = 0;

	*recs = 0;
	while (calls++ < max_calls) {
		rc = ccring_prod_space(&t->prod, len);
		if (rc < 0)
			break;
		if (rc == 0) {
			ccring_prod_push(&t->prod);
			calls++;
			rc = ccring_prod_want_space(&t->prod, len);
			if (rc < 0)
				break;
			if (rc == 0)
				return 0;	/* would wait */
			continue;
		}
		ccring_prod_begin(&t->prod, len, &zmeta);
		ccring_prod_copy(&t->prod, 0, src, len);
		ccring_prod_commit(&t->prod);
		(*recs)++;
		if (*recs % 3 == 0)
			ccring_prod_push(&t->prod);
	}
	return rc;
}

struct pcase {
	const char *name;
	int64_t delta;		/* cons = base + delta */
	int base_pushed;	/* base: 1 = pushed, 0 = last cons seen */
};

static const struct pcase pcases[] = {
	{ "cons beyond pushed", 8, 1 },
	{ "cons beyond pushed+size", 4 * PG + 8, 1 },
	{ "cons far beyond", 0x40000000, 1 },
	{ "cons misaligned", 4, 0 },
	{ "cons backwards", -8, 0 },
	{ "cons way backwards", -(int64_t)0x10000000, 0 },
	{ "cons below pushed-size", -(int64_t)(4 * PG) - 8, 1 },
};

static const char *t_producer_cases(void)
{
	uint64_t s = 11;
	unsigned ci, rep;

	for (ci = 0; ci < sizeof(pcases) / sizeof(pcases[0]); ci++) {
		for (rep = 0; rep < 200; rep++) {
			struct tring *t = tring_new(2);
			uint32_t len = 1 + rnd_below(&s, 3000), base, bound;
			unsigned recs;
			int rc, i;

			tring_set_index(t, (uint32_t)rnd_next(&s) & ~7u);
			/* consumer legitimately consumes part of a first fill */
			rc = run_producer(t, 1000, len, &recs);
			CHECK(rc == 0, "%s: setup rc %d", pcases[ci].name, rc);
			t->ctrl->cons = t->prod.pushed - ccring_rec_size(len) * (recs / 2);
			CHECK(ccring_prod_want_space(&t->prod, len) == 1, "want_space after release");
			base = pcases[ci].base_pushed ? t->prod.pushed : t->prod.peer_idx;
			t->ctrl->cons = base + (uint32_t)pcases[ci].delta;
			if (rep & 1) {
				/* want_space always loads cons: immediate detection */
				rc = ccring_prod_want_space(&t->prod, len);
				CHECK(rc == -CCRING_E_INDEX, "%s: want_space rc %d", pcases[ci].name, rc);
				tring_free(t);
				continue;
			}
			/*
			 * Cached path: cons is loaded only when the ring looks full.
			 * "cons beyond pushed" by 8 becomes a legal value once we pushed
			 * past it (nothing was harmed), so it is only checked above.
			 */
			if (pcases[ci].delta == 8) {
				tring_free(t);
				continue;
			}
			bound = 2 * (4 * PG / ccring_rec_size(len)) + 10;
			rc = run_producer(t, bound, len, &recs);
			CHECK(rc == -CCRING_E_INDEX, "%s: rc %d after %u records (len %u)",
			      pcases[ci].name, rc, recs, len);
			for (i = 0; i < 3; i++) {
				uint32_t p = t->ctrl->prod;

				CHECK(ccring_prod_space(&t->prod, len) == rc &&
				      ccring_prod_want_space(&t->prod, len) == rc, "not sticky");
				ccring_prod_begin(&t->prod, len, &zmeta);
				ccring_prod_commit(&t->prod);
				CHECK(!ccring_prod_push(&t->prod) && t->ctrl->prod == p,
				      "broken producer still publishes");
			}
			tring_free(t);
		}
	}
	return NULL;
}

/* Garbage in the consumer line's event field and in the data pages never
 * breaks or misleads the producer; bad cons values from inside the hook do. */
static struct tring *ph_ring;
static uint64_t ph_seed;
static int ph_mode;

static void hook_producer(struct ccring *r, int point)
{
	(void)r;
	if (point == CCRING_HOOK_CONS_READ && ph_mode == 1)
		ph_ring->ctrl->cons = (uint32_t)rnd_next(&ph_seed);	/* after validation */
	if (point == CCRING_HOOK_PROD_EVENT_READ)
		ph_ring->ctrl->prod_event = (uint32_t)rnd_next(&ph_seed);
}

static const char *t_producer_garbage(void)
{
	uint64_t s = 12345;
	unsigned iter;

	for (iter = 0; iter < 300; iter++) {
		struct tring *t = tring_new(1);
		uint32_t len = 1 + rnd_below(&s, 500), i, pushed_before;
		unsigned recs;
		int rc;

		tring_set_index(t, (uint32_t)rnd_next(&s) & ~7u);
		ph_ring = t;
		ph_seed = rnd_next(&s);
		ph_mode = 0;
		ccring_test_hook = hook_producer;
		/* data pages and prod_event scribbled: producer still fills exactly the ring */
		for (i = 0; i < 2 * PG; i += 8)
			*(uint64_t *)(t->pages[i / PG] + i % PG) = rnd_next(&s);
		t->ctrl->prod_event = (uint32_t)rnd_next(&s);
		rc = run_producer(t, 1000, len, &recs);
		CHECK(rc == 0 && recs == 2 * PG / ccring_rec_size(len), "rc %d recs %u", rc, recs);
		/* now the consumer rewrites cons right after each validated load */
		t->ctrl->cons = t->prod.pushed;	/* legit: all consumed */
		pushed_before = t->prod.pushed;
		ph_mode = 1;
		rc = run_producer(t, 4 * PG, len, &recs);
		ccring_test_hook = NULL;
		CHECK(rc == -CCRING_E_INDEX || rc == 0, "rc %d", rc);
		/* the validated value (all consumed) was used: one more full ring fits */
		CHECK(recs >= 2 * PG / ccring_rec_size(len), "only %u records after a full release",
		      recs);
		CHECK(t->prod.prod - pushed_before <= 2 * PG, "producer overran the ring");
		tring_free(t);
	}
	return NULL;
}

int main(void)
{
	uint32_t i;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 31 + 7);
	run_test("hostile-consumer-cases", t_consumer_cases, 120);
	run_test("hostile-consumer-double-fetch-header", t_double_fetch_header, 60);
	run_test("hostile-consumer-double-fetch-prod", t_double_fetch_prod, 60);
	run_test("hostile-consumer-random-corruption", t_random_corruption, 120);
	run_test("hostile-producer-cases", t_producer_cases, 120);
	run_test("hostile-producer-garbage", t_producer_garbage, 60);
	return t_failed;
}
