// SPDX-License-Identifier: GPL-2.0 OR MIT
/* onc-bench - ONC RPC (rpcgen + libtirpc, TCP, fixed port, no rpcbind) counterpart
 * of `ccrpc-test bench`, for bench/results/rpc.json.
 *   onc-bench serve PORT
 *   onc-bench bench HOST PORT    prints the same key value lines as ccrpc-test bench */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <rpc/rpc.h>
#include "ccbench.h"

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* Server procedures (rpcgen's _svc names). */
void *cb_null_1_svc(void *a, struct svc_req *r) { static char x; (void)a, (void)r; return &x; }
u_quad_t *cb_csum_1_svc(blob *b, struct svc_req *r)
{
	static u_quad_t v;

	(void)r;
	v = fnv((const uint8_t *)b->blob_val, b->blob_len);
	return &v;
}
u_quad_t *cb_sumlist_1_svc(lptr *l, struct svc_req *r)
{
	static u_quad_t v;
	lnode *n;

	(void)r;
	v = 0;
	for (n = *l; n; n = n->next)
		v += n->val;
	return &v;
}
void ccbench_1(struct svc_req *rqstp, SVCXPRT *transp);

static int port_arg;
static void *serve_thread(void *arg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port_arg) };
	SVCXPRT *x;
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	(void)arg;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16)) {
		perror("bind");
		exit(1);
	}
	x = svctcp_create(s, 0, 0);
	/* Protocol 0: not registered with rpcbind (the port is fixed). */
	if (!x || !svc_register(x, CCBENCH, CCBENCH_V1, ccbench_1, 0)) {
		fprintf(stderr, "svc setup failed\n");
		exit(1);
	}
	printf("serving on %d\n", port_arg);
	fflush(stdout);
	svc_run();
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const char *host_arg;
static void *bench_thread(void *arg)
{
	enum { N = 2000 };
	static uint64_t lat[N];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port_arg) };
	struct timeval tmo = { 60, 0 };
	int sock = RPC_ANYSOCK, i;
	CLIENT *c;
	uint64_t t0, *r, want = 0;
	size_t sz;
	lnode *nodes;
	lptr head;

	(void)arg;
	inet_pton(AF_INET, host_arg, &a.sin_addr);
	c = clnttcp_create(&a, CCBENCH, CCBENCH_V1, &sock, 0, 0);
	if (!c) {
		clnt_pcreateerror("clnttcp_create");
		exit(1);
	}
	clnt_control(c, CLSET_TIMEOUT, (char *)&tmo);
	for (i = 0; i < 200; i++)
		cb_null_1(NULL, c);
	for (i = 0; i < N; i++) {
		t0 = now_ns();
		if (!cb_null_1(NULL, c)) {
			clnt_perror(c, "null");
			exit(1);
		}
		lat[i] = now_ns() - t0;
	}
	qsort(lat, N, sizeof(lat[0]), cmp64);
	printf("null_p50_us %.2f\nnull_p99_us %.2f\n", lat[N / 2] / 1e3, lat[N * 99 / 100] / 1e3);
	/* Many in flight: ONC RPC over one TCP connection is one call at a time per
	 * CLIENT; batching with a zero timeout is the classic way to pipeline. */
	{
		struct timeval zero = { 0, 0 };
		t0 = now_ns();
		for (i = 0; i < 200 * 64; i++)
			clnt_call(c, CB_NULL, (xdrproc_t)(void (*)(void))xdr_void, NULL, (xdrproc_t)NULL, NULL, zero);
		cb_null_1(NULL, c);	/* a normal call flushes the batch */
		printf("null_inflight64_calls_per_s %.0f\n", 200 * 64 / ((now_ns() - t0) / 1e9));
	}
	for (sz = 64; sz <= (1 << 20); sz *= 4) {
		blob b = { .blob_len = (u_int)sz, .blob_val = malloc(sz) };

		memset(b.blob_val, 3, sz);
		for (i = 0; i < 50; i++) {
			t0 = now_ns();
			r = cb_csum_1(&b, c);
			lat[i] = now_ns() - t0;
			if (!r || *r != fnv((uint8_t *)b.blob_val, sz)) {
				fprintf(stderr, "csum wrong\n");
				exit(1);
			}
		}
		qsort(lat, 50, sizeof(lat[0]), cmp64);
		printf("csum_%zu_p50_us %.2f\n", sz, lat[25] / 1e3);
		free(b.blob_val);
	}
	nodes = calloc(100000, sizeof(*nodes));
	for (i = 0; i < 100000; i++) {
		nodes[i].val = (uint64_t)i * 7919u;
		nodes[i].next = i + 1 < 100000 ? &nodes[i + 1] : NULL;
		want += nodes[i].val;
	}
	head = nodes;
	for (i = 0; i < 10; i++) {
		t0 = now_ns();
		r = cb_sumlist_1(&head, c);
		lat[i] = now_ns() - t0;
		if (!r || *r != want) {
			fprintf(stderr, "list sum wrong\n");
			exit(1);
		}
	}
	qsort(lat, 10, sizeof(lat[0]), cmp64);
	printf("list100k_p50_us %.2f\n", lat[5] / 1e3);
	return NULL;
}

/* XDR walks a linked list recursively (xdr_pointer per node): 100 000 nodes need a
 * deep stack on both sides, so the work runs in a thread with 96 MiB of stack
 * (the lab guests have 256 MiB and no swap: much more is refused outright). */
static void run_big_stack(void *(*fn)(void *))
{
	pthread_attr_t at;
	pthread_t t;

	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 96u << 20);
	if (pthread_create(&t, &at, fn, NULL)) {
		perror("pthread_create");
		exit(1);
	}
	pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "serve")) {
		port_arg = atoi(argv[2]);
		run_big_stack(serve_thread);
		return 1;
	}
	if (argc == 4 && !strcmp(argv[1], "bench")) {
		host_arg = argv[2];
		port_arg = atoi(argv[3]);
		run_big_stack(bench_thread);
		return 0;
	}
	fprintf(stderr, "usage: onc-bench serve PORT | bench HOST PORT\n");
	return 2;
}
