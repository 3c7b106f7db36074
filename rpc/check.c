// SPDX-License-Identifier: GPL-2.0 OR MIT
/* check.c - how a handler reads a client's memory: every access is range-checked
 * against that client's heap, small things are copied once (snapshots), and walks are
 * bounded by what the heap can hold, so a looping or rewritten structure ends in an
 * error, never in a fault or a hang. */
#include <string.h>
#include "ccrpc_int.h"

unsigned ccrpc_caller(const struct ccrpc_call *call) { return call->domid; }

int ccrpc_ptr_ok(const struct ccrpc_call *call, uint64_t p, size_t len)
{
	/* Overflow-safe: p in [lo, hi) and len fits in what remains. */
	return p >= call->lo && p < call->hi && len <= call->hi - p;
}

const volatile void *ccrpc_ptr(const struct ccrpc_call *call, uint64_t p, size_t len)
{
	if (!ccrpc_ptr_ok(call, p, len))
		return NULL;
	return (const volatile void *)(uintptr_t)p;
}

volatile void *ccrpc_wptr(const struct ccrpc_call *call, uint64_t p, size_t len)
{
	if (!ccrpc_ptr_ok(call, p, len))
		return NULL;
	return (volatile void *)(uintptr_t)p;
}

int ccrpc_snap(const struct ccrpc_call *call, void *dst, uint64_t p, size_t len)
{
	if (!ccrpc_ptr_ok(call, p, len)) {
		((struct ccrpc_call *)call)->badptr++;
		return CCRPC_EBADPTR;
	}
	/* One read of each byte: the handler works on dst from here on. */
	memcpy(dst, (const void *)(uintptr_t)p, len);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);	/* keep the copy a copy */
	return 0;
}

int ccrpc_snap_str(const struct ccrpc_call *call, char *dst, uint64_t p, size_t max)
{
	size_t i;

	if (!max)
		return CCRPC_EINVAL;
	for (i = 0; i < max; i++) {
		if (!ccrpc_ptr_ok(call, p + i, 1) || p + i < p) {
			((struct ccrpc_call *)call)->badptr++;
			return CCRPC_EBADPTR;
		}
		dst[i] = *(const volatile char *)(uintptr_t)(p + i);
		if (!dst[i])
			return 0;
	}
	dst[max - 1] = 0;
	return CCRPC_EINVAL;	/* not terminated within max */
}

/* The most nodes of size NODE that fit in the heap: a walk visiting more has met a
 * node twice, i.e. a loop (or the client kept rewriting it). */
static uint64_t max_nodes(const struct ccrpc_call *call, size_t node)
{
	return node ? (call->hi - call->lo) / node : 0;
}

long ccrpc_walk_list(const struct ccrpc_call *call, uint64_t head, size_t node, size_t next_off,
		     int (*visit)(const void *node, void *arg), void *arg)
{
	struct ccrpc_call *mc = (struct ccrpc_call *)call;
	unsigned char buf[256];
	uint64_t p = head, n = 0, limit = max_nodes(call, node), next;
	int rc;

	if (node == 0 || node > sizeof(buf) || next_off > node - sizeof(uint64_t))
		return CCRPC_EINVAL;
	while (p) {
		if (n++ >= limit) {
			mc->loops++;
			return CCRPC_ELOOP;
		}
		rc = ccrpc_snap(call, buf, p, node);
		if (rc)
			return rc;
		memcpy(&next, buf + next_off, sizeof(next));
		if (visit && (rc = visit(buf, arg)) < 0)
			return rc;
		p = next;
	}
	return (long)n;
}

long ccrpc_walk_tree(const struct ccrpc_call *call, uint64_t root, size_t node, size_t kids_off,
		     unsigned nkids, int (*visit)(const void *node, void *arg), void *arg)
{
	struct ccrpc_call *mc = (struct ccrpc_call *)call;
	enum { DEPTH = 4096 };
	uint64_t stack[DEPTH], kid, limit = max_nodes(call, node), n = 0;
	unsigned char buf[256];
	unsigned sp = 0, k;
	int rc;

	if (node == 0 || node > sizeof(buf) || nkids == 0 || nkids > 16 ||
	    kids_off > node || nkids * sizeof(uint64_t) > node - kids_off)
		return CCRPC_EINVAL;
	if (root)
		stack[sp++] = root;
	while (sp) {
		uint64_t p = stack[--sp];

		if (n++ >= limit) {
			mc->loops++;
			return CCRPC_ELOOP;
		}
		rc = ccrpc_snap(call, buf, p, node);
		if (rc)
			return rc;
		if (visit && (rc = visit(buf, arg)) < 0)
			return rc;
		for (k = nkids; k-- > 0;) {	/* reversed: children visited left to right */
			memcpy(&kid, buf + kids_off + k * sizeof(uint64_t), sizeof(kid));
			if (!kid)
				continue;
			if (sp == DEPTH) {	/* deeper than any tree we accept: treat as a loop */
				mc->loops++;
				return CCRPC_ELOOP;
			}
			stack[sp++] = kid;
		}
	}
	return (long)n;
}
