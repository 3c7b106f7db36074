// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ccrpc-kv - client of ccrpc-kvd.
 *   ccrpc-kv SERVER put KEY VALUE | get KEY | del KEY
 *   ccrpc-kv SERVER check N      put N keys with distinct values, get each back, compare,
 *                                delete them; prints "kv check N ok" and calls/s */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ccrpc.h"
#include "kv.h"

static uint64_t P(const void *p) { return (uint64_t)(uintptr_t)p; }

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct ccrpc_client_opts o = { .connect_timeout_ms = 60000 };
	struct ccrpc_client *c;
	char *key, *val, *buf;
	uint64_t a[3], r;
	int err, rc = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: ccrpc-kv SERVER put KEY VALUE | get KEY | del KEY | check N\n");
		return 2;
	}
	/* Generous timeouts: the lab runs this under QEMU/TCG on a shared host. */
	c = ccrpc_connect(argv[1], "kv", &o, &err);
	if (!c) {
		printf("connect: %s (%s)\n", ccrpc_strerror(err), ccrpc_last_error());
		return 3;
	}
	key = ccrpc_alloc(c, KV_KEYMAX);
	buf = ccrpc_alloc(c, 65536);
	if (!strcmp(argv[2], "check")) {
		int n = atoi(argv[3]), i, bad = 0;
		double t0 = now_s();

		val = ccrpc_alloc(c, 256);
		for (i = 0; i < n && !bad; i++) {
			snprintf(key, KV_KEYMAX, "key-%d", i);
			int len = snprintf(val, 256, "value %d %x", i, i * 2654435761u);
			a[0] = P(key), a[1] = P(val), a[2] = (uint64_t)len;
			bad = ccrpc_call(c, KV_PUT, a, 3, &r, 60000) != 0;
		}
		for (i = 0; i < n && !bad; i++) {
			char want[256];
			int len = snprintf(want, sizeof(want), "value %d %x", i, i * 2654435761u);

			snprintf(key, KV_KEYMAX, "key-%d", i);
			a[0] = P(key), a[1] = P(buf), a[2] = 65536;
			bad = ccrpc_call(c, KV_GET, a, 3, &r, 60000) != 0 || r != (uint64_t)len ||
			      memcmp(buf, want, (size_t)len);
		}
		for (i = 0; i < n && !bad; i++) {
			snprintf(key, KV_KEYMAX, "key-%d", i);
			a[0] = P(key);
			bad = ccrpc_call(c, KV_DEL, a, 1, &r, 60000) != 0 || r != 1;
		}
		if (bad) {
			printf("kv check failed at %d\n", i);
			rc = 1;
		} else {
			printf("kv check %d ok, %.0f calls/s\n", n, 3 * n / (now_s() - t0));
		}
	} else if (!strcmp(argv[2], "put") && argc > 4) {
		snprintf(key, KV_KEYMAX, "%s", argv[3]);
		val = ccrpc_alloc(c, strlen(argv[4]) + 1);
		strcpy(val, argv[4]);
		a[0] = P(key), a[1] = P(val), a[2] = strlen(val);
		rc = ccrpc_call(c, KV_PUT, a, 3, &r, 60000);
	} else if (!strcmp(argv[2], "get")) {
		snprintf(key, KV_KEYMAX, "%s", argv[3]);
		a[0] = P(key), a[1] = P(buf), a[2] = 65535;
		rc = ccrpc_call(c, KV_GET, a, 3, &r, 60000);
		if (!rc && r == UINT64_MAX)
			rc = 1, printf("(absent)\n");
		else if (!rc && r <= 65535)
			printf("%.*s\n", (int)r, buf);
	} else if (!strcmp(argv[2], "del")) {
		snprintf(key, KV_KEYMAX, "%s", argv[3]);
		a[0] = P(key);
		rc = ccrpc_call(c, KV_DEL, a, 1, &r, 60000);
	}
	if (rc < 0)
		printf("error: %s\n", ccrpc_strerror(rc));
	ccrpc_close(c);
	return rc ? 1 : 0;
}
