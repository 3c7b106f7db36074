// SPDX-License-Identifier: MIT
/*
 * fuzz_consumer.c - libFuzzer target for the ccring consumer path.
 *
 * Build (tests/unit/Makefile, target fuzz-smoke):
 *   clang -fsanitize=fuzzer,address,undefined -DCCRING_TEST_HOOKS \
 *         fuzz_consumer.c ../../common/ccring.c
 *
 * The input plays the hostile producer:
 *   0      order (bit 0: 0 = 1 page, 1 = 2 pages)
 *   1..4   starting ring index (little-endian; the consumer starts at idx & ~7)
 *   5..6   number of operations N (little-endian, capped at 256)
 *   7..    N operations of 5 octets: opcode, 32-bit little-endian argument
 *   rest   initial contents of the data pages (zero-filled if short)
 * Operations: set prod (absolute / relative to cons), set cons_event, poke a data
 * byte, arm a double-fetch (rewrite a header byte right after the consumer copied
 * the header), and the consumer calls peek / copy / release / publish /
 * final_check.
 *
 * Checked: no access outside the ring (every page has PROT_NONE guards, and
 * the data pages are read-only while the consumer runs), every peek agrees with
 * an independent reference model of the validation rules in protocol.md,
 * errors are sticky, final_check never says "sleep" while work is visible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../../common/ccring.h"

#define PG CCRING_PAGE_SIZE

static struct ccring_ctrl *ctrl;
static uint8_t *pages[2];
static struct ccring r;
static uint32_t size;

static int hk_armed;
static uint32_t hk_arg;

static uint8_t *guarded(void)
{
	uint8_t *p = mmap(NULL, 3 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + PG, PG, PROT_READ | PROT_WRITE))
		abort();
	return p + PG;
}

static void data_prot(int prot)
{
	uint32_t i;

	for (i = 0; i < 2; i++)
		if (mprotect(pages[i], PG, prot))
			abort();
}

static uint8_t *ring_byte(uint32_t idx)
{
	idx &= size - 1;
	return &pages[idx / PG][idx % PG];
}

static void hook(struct ccring *rr, int point)
{
	if (point != CCRING_HOOK_HDR_READ || !hk_armed)
		return;
	hk_armed = 0;
	data_prot(PROT_READ | PROT_WRITE);
	*ring_byte(rr->cons + (hk_arg & 31)) = (uint8_t)(hk_arg >> 24);
	data_prot(PROT_READ);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reference model of ccring_cons_peek's validation (protocol.md, "Validation"). */
struct model {
	uint32_t cons, peer, seq;
	int broken;
};

static int model_peek(struct model *m, uint32_t prod_now, struct ccring_hdr *out)
{
	struct ccring_hdr h;
	uint32_t avail, maxlen = size - CCRING_HDR_SIZE, i, g;

	if (m->broken)
		return -m->broken;
	if (m->cons == m->peer) {
		if ((prod_now & 7) || prod_now - m->cons > size)
			return -(m->broken = CCRING_E_INDEX);
		m->peer = prod_now;
		if (m->cons == m->peer)
			return 0;
	}
	avail = m->peer - m->cons;
	if (avail < CCRING_HDR_SIZE)
		return -(m->broken = CCRING_E_LEN);
	for (i = 0; i < CCRING_HDR_SIZE; i++)
		((uint8_t *)&h)[i] = *ring_byte(m->cons + i);
	if (maxlen > CCRING_MAX_FRAME)
		maxlen = CCRING_MAX_FRAME;
	if (h.len < 1 || h.len > maxlen || ((h.len + 24 + 7) & ~7u) > avail)
		return -(m->broken = CCRING_E_LEN);
	g = h.gso_type & ~0x80u;
	if ((h.flags & ~3u) || h.reserved || (g != 0 && g != 1 && g != 4) || h.gso_type == 0x80)
		return -(m->broken = CCRING_E_FLAGS);
	if (h.seq != m->seq)
		return -(m->broken = CCRING_E_SEQ);
	m->seq++;
	*out = h;
	return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ctrl = (struct ccring_ctrl *)guarded();
	pages[0] = guarded();
	pages[1] = guarded();
	ccring_test_hook = hook;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	static uint8_t dst[2 * PG];
	uint32_t order, start, nops, i, rest_off;
	struct model mod;

	if (n < 7)
		return 0;
	order = in[0] & 1;
	size = PG << order;
	start = le32(in + 1) & ~7u;
	nops = (uint32_t)in[5] | (uint32_t)in[6] << 8;
	if (nops > 256)
		nops = 256;
	if (7 + 5 * (size_t)nops > n)
		nops = (uint32_t)((n - 7) / 5);
	rest_off = 7 + 5 * nops;

	data_prot(PROT_READ | PROT_WRITE);
	memset(ctrl, 0, PG);
	for (i = 0; i < 2; i++)
		memset(pages[i], 0, PG);
	for (i = 0; i < size && rest_off + i < n; i++)
		*ring_byte(start + i) = in[rest_off + i];
	ccring_ctrl_init(ctrl, order);
	if (ccring_check_setup(ctrl, &order) || ccring_attach(&r, ctrl, pages, order))
		abort();
	r.cons = r.released = r.peer_idx = start;
	ctrl->prod = ctrl->cons = start;
	hk_armed = 0;
	mod.cons = mod.peer = start;
	mod.seq = 0;
	mod.broken = 0;
	data_prot(PROT_READ);

	for (i = 0; i < nops; i++) {
		uint8_t op = in[7 + 5 * i];
		uint32_t arg = le32(in + 8 + 5 * i);

		switch (op % 10) {
		case 0:
			ctrl->prod = arg;
			break;
		case 1:
			ctrl->prod = r.cons + arg % (2 * size + 64);
			break;
		case 2: {
			struct ccring_meta m;
			struct ccring_hdr want;
			uint32_t len = 0xFFFFFFFF, prod_now = ctrl->prod;
			int rc, wrc;

			/* the reference sees the bytes as they are before the call */
			if (r.cur_len) {
				mod.cons += (r.cur_len + 24 + 7) & ~7u;
			}
			wrc = model_peek(&mod, prod_now, &want);
			rc = ccring_cons_peek(&r, &m, &len);
			if (rc != wrc) {
				fprintf(stderr, "peek %d, model %d\n", rc, wrc);
				abort();
			}
			if (rc == 1 && (len != want.len || m.flags != want.flags ||
					m.gso_type != want.gso_type || m.hdr_len != want.hdr_len ||
					m.gso_size != want.gso_size ||
					m.csum_start != want.csum_start ||
					m.csum_offset != want.csum_offset))
				abort();
			if (rc < 0 && ccring_cons_peek(&r, &m, &len) != rc)
				abort();	/* not sticky */
			break;
		}
		case 3: {
			uint32_t off = arg & 0xFFFF, cnt = (arg >> 16) & 0x1FFF;

			if (cnt > sizeof(dst))
				cnt = sizeof(dst);
			/* Copies only inside a current record of a sane ring. */
			if (ccring_cons_copy(&r, off, dst, cnt) == 0 &&
			    (r.broken || !r.cur_len || off + cnt > r.cur_len))
				abort();
			break;
		}
		case 4:
			if (r.cur_len)
				mod.cons += (r.cur_len + 24 + 7) & ~7u;
			ccring_cons_release(&r);
			break;
		case 5: {
			uint32_t before = ctrl->cons;

			ccring_cons_publish(&r);
			if (r.broken && ctrl->cons != before)
				abort();	/* a broken ring must not publish */
			break;
		}
		case 6: {
			bool work = ccring_cons_final_check(&r);

			if (!work && (r.broken || r.cur_len || r.cons != r.peer_idx ||
				      ctrl->prod != r.cons || ctrl->prod_event != r.cons + 1))
				abort();	/* would sleep although work is visible */
			/* final_check may have loaded prod / broken the ring: resync */
			mod.peer = r.peer_idx;
			mod.broken = r.broken;
			break;
		}
		case 7:
			ctrl->cons_event = arg;
			break;
		case 8:
			data_prot(PROT_READ | PROT_WRITE);
			*ring_byte(arg) = (uint8_t)(arg >> 24);
			data_prot(PROT_READ);
			break;
		default:
			hk_armed = 1;
			hk_arg = arg;
			break;
		}
		if (mod.cons != r.cons)
			abort();	/* model and consumer disagree on the position */
		if (r.peer_idx - r.cons > size)
			abort();	/* consumer believes more than a ring is pending */
	}
	return 0;
}
