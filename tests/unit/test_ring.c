// SPDX-License-Identifier: MIT
/*
 * test_ring.c - single-threaded functional tests of common/ccring.c:
 * exhaustive wrap/size coverage, page-list straddling, batching and
 * notification counts, flow control, setup validation, API misuse.
 */
#include "harness.h"

static uint8_t *pattern;	/* 2 * 128 KiB of random bytes, the frame source */
#define PATTERN_SIZE (128u * 1024u)

static void pattern_init(void)
{
	uint64_t s = 0x1234567;
	uint32_t i;

	pattern = malloc(2 * PATTERN_SIZE);
	for (i = 0; i < 2 * PATTERN_SIZE; i++)
		pattern[i] = (uint8_t)(rnd_next(&s) >> 56);
}

static struct ccring_meta meta_for(uint32_t k)
{
	static const uint16_t gso[] = { 0, 1, 4, 0x81, 0x84 };
	struct ccring_meta m = {
		.flags = (uint16_t)(k % 4),
		.gso_type = gso[k % 5],
		.hdr_len = (uint16_t)(k * 3),
		.gso_size = (uint16_t)(k * 7),
		.csum_start = (uint16_t)(k * 11),
		.csum_offset = (uint16_t)(k * 13),
	};
	return m;
}

static int meta_eq(const struct ccring_meta *a, const struct ccring_meta *b)
{
	return a->flags == b->flags && a->gso_type == b->gso_type &&
	       a->hdr_len == b->hdr_len && a->gso_size == b->gso_size &&
	       a->csum_start == b->csum_start && a->csum_offset == b->csum_offset;
}

/* Produce one record of len bytes from src (copied in two pieces). */
static const char *produce(struct ccring *p, uint32_t len, const uint8_t *src,
			   const struct ccring_meta *m)
{
	uint32_t cut = len / 3;
	int rc = ccring_prod_space(p, len);

	CHECK(rc == 1, "prod_space(%u) = %d at prod %u", len, rc, p->prod);
	ccring_prod_begin(p, len, m);
	ccring_prod_copy(p, 0, src, cut);
	ccring_prod_copy(p, cut, src + cut, len - cut);
	ccring_prod_commit(p);
	return NULL;
}

/* Consume one record and compare with (len, src, m). */
static const char *consume(struct ccring *c, uint32_t len, const uint8_t *src,
			   const struct ccring_meta *m, uint8_t *buf)
{
	struct ccring_meta got;
	uint32_t glen = 0, cut;
	int rc = ccring_cons_peek(c, &got, &glen);

	CHECK(rc == 1, "peek = %d (want record of %u) at cons %u", rc, len, c->cons);
	CHECK(glen == len, "len %u != %u", glen, len);
	CHECK(meta_eq(&got, m), "metadata mismatch for len %u", len);
	cut = (len * 2) / 3;
	CHECK(ccring_cons_copy(c, 0, buf, cut) == 0, "copy of %u failed", cut);
	CHECK(ccring_cons_copy(c, cut, buf + cut, len - cut) == 0, "copy failed");
	CHECK(memcmp(buf, src, len) == 0, "payload mismatch, len %u cons %u", len, c->cons);
	ccring_cons_release(c);
	return NULL;
}

/*
 * Order-0 ring (one page): every 8-byte start position x every record length
 * that fits (1..4072).  Odd positions use indices just below 2^32 so the
 * free-running index wraps together with the ring.
 */
static const char *t_exhaustive(void)
{
	struct tring *t = tring_new(0);
	uint8_t *buf = malloc(PG);
	uint32_t w, len, maxlen = ccring_max_len(&t->prod);
	uint64_t k = 0;
	const char *e;

	CHECK(maxlen == PG - CCRING_HDR_SIZE, "max_len %u", maxlen);
	for (w = 0; w < PG; w += 8) {
		uint32_t base = ((w / 8) & 1) ? 0xFFFFF000u : 0;

		for (len = 1; len <= maxlen; len++, k++) {
			uint32_t idx = base + w, rec = ccring_rec_size(len);
			const uint8_t *src = pattern + (k * 61) % PATTERN_SIZE;
			struct ccring_meta m = meta_for((uint32_t)k);

			tring_set_index(t, idx);
			if ((e = produce(&t->prod, len, src, &m)))
				return e;
			CHECK(ccring_prod_push(&t->prod), "no notify at w %u len %u", w, len);
			CHECK(t->ctrl->prod == idx + rec, "ctrl->prod %u", t->ctrl->prod);
			if ((e = consume(&t->cons, len, src, &m, buf)))
				return failf("w %u: %s", w, e);
			CHECK(ccring_cons_peek(&t->cons, NULL, NULL) == 0, "ring not empty");
			ccring_cons_publish(&t->cons);
			CHECK(t->ctrl->cons == idx + rec, "ctrl->cons %u != %u", t->ctrl->cons,
			      idx + rec);
			CHECK(!t->prod.broken && !t->cons.broken, "broken at w %u len %u", w, len);
		}
	}
	if (getenv("V")) fprintf(stderr, "exhaustive: %llu records\n", (unsigned long long)k);
	CHECK(t->cons.seq == k && t->prod.seq == k, "seq %u/%u != %llu", t->prod.seq,
	      t->cons.seq, (unsigned long long)k);
	free(buf);
	tring_free(t);
	return NULL;
}

/*
 * Order-2 ring (4 non-contiguous pages): every 8-byte start position x a set
 * of lengths chosen around page and ring boundaries, plus the largest.
 */
static const char *t_pagelist(void)
{
	struct tring *t = tring_new(2);
	uint32_t size = 4 * PG, maxlen = ccring_max_len(&t->prod);
	uint8_t *buf = malloc(size);
	uint32_t w, i, k = 0;
	const char *e;
	static const uint32_t lens[] = { 1, 7, 8, 9, 40, 100, 1500, 4071, 4072, 4073,
					 4096, 8191, 8192, 9000, 12000, 16000, 16360 };

	CHECK(maxlen == size - CCRING_HDR_SIZE, "max_len %u", maxlen);
	for (w = 0; w < size; w += 8) {
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++, k++) {
			uint32_t len = lens[i];
			const uint8_t *src = pattern + (k * 4099u) % PATTERN_SIZE;
			struct ccring_meta m = meta_for(k);

			tring_set_index(t, w - size * 3);
			if ((e = produce(&t->prod, len, src, &m)))
				return e;
			ccring_prod_push(&t->prod);
			if ((e = consume(&t->cons, len, src, &m, buf)))
				return failf("w %u: %s", w, e);
			ccring_cons_publish(&t->cons);
		}
	}
	free(buf);
	tring_free(t);
	return NULL;
}

/*
 * Order-3 ring whose page list is virtually contiguous in places, as a vmap
 * or an in-order allocation gives: runs {0,1,2} {3} {5,4} {6,7}, each run
 * with a PROT_NONE guard page before and after it ({5,4}: page 5 mapped right
 * *before* page 4, adjacent but in the wrong order).  The copy may merge
 * pages 0-2 and 6-7 into one memcpy each; it must never run past a run (the
 * guard faults), across the end of the ring (a guard follows page 7), or
 * merge 4 and 5.  Each record is also checked byte by byte through the page
 * list, so a merged copy that landed in the wrong page cannot pass by being
 * read back the same wrong way.  Start positions: around every page boundary
 * and the ring end, every 8 octets.
 */
static uint8_t *run_map(uint32_t n)
{
	uint8_t *p = mmap(NULL, (n + 2) * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + PG, n * PG, PROT_READ | PROT_WRITE)) {
		perror("mmap");
		exit(2);
	}
	return p + PG;
}

static const char *t_pagelist_runs(void)
{
	struct tring t = { .order = 3, .npages = 8 };
	uint8_t *pages[8], *a, *buf = malloc(8 * PG);
	uint32_t size = 8 * PG, b, w, i, j, k = 0;
	const char *e;
	static const uint32_t lens[] = { 1, 24, 100, 1500, 4072, 4073, 4096, 8192, 9000,
					 12293, 20000, 24600, 32744 };

	a = run_map(3);
	pages[0] = a; pages[1] = a + PG; pages[2] = a + 2 * PG;
	pages[3] = run_map(1);
	a = run_map(2);
	pages[5] = a; pages[4] = a + PG;
	a = run_map(2);
	pages[6] = a; pages[7] = a + PG;
	t.pages = pages;
	t.ctrl = (struct ccring_ctrl *)guarded_page();
	ccring_ctrl_init(t.ctrl, 3);
	CHECK(!ccring_attach(&t.prod, t.ctrl, pages, 3) &&
	      !ccring_attach(&t.cons, t.ctrl, pages, 3), "attach");
	for (b = 0; b < size; b += PG) {
		for (w = b + size - 64; w != b + size + 64; w += 8) {
			for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++, k++) {
				uint32_t len = lens[i], idx = w % size - size * 5;
				const uint8_t *src = pattern + (k * 4099u) % PATTERN_SIZE;
				struct ccring_meta m = meta_for(k);

				tring_set_index(&t, idx);
				if ((e = produce(&t.prod, len, src, &m)))
					return e;
				ccring_prod_push(&t.prod);
				for (j = 0; j < len; j++) {
					uint32_t o = (idx + CCRING_HDR_SIZE + j) & (size - 1);

					CHECK(pages[o / PG][o % PG] == src[j],
					      "ring octet %u of %u at index %u not where the page list says",
					      j, len, idx);
				}
				if ((e = consume(&t.cons, len, src, &m, buf)))
					return failf("w %u: %s", w, e);
				ccring_cons_publish(&t.cons);
			}
		}
	}
	free(buf);
	return NULL;
}

/* Many records in flight, random sizes, fill until full then drain partly. */
static const char *t_fill_drain(void)
{
	struct tring *t = tring_new(3);
	uint8_t *buf = malloc(CCRING_MAX_FRAME);
	uint64_t s = 42;
	uint32_t qlen[4096], qk[4096], qh = 0, qt = 0, k = 0, round;
	const char *e;

	for (round = 0; round < 3000; round++) {
		/* fill */
		for (;;) {
			uint32_t len = (rnd_next(&s) & 3) ? 1 + rnd_below(&s, 300)
							   : 1 + rnd_below(&s, 9000);
			int rc = ccring_prod_space(&t->prod, len);
			struct ccring_meta m = meta_for(k);

			CHECK(rc >= 0, "prod_space %d", rc);
			if (!rc)
				break;
			CHECK(qh - qt < 4096, "queue overflow");
			if ((e = produce(&t->prod, len, pattern + k % PATTERN_SIZE, &m)))
				return e;
			qlen[qh % 4096] = len;
			qk[qh % 4096] = k++;
			qh++;
			if (rnd_next(&s) & 1)
				ccring_prod_push(&t->prod);
		}
		ccring_prod_push(&t->prod);
		/* drain a random part */
		{
			uint32_t n = rnd_below(&s, qh - qt + 1);

			if (round % 7 == 0)
				n = qh - qt;
			while (n--) {
				struct ccring_meta m = meta_for(qk[qt % 4096]);

				if ((e = consume(&t->cons, qlen[qt % 4096],
						 pattern + qk[qt % 4096] % PATTERN_SIZE, &m, buf)))
					return e;
				qt++;
			}
			ccring_cons_publish(&t->cons);
		}
	}
	CHECK(!t->prod.broken && !t->cons.broken, "broken");
	free(buf);
	tring_free(t);
	return NULL;
}

/* 1000 records committed then one push: exactly one notification. */
static const char *t_batch_one_notify(void)
{
	struct tring *t = tring_new(6);
	uint8_t buf[64];
	struct ccring_meta m = meta_for(0);
	uint32_t i, n = 0;
	const char *e;

	/* consumer went idle: final check finds nothing and arms prod_event */
	CHECK(!ccring_cons_final_check(&t->cons), "final_check on empty ring");
	for (i = 0; i < 1000; i++)
		if ((e = produce(&t->prod, 64, pattern + i, &m)))
			return e;
	CHECK(t->ctrl->prod == 0, "commit published before push");
	n += ccring_prod_push(&t->prod);
	n += ccring_prod_push(&t->prod);	/* nothing new: no notify */
	CHECK(n == 1, "%u notifications for one batch", n);
	for (i = 0; i < 1000; i++)
		if ((e = consume(&t->cons, 64, pattern + i, &m, buf)))
			return e;
	CHECK(ccring_cons_peek(&t->cons, NULL, NULL) == 0, "extra record");
	CHECK(!ccring_cons_publish(&t->cons), "consumer notified without cons_event");
	tring_free(t);
	return NULL;
}

/*
 * Consumer busy (never re-arms): 1000 individual pushes give one notification
 * (the first); after the consumer drains and re-arms, the next push notifies.
 */
static const char *t_notify_suppression(void)
{
	struct tring *t = tring_new(6);
	uint8_t buf[64];
	struct ccring_meta m = meta_for(1);
	uint32_t i, n = 0;
	const char *e;

	for (i = 0; i < 1000; i++) {
		if ((e = produce(&t->prod, 32, pattern + i, &m)))
			return e;
		n += ccring_prod_push(&t->prod);
	}
	CHECK(n == 1, "%u notifications for 1000 pushes to a busy consumer", n);
	for (i = 0; i < 1000; i++)
		if ((e = consume(&t->cons, 32, pattern + i, &m, buf)))
			return e;
	ccring_cons_publish(&t->cons);
	CHECK(!ccring_cons_final_check(&t->cons), "final_check: ring should be empty");
	CHECK(t->ctrl->prod_event == t->cons.cons + 1, "prod_event %u", t->ctrl->prod_event);
	/* work arriving before the final check: final check says "don't sleep" */
	if ((e = produce(&t->prod, 32, pattern, &m)))
		return e;
	CHECK(ccring_prod_push(&t->prod), "push after re-arm did not notify");
	CHECK(!ccring_prod_push(&t->prod), "empty push notified");
	if ((e = produce(&t->prod, 32, pattern, &m)))
		return e;
	CHECK(!ccring_prod_push(&t->prod), "second push notified");
	CHECK(ccring_cons_final_check(&t->cons), "final_check missed pending records");
	/* the notification window is exactly (old, new] */
	t->ctrl->prod_event = t->prod.prod;	/* == old: not inside */
	if ((e = produce(&t->prod, 32, pattern, &m)))
		return e;
	t->ctrl->prod_event = t->prod.pushed;
	CHECK(!ccring_prod_push(&t->prod), "notified for prod_event == old");
	if ((e = produce(&t->prod, 32, pattern, &m)))
		return e;
	t->ctrl->prod_event = t->prod.prod;	/* == new: inside */
	CHECK(ccring_prod_push(&t->prod), "no notify for prod_event == new");
	tring_free(t);
	return NULL;
}

/*
 * Flow control: fill the ring, push, want_space -> 0; the consumer's publish
 * returns true exactly once, when half the ring (or the record) is free.
 */
static const char *t_flow_control(void)
{
	struct tring *t = tring_new(2);
	uint32_t size = 4 * PG, len = 100, rec = ccring_rec_size(len);
	static uint8_t buf[16384];
	struct ccring_meta m = meta_for(2);
	uint32_t n = 0, notifies = 0, freed_at = 0;
	const char *e;
	int rc;

	while (ccring_prod_space(&t->prod, len) == 1) {
		if ((e = produce(&t->prod, len, pattern + n, &m)))
			return e;
		n++;
	}
	CHECK(n == size / rec, "ring held %u records", n);
	ccring_prod_push(&t->prod);
	rc = ccring_prod_want_space(&t->prod, len);
	CHECK(rc == 0, "want_space on full ring = %d", rc);
	while (n) {
		if ((e = consume(&t->cons, len, pattern + (t->cons.seq), &m, buf)))
			return e;
		n--;
		if (ccring_cons_publish(&t->cons)) {
			notifies++;
			freed_at = size - (t->prod.prod - t->cons.cons);
		}
	}
	CHECK(notifies == 1, "%u flow-control notifications", notifies);
	CHECK(freed_at >= size / 2 && freed_at < size / 2 + rec, "woken with %u free", freed_at);
	CHECK(ccring_prod_want_space(&t->prod, len) == 1, "want_space with room");
	/* big record: wake point is the record size, not half the ring */
	while (ccring_prod_space(&t->prod, 12000) == 1) {
		if ((e = produce(&t->prod, 12000, pattern, &m)))
			return e;
		n++;
	}
	ccring_prod_push(&t->prod);
	CHECK(ccring_prod_want_space(&t->prod, 12000) == 0, "want_space(12000) on full");
	notifies = 0;
	while (n) {
		if ((e = consume(&t->cons, 12000, pattern, &m, buf)))
			return e;
		n--;
		notifies += ccring_cons_publish(&t->cons);
	}
	CHECK(notifies == 1, "%u notifications for a big record", notifies);
	tring_free(t);
	return NULL;
}

/*
 * want_space with committed-but-unpushed records: the wake point is clamped to
 * the pushed index (cons can never pass unpushed bytes), so the producer is
 * still woken once the consumer has taken everything that was published.
 */
static const char *t_flow_control_clamp(void)
{
	struct tring *t = tring_new(2);
	uint32_t len = 1000, n = 0, pushed_n, notifies = 0;
	static uint8_t buf[1000];
	struct ccring_meta m = meta_for(4);
	const char *e;

	while (ccring_prod_space(&t->prod, len) == 1) {
		if ((e = produce(&t->prod, len, pattern, &m)))
			return e;
		if (++n == 3)
			ccring_prod_push(&t->prod);	/* only the first 3 are published */
	}
	pushed_n = 3;
	CHECK(ccring_prod_want_space(&t->prod, len) == 0, "want_space on full ring");
	CHECK(t->ctrl->cons_event == t->prod.pushed, "cons_event %u not clamped to pushed %u",
	      t->ctrl->cons_event, t->prod.pushed);
	while (pushed_n--) {
		if ((e = consume(&t->cons, len, pattern, &m, buf)))
			return e;
		notifies += ccring_cons_publish(&t->cons);
	}
	CHECK(notifies == 1, "%u notifications", notifies);
	CHECK(ccring_prod_want_space(&t->prod, len) == 1, "no room after wake-up");
	CHECK(!strcmp(ccring_strerror(-CCRING_E_SEQ), ccring_strerror(CCRING_E_SEQ)) &&
	      strcmp(ccring_strerror(CCRING_E_SEQ), ccring_strerror(CCRING_E_LEN)) &&
	      ccring_strerror(99) != NULL, "ccring_strerror");
	tring_free(t);
	return NULL;
}

static const char *t_setup(void)
{
	struct ccring_ctrl *c = (struct ccring_ctrl *)guarded_page();
	struct ccring r;
	uint32_t o = 99;
	uint8_t *pages[1] = { NULL };

	CHECK(sizeof(struct ccring_ctrl) == PG, "ctrl size %zu", sizeof(struct ccring_ctrl));
	CHECK(sizeof(struct ccring_hdr) == CCRING_HDR_SIZE, "hdr size");
	CHECK(__builtin_offsetof(struct ccring_ctrl, prod) == 0x40, "prod offset");
	CHECK(__builtin_offsetof(struct ccring_ctrl, cons) == 0x80, "cons offset");
	CHECK(__builtin_offsetof(struct ccring_ctrl, data_ref) == 0x100, "data_ref offset");
	CHECK(__builtin_offsetof(struct ccring_hdr, seq) == 16, "seq offset");
	ccring_ctrl_init(c, 6);
	CHECK(ccring_check_setup(c, &o) == 0 && o == 6, "good setup rejected");
	CHECK(c->prod == 0 && c->cons == 0 && c->prod_event == 1, "init indices");
	c->magic ^= 1;
	CHECK(ccring_check_setup(c, &o) == CCRING_E_SETUP, "bad magic accepted");
	c->magic ^= 1;
	c->version = 2;
	CHECK(ccring_check_setup(c, &o) == CCRING_E_SETUP, "bad version accepted");
	c->version = CCRING_VERSION;
	c->order = CCRING_MAX_ORDER + 1;
	CHECK(ccring_check_setup(c, &o) == CCRING_E_SETUP, "bad order accepted");
	c->order = 0xFFFFFFFFu;
	CHECK(ccring_check_setup(c, &o) == CCRING_E_SETUP, "order -1 accepted");
	CHECK(ccring_attach(&r, c, pages, 10) == -CCRING_E_SETUP, "attach order 10");
	CHECK(ccring_prod_space(&r, 1) == -CCRING_E_SETUP, "unattached ring usable");
	CHECK(ccring_rec_size(1) == 32 && ccring_rec_size(8) == 32 && ccring_rec_size(9) == 40,
	      "rec_size");
	guarded_free(c);
	return NULL;
}

/* Local caller errors: rejected without breaking the ring or touching memory. */
static const char *t_api_misuse(void)
{
	struct tring *t = tring_new(0);
	uint8_t buf[PG];
	struct ccring_meta m = meta_for(3);
	uint32_t len;
	const char *e;

	CHECK(ccring_prod_space(&t->prod, 0) == -CCRING_E_LEN, "len 0");
	CHECK(ccring_prod_space(&t->prod, PG) == -CCRING_E_LEN, "len > max");
	CHECK(ccring_prod_want_space(&t->prod, 0xFFFFFFFFu) == -CCRING_E_LEN, "len huge");
	CHECK(!t->prod.broken, "caller error broke the ring");
	ccring_prod_begin(&t->prod, 0xFFFFFFF0u, &m);	/* never fits: ignored */
	ccring_prod_copy(&t->prod, 0, buf, 100);	/* no current record: ignored */
	ccring_prod_commit(&t->prod);
	CHECK(t->prod.prod == 0, "invalid begin advanced prod");
	if ((e = produce(&t->prod, 4000, pattern, &m)))
		return e;
	ccring_prod_begin(&t->prod, 100, &m);	/* no space left: ignored */
	ccring_prod_commit(&t->prod);
	CHECK(t->prod.prod == 4024, "begin without space advanced prod to %u", t->prod.prod);
	ccring_prod_push(&t->prod);
	CHECK(ccring_cons_peek(&t->cons, &m, &len) == 1 && len == 4000, "peek");
	memset(buf, 0xA5, sizeof(buf));
	/* beyond len: refused, nothing written, ring not broken */
	CHECK(ccring_cons_copy(&t->cons, 3990, buf, 11) == -CCRING_E_LEN, "copy beyond len");
	CHECK(ccring_cons_copy(&t->cons, 0xFFFFFFFFu, buf, 2) == -CCRING_E_LEN, "copy huge off");
	CHECK(buf[0] == 0xA5 && buf[10] == 0xA5, "refused copy wrote into dst");
	CHECK(!t->cons.broken, "caller error broke the ring");
	CHECK(ccring_cons_copy(&t->cons, 0, buf, 4000) == 0, "copy");
	CHECK(memcmp(buf, pattern, 4000) == 0, "payload");
	ccring_cons_release(&t->cons);
	ccring_cons_release(&t->cons);	/* double release: ignored */
	CHECK(t->cons.cons == 4024, "cons %u", t->cons.cons);
	CHECK(ccring_cons_copy(&t->cons, 0, buf, 1) == -CCRING_E_LEN, "copy after release");
	CHECK(ccring_cons_peek(&t->cons, NULL, NULL) == 0, "empty");
	tring_free(t);
	return NULL;
}

/*
 * issue #14: a copy from a ring that broke while a record was current (in the
 * driver: before the poll was single-owner, a second CPU's peek could break it
 * between our peek and our copy) must fail and leave dst alone, so the caller
 * drops the frame instead of delivering uninitialised memory.  And a record
 * whose copy is refused must not count as taken: the ring stays broken.
 */
static const char *t_copy_status(void)
{
	struct tring *t = tring_new(1);
	struct ccring_meta m = meta_for(1), got;
	uint8_t buf[PG];
	uint32_t len;
	const char *e;
	int rc;

	if ((e = produce(&t->prod, 1000, pattern, &m)) ||
	    (e = produce(&t->prod, 3000, pattern + 7, &m)))
		return e;
	ccring_prod_push(&t->prod);
	CHECK(ccring_cons_peek(&t->cons, &got, &len) == 1 && len == 1000, "peek 1");
	CHECK(ccring_cons_copy(&t->cons, 0, buf, 1000) == 0, "healthy copy refused");
	CHECK(memcmp(buf, pattern, 1000) == 0, "payload 1");
	CHECK(ccring_cons_peek(&t->cons, &got, &len) == 1 && len == 3000, "peek 2");
	CHECK(ccring_cons_copy(&t->cons, 0, buf, 100) == 0, "first piece");
	/* The ring breaks now (what a racing peek on another CPU did). */
	t->cons.broken = CCRING_E_INDEX;
	memset(buf, 0x5A, sizeof(buf));
	rc = ccring_cons_copy(&t->cons, 100, buf + 100, 2900);
	CHECK(rc == -CCRING_E_INDEX, "copy from a broken ring returned %d", rc);
	CHECK(buf[100] == 0x5A && buf[2999] == 0x5A, "copy from a broken ring wrote dst");
	rc = ccring_cons_copy(&t->cons, 0, buf, 1);
	CHECK(rc == -CCRING_E_INDEX, "second copy returned %d (not sticky)", rc);
	CHECK(ccring_cons_peek(&t->cons, &got, &len) == -CCRING_E_INDEX, "peek not sticky");
	CHECK(!ccring_cons_publish(&t->cons), "broken ring published");
	tring_free(t);
	return NULL;
}

int main(void)
{
	pattern_init();
	run_test("ring-setup-layout", t_setup, 10);
	run_test("ring-exhaustive-order0", t_exhaustive, 300);
	run_test("ring-pagelist-order2", t_pagelist, 120);
	run_test("ring-pagelist-runs", t_pagelist_runs, 120);
	run_test("ring-fill-drain-random", t_fill_drain, 120);
	run_test("ring-batch-one-notify", t_batch_one_notify, 10);
	run_test("ring-notify-suppression", t_notify_suppression, 10);
	run_test("ring-flow-control", t_flow_control, 10);
	run_test("ring-flow-control-clamp", t_flow_control_clamp, 10);
	run_test("ring-api-misuse", t_api_misuse, 10);
	run_test("ring-copy-status", t_copy_status, 10);
	return t_failed;
}
