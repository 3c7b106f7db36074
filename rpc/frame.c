// SPDX-License-Identifier: GPL-2.0 OR MIT
/* frame.c - the call frame protocol.  A frame is FREE -> POSTED (client) -> RUNNING ->
 * DONE (server) -> FREE (client).  The server acts only on a private copy taken once
 * at claim time: a client rewriting the frame during the call changes nothing the
 * handler sees, and at most the answer it gets back. */
#include <string.h>
#include "ccrpc_int.h"

#define LOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

void ccrpc_region_init(void *base, uint32_t npages)
{
	struct ccrpc_ctl *ctl = base;

	memset(base, 0, CCRPC_HEAP_OFF);
	ctl->magic = CCRPC_MAGIC;
	ctl->version = CCRPC_VERSION;
	ctl->npages = npages;
	ctl->nslots = CCRPC_SLOTS;
	ctl->base = (uint64_t)(uintptr_t)base;
	ctl->client_alive = 1;
}

int ccrpc_region_pages(size_t arena_bytes, uint32_t *npages)
{
	size_t heap;

	if (arena_bytes == 0)
		arena_bytes = CCRPC_DEF_ARENA;
	if (arena_bytes > CCRPC_MAX_ARENA)
		return CCRPC_EINVAL;
	heap = (arena_bytes + CCRPC_PAGE - 1) / CCRPC_PAGE * CCRPC_PAGE;
	*npages = (uint32_t)((CCRPC_HEAP_OFF + heap) / CCRPC_PAGE);
	return 0;
}

void ccrpc_frame_post(volatile struct ccrpc_frame *f, unsigned fn, const uint64_t *args,
		      unsigned nargs, uint64_t seq)
{
	unsigned i;

	f->fn = fn;
	f->nargs = nargs;
	f->seq = seq;
	f->status = 0;
	f->result = 0;
	for (i = 0; i < CCRPC_MAXARGS; i++)
		f->arg[i] = i < nargs ? args[i] : 0;
	/* Pairs with the acquire in ccrpc_frame_claim: the arguments (and everything the
	 * client wrote to the heap before the call) are visible once POSTED is. */
	STORE_REL(&f->state, (uint32_t)CCRPC_F_POSTED);
}

int ccrpc_frame_claim(volatile struct ccrpc_frame *f, struct ccrpc_frame *copy)
{
	unsigned i;

	/* Pairs with the release in ccrpc_frame_post. */
	if (LOAD_ACQ(&f->state) != CCRPC_F_POSTED)
		return 0;
	copy->fn = f->fn;
	copy->nargs = f->nargs;
	copy->seq = f->seq;
	for (i = 0; i < CCRPC_MAXARGS; i++)
		copy->arg[i] = f->arg[i];
	copy->state = CCRPC_F_RUNNING;
	copy->status = 0;
	copy->result = 0;
	/* Informational for the client; the server never reads it back. */
	STORE_REL(&f->state, (uint32_t)CCRPC_F_RUNNING);
	return 1;
}

int ccrpc_frame_check(const struct ccrpc_frame *copy)
{
	if (copy->nargs > CCRPC_MAXARGS)
		return CCRPC_EINVAL;
	if (copy->fn >= CCRPC_MAXFN)
		return CCRPC_ENOFN;
	return 0;
}

void ccrpc_frame_complete(volatile struct ccrpc_frame *f, uint64_t seq, int status,
			  uint64_t result)
{
	f->result = result;
	f->status = status;
	f->seq = seq;
	/* Pairs with the acquire in ccrpc_frame_done. */
	STORE_REL(&f->state, (uint32_t)CCRPC_F_DONE);
}

int ccrpc_frame_done(volatile struct ccrpc_frame *f, uint64_t seq, int *status,
		     uint64_t *result)
{
	/* Pairs with the release in ccrpc_frame_complete. */
	if (LOAD_ACQ(&f->state) != CCRPC_F_DONE)
		return 0;
	if (f->seq != seq)	/* a stale answer to an abandoned call in this slot */
		return 0;
	*status = f->status;
	*result = f->result;
	return 1;
}

unsigned ccrpc_serve_area(volatile struct ccrpc_frame *frames, unsigned nslots,
			  struct ccrpc_call *call, ccrpc_dispatch_fn dispatch, void *ctx)
{
	struct ccrpc_frame fr;
	unsigned i, served = 0;
	uint64_t result;
	int rc;

	for (i = 0; i < nslots; i++) {
		if (!ccrpc_frame_claim(&frames[i], &fr))
			continue;
		result = 0;
		rc = ccrpc_frame_check(&fr);
		if (!rc)
			rc = dispatch(ctx, call, &fr, &result);
		ccrpc_frame_complete(&frames[i], fr.seq, rc, rc ? 0 : result);
		served++;
	}
	return served;
}
