// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unit tests of libccrpc's pure logic (no Xen): the arena allocator, pointer checks,
 * snapshots, bounded walks, the frame protocol and hostile frames.  Built with ASan
 * and UBSan (rpc/Makefile `check`); one PASS/FAIL line per check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ccrpc.h"
#include "ccrpc_int.h"

static int fails;
#define CHECK(name, cond) do { if (cond) printf("PASS rpc/%s\n", name); \
	else { printf("FAIL rpc/%s: %s (line %d)\n", name, #cond, __LINE__); fails++; } } while (0)

static uint64_t P(const void *p) { return (uint64_t)(uintptr_t)p; }

static void test_arena(void)
{
	enum { HEAP = 64 * 1024 };
	uint8_t *heap = aligned_alloc(4096, HEAP), *shadow = calloc(HEAP / 16, 1);
	struct ccrpc_arena a;
	void *p[512] = { 0 };
	int ok = 1, i, k;

	CHECK("arena-init", ccrpc_arena_init(&a, heap, HEAP) == 0);
	CHECK("arena-zero-size-null", ccrpc_arena_alloc(&a, 0) == NULL);
	CHECK("arena-too-big-null", ccrpc_arena_alloc(&a, HEAP + 1) == NULL);
	void *x = ccrpc_arena_alloc(&a, 1);
	CHECK("arena-aligned-in-heap", x && P(x) % 16 == 0 && (uint8_t *)x >= heap && (uint8_t *)x < heap + HEAP);
	CHECK("arena-free", ccrpc_arena_free(&a, x) == 0);
	CHECK("arena-double-free-refused", ccrpc_arena_free(&a, x) == CCRPC_EINVAL);
	x = ccrpc_arena_alloc(&a, 64);
	CHECK("arena-interior-free-refused", ccrpc_arena_free(&a, (uint8_t *)x + 16) == CCRPC_EINVAL);
	CHECK("arena-foreign-free-refused", ccrpc_arena_free(&a, &a) == CCRPC_EINVAL);
	ccrpc_arena_reset(&a);
	/* Random alloc/free against a shadow map of granules: never two owners. */
	srand(1);
	for (k = 0; k < 20000 && ok; k++) {
		i = rand() % 512;
		if (p[i]) {
			size_t g0 = (size_t)((uint8_t *)p[i] - heap) / 16, n = a.len[g0];
			for (size_t g = g0; g < g0 + n; g++)
				shadow[g] = 0;
			ok &= ccrpc_arena_free(&a, p[i]) == 0;
			p[i] = NULL;
		} else {
			size_t sz = 1 + (size_t)(rand() % 700);
			p[i] = ccrpc_arena_alloc(&a, sz);
			if (p[i]) {
				size_t g0 = (size_t)((uint8_t *)p[i] - heap) / 16;
				for (size_t g = g0; g < g0 + (sz + 15) / 16; g++) {
					ok &= g < HEAP / 16 && !shadow[g];
					shadow[g] = 1;
				}
				memset(p[i], 0xab, sz);
			}
		}
	}
	CHECK("arena-random-no-overlap", ok);
	/* The heap is the server's to scribble on: the allocator must not care. */
	memset(heap, 0xff, HEAP);
	ccrpc_arena_reset(&a);
	for (i = 0, ok = 1; i < HEAP / 1024; i++)
		ok &= ccrpc_arena_alloc(&a, 1024) != NULL;
	CHECK("arena-fill-exactly", ok && ccrpc_arena_alloc(&a, 16) == NULL);
	CHECK("arena-metadata-not-in-heap", a.inuse == HEAP / 16);
	/* Fragmented: every other 1 KiB free leaves no room for 2 KiB. */
	for (i = 0; i < HEAP / 1024; i += 2)
		ccrpc_arena_free(&a, heap + i * 1024);
	CHECK("arena-fragmented-refuses", ccrpc_arena_alloc(&a, 2048) == NULL && ccrpc_arena_alloc(&a, 1024));
	ccrpc_arena_fini(&a);
	ccrpc_arena_fini(&a);	/* twice is safe */
	CHECK("arena-init-rejects-misaligned", ccrpc_arena_init(&a, heap + 1, 1024) == CCRPC_EINVAL);
	free(heap);
	free(shadow);
}

struct lnode { uint64_t val, next; };
struct tnode { uint64_t val, kid[2]; };

static int sum_cb(const void *n, void *arg)
{
	*(uint64_t *)arg += ((const struct lnode *)n)->val;
	return 0;
}

static void test_checks(void)
{
	enum { HEAP = 1 << 16 };
	uint8_t *heap = aligned_alloc(4096, HEAP), outside[64];
	struct ccrpc_call call = { .lo = P(heap), .hi = P(heap) + HEAP, .domid = 7 };
	char s[16];
	uint64_t v;

	CHECK("ptr-ok-inside", ccrpc_ptr_ok(&call, P(heap), HEAP));
	CHECK("ptr-ok-last-byte", ccrpc_ptr_ok(&call, P(heap) + HEAP - 1, 1));
	CHECK("ptr-refuses-straddle", !ccrpc_ptr_ok(&call, P(heap) + HEAP - 8, 16));
	CHECK("ptr-refuses-end", !ccrpc_ptr_ok(&call, P(heap) + HEAP, 0));
	CHECK("ptr-refuses-below", !ccrpc_ptr_ok(&call, P(heap) - 1, 1));
	CHECK("ptr-refuses-wrap", !ccrpc_ptr_ok(&call, P(heap) + 16, UINT64_MAX - 8));
	CHECK("ptr-refuses-null", !ccrpc_ptr_ok(&call, 0, 1) && !ccrpc_ptr(&call, 0, 1));
	CHECK("ptr-refuses-top", !ccrpc_ptr_ok(&call, UINT64_MAX, 1));
	CHECK("ptr-refuses-outside", !ccrpc_wptr(&call, P(outside), 8));
	memcpy(heap + 100, "hello", 6);
	CHECK("snap-copies", CCRPC_SNAP(&call, &v, P(heap) + 100) == 0 && !memcmp(&v, "hello", 6));
	CHECK("snap-refuses-outside", ccrpc_snap(&call, &v, P(outside), 8) == CCRPC_EBADPTR && call.badptr == 1);
	CHECK("snap-str", ccrpc_snap_str(&call, s, P(heap) + 100, sizeof(s)) == 0 && !strcmp(s, "hello"));
	memset(heap + HEAP - 4, 'x', 4);
	CHECK("snap-str-refuses-run-off-end", ccrpc_snap_str(&call, s, P(heap) + HEAP - 4, sizeof(s)) == CCRPC_EBADPTR);
	memset(heap, 'y', 64);
	CHECK("snap-str-refuses-unterminated", ccrpc_snap_str(&call, s, P(heap), sizeof(s)) == CCRPC_EINVAL);
	CHECK("caller", ccrpc_caller(&call) == 7);

	/* Lists. */
	struct lnode *n = (struct lnode *)heap;
	unsigned cnt = HEAP / sizeof(*n), i;
	uint64_t sum = 0, want = 0;
	for (i = 0; i < cnt; i++) {
		n[i].val = i * 3 + 1;
		n[i].next = i + 1 < cnt ? P(&n[i + 1]) : 0;
		want += n[i].val;
	}
	CHECK("walk-list-full-arena", ccrpc_walk_list(&call, P(n), sizeof(*n), 8, sum_cb, &sum) == (long)cnt && sum == want);
	n[cnt - 1].next = P(&n[cnt / 2]);
	CHECK("walk-list-loop", ccrpc_walk_list(&call, P(n), sizeof(*n), 8, NULL, NULL) == CCRPC_ELOOP && call.loops == 1);
	n[0].next = P(&n[0]);
	CHECK("walk-list-self-loop", ccrpc_walk_list(&call, P(n), sizeof(*n), 8, NULL, NULL) == CCRPC_ELOOP);
	n[0].next = P(outside);
	CHECK("walk-list-out-of-arena", ccrpc_walk_list(&call, P(n), sizeof(*n), 8, NULL, NULL) == CCRPC_EBADPTR);
	n[0].next = P(heap) + HEAP - 8;	/* a node straddling the end */
	CHECK("walk-list-straddle", ccrpc_walk_list(&call, P(n), sizeof(*n), 8, NULL, NULL) == CCRPC_EBADPTR);
	CHECK("walk-list-bad-params", ccrpc_walk_list(&call, P(n), sizeof(*n), 12, NULL, NULL) == CCRPC_EINVAL &&
	      ccrpc_walk_list(&call, P(n), 0, 0, NULL, NULL) == CCRPC_EINVAL);
	CHECK("walk-list-empty", ccrpc_walk_list(&call, 0, sizeof(*n), 8, NULL, NULL) == 0);

	/* Trees. */
	struct tnode *t = (struct tnode *)heap;
	unsigned tn = 1000;
	memset(heap, 0, HEAP);
	want = 0;
	for (i = 0; i < tn; i++) {	/* a heap-shaped binary tree */
		t[i].val = i + 5;
		want += t[i].val;
		t[i].kid[0] = 2 * i + 1 < tn ? P(&t[2 * i + 1]) : 0;
		t[i].kid[1] = 2 * i + 2 < tn ? P(&t[2 * i + 2]) : 0;
	}
	sum = 0;
	CHECK("walk-tree", ccrpc_walk_tree(&call, P(t), sizeof(*t), 8, 2, sum_cb, &sum) == (long)tn && sum == want);
	t[999].kid[0] = P(&t[0]);
	CHECK("walk-tree-cycle", ccrpc_walk_tree(&call, P(t), sizeof(*t), 8, 2, NULL, NULL) == CCRPC_ELOOP);
	t[999].kid[0] = P(outside);
	CHECK("walk-tree-out-of-arena", ccrpc_walk_tree(&call, P(t), sizeof(*t), 8, 2, NULL, NULL) == CCRPC_EBADPTR);
	t[999].kid[0] = 0;
	/* A DAG where every node points twice at the next: exponential paths, still bounded. */
	for (i = 0; i < 60; i++)
		t[i].kid[0] = t[i].kid[1] = P(&t[i + 1]);
	t[60].kid[0] = t[60].kid[1] = 0;
	CHECK("walk-tree-dag-bounded", ccrpc_walk_tree(&call, P(t), sizeof(*t), 8, 2, NULL, NULL) == CCRPC_ELOOP);
	CHECK("walk-tree-bad-params", ccrpc_walk_tree(&call, P(t), sizeof(*t), 16, 2, NULL, NULL) == CCRPC_EINVAL);
	free(heap);
}

static int disp_calls;
static volatile struct ccrpc_frame *g_frames;
/* A dispatcher that, like a hostile client on another CPU, rewrites the live frame
 * while the call runs; the answer must come from the copy. */
static int disp(void *ctx, struct ccrpc_call *call, const struct ccrpc_frame *fr, uint64_t *result)
{
	(void)ctx, (void)call;
	disp_calls++;
	for (unsigned i = 0; i < CCRPC_SLOTS; i++)
		if (g_frames[i].state == CCRPC_F_RUNNING) {	/* the call being served */
			g_frames[i].fn = 0xdead, g_frames[i].arg[0] = 999, g_frames[i].nargs = 77;
			g_frames[i].state = CCRPC_F_POSTED;
		}
	if (fr->fn != 5)
		return CCRPC_ENOFN;
	*result = fr->arg[0] * 2;
	return 0;
}

static void test_frames(void)
{
	static struct ccrpc_frame fr[CCRPC_SLOTS];
	struct ccrpc_frame copy;
	struct ccrpc_call call = { 0 };
	uint64_t a[2] = { 21, 0 }, r;
	int st;
	unsigned n;

	g_frames = fr;
	CHECK("frame-claim-free", ccrpc_frame_claim(&fr[0], &copy) == 0);
	ccrpc_frame_post(&fr[0], 5, a, 1, 42);
	CHECK("frame-posted", fr[0].state == CCRPC_F_POSTED && fr[0].arg[1] == 0);
	CHECK("frame-not-done", ccrpc_frame_done(&fr[0], 42, &st, &r) == 0);
	n = ccrpc_serve_area(fr, CCRPC_SLOTS, &call, disp, NULL);
	/* The dispatcher re-posted slot 0 behind the server's back: served once in this
	 * round, the answer from the copy (21 * 2), and the completion overrides it. */
	CHECK("frame-served-once-per-round", n == 1 && disp_calls == 1);
	CHECK("frame-rewrite-answer-from-copy", fr[0].state == CCRPC_F_DONE && fr[0].result == 42);
	CHECK("frame-done", ccrpc_frame_done(&fr[0], 42, &st, &r) == 1 && r == 42 && st == 0);
	CHECK("frame-stale-seq", ccrpc_frame_done(&fr[0], 43, &st, &r) == 0);

	memset(fr, 0, sizeof(fr));
	ccrpc_frame_post(&fr[3], 5, a, 1, 1);
	fr[4].state = CCRPC_F_POSTED, fr[4].fn = 5, fr[4].nargs = 99;
	fr[5].state = CCRPC_F_POSTED, fr[5].fn = 4000, fr[5].nargs = 1;
	fr[6].state = CCRPC_F_POSTED, fr[6].fn = 9, fr[6].nargs = 0;
	fr[7].state = 12345;	/* unknown state: ignored */
	disp_calls = 0;
	n = ccrpc_serve_area(fr, CCRPC_SLOTS, &call, disp, NULL);
	CHECK("frames-garbage-served", n == 4 && disp_calls == 2);
	CHECK("frames-garbage-nargs", fr[4].state == CCRPC_F_DONE && fr[4].status == CCRPC_EINVAL);
	CHECK("frames-garbage-fn-range", fr[5].status == CCRPC_ENOFN);
	CHECK("frames-garbage-fn-unexported", fr[6].status == CCRPC_ENOFN);
	CHECK("frames-unknown-state-ignored", fr[7].state == 12345);
	CHECK("frames-rewrite-during-call", fr[3].status == 0 && fr[3].result == 42);

	uint32_t np;
	CHECK("region-pages-default", ccrpc_region_pages(0, &np) == 0 && np == CCRPC_HEAP_OFF / 4096 + CCRPC_DEF_ARENA / 4096);
	CHECK("region-pages-max", ccrpc_region_pages(CCRPC_MAX_ARENA + 1, &np) == CCRPC_EINVAL);
	CHECK("strerror", !strcmp(ccrpc_strerror(CCRPC_EBADPTR), "argument points outside the caller's arena"));
}

int main(void)
{
	test_arena();
	test_checks();
	test_frames();
	return fails ? 1 : 0;
}
