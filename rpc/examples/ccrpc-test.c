// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ccrpc-test - the lab's test server and client for libccrpc (tests/lab/scenarios/rpc).
 *
 *   ccrpc-test serve NAME [ALLOW] [SPIN_US]  serve the test functions until killed;
 *                                            SIGUSR1 writes counters to /tmp/ccrpc-NAME.stats
 *   ccrpc-test run SERVER NAME TEST...       run client tests, one "ok TEST ..." or
 *                                            "FAIL TEST: why" line each; exit 1 if any failed
 *   ccrpc-test connect SERVER NAME           connect and close; prints the error if any
 *   ccrpc-test slow SERVER NAME MS           a call that takes MS ms (to be killed mid-call)
 *   ccrpc-test bench SERVER NAME             latency/throughput figures (key value lines)
 *
 * Tests: null buf list tree unknown badptr loop treeloop frames isolation kv-style
 * Every expected value is computed here, locally, from the same data.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ccrpc.h"
#include "ccrpc_int.h"

enum { F_NULL, F_CSUM, F_LIST, F_TREE, F_SLOW, F_ECHO2 };

/* Connect and call timeouts: generous, because the lab is Xen under QEMU/TCG on a
 * shared host, where a connection's setup (granting and mapping the region) or a
 * server busy tearing down another connection can take seconds.  What these tests
 * check is the answer, not the speed (that is `bench`). */
#define TMO 60000u

struct lnode {
	uint64_t val;
	uint64_t next;
};
struct tnode {
	uint64_t val;
	uint64_t kid[2];
};

static uint64_t fnv(const volatile uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* ---- server ---------------------------------------------------------------------- */
static int h_null(struct ccrpc_call *call, const uint64_t *a, unsigned n, uint64_t *r, void *u)
{
	(void)call, (void)a, (void)n, (void)u;
	*r = 0;
	return 0;
}

/* checksum(buf, len): a concurrent change by the client only changes its own answer,
 * so the bulk read goes through a checked pointer without a snapshot. */
static int h_csum(struct ccrpc_call *call, const uint64_t *a, unsigned n, uint64_t *r, void *u)
{
	const volatile uint8_t *p;

	(void)u;
	if (n != 2)
		return CCRPC_EINVAL;
	p = ccrpc_ptr(call, a[0], a[1]);
	if (!p)
		return CCRPC_EBADPTR;
	*r = fnv(p, a[1]);
	return 0;
}

static int add_val(const void *node, void *arg)
{
	*(uint64_t *)arg += ((const struct lnode *)node)->val;
	return 0;
}

static int h_list(struct ccrpc_call *call, const uint64_t *a, unsigned n, uint64_t *r, void *u)
{
	uint64_t sum = 0;
	long k;

	(void)u;
	if (n != 1)
		return CCRPC_EINVAL;
	k = ccrpc_walk_list(call, a[0], sizeof(struct lnode), offsetof(struct lnode, next),
			    add_val, &sum);
	if (k < 0)
		return (int)k;
	*r = sum;
	return 0;
}

static int h_tree(struct ccrpc_call *call, const uint64_t *a, unsigned n, uint64_t *r, void *u)
{
	uint64_t sum = 0;
	long k;

	(void)u;
	if (n != 1)
		return CCRPC_EINVAL;
	k = ccrpc_walk_tree(call, a[0], sizeof(struct tnode), offsetof(struct tnode, kid), 2,
			    add_val, &sum);
	if (k < 0)
		return (int)k;
	*r = sum ^ ((uint64_t)k << 48);	/* the count too, so a short walk cannot pass */
	return 0;
}

/* slow(ms, x): sleeps, then answers from its private copy of the frame: 2x+1. */
static int h_slow(struct ccrpc_call *call, const uint64_t *a, unsigned n, uint64_t *r, void *u)
{
	(void)call, (void)u;
	if (n != 2 || a[0] > 60000)
		return CCRPC_EINVAL;
	usleep((useconds_t)a[0] * 1000);
	*r = 2 * a[1] + 1;
	return 0;
}

/* echo2(out): writes two words into the caller's arena through a checked pointer. */
static int h_echo2(struct ccrpc_call *call, const uint64_t *a, unsigned n, uint64_t *r, void *u)
{
	volatile uint64_t *o;

	(void)u;
	if (n != 1 || !(o = ccrpc_wptr(call, a[0], 16)))
		return CCRPC_EBADPTR;
	o[0] = 0xfeedfacecafebeefull;
	o[1] = ccrpc_caller(call);
	*r = 16;
	return 0;
}

static struct ccrpc_server *g_srv;
static volatile sig_atomic_t g_dump;
static void on_usr1(int sig) { (void)sig; g_dump = 1; }

static int serve(const char *name, const char *allow, unsigned spin)
{
	struct ccrpc_server_opts o = { .allow = allow, .spin_us = spin };
	struct ccrpc_server_stats st;
	char path[128];
	int err;

	g_srv = ccrpc_serve(name, &o, &err);
	if (!g_srv) {
		fprintf(stderr, "serve: %s\n", ccrpc_strerror(err));
		return 1;
	}
	if (ccrpc_export(g_srv, F_NULL, "null", h_null, NULL) ||
	    ccrpc_export(g_srv, F_CSUM, "checksum", h_csum, NULL) ||
	    ccrpc_export(g_srv, F_LIST, "sum_list", h_list, NULL) ||
	    ccrpc_export(g_srv, F_TREE, "sum_tree", h_tree, NULL) ||
	    ccrpc_export(g_srv, F_SLOW, "slow", h_slow, NULL) ||
	    ccrpc_export(g_srv, F_ECHO2, "echo2", h_echo2, NULL) ||
	    (err = ccrpc_publish(g_srv))) {
		fprintf(stderr, "serve: export/publish failed\n");
		return 1;
	}
	signal(SIGUSR1, on_usr1);
	snprintf(path, sizeof(path), "/tmp/ccrpc-%s.stats", name);
	printf("serving %s\n", name);
	fflush(stdout);
	for (;;) {
		err = ccrpc_run(g_srv, 200);
		if (err && err != CCRPC_ETIMEDOUT) {
			fprintf(stderr, "run: %s\n", ccrpc_strerror(err));
			return 1;
		}
		if (g_dump) {
			FILE *f = fopen(path, "w");

			g_dump = 0;
			ccrpc_server_stats(g_srv, &st);
			if (f) {
				fprintf(f, "calls %llu\nerrors %llu\nbad_ptr %llu\nloops %llu\nunknown_fn %llu\n"
					"clients_now %llu\nclients_total %llu\nclients_gone %llu\n",
					(unsigned long long)st.calls, (unsigned long long)st.errors,
					(unsigned long long)st.bad_ptr, (unsigned long long)st.loops,
					(unsigned long long)st.unknown_fn, (unsigned long long)st.clients_now,
					(unsigned long long)st.clients_total, (unsigned long long)st.clients_gone);
				fclose(f);
			}
		}
	}
}

/* ---- client tests ------------------------------------------------------------------ */
static int fails;
#define FAIL(t, ...) do { printf("FAIL %s: ", t); printf(__VA_ARGS__); printf("\n"); fails++; return; } while (0)
#define OK(t, ...) do { printf("ok %s ", t); printf(__VA_ARGS__); printf("\n"); } while (0)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t P(const void *p) { return (uint64_t)(uintptr_t)p; }

static void t_null(struct ccrpc_client *c)
{
	uint64_t r = 99;
	int rc = ccrpc_call(c, F_NULL, NULL, 0, &r, TMO);

	if (rc || r != 0)
		FAIL("null", "rc %s result %llu", ccrpc_strerror(rc), (unsigned long long)r);
	OK("null", "%s", "");
}

static void t_buf(struct ccrpc_client *c)
{
	size_t n = 1 << 20;
	uint8_t *b = ccrpc_alloc(c, n);
	uint64_t r = 0, a[2];
	int rc;

	if (!b)
		FAIL("buf", "no arena memory for 1 MiB");
	srand(7);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rand();
	a[0] = P(b), a[1] = n;
	rc = ccrpc_call(c, F_CSUM, a, 2, &r, TMO);
	if (rc || r != fnv(b, n))
		FAIL("buf", "rc %s, server %llx local %llx", ccrpc_strerror(rc), (unsigned long long)r,
		     (unsigned long long)fnv(b, n));
	/* Change one byte, in place: the next call must see it (no stale copy anywhere). */
	b[n / 2] ^= 0x5a;
	rc = ccrpc_call(c, F_CSUM, a, 2, &r, TMO);
	if (rc || r != fnv(b, n))
		FAIL("buf", "after an in-place change: rc %s", ccrpc_strerror(rc));
	OK("buf", "1MiB fnv %llx", (unsigned long long)r);
	ccrpc_free(c, b);
}

static struct lnode *mklist(struct ccrpc_client *c, unsigned n, uint64_t *sum)
{
	struct lnode *head = NULL, *x;

	*sum = 0;
	for (unsigned i = 0; i < n; i++) {
		x = ccrpc_alloc(c, sizeof(*x));
		if (!x)
			return NULL;
		x->val = (uint64_t)rand() * 7919u + i;
		x->next = P(head);
		*sum += x->val;
		head = x;
	}
	return head;
}

static void t_list(struct ccrpc_client *c)
{
	uint64_t sum, r = 0, a[1];
	struct lnode *h;
	int rc;

	ccrpc_reset(c);
	h = mklist(c, 100000, &sum);
	if (!h)
		FAIL("list", "arena too small for 100000 nodes");
	a[0] = P(h);
	rc = ccrpc_call(c, F_LIST, a, 1, &r, TMO);
	if (rc || r != sum)
		FAIL("list", "rc %s server %llu local %llu", ccrpc_strerror(rc), (unsigned long long)r,
		     (unsigned long long)sum);
	OK("list", "100000 nodes sum %llu", (unsigned long long)r);
	ccrpc_reset(c);
}

static struct tnode *tins(struct ccrpc_client *c, struct tnode *t, uint64_t v)
{
	struct tnode **pp = &t, *root = t;

	while (*pp)
		pp = (struct tnode **)&(*pp)->kid[v >= (*pp)->val];
	*pp = ccrpc_alloc(c, sizeof(**pp));
	if (!*pp)
		return NULL;
	(*pp)->val = v;
	return root ? root : *pp;
}

static void t_tree(struct ccrpc_client *c)
{
	struct tnode *t = NULL;
	uint64_t sum = 0, r = 0, a[1];
	unsigned n = 20000;
	int rc;

	ccrpc_reset(c);
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = ((uint64_t)rand() << 16) ^ (uint64_t)rand();

		t = tins(c, t, v);
		if (!t)
			FAIL("tree", "arena full");
		sum += v;
	}
	a[0] = P(t);
	rc = ccrpc_call(c, F_TREE, a, 1, &r, TMO);
	if (rc || r != (sum ^ ((uint64_t)n << 48)))
		FAIL("tree", "rc %s server %llx local %llx", ccrpc_strerror(rc), (unsigned long long)r,
		     (unsigned long long)(sum ^ ((uint64_t)n << 48)));
	OK("tree", "%u nodes", n);
	ccrpc_reset(c);
}

static void t_unknown(struct ccrpc_client *c)
{
	uint64_t r;
	int rc = ccrpc_call(c, 200, NULL, 0, &r, TMO);

	if (rc != CCRPC_ENOFN)
		FAIL("unknown", "fn 200 gave %s", ccrpc_strerror(rc));
	if (ccrpc_lookup(c, "sum_list") != F_LIST || ccrpc_lookup(c, "nope") != CCRPC_ENOFN)
		FAIL("unknown", "lookup by name wrong");
	OK("unknown", "%s", "");
}

/* Pointers outside the arena: our stack, the server's guess of its own memory, a
 * range straddling the heap end, a wrapping length, a list leaving the arena. */
static void t_badptr(struct ccrpc_client *c)
{
	void *base;
	size_t len;
	uint64_t stackvar = 1, r, a[2], sum;
	struct lnode *h, *x;
	int rc, i;
	const struct { uint64_t p, n; } cases[4] = {
		{ P(&stackvar), 8 },
		{ 0x400000, 64 },
		{ 0, 0 },	/* filled below: straddles the end */
		{ 0, UINT64_MAX - 8 },	/* filled below: length wraps */
	};
	uint64_t cp[4], cn[4];

	ccrpc_heap(c, &base, &len);
	for (i = 0; i < 4; i++)
		cp[i] = cases[i].p, cn[i] = cases[i].n;
	cp[2] = P(base) + len - 8, cn[2] = 16;
	cp[3] = P(base) + 64;
	for (i = 0; i < 4; i++) {
		a[0] = cp[i], a[1] = cn[i];
		rc = ccrpc_call(c, F_CSUM, a, 2, &r, TMO);
		if (rc != CCRPC_EBADPTR)
			FAIL("badptr", "case %d gave %s", i, ccrpc_strerror(rc));
	}
	/* Control: an in-range pointer of the same shape works. */
	a[0] = P(base) + len - 16, a[1] = 16;
	if ((rc = ccrpc_call(c, F_CSUM, a, 2, &r, TMO)))
		FAIL("badptr", "control in-range call gave %s", ccrpc_strerror(rc));
	ccrpc_reset(c);
	h = mklist(c, 1000, &sum);
	for (x = h, i = 0; i < 500; i++)
		x = (struct lnode *)(uintptr_t)x->next;
	x->next = P(&stackvar);
	a[0] = P(h);
	rc = ccrpc_call(c, F_LIST, a, 1, &r, TMO);
	if (rc != CCRPC_EBADPTR)
		FAIL("badptr", "list leaving the arena gave %s", ccrpc_strerror(rc));
	OK("badptr", "5 out-of-arena arguments rejected, in-range control accepted");
	ccrpc_reset(c);
}

static void t_loop(struct ccrpc_client *c)
{
	uint64_t sum, r, a[1];
	struct lnode *h, *x;
	struct tnode *t[3];
	int rc, i;

	ccrpc_reset(c);
	h = mklist(c, 100, &sum);
	for (x = h; x->next; x = (struct lnode *)(uintptr_t)x->next)
		;
	x->next = P(h);		/* tail -> head */
	a[0] = P(h);
	uint64_t t0 = now_ns();
	rc = ccrpc_call(c, F_LIST, a, 1, &r, TMO);
	if (rc != CCRPC_ELOOP)
		FAIL("loop", "looping list gave %s", ccrpc_strerror(rc));
	for (i = 0; i < 3; i++)
		t[i] = ccrpc_alloc(c, sizeof(*t[i]));
	t[0]->kid[0] = P(t[1]), t[1]->kid[1] = P(t[2]), t[2]->kid[0] = P(t[0]);
	a[0] = P(t[0]);
	rc = ccrpc_call(c, F_TREE, a, 1, &r, TMO);
	if (rc != CCRPC_ELOOP)
		FAIL("loop", "cyclic tree gave %s", ccrpc_strerror(rc));
	OK("loop", "looping list and cyclic tree rejected (list in %.1f ms)", (now_ns() - t0) / 1e6);
	ccrpc_reset(c);
}

/* Rewrite our frame while the server runs it: the server answers from its own copy. */
static void t_frames(struct ccrpc_client *c)
{
	volatile struct ccrpc_frame *fr = ccrpc_client_frames(c);
	uint64_t a[2] = { 400, 1000 }, r = 0;
	int tk, rc, i;
	uint64_t end;

	tk = ccrpc_post(c, F_SLOW, a, 2);
	if (tk < 0)
		FAIL("frames", "post: %s", ccrpc_strerror(tk));
	/* Once the server has claimed it (RUNNING), nothing we write may matter. */
	end = now_ns() + TMO * 1000000ull;
	while (__atomic_load_n(&fr[tk].state, __ATOMIC_ACQUIRE) != CCRPC_F_RUNNING && now_ns() < end)
		;
	if (fr[tk].state != CCRPC_F_RUNNING)
		FAIL("frames", "the server never claimed the slow call");
	end = now_ns() + 300000000ull;
	while (now_ns() < end) {	/* scribble over everything but state and seq */
		fr[tk].fn = 0xdeadbeef;
		fr[tk].nargs = 0xffff;
		fr[tk].arg[0] = 0x1111, fr[tk].arg[1] = 0x2222;
	}
	rc = ccrpc_wait(c, tk, &r, TMO);
	if (rc || r != 2 * 1000 + 1)
		FAIL("frames", "rewritten call gave %s result %llu (want 2001)", ccrpc_strerror(rc),
		     (unsigned long long)r);
	/* Garbage frames posted straight into free slots: a clear error each, no crash. */
	for (i = 0; i < 3; i++) {
		volatile struct ccrpc_frame *g = &fr[CCRPC_SLOTS - 1 - i];

		g->fn = i == 0 ? 0xffffffffu : (i == 1 ? 3 : 250);
		g->nargs = i == 1 ? 1000 : 1;
		g->seq = 777 + i;
		g->arg[0] = 0x7fffffffffffull;
		__atomic_store_n(&g->state, (uint32_t)CCRPC_F_POSTED, __ATOMIC_RELEASE);
	}
	/* The server notices them with the next call's notification. */
	if ((rc = ccrpc_call(c, F_NULL, NULL, 0, &r, TMO)))
		FAIL("frames", "null after garbage frames: %s", ccrpc_strerror(rc));
	end = now_ns() + TMO * 1000000ull;
	for (i = 0; i < 3; i++) {
		volatile struct ccrpc_frame *g = &fr[CCRPC_SLOTS - 1 - i];
		int want = i == 1 ? CCRPC_EINVAL : CCRPC_ENOFN;

		while (__atomic_load_n(&g->state, __ATOMIC_ACQUIRE) != CCRPC_F_DONE && now_ns() < end)
			;
		if (g->state != CCRPC_F_DONE || g->status != want)
			FAIL("frames", "garbage frame %d: state %u status %d (want %d)", i, g->state,
			     g->status, want);
		g->state = CCRPC_F_FREE;
	}
	OK("frames", "rewritten frame answered from the server's copy; 3 garbage frames refused");
}

/* Two connections: a pointer into connection 1's arena is refused on connection 2,
 * although the server has that memory mapped (for connection 1). */
static void t_isolation(struct ccrpc_client *c, const char *server, const char *name)
{
	struct ccrpc_client *c2;
	uint64_t r, a[2];
	void *b;
	int err, rc;

	c2 = ccrpc_connect(server, name, NULL, &err);
	if (!c2)
		FAIL("isolation", "second connection: %s", ccrpc_strerror(err));
	b = ccrpc_alloc(c, 4096);
	memset(b, 1, 4096);
	a[0] = P(b), a[1] = 4096;
	rc = ccrpc_call(c2, F_CSUM, a, 2, &r, TMO);
	if (rc != CCRPC_EBADPTR) {
		ccrpc_close(c2);
		FAIL("isolation", "other connection's arena gave %s", ccrpc_strerror(rc));
	}
	rc = ccrpc_call(c, F_CSUM, a, 2, &r, TMO);	/* control: its own connection */
	ccrpc_close(c2);
	if (rc || r != fnv(b, 4096))
		FAIL("isolation", "control on the owning connection gave %s", ccrpc_strerror(rc));
	/* echo2: the server writes into our arena, and says who we are. */
	uint64_t *o = ccrpc_alloc(c, 16);
	a[0] = P(o);
	if ((rc = ccrpc_call(c, F_ECHO2, a, 1, &r, TMO)) || o[0] != 0xfeedfacecafebeefull)
		FAIL("isolation", "echo2 gave %s", ccrpc_strerror(rc));
	OK("isolation", "cross-arena pointer refused, own arena accepted, caller domid %llu",
	   (unsigned long long)o[1]);
	ccrpc_reset(c);
}

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* bench: null-call p50/p99, calls/s with many in flight, sizes 64 B..1 MiB, list. */
static void bench(struct ccrpc_client *c)
{
	enum { N = 2000 };
	static uint64_t lat[N];
	uint64_t r, a[2], t0, sum;
	size_t sz;
	int i, k, tk[64], rc;
	struct lnode *h;

	for (i = 0; i < 200; i++)
		ccrpc_call(c, F_NULL, NULL, 0, &r, TMO);
	for (i = 0; i < N; i++) {
		t0 = now_ns();
		rc = ccrpc_call(c, F_NULL, NULL, 0, &r, TMO);
		lat[i] = now_ns() - t0;
		if (rc) {
			printf("FAIL bench: null call: %s\n", ccrpc_strerror(rc));
			fails++;
			return;
		}
	}
	qsort(lat, N, sizeof(lat[0]), cmp64);
	printf("null_p50_us %.2f\nnull_p99_us %.2f\n", lat[N / 2] / 1e3, lat[N * 99 / 100] / 1e3);
	t0 = now_ns();
	for (k = 0; k < 200; k++) {
		for (i = 0; i < 64; i++)
			tk[i] = ccrpc_post(c, F_NULL, NULL, 0);
		for (i = 0; i < 64; i++)
			if (tk[i] < 0 || (rc = ccrpc_wait(c, tk[i], &r, TMO))) {
				printf("FAIL bench: calls in flight: %s\n", ccrpc_strerror(tk[i] < 0 ? tk[i] : rc));
				fails++;
				return;
			}
	}
	printf("null_inflight64_calls_per_s %.0f\n", 200 * 64 / ((now_ns() - t0) / 1e9));
	for (sz = 64; sz <= (1 << 20); sz *= 4) {
		uint8_t *b = ccrpc_alloc(c, sz);

		uint64_t want;

		memset(b, 3, sz);
		want = fnv(b, sz);
		a[0] = P(b), a[1] = sz;
		for (i = 0; i < 50; i++) {
			t0 = now_ns();
			rc = ccrpc_call(c, F_CSUM, a, 2, &r, TMO);
			lat[i] = now_ns() - t0;
			if (rc || r != want) {
				printf("FAIL bench: checksum of %zu bytes: %s\n", sz, ccrpc_strerror(rc));
				fails++;
				return;
			}
		}
		qsort(lat, 50, sizeof(lat[0]), cmp64);
		printf("csum_%zu_p50_us %.2f\n", sz, lat[25] / 1e3);
		ccrpc_free(c, b);
	}
	ccrpc_reset(c);
	h = mklist(c, 100000, &sum);
	a[0] = P(h);
	for (i = 0; i < 10; i++) {
		t0 = now_ns();
		rc = ccrpc_call(c, F_LIST, a, 1, &r, TMO);
		lat[i] = now_ns() - t0;
		if (rc || r != sum) {
			printf("FAIL bench: list sum: %s\n", ccrpc_strerror(rc));
			fails++;
			return;
		}
	}
	qsort(lat, 10, sizeof(lat[0]), cmp64);
	printf("list100k_p50_us %.2f\n", lat[5] / 1e3);
	ccrpc_reset(c);
}

int main(int argc, char **argv)
{
	struct ccrpc_client_opts o = { .connect_timeout_ms = TMO };	/* 4 MiB heap */
	struct ccrpc_client *c;
	int err, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "serve"))
		return serve(argv[2], argc > 3 ? argv[3] : NULL, argc > 4 ? (unsigned)atoi(argv[4]) : 0);
	if (argc < 4) {
		fprintf(stderr, "usage: ccrpc-test serve NAME [ALLOW [SPIN_US]] | run SERVER NAME TEST... | "
				"connect SERVER NAME | slow SERVER NAME MS | bench SERVER NAME [SPIN_US]\n");
		return 2;
	}
	if (!strcmp(argv[1], "bench") && argc > 4)
		o.spin_us = (unsigned)atoi(argv[4]);
	c = ccrpc_connect(argv[2], argv[3], &o, &err);
	if (!c) {
		printf("connect: %s (%s)\n", ccrpc_strerror(err), ccrpc_last_error());
		return 3;
	}
	if (!strcmp(argv[1], "connect")) {
		printf("connected\n");
	} else if (!strcmp(argv[1], "slow") && argc > 4) {
		uint64_t a[2] = { (uint64_t)atoi(argv[4]), 1 }, r;

		printf("calling slow\n");
		err = ccrpc_call(c, F_SLOW, a, 2, &r, 0);
		printf("slow: %s\n", ccrpc_strerror(err));
	} else if (!strcmp(argv[1], "bench")) {
		bench(c);
	} else {
		srand(42);
		for (i = 4; i < argc; i++) {
			const char *t = argv[i];

			if (!strcmp(t, "null")) t_null(c);
			else if (!strcmp(t, "buf")) t_buf(c);
			else if (!strcmp(t, "list")) t_list(c);
			else if (!strcmp(t, "tree")) t_tree(c);
			else if (!strcmp(t, "unknown")) t_unknown(c);
			else if (!strcmp(t, "badptr")) t_badptr(c);
			else if (!strcmp(t, "loop")) t_loop(c);
			else if (!strcmp(t, "frames")) t_frames(c);
			else if (!strcmp(t, "isolation")) t_isolation(c, argv[2], argv[3]);
			else { printf("FAIL %s: no such test\n", t); fails++; }
		}
	}
	ccrpc_close(c);
	return fails ? 1 : 0;
}
