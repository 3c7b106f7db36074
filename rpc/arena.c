// SPDX-License-Identifier: GPL-2.0 OR MIT
/* arena.c - the client's allocator for its shared heap.  The bookkeeping (a bitmap and
 * block lengths) lives in the client's private memory, not in the heap: the server has
 * write access to the heap, and must not be able to steer the client's allocator. */
#include <stdlib.h>
#include <string.h>
#include "ccrpc_int.h"

static int bit(const struct ccrpc_arena *a, size_t g) { return (a->used[g / 64] >> (g % 64)) & 1; }

static void set_bits(struct ccrpc_arena *a, size_t g, size_t n, int on)
{
	for (size_t i = g; i < g + n; i++) {
		if (on)
			a->used[i / 64] |= 1ull << (i % 64);
		else
			a->used[i / 64] &= ~(1ull << (i % 64));
	}
}

int ccrpc_arena_init(struct ccrpc_arena *a, void *base, size_t bytes)
{
	memset(a, 0, sizeof(*a));
	if (!base || ((uintptr_t)base % CCRPC_GRAN) || bytes < CCRPC_GRAN)
		return CCRPC_EINVAL;
	a->base = base;
	a->ngran = bytes / CCRPC_GRAN;
	a->used = calloc((a->ngran + 63) / 64, sizeof(*a->used));
	a->len = calloc(a->ngran, sizeof(*a->len));
	if (!a->used || !a->len) {
		ccrpc_arena_fini(a);
		return CCRPC_ENOMEM;
	}
	return 0;
}

void ccrpc_arena_fini(struct ccrpc_arena *a)
{
	free(a->used);
	free(a->len);
	a->used = NULL;
	a->len = NULL;
	a->ngran = 0;
}

/* First run of n free granules at or after g (wrapping once); SIZE_MAX if none. */
static size_t find_run(const struct ccrpc_arena *a, size_t start, size_t n)
{
	size_t run = 0, g = start, seen = 0;

	while (seen < a->ngran + n) {
		if (g == a->ngran) {	/* wrap: a run cannot span the end */
			g = 0;
			run = 0;
		}
		if (!(g % 64) && run == 0 && a->used[g / 64] == ~0ull && g + 64 <= a->ngran) {
			g += 64;	/* skip full words quickly */
			seen += 64;
			continue;
		}
		if (bit(a, g)) {
			run = 0;
		} else if (++run == n) {
			return g + 1 - n;
		}
		g++;
		seen++;
	}
	return SIZE_MAX;
}

void *ccrpc_arena_alloc(struct ccrpc_arena *a, size_t bytes)
{
	size_t n, g;

	if (!a->ngran || bytes == 0 || bytes > a->ngran * CCRPC_GRAN)
		return NULL;
	n = (bytes + CCRPC_GRAN - 1) / CCRPC_GRAN;
	if (n > UINT32_MAX || n > a->ngran - a->inuse)
		return NULL;
	g = find_run(a, a->cursor < a->ngran ? a->cursor : 0, n);
	if (g == SIZE_MAX)
		return NULL;
	set_bits(a, g, n, 1);
	a->len[g] = (uint32_t)n;
	a->inuse += n;
	a->cursor = g + n;
	return a->base + g * CCRPC_GRAN;
}

int ccrpc_arena_free(struct ccrpc_arena *a, void *p)
{
	uintptr_t off;
	size_t g, n;

	if (!p)
		return 0;
	if ((uint8_t *)p < a->base)
		return CCRPC_EINVAL;
	off = (uintptr_t)((uint8_t *)p - a->base);
	if (off % CCRPC_GRAN || off / CCRPC_GRAN >= a->ngran)
		return CCRPC_EINVAL;
	g = off / CCRPC_GRAN;
	n = a->len[g];
	if (!n)		/* not the start of a live block: double free or interior pointer */
		return CCRPC_EINVAL;
	set_bits(a, g, n, 0);
	a->len[g] = 0;
	a->inuse -= n;
	return 0;
}

void ccrpc_arena_reset(struct ccrpc_arena *a)
{
	memset(a->used, 0, (a->ngran + 63) / 64 * sizeof(*a->used));
	memset(a->len, 0, a->ngran * sizeof(*a->len));
	a->inuse = 0;
	a->cursor = 0;
}
