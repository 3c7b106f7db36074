/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* ccrpc_int.h - the shared layout and the pure pieces of libccrpc (unit tested without
 * Xen).  The shared region, mapped at the same address in client and server:
 *
 *   page 0          struct ccrpc_ctl (magic, liveness bytes, sleep flags)
 *   pages 1..F      CCRPC_SLOTS call frames of 64 bytes
 *   pages F+1..     the heap (the only range a handler may dereference)
 *
 * Indices and states are written with release stores and read with acquire loads;
 * each pairing is named where it happens.
 */
#ifndef CCRPC_INT_H
#define CCRPC_INT_H

#include <stdint.h>
#include <stddef.h>
#include "ccrpc.h"

#define CCRPC_PAGE 4096u
#define CCRPC_MAGIC 0x43435250u	/* "CCRP" */
#define CCRPC_VERSION 1u
#define CCRPC_SLOTS 128u
#define CCRPC_FRAME_PAGES ((CCRPC_SLOTS * sizeof(struct ccrpc_frame) + CCRPC_PAGE - 1) / CCRPC_PAGE)
#define CCRPC_HEAP_OFF ((1 + CCRPC_FRAME_PAGES) * CCRPC_PAGE)
#define CCRPC_MAX_ARENA (64u << 20)
#define CCRPC_DEF_ARENA (4u << 20)
/* Where shared regions live in both address spaces: far from the program, brk and the
 * mmap area (0x55.., 0x7f..), one 1 GiB window per connection slot. */
#define CCRPC_VA_BASE 0x200000000000ull
#define CCRPC_VA_STRIDE (1ull << 30)
#define CCRPC_VA_SLOTS 4096u

enum ccrpc_fstate { CCRPC_F_FREE = 0, CCRPC_F_POSTED = 1, CCRPC_F_RUNNING = 2, CCRPC_F_DONE = 3 };

struct ccrpc_frame {
	uint32_t state;		/* enum ccrpc_fstate */
	uint32_t fn;
	uint32_t nargs;
	int32_t status;
	uint64_t seq;		/* client's ticket generation, echoed by the server */
	uint64_t result;
	uint64_t arg[CCRPC_MAXARGS];
};
_Static_assert(sizeof(struct ccrpc_frame) == 64, "one cache line per frame");

struct ccrpc_ctl {
	uint32_t magic, version;
	uint32_t npages, nslots;
	uint64_t base;
	uint8_t pad0[40];
	/* Cleared by the kernel (gntalloc/gntdev unmap notify) when that side's mapping
	 * goes away, process death included; an event follows on the channel. */
	uint8_t client_alive;
	uint8_t pad1[63];
	uint8_t server_alive;
	uint8_t pad2[63];
	uint32_t server_sleeping;	/* set before the server blocks: posting must notify */
	uint8_t pad3[60];
	uint32_t client_sleeping;	/* set before the client blocks: completing must notify */
	uint32_t client_closing;	/* set by ccrpc_close: an orderly close, not a death */
};
#define CCRPC_CTL_CLIENT_ALIVE offsetof(struct ccrpc_ctl, client_alive)
#define CCRPC_CTL_SERVER_ALIVE offsetof(struct ccrpc_ctl, server_alive)

/* ---- arena allocator (client private metadata: the server cannot corrupt it) ------ */
#define CCRPC_GRAN 16u
struct ccrpc_arena {
	uint8_t *base;		/* heap start */
	size_t ngran;
	uint64_t *used;		/* bitmap, one bit per granule */
	uint32_t *len;		/* granules of the block starting at each granule, else 0 */
	size_t cursor;		/* next-fit start */
	size_t inuse;		/* granules allocated */
};
int ccrpc_arena_init(struct ccrpc_arena *a, void *base, size_t bytes);
void ccrpc_arena_fini(struct ccrpc_arena *a);
void *ccrpc_arena_alloc(struct ccrpc_arena *a, size_t bytes);
int ccrpc_arena_free(struct ccrpc_arena *a, void *p);	/* CCRPC_EINVAL for a bad pointer */
void ccrpc_arena_reset(struct ccrpc_arena *a);

/* ---- server-side view of one client's heap ---------------------------------------- */
struct ccrpc_call {
	uint64_t lo, hi;	/* heap [lo, hi) in this address space */
	unsigned domid;
	uint64_t loops, badptr;	/* counters the walkers bump */
};

/* ---- frames ------------------------------------------------------------------------ */
/* Client: fill slot with a call and publish it (release).  */
void ccrpc_frame_post(volatile struct ccrpc_frame *f, unsigned fn, const uint64_t *args,
		      unsigned nargs, uint64_t seq);
/* Server: take a private copy of a posted frame; 1 if it was POSTED (and is now
 * RUNNING), 0 otherwise.  The copy is what the call runs on. */
int ccrpc_frame_claim(volatile struct ccrpc_frame *f, struct ccrpc_frame *copy);
/* Server: validate a claimed copy (nargs, fn range); 0 or a negative error. */
int ccrpc_frame_check(const struct ccrpc_frame *copy);
/* Server: write result and status, then DONE (release). */
void ccrpc_frame_complete(volatile struct ccrpc_frame *f, uint64_t seq, int status,
			  uint64_t result);
/* Client: 1 and result/status once DONE with the right seq (acquire), else 0. */
int ccrpc_frame_done(volatile struct ccrpc_frame *f, uint64_t seq, int *status,
		     uint64_t *result);

/* Serve every posted frame of one call area: at most nslots calls per round, so one
 * client cannot starve others.  dispatch runs a call; returns calls served. */
typedef int (*ccrpc_dispatch_fn)(void *ctx, struct ccrpc_call *call, const struct ccrpc_frame *fr,
				 uint64_t *result);
unsigned ccrpc_serve_area(volatile struct ccrpc_frame *frames, unsigned nslots,
			  struct ccrpc_call *call, ccrpc_dispatch_fn dispatch, void *ctx);

/* Layout of a region of npages pages at base. */
void ccrpc_region_init(void *base, uint32_t npages);
int ccrpc_region_pages(size_t arena_bytes, uint32_t *npages);

/* Test hook (hostile-client tests only): the client's own call area. */
volatile struct ccrpc_frame *ccrpc_client_frames(struct ccrpc_client *c);

/* The broker and the server bound arena-pages by the layout's limit: keep it exact. */
#include "ccrpc_xs.h"
_Static_assert(CCRPC_MAX_ARENA / CCRPC_PAGE + CCRPC_HEAP_OFF / CCRPC_PAGE == CCRPC_XS_MAX_PAGES,
	       "common/ccrpc_xs.h's CCRPC_XS_MAX_PAGES");

#endif
