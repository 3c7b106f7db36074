/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* ccrpc.h - zero-serialization RPC between co-located Xen guests (colorcom).
 *
 * The client's heap (its *arena*) is granted to the server's domain and mapped by the
 * server at the same virtual address, so pointers inside arguments mean the same thing
 * on both sides.  Calls are 64-byte frames in a shared call area; the server runs the
 * function on the arguments in place.  Nothing is copied or marshalled.
 *
 * Trust model (docs/rpc.md): the server treats the arena as hostile.  A handler reads
 * client memory only through ccrpc_ptr_ok()/ccrpc_snap()/CCRPC_SNAP and the bounded
 * walkers below; every one of them fails with CCRPC_EBADPTR instead of faulting.
 */
#ifndef CCRPC_H
#define CCRPC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Errors: negative values, returned by calls and carried in a frame's status. */
enum ccrpc_err {
	CCRPC_OK = 0,
	CCRPC_ENOFN = -1,	/* the server exports no such function */
	CCRPC_EBADPTR = -2,	/* an argument points outside the caller's arena */
	CCRPC_EGONE = -3,	/* the peer process or domain went away */
	CCRPC_ETIMEDOUT = -4,	/* no answer within the timeout (the call stays in flight) */
	CCRPC_ELOOP = -5,	/* a list or tree walk exceeded what the arena can hold */
	CCRPC_EINVAL = -6,	/* malformed frame or argument */
	CCRPC_ENOMEM = -7,	/* arena or call slots exhausted */
	CCRPC_EDENIED = -8,	/* the broker refused the connection (network, allow list) */
	CCRPC_EADDR = -9,	/* the shared address range could not be reserved on both sides */
	CCRPC_ENOSVC = -10,	/* no such service on that domain */
	CCRPC_ESYS = -11,	/* a Xen device or xenstore operation failed (errno is set) */
	CCRPC_EBUSY = -12,	/* the handler asked the client to retry */
};
const char *ccrpc_strerror(int err);
/* Where this thread's last failed ccrpc_connect stopped (file:line: errno text). */
const char *ccrpc_last_error(void);

#define CCRPC_MAXARGS 4		/* 64-bit arguments per call; pass a struct pointer for more */
#define CCRPC_MAXFN 256		/* function numbers 0..CCRPC_MAXFN-1 */

/* ---- client ------------------------------------------------------------------------- */
struct ccrpc_client;

struct ccrpc_client_opts {
	size_t arena_bytes;	/* shared heap, default 4 MiB, max 64 MiB */
	unsigned spin_us;	/* busy-wait this long for an answer before sleeping (0: sleep) */
	unsigned connect_timeout_ms;	/* default 10000 */
};

/* Connect to SERVICE offered by domain SERVER (a domid "5" or a domain name), through
 * the broker in dom0.  Returns NULL and sets *err on failure. */
struct ccrpc_client *ccrpc_connect(const char *server, const char *service,
				   const struct ccrpc_client_opts *opts, int *err);
/* Close: waits for no call; in-flight calls are abandoned.  Grants and the event
 * channel are released; the server sees the close.  NULL is accepted. */
void ccrpc_close(struct ccrpc_client *c);

/* Arena.  Memory from ccrpc_alloc is visible to the server at the same address. */
void *ccrpc_alloc(struct ccrpc_client *c, size_t bytes);	/* 16-byte aligned, NULL if full */
void ccrpc_free(struct ccrpc_client *c, void *p);
void ccrpc_reset(struct ccrpc_client *c);			/* free everything at once */
/* The heap itself, to hand to another allocator (then do not use ccrpc_alloc). */
void ccrpc_heap(struct ccrpc_client *c, void **base, size_t *bytes);

/* Function number of a name the server exported, or CCRPC_ENOFN. */
int ccrpc_lookup(struct ccrpc_client *c, const char *name);

/* Synchronous call: 0 and *result, or a negative error.  timeout_ms 0 = forever. */
int ccrpc_call(struct ccrpc_client *c, unsigned fn, const uint64_t *args, unsigned nargs,
	       uint64_t *result, unsigned timeout_ms);
/* Asynchronous: post a call and return its ticket (>= 0) without waiting; the server is
 * notified at most once per batch.  ccrpc_wait collects one ticket. */
int ccrpc_post(struct ccrpc_client *c, unsigned fn, const uint64_t *args, unsigned nargs);
int ccrpc_wait(struct ccrpc_client *c, int ticket, uint64_t *result, unsigned timeout_ms);
unsigned ccrpc_slots(const struct ccrpc_client *c);	/* calls that may be in flight */

/* ---- server ------------------------------------------------------------------------- */
struct ccrpc_server;
struct ccrpc_call;	/* one call being served: the caller's arena bounds */

/* A handler: args are a private snapshot of the frame; anything they point to is the
 * caller's memory and may change under the handler's feet.  Return 0 (and set
 * *result) or a negative ccrpc_err, which the caller receives. */
typedef int (*ccrpc_fn)(struct ccrpc_call *call, const uint64_t *args, unsigned nargs,
			uint64_t *result, void *user);

struct ccrpc_server_opts {
	const char *allow;	/* comma list of domids/names allowed to call, NULL or "*": all */
	unsigned spin_us;	/* busy-poll the call areas this long before sleeping */
	unsigned max_clients;	/* default 16 */
};

struct ccrpc_server *ccrpc_serve(const char *service, const struct ccrpc_server_opts *opts,
				 int *err);
int ccrpc_export(struct ccrpc_server *s, unsigned fn, const char *name, ccrpc_fn f, void *user);
/* Publish the service (after the exports) so the broker lets clients connect. */
int ccrpc_publish(struct ccrpc_server *s);
/* Serve until ccrpc_stop or an error; timeout_ms 0 = run forever, else return after it. */
int ccrpc_run(struct ccrpc_server *s, unsigned timeout_ms);
void ccrpc_stop(struct ccrpc_server *s);
void ccrpc_server_close(struct ccrpc_server *s);
/* Counters, for tests and tools. */
struct ccrpc_server_stats {
	uint64_t calls, errors, bad_ptr, loops, unknown_fn, clients_now, clients_total,
		clients_gone;
};
void ccrpc_server_stats(const struct ccrpc_server *s, struct ccrpc_server_stats *st);

/* ---- handler side: reading the caller's memory safely --------------------------------- */
/* Domain id of the caller. */
unsigned ccrpc_caller(const struct ccrpc_call *call);
/* 1 if [p, p+len) lies inside the caller's heap, else 0 (overflow-safe). */
int ccrpc_ptr_ok(const struct ccrpc_call *call, uint64_t p, size_t len);
/* Copy len bytes at p into dst once, after checking: the copy cannot change later. */
int ccrpc_snap(const struct ccrpc_call *call, void *dst, uint64_t p, size_t len);
#define CCRPC_SNAP(call, dstp, p) ccrpc_snap((call), (dstp), (p), sizeof(*(dstp)))
/* A checked pointer for bulk reads (e.g. checksum of a buffer) where a concurrent change
 * only changes the answer: NULL if the range is not in the arena. */
const volatile void *ccrpc_ptr(const struct ccrpc_call *call, uint64_t p, size_t len);
/* Writable checked pointer into the caller's arena (for results), NULL if out of range. */
volatile void *ccrpc_wptr(const struct ccrpc_call *call, uint64_t p, size_t len);
/* Copy a NUL-terminated string of at most max-1 bytes into dst. */
int ccrpc_snap_str(const struct ccrpc_call *call, char *dst, uint64_t p, size_t max);
/* Bounded list walk: node size NODE, "next" pointer at byte offset NEXT_OFF.  Calls
 * visit(copy_of_node, arg) for each node (a private copy) until next == 0.  Fails with
 * CCRPC_ELOOP once more nodes were visited than the arena can hold, CCRPC_EBADPTR on a
 * pointer out of the arena.  Returns the count of nodes. */
long ccrpc_walk_list(const struct ccrpc_call *call, uint64_t head, size_t node, size_t next_off,
		     int (*visit)(const void *node, void *arg), void *arg);
/* Bounded tree walk (pre-order, explicit stack): NKIDS child pointers at KIDS_OFF. */
long ccrpc_walk_tree(const struct ccrpc_call *call, uint64_t root, size_t node, size_t kids_off,
		     unsigned nkids, int (*visit)(const void *node, void *arg), void *arg);

#ifdef __cplusplus
}
#endif
#endif
