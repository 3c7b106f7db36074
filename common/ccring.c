// SPDX-License-Identifier: MIT
/*
 * ccring.c - colorcom shared-page ring (see ccring.h and docs/protocol.md).
 *
 * Plain C: builds unchanged in the Linux kernel and in userspace; everything
 * environment-specific comes from ccring_compat.h.
 *
 * Trust model.  The control page and the data pages are shared with the peer
 * domain, which may be hostile and may change any byte at any time.  Rules:
 *  - every shared word is loaded exactly once (CCR_READ or one copy of the
 *    record header into a private struct), validated, and only the private
 *    copy is used afterwards;
 *  - the peer's values never drive a loop count or an address without having
 *    been validated against the private state first;
 *  - on the first violation r->broken is set (sticky) and every later call
 *    fails fast; nothing is ever read or written outside the ring area.
 *
 * Barrier pairing (P = producer side, C = consumer side):
 *  [P1] P ccr_wmb before storing prod        <-> [C1] C ccr_rmb after loading prod
 *  [P2] P ccr_mb  after storing prod         <-> [C3] C ccr_mb after storing prod_event
 *  [C2] C release-store of cons             <-> [P3] P acquire-load of cons
 *  [C4] C ccr_mb  after storing cons         <-> [P4] P ccr_mb after storing cons_event
 * Each barrier site below repeats what it orders against what.
 */
#include "ccring.h"

#ifdef CCRING_TEST_HOOKS
void (*ccring_test_hook)(struct ccring *r, int point);
#define CCRING_HOOK(r, p)						\
	do {								\
		if (ccring_test_hook)					\
			ccring_test_hook((r), (p));			\
	} while (0)
#else
#define CCRING_HOOK(r, p) do { } while (0)
#endif

/* ------------------------------------------------------------------------- */
/* Page-list copy helpers.  pages[i] are independent addresses; an access may */
/* straddle any page boundary and the end of the ring.  n <= r->size always.  */

#ifndef CCRING_PF_LINES
#define CCRING_PF_LINES 4	/* lines prefetched at the start of the next run */
#endif

/* Address of ring offset off (already masked). */
static inline uint8_t *ring_addr(const struct ccring *r, uint32_t off)
{
	return r->pages[off / CCRING_PAGE_SIZE] + off % CCRING_PAGE_SIZE;
}

/*
 * Octets from ring offset off (masked) that are one virtually contiguous run,
 * at most n: the rest of this page, plus every following page that is mapped
 * right behind it (a page list that is contiguous in places, as a vmap or an
 * in-order allocation gives, is copied with one memcpy per run instead of one
 * per page).  A run never crosses the end of the ring.  pages[] is our private
 * list, so trusting it is fine.
 */
static inline uint32_t ring_run(const struct ccring *r, uint32_t off, uint32_t n)
{
	uint32_t pg = off / CCRING_PAGE_SIZE;
	uint32_t len = CCRING_PAGE_SIZE - off % CCRING_PAGE_SIZE;

	while (len < n && pg + 1 < r->npages &&
	       r->pages[pg + 1] == r->pages[pg] + CCRING_PAGE_SIZE) {
		pg++;
		len += CCRING_PAGE_SIZE;
	}
	return len < n ? len : n;
}

/*
 * Hint the first lines of the next run (ring offset off, masked, at most n
 * octets wanted) into the cache before the current run is copied: hardware
 * prefetchers stop at a page boundary, so the first lines of every page are
 * otherwise cross-core misses taken one after the other.  Consumer only: the
 * same hint for writing in the producer (prefetchw) cost a quarter of the
 * ring's throughput at 1500 B and 64 KiB (make bench-ring, docs/performance.md).
 */
static inline void ring_prefetch(const struct ccring *r, uint32_t off, uint32_t n)
{
	const uint8_t *p = ring_addr(r, off);
	uint32_t i, room = CCRING_PAGE_SIZE - off % CCRING_PAGE_SIZE;

	if (n > room)
		n = room;
	for (i = 0; i < CCRING_PF_LINES * CCRING_CACHELINE && i < n; i += CCRING_CACHELINE)
		ccr_prefetch(p + i);
}

static void ring_write(struct ccring *r, uint32_t idx, const void *src, uint32_t n)
{
	const uint8_t *s = src;
	uint32_t off = idx & (r->size - 1);

	if (off % CCRING_PAGE_SIZE + n <= CCRING_PAGE_SIZE) {	/* common: one page */
		ccr_memcpy(ring_addr(r, off), s, n);
		return;
	}
	while (n) {
		uint32_t chunk = ring_run(r, off, n);
		uint32_t next = (off + chunk) & (r->size - 1);

		ccr_hide(chunk);	/* a library memcpy, not an inline rep movs */
		ccr_memcpy(ring_addr(r, off), s, chunk);
		s += chunk;
		n -= chunk;
		off = next;
	}
}

static void ring_read(const struct ccring *r, uint32_t idx, void *dst, uint32_t n)
{
	uint8_t *d = dst;
	uint32_t off = idx & (r->size - 1);

	if (off % CCRING_PAGE_SIZE + n <= CCRING_PAGE_SIZE) {	/* common: one page */
		ccr_memcpy(d, ring_addr(r, off), n);
		return;
	}
	while (n) {
		uint32_t chunk = ring_run(r, off, n);
		uint32_t next = (off + chunk) & (r->size - 1);

		if (chunk < n)
			ring_prefetch(r, next, n - chunk);
		ccr_hide(chunk);	/* a library memcpy, not an inline rep movs */
		ccr_memcpy(d, ring_addr(r, off), chunk);
		d += chunk;
		n -= chunk;
		off = next;
	}
}

/* Record headers: fixed-size copies (inlined by the compiler) unless they straddle. */
static inline void hdr_write(struct ccring *r, uint32_t idx, const struct ccring_hdr *h)
{
	uint32_t off = idx & (r->size - 1);

	if (off % CCRING_PAGE_SIZE <= CCRING_PAGE_SIZE - CCRING_HDR_SIZE)
		ccr_memcpy(r->pages[off / CCRING_PAGE_SIZE] + off % CCRING_PAGE_SIZE, h,
			   CCRING_HDR_SIZE);
	else
		ring_write(r, idx, h, CCRING_HDR_SIZE);
}

static inline void hdr_read(const struct ccring *r, uint32_t idx, struct ccring_hdr *h)
{
	uint32_t off = idx & (r->size - 1);

	if (off % CCRING_PAGE_SIZE <= CCRING_PAGE_SIZE - CCRING_HDR_SIZE)
		ccr_memcpy(h, r->pages[off / CCRING_PAGE_SIZE] + off % CCRING_PAGE_SIZE,
			   CCRING_HDR_SIZE);
	else
		ring_read(r, idx, h, CCRING_HDR_SIZE);
}

static int ring_fail(struct ccring *r, int err)
{
	if (!r->broken)
		r->broken = err;
	return -r->broken;
}

const char *ccring_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case CCRING_OK:		return "ok";
	case CCRING_E_INDEX:	return "bad ring index";
	case CCRING_E_LEN:	return "bad record length";
	case CCRING_E_FLAGS:	return "bad record flags";
	case CCRING_E_SEQ:	return "bad record sequence";
	case CCRING_E_SETUP:	return "bad ring setup";
	default:		return "unknown ring error";
	}
}

/* ------------------------------------------------------------------------- */
/* Setup                                                                      */

void ccring_ctrl_init(struct ccring_ctrl *ctrl, uint32_t order)
{
	/* The page is private until its grant ref is published: plain stores. */
	ctrl->magic = CCRING_MAGIC;
	ctrl->version = CCRING_VERSION;
	ctrl->order = order;
	ctrl->prod = 0;
	ctrl->cons_event = 0;
	ctrl->cons = 0;
	ctrl->prod_event = 1;	/* first record ever pushed notifies (Xen: req_event = 1) */
}

int ccring_check_setup(const struct ccring_ctrl *ctrl, uint32_t *order_out)
{
	uint32_t magic = CCR_READ(ctrl->magic);
	uint32_t version = CCR_READ(ctrl->version);
	uint32_t order = CCR_READ(ctrl->order);

	if (magic != CCRING_MAGIC || version != CCRING_VERSION ||
	    order - CCRING_MIN_ORDER > CCRING_MAX_ORDER - CCRING_MIN_ORDER)
		return CCRING_E_SETUP;
	if (order_out)
		*order_out = order;
	return CCRING_OK;
}

int ccring_attach(struct ccring *r, struct ccring_ctrl *ctrl, uint8_t *const *pages,
		  uint32_t order)
{
	r->ctrl = ctrl;
	r->pages = pages;
	r->npages = 0;
	r->size = 0;
	r->prod = 0;
	r->pushed = 0;
	r->cons = 0;
	r->released = 0;
	r->seq = 0;
	r->cur_off = 0;
	r->cur_len = 0;
	r->peer_idx = 0;
	r->broken = 0;
	if (order - CCRING_MIN_ORDER > CCRING_MAX_ORDER - CCRING_MIN_ORDER) {
		r->broken = CCRING_E_SETUP;
		return -CCRING_E_SETUP;
	}
	r->npages = 1u << order;
	r->size = r->npages * CCRING_PAGE_SIZE;
	return 0;
}

/* ------------------------------------------------------------------------- */
/* Producer                                                                   */

/*
 * Load the consumer's cons once and validate it: 8-aligned and inside
 * [last cons seen, pushed] (so never backwards, never beyond what we
 * published; the last seen value is itself >= prod - size).
 * Returns 0 and updates r->peer_idx, or -err (ring broken).
 */
static int prod_read_cons(struct ccring *r)
{
	/*
	 * [P3] Acquire: orders this load of cons before our later stores into
	 * the bytes it frees, so we never overwrite a record before the consumer
	 * has finished reading it.  Pairs with [C2] (consumer: loads of the
	 * record, then release-store of cons).  Load->store ordering needs no
	 * fence on x86; the full barrier this was cost one fence per record.
	 */
	uint32_t c = ccr_load_acquire(r->ctrl->cons);

	CCRING_HOOK(r, CCRING_HOOK_CONS_READ);
	if ((c & (CCRING_ALIGN - 1)) ||
	    (uint32_t)(c - r->peer_idx) > (uint32_t)(r->pushed - r->peer_idx))
		return ring_fail(r, CCRING_E_INDEX);
	r->peer_idx = c;
	return 0;
}

static inline uint32_t prod_free(const struct ccring *r)
{
	return r->size - (r->prod - r->peer_idx);
}

int ccring_prod_space(struct ccring *r, uint32_t len)
{
	uint32_t need;
	int rc;

	if (r->broken)
		return -r->broken;
	if (len == 0 || len > ccring_max_len(r))
		return -CCRING_E_LEN;	/* caller error: the ring is not broken */
	need = ccring_rec_size(len);
	/* Fast path: the cons value seen last time already leaves room. */
	if (prod_free(r) >= need)
		return 1;
	rc = prod_read_cons(r);
	if (rc)
		return rc;
	return prod_free(r) >= need;
}

void ccring_prod_begin(struct ccring *r, uint32_t len, const struct ccring_meta *m)
{
	struct ccring_hdr h;

	r->cur_len = 0;
	if (r->broken || len == 0 || len > ccring_max_len(r) ||
	    prod_free(r) < ccring_rec_size(len))
		return;		/* caller error: record silently not started */
	h.len = len;
	h.flags = m ? m->flags : 0;
	h.gso_type = m ? m->gso_type : 0;
	h.hdr_len = m ? m->hdr_len : 0;
	h.gso_size = m ? m->gso_size : 0;
	h.csum_start = m ? m->csum_start : 0;
	h.csum_offset = m ? m->csum_offset : 0;
	h.seq = r->seq;
	h.reserved = 0;
	hdr_write(r, r->prod, &h);
	r->cur_off = r->prod + CCRING_HDR_SIZE;
	r->cur_len = len;
}

void ccring_prod_copy(struct ccring *r, uint32_t off, const void *src, uint32_t n)
{
	if (!r->cur_len || off > r->cur_len || n > r->cur_len - off)
		return;		/* caller error: outside the current record */
	ring_write(r, r->cur_off + off, src, n);
}

void ccring_prod_commit(struct ccring *r)
{
	if (!r->cur_len)
		return;
	r->prod += ccring_rec_size(r->cur_len);
	r->seq++;
	r->cur_len = 0;
}

bool ccring_prod_push(struct ccring *r)
{
	uint32_t old = r->pushed, new = r->prod, ev;

	if (r->broken || old == new)
		return false;
	/*
	 * prod_event shares the consumer's line with cons, which the consumer
	 * stores at every publish: loading it after the barrier below is a
	 * second cross-core miss behind the one the barrier waits for.  Start
	 * it now so that the two overlap (a hint: the load below still comes
	 * after the barrier and sees the current value).
	 */
	ccr_prefetch(&r->ctrl->prod_event);
	/*
	 * [P1] Orders our stores of the records (headers and frames) before the
	 * store of prod that publishes them.  Pairs with [C1] (consumer: load
	 * prod, rmb, load records).
	 */
	ccr_wmb();
	CCR_WRITE(r->ctrl->prod, new);
	r->pushed = new;
	/*
	 * [P2] Orders the store of prod before the load of prod_event below
	 * (store->load, so a full barrier).  Pairs with [C3] (consumer: store
	 * prod_event, mb, re-load prod): either the consumer sees our new prod,
	 * or we see its new prod_event and notify; never neither.
	 */
	ccr_mb();
	ev = CCR_READ(r->ctrl->prod_event);	/* any value is harmless */
	CCRING_HOOK(r, CCRING_HOOK_PROD_EVENT_READ);
	/* Xen RING_PUSH_REQUESTS_AND_CHECK_NOTIFY: notify iff ev in (old, new]. */
	return (uint32_t)(new - ev) < (uint32_t)(new - old);
}

int ccring_prod_want_space(struct ccring *r, uint32_t len)
{
	uint32_t need, want, ev;
	int rc;

	if (r->broken)
		return -r->broken;
	if (len == 0 || len > ccring_max_len(r))
		return -CCRING_E_LEN;
	need = ccring_rec_size(len);
	rc = prod_read_cons(r);
	if (rc)
		return rc;
	if (prod_free(r) >= need)
		return 1;
	/*
	 * Hysteresis (like xen-netfront's rsp_event): ask to be woken when half
	 * the ring is free, not when the first record fits, so that a saturated
	 * link costs one notification per half ring instead of one per record.
	 * The wake point is clamped to what has been pushed: the consumer cannot
	 * move cons beyond it.
	 */
	want = r->size / 2;
	if (want < need)
		want = need;
	ev = r->prod + want - r->size;
	if ((uint32_t)(ev - r->peer_idx) > (uint32_t)(r->pushed - r->peer_idx))
		ev = r->pushed;
	CCR_WRITE(r->ctrl->cons_event, ev);
	/*
	 * [P4] Orders the store of cons_event before the re-load of cons
	 * (store->load: full barrier).  Pairs with [C4] (consumer: store cons,
	 * mb, load cons_event): either we see the consumer's progress now, or it
	 * sees our cons_event and notifies us.
	 */
	ccr_mb();
	rc = prod_read_cons(r);
	if (rc)
		return rc;
	return prod_free(r) >= need;
}

/* ------------------------------------------------------------------------- */
/* Consumer                                                                   */

/*
 * Load the producer's prod once and validate it: 8-aligned, at most one ring
 * ahead of our cons, and not behind the last value seen (prod never moves
 * backwards).  Returns 0 and updates r->peer_idx, or -err (ring broken).
 */
static int cons_read_prod(struct ccring *r)
{
	uint32_t p = CCR_READ(r->ctrl->prod);
	uint32_t avail = p - r->cons;

	CCRING_HOOK(r, CCRING_HOOK_PROD_READ);
	if ((p & (CCRING_ALIGN - 1)) || avail > r->size ||
	    avail < (uint32_t)(r->peer_idx - r->cons))
		return ring_fail(r, CCRING_E_INDEX);
	/*
	 * [C1] Orders the load of prod above before the loads of the records it
	 * publishes.  Pairs with [P1] (producer: store records, wmb, store prod).
	 */
	ccr_rmb();
	r->peer_idx = p;
	return 0;
}

static bool gso_ok(uint16_t g)
{
	switch (g) {
	case CCRING_GSO_NONE:
	case CCRING_GSO_TCPV4:
	case CCRING_GSO_TCPV6:
	case CCRING_GSO_TCPV4 | CCRING_GSO_ECN:
	case CCRING_GSO_TCPV6 | CCRING_GSO_ECN:
		return true;
	default:		/* includes ECN without a GSO type */
		return false;
	}
}

int ccring_cons_peek(struct ccring *r, struct ccring_meta *m, uint32_t *len)
{
	struct ccring_hdr h;
	uint32_t avail;
	int rc;

	if (r->broken)
		return -r->broken;
	if (r->cur_len)
		ccring_cons_release(r);	/* peek means "next record" */
	if (r->cons == r->peer_idx) {
		/* Nothing left from the last prod we saw: look again (one load). */
		rc = cons_read_prod(r);
		if (rc)
			return rc;
		if (r->cons == r->peer_idx)
			return 0;
		/*
		 * Freshly published: the header and the first payload lines
		 * are in the other CPU's cache.  Start those misses together
		 * instead of one after the other (a hint; nothing read here is
		 * used, and nothing outside [cons, prod) is touched).
		 */
		ring_prefetch(r, r->cons & (r->size - 1), r->peer_idx - r->cons);
	}
	avail = r->peer_idx - r->cons;	/* private, validated: 8..size */
	if (avail < CCRING_HDR_SIZE)
		return ring_fail(r, CCRING_E_LEN);
	/* The one and only fetch of this header. */
	hdr_read(r, r->cons, &h);
	/*
	 * Compiler barrier: the header must really be copied here; the compiler
	 * may not turn later uses of h into fresh loads from the shared page
	 * (which would be a double fetch).  No CPU ordering is needed.
	 */
	ccr_barrier();
	CCRING_HOOK(r, CCRING_HOOK_HDR_READ);
	if (h.len == 0 || h.len > ccring_max_len(r) || ccring_rec_size(h.len) > avail)
		return ring_fail(r, CCRING_E_LEN);
	if ((h.flags & ~CCRING_F_KNOWN) || !gso_ok(h.gso_type) || h.reserved)
		return ring_fail(r, CCRING_E_FLAGS);
	if (h.seq != r->seq)
		return ring_fail(r, CCRING_E_SEQ);
	r->seq++;
	r->cur_off = r->cons + CCRING_HDR_SIZE;
	r->cur_len = h.len;
	{
		/*
		 * If the next record is already published, its header is
		 * another line the other CPU wrote: start that miss now so
		 * that it overlaps with this record's copy instead of stalling
		 * the next peek.
		 */
		uint32_t next = r->cons + ccring_rec_size(h.len);

		if (r->peer_idx - next >= CCRING_HDR_SIZE)
			ccr_prefetch(ring_addr(r, next & (r->size - 1)));
	}
	if (m) {
		m->flags = h.flags;
		m->gso_type = h.gso_type;
		m->hdr_len = h.hdr_len;
		m->gso_size = h.gso_size;
		m->csum_start = h.csum_start;
		m->csum_offset = h.csum_offset;
	}
	if (len)
		*len = h.len;
	return 1;
}

int ccring_cons_copy(struct ccring *r, uint32_t off, void *dst, uint32_t n)
{
	if (r->broken)
		return -r->broken;
	if (!r->cur_len || off > r->cur_len || n > r->cur_len - off)
		return -CCRING_E_LEN;	/* caller error: outside the current record */
	ring_read(r, r->cur_off + off, dst, n);
	return 0;
}

void ccring_cons_release(struct ccring *r)
{
	if (!r->cur_len)
		return;
	r->cons += ccring_rec_size(r->cur_len);	/* cur_len was validated */
	r->cur_len = 0;
}

bool ccring_cons_publish(struct ccring *r)
{
	uint32_t old = r->released, new = r->cons, ev;

	if (r->broken || old == new)
		return false;
	/* cons_event shares the producer's line with prod: see ccring_prod_push. */
	ccr_prefetch(&r->ctrl->cons_event);
	/*
	 * [C2] Release: orders our loads of the consumed records (header and
	 * frame bytes) before the store of cons that hands their space back.
	 * Pairs with [P3] (producer: acquire-load of cons, then overwrite).
	 */
	ccr_store_release(r->ctrl->cons, new);
	r->released = new;
	/*
	 * [C4] Orders the store of cons before the load of cons_event
	 * (store->load: full barrier).  Pairs with [P4] (producer: store
	 * cons_event, mb, re-load cons).
	 */
	ccr_mb();
	ev = CCR_READ(r->ctrl->cons_event);	/* any value is harmless */
	CCRING_HOOK(r, CCRING_HOOK_CONS_EVENT_READ);
	return (uint32_t)(new - ev) < (uint32_t)(new - old);
}

bool ccring_cons_final_check(struct ccring *r)
{
	if (r->broken)
		return true;	/* let the caller's next peek report the error */
	if (r->cur_len || r->cons != r->peer_idx)
		return true;	/* records already known to be pending */
	if (cons_read_prod(r))
		return true;
	if (r->cons != r->peer_idx)
		return true;
	/* Xen RING_FINAL_CHECK_FOR_REQUESTS: ask for a notification on the next push. */
	CCR_WRITE(r->ctrl->prod_event, r->cons + 1);
	/*
	 * [C3] Orders the store of prod_event before the re-load of prod
	 * (store->load: full barrier).  Pairs with [P2] (producer: store prod,
	 * mb, load prod_event): either we see the new prod now, or the producer
	 * sees our prod_event and notifies.
	 */
	ccr_mb();
	if (cons_read_prod(r))
		return true;
	return r->cons != r->peer_idx;
}
