// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ccrpc-kvd - a key-value store served over libccrpc: the values live in the server's
 * private memory; a put copies the caller's value once (the store must not change
 * when the caller later reuses its buffer), a get writes straight into the caller's
 * buffer.  Usage: ccrpc-kvd [SERVICE [ALLOW [SPIN_US]]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ccrpc.h"
#include "kv.h"

#define NBUCKET 4096
struct item {
	struct item *next;
	char key[KV_KEYMAX];
	size_t len;
	unsigned char *val;
};
static struct item *tab[NBUCKET];

static unsigned hash(const char *k)
{
	unsigned h = 5381;

	while (*k)
		h = h * 33 + (unsigned char)*k++;
	return h % NBUCKET;
}

static struct item **lookup(const char *k)
{
	struct item **pp = &tab[hash(k)];

	while (*pp && strcmp((*pp)->key, k))
		pp = &(*pp)->next;
	return pp;
}

static int kv_put(struct ccrpc_call *call, const uint64_t *a, unsigned n, uint64_t *r, void *u)
{
	char key[KV_KEYMAX];
	struct item **pp, *it;
	unsigned char *v;
	int rc;

	(void)u;
	if (n != 3 || a[2] > KV_VALMAX)
		return CCRPC_EINVAL;
	if ((rc = ccrpc_snap_str(call, key, a[0], sizeof(key))))
		return rc;
	v = malloc(a[2] ? a[2] : 1);
	if (!v)
		return CCRPC_ENOMEM;
	if ((rc = ccrpc_snap(call, v, a[1], a[2]))) {
		free(v);
		return rc;
	}
	pp = lookup(key);
	if (!*pp) {
		it = calloc(1, sizeof(*it));
		if (!it) {
			free(v);
			return CCRPC_ENOMEM;
		}
		memcpy(it->key, key, sizeof(key));
		*pp = it;
	}
	free((*pp)->val);
	(*pp)->val = v;
	(*pp)->len = a[2];
	*r = 0;
	return 0;
}

static int kv_get(struct ccrpc_call *call, const uint64_t *a, unsigned n, uint64_t *r, void *u)
{
	char key[KV_KEYMAX];
	struct item *it;
	volatile unsigned char *out;
	int rc;

	(void)u;
	if (n != 3)
		return CCRPC_EINVAL;
	if ((rc = ccrpc_snap_str(call, key, a[0], sizeof(key))))
		return rc;
	it = *lookup(key);
	if (!it) {
		*r = UINT64_MAX;	/* absent */
		return 0;
	}
	*r = it->len;
	if (it->len > a[2])
		return 0;
	out = ccrpc_wptr(call, a[1], it->len);
	if (!out && it->len)
		return CCRPC_EBADPTR;
	for (size_t i = 0; i < it->len; i++)
		out[i] = it->val[i];
	return 0;
}

static int kv_del(struct ccrpc_call *call, const uint64_t *a, unsigned n, uint64_t *r, void *u)
{
	char key[KV_KEYMAX];
	struct item **pp, *it;
	int rc;

	(void)u;
	if (n != 1)
		return CCRPC_EINVAL;
	if ((rc = ccrpc_snap_str(call, key, a[0], sizeof(key))))
		return rc;
	pp = lookup(key);
	it = *pp;
	*r = it != NULL;
	if (it) {
		*pp = it->next;
		free(it->val);
		free(it);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ccrpc_server_opts o = {
		.allow = argc > 2 ? argv[2] : NULL,
		.spin_us = argc > 3 ? (unsigned)atoi(argv[3]) : 0,
	};
	struct ccrpc_server *s;
	int err;

	s = ccrpc_serve(argc > 1 ? argv[1] : "kv", &o, &err);
	if (!s) {
		fprintf(stderr, "ccrpc-kvd: %s\n", ccrpc_strerror(err));
		return 1;
	}
	if (ccrpc_export(s, KV_PUT, "put", kv_put, NULL) || ccrpc_export(s, KV_GET, "get", kv_get, NULL) ||
	    ccrpc_export(s, KV_DEL, "del", kv_del, NULL) || (err = ccrpc_publish(s))) {
		fprintf(stderr, "ccrpc-kvd: publish failed\n");
		return 1;
	}
	printf("ccrpc-kvd: serving\n");
	fflush(stdout);
	err = ccrpc_run(s, 0);
	fprintf(stderr, "ccrpc-kvd: %s\n", ccrpc_strerror(err));
	ccrpc_server_close(s);
	return 1;
}
