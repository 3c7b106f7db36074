// SPDX-License-Identifier: GPL-2.0 OR MIT
/* client.c - the calling side: connect through the broker, share the region at the
 * address the server reserved, post frames, wait with an optional bounded spin. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include "ccrpc_int.h"
#include "xenmap.h"
#include "xs.h"

#define FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)

struct ccrpc_client {
	struct xs_handle *xs;
	char req[96];		/* our request dir (relative to our domain) */
	char conn[128];		/* the connection dir in the server's area */
	unsigned server, self;
	xenevtchn_handle *xce;
	evtchn_port_t port;
	xengntshr_handle *gs;
	uint32_t *dir;		/* grant refs of the region, shared read-only */
	uint32_t ndir, dir_refs[16];
	struct ccrpc_share share;
	struct ccrpc_ctl *ctl;
	volatile struct ccrpc_frame *frames;
	struct ccrpc_arena arena;
	uint64_t seq[CCRPC_SLOTS];
	uint8_t busy[CCRPC_SLOTS];
	uint64_t next_seq;
	unsigned spin_us;
	char *functions;	/* "0:name,1:name" from the server */
	int gone;
};

/* Where the last failed connect stopped, and errno there (ccrpc_last_error). */
static __thread char last_err[256];
#define FAIL_AT() do { set_last(__LINE__, errno); goto fail; } while (0)
static void set_last(int line, int e)
{
	snprintf(last_err, sizeof(last_err), "client.c:%d: %s", line, e ? strerror(e) : "no errno");
}
const char *ccrpc_last_error(void) { return last_err; }

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Wait until path (relative to a watched dir) has a value or deadline passes. */
static char *wait_key(struct ccrpc_client *c, uint64_t deadline, const char *path,
		      const char *errpath, char **errval)
{
	char *v;

	for (;;) {
		v = ccrpc_xs_read(c->xs, "%s", path);
		if (v)
			return v;
		if (errpath && (*errval = ccrpc_xs_read(c->xs, "%s", errpath)))
			return NULL;
		if (now_us() >= deadline)
			return NULL;
		ccrpc_xs_wait(c->xs, (int)((deadline - now_us()) / 1000 + 1));
	}
}

static int map_broker_error(const char *e)
{
	if (!strncmp(e, "denied", 6))
		return CCRPC_EDENIED;
	if (!strncmp(e, "no-service", 10))
		return CCRPC_ENOSVC;
	if (!strncmp(e, "address", 7))
		return CCRPC_EADDR;
	if (!strncmp(e, "busy", 4))
		return CCRPC_EBUSY;
	return CCRPC_EINVAL;
}

static int share_region(struct ccrpc_client *c, uint64_t addr, uint32_t npages)
{
	uint32_t i;
	int rc;

	rc = ccrpc_share_fixed(&c->share, (uint16_t)c->server, addr, npages);
	errno = -rc;
	if (rc)
		return rc == -EEXIST || rc == -EINVAL || rc == -ENOMEM ? CCRPC_EADDR : CCRPC_ESYS;
	ccrpc_region_init(c->share.addr, npages);
	c->ctl = c->share.addr;
	c->frames = (volatile struct ccrpc_frame *)((uint8_t *)c->share.addr + CCRPC_PAGE);
	/* The directory of refs: ordinary grants, wherever libxengntshr puts them. */
	c->ndir = (npages * 4 + CCRPC_PAGE - 1) / CCRPC_PAGE;
	if (c->ndir > 16)
		return CCRPC_EINVAL;
	c->dir = xengntshr_share_pages(c->gs, c->server, (int)c->ndir, c->dir_refs, 0);
	if (!c->dir)
		return CCRPC_ESYS;
	for (i = 0; i < npages; i++)
		c->dir[i] = c->share.refs[i];
	if (ccrpc_arena_init(&c->arena, (uint8_t *)c->share.addr + CCRPC_HEAP_OFF,
			     (size_t)npages * CCRPC_PAGE - CCRPC_HEAP_OFF))
		return CCRPC_ENOMEM;
	if (ccrpc_share_notify(&c->share, CCRPC_CTL_CLIENT_ALIVE, c->port))
		return CCRPC_ESYS;
	return 0;
}

struct ccrpc_client *ccrpc_connect(const char *server, const char *service,
				   const struct ccrpc_client_opts *opts, int *err)
{
	static unsigned counter;
	struct ccrpc_client *c;
	struct ccrpc_client_opts o = { 0 };
	unsigned long addr, sd;
	char *v = NULL, *e = NULL, buf[256], *conn;
	uint32_t npages;
	xs_transaction_t t;
	uint64_t deadline;
	int rc = CCRPC_ESYS;
	xenevtchn_port_or_error_t port;

	if (opts)
		o = *opts;
	if (!o.connect_timeout_ms)
		o.connect_timeout_ms = 10000;
	if (!server || !service || strlen(service) > 64 || strchr(service, '/') ||
	    strlen(server) > 64 || strchr(server, '/') || ccrpc_region_pages(o.arena_bytes, &npages)) {
		*err = CCRPC_EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		*err = CCRPC_ENOMEM;
		return NULL;
	}
	c->share.fd = -1;
	last_err[0] = 0;
	c->spin_us = o.spin_us;
	deadline = now_us() + (uint64_t)o.connect_timeout_ms * 1000u;
	c->xs = xs_open(0);
	if (!c->xs)
		FAIL_AT();
	c->self = (unsigned)ccrpc_xs_domid(c->xs);
	snprintf(c->req, sizeof(c->req), CCRPC_XS_ROOT "/" CCRPC_XS_CONNECT "/%d-%u",
		 (int)getpid(), ++counter);
	/* The request, in one transaction so the broker never sees half of it. */
	do {
		t = xs_transaction_start(c->xs);
		if (!t)
			FAIL_AT();
		snprintf(buf, sizeof(buf), "%u", npages);
		if (!ccrpc_xs_write(c->xs, t, server, "%s/server", c->req) ||
		    !ccrpc_xs_write(c->xs, t, service, "%s/service", c->req) ||
		    !ccrpc_xs_write(c->xs, t, buf, "%s/arena-pages", c->req) ||
		    !ccrpc_xs_write(c->xs, t, "request", "%s/state", c->req)) {
			int e = errno;

			xs_transaction_end(c->xs, t, true);
			errno = e;
			FAIL_AT();
		}
		if (xs_transaction_end(c->xs, t, false))
			break;
		if (errno != EAGAIN)
			FAIL_AT();
	} while (1);
	if (!xs_watch(c->xs, c->req, "req"))
		FAIL_AT();
	snprintf(buf, sizeof(buf), "%s/conn", c->req);
	{
		char ep[128];

		snprintf(ep, sizeof(ep), "%s/error", c->req);
		conn = wait_key(c, deadline, buf, ep, &e);
	}
	if (!conn) {
		rc = e ? map_broker_error(e) : CCRPC_ETIMEDOUT;
		FAIL_AT();
	}
	snprintf(c->conn, sizeof(c->conn), "%s", conn);
	free(conn);
	if (ccrpc_xs_readu(c->xs, 0x7fef, &sd, "%s/server-domid", c->req))
		FAIL_AT();
	c->server = (unsigned)sd;
	/* Our event channel first: the unmap notify of the region needs it. */
	c->xce = xenevtchn_open(NULL, 0);
	c->gs = xengntshr_open(NULL, 0);
	if (!c->xce || !c->gs)
		FAIL_AT();
	port = xenevtchn_bind_unbound_port(c->xce, c->server);
	if (port < 0)
		FAIL_AT();
	c->port = (evtchn_port_t)port;
	if (!xs_watch(c->xs, c->conn, "conn"))
		FAIL_AT();
	snprintf(buf, sizeof(buf), "%s/arena-addr", c->conn);
	{
		char ep[160];

		snprintf(ep, sizeof(ep), "%s/server-error", c->conn);
		v = wait_key(c, deadline, buf, ep, &e);
	}
	if (!v) {
		rc = e ? map_broker_error(e) : CCRPC_ETIMEDOUT;
		FAIL_AT();
	}
	if (ccrpc_parse_u(v, UINT64_MAX, &addr) || addr % CCRPC_PAGE ||
	    addr < CCRPC_VA_BASE || addr >= CCRPC_VA_BASE + (uint64_t)CCRPC_VA_SLOTS * CCRPC_VA_STRIDE) {
		rc = CCRPC_EADDR;	/* only the agreed window is acceptable to us */
		FAIL_AT();
	}
	errno = 0;
	rc = share_region(c, addr, npages);
	if (rc) {
		set_last(__LINE__, errno);
		ccrpc_xs_write(c->xs, XBT_NULL, rc == CCRPC_EADDR ? "address in use" : "setup failed",
			       "%s/client-error", c->conn);
		FAIL_AT();
	}
	{
		size_t off = 0;
		uint32_t i;

		for (i = 0; i < c->ndir; i++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%u", i ? "," : "",
						c->dir_refs[i]);
	}
	if (!ccrpc_xs_write(c->xs, XBT_NULL, buf, "%s/dir-refs", c->conn))
		FAIL_AT();
	snprintf(buf, sizeof(buf), "%u", c->port);
	if (!ccrpc_xs_write(c->xs, XBT_NULL, buf, "%s/client-port", c->conn) ||
	    !ccrpc_xs_write(c->xs, XBT_NULL, "ready", "%s/client-state", c->conn))
		FAIL_AT();
	for (;;) {
		char ep[160];

		snprintf(buf, sizeof(buf), "%s/server-state", c->conn);
		snprintf(ep, sizeof(ep), "%s/server-error", c->conn);
		free(v);
		v = wait_key(c, deadline, buf, ep, &e);
		if (!v) {
			rc = e ? CCRPC_EGONE : CCRPC_ETIMEDOUT;
			FAIL_AT();
		}
		if (!strcmp(v, "connected"))
			break;
		ccrpc_xs_wait(c->xs, 100);
		if (now_us() >= deadline) {
			rc = CCRPC_ETIMEDOUT;
			FAIL_AT();
		}
	}
	free(v);
	c->functions = ccrpc_xs_read(c->xs, "%s/functions", c->conn);
	*err = 0;
	return c;
fail:
	if (e) {	/* what the broker or the server said, verbatim */
		size_t l = strlen(last_err);

		snprintf(last_err + l, sizeof(last_err) - l, "; %.*s", 96, e);
	}
	free(v);
	free(e);
	if (rc == CCRPC_ESYS && !errno)
		errno = EIO;
	ccrpc_close(c);
	*err = rc;
	return NULL;
}

void ccrpc_close(struct ccrpc_client *c)
{
	if (!c)
		return;
	if (c->ctl)
		__atomic_store_n(&c->ctl->client_closing, 1, __ATOMIC_RELEASE);
	if (c->xs && c->conn[0])
		ccrpc_xs_write(c->xs, XBT_NULL, "closed", "%s/client-state", c->conn);
	/* Region first: the gntalloc notify tells the server at once (byte + event). */
	ccrpc_share_release(&c->share);
	ccrpc_arena_fini(&c->arena);
	if (c->dir)
		xengntshr_unshare(c->gs, c->dir, c->ndir);
	if (c->gs)
		xengntshr_close(c->gs);
	if (c->xce) {
		if (c->port)
			xenevtchn_unbind(c->xce, c->port);
		xenevtchn_close(c->xce);
	}
	if (c->xs) {
		if (c->req[0])
			xs_rm(c->xs, XBT_NULL, c->req);
		xs_close(c->xs);
	}
	free(c->functions);
	free(c);
}

void *ccrpc_alloc(struct ccrpc_client *c, size_t bytes) { return ccrpc_arena_alloc(&c->arena, bytes); }
void ccrpc_free(struct ccrpc_client *c, void *p) { ccrpc_arena_free(&c->arena, p); }
void ccrpc_reset(struct ccrpc_client *c) { ccrpc_arena_reset(&c->arena); }
unsigned ccrpc_slots(const struct ccrpc_client *c) { (void)c; return CCRPC_SLOTS; }

void ccrpc_heap(struct ccrpc_client *c, void **base, size_t *bytes)
{
	*base = c->arena.base;
	*bytes = c->arena.ngran * CCRPC_GRAN;
}

int ccrpc_lookup(struct ccrpc_client *c, const char *name)
{
	const char *p = c->functions;
	size_t n = strlen(name);

	while (p && *p) {
		const char *colon = strchr(p, ':'), *end = strchr(p, ',');
		unsigned long fn;
		char num[12];

		if (!end)
			end = p + strlen(p);
		if (colon && colon < end && (size_t)(end - colon - 1) == n &&
		    !strncmp(colon + 1, name, n) && (size_t)(colon - p) < sizeof(num)) {
			memcpy(num, p, (size_t)(colon - p));
			num[colon - p] = 0;
			if (!ccrpc_parse_u(num, CCRPC_MAXFN - 1, &fn))
				return (int)fn;
		}
		p = *end ? end + 1 : end;
	}
	return CCRPC_ENOFN;
}

int ccrpc_post(struct ccrpc_client *c, unsigned fn, const uint64_t *args, unsigned nargs)
{
	unsigned i;

	if (c->gone || !__atomic_load_n(&c->ctl->server_alive, __ATOMIC_ACQUIRE))
		return CCRPC_EGONE;
	if (nargs > CCRPC_MAXARGS || (nargs && !args))
		return CCRPC_EINVAL;
	for (i = 0; i < CCRPC_SLOTS; i++) {
		/* A slot is reusable once we collected it, or once an abandoned call in it
		 * finished (seq check keeps its stale answer from being taken for ours). */
		if (c->busy[i] == 2 &&
		    __atomic_load_n(&c->frames[i].state, __ATOMIC_ACQUIRE) == CCRPC_F_DONE)
			c->busy[i] = 0;
		if (!c->busy[i])
			break;
	}
	if (i == CCRPC_SLOTS)
		return CCRPC_ENOMEM;
	c->busy[i] = 1;
	c->seq[i] = ++c->next_seq;
	ccrpc_frame_post(&c->frames[i], fn, args, nargs, c->seq[i]);
	/* Push, then check: pairs with the server's store of server_sleeping followed by
	 * its fence and rescan (server.c, sleep_or_serve). */
	FENCE();
	if (__atomic_load_n(&c->ctl->server_sleeping, __ATOMIC_RELAXED))
		xenevtchn_notify(c->xce, c->port);
	return (int)i;
}

static int server_gone(struct ccrpc_client *c)
{
	char *v;

	if (!__atomic_load_n(&c->ctl->server_alive, __ATOMIC_ACQUIRE))
		return 1;
	v = ccrpc_xs_read(c->xs, "%s/server-state", c->conn);
	if (!v || strcmp(v, "connected")) {
		free(v);
		return 1;
	}
	free(v);
	return 0;
}

int ccrpc_wait(struct ccrpc_client *c, int ticket, uint64_t *result, unsigned timeout_ms)
{
	volatile struct ccrpc_frame *f;
	uint64_t start = now_us(), spin_end = start + c->spin_us, r;
	int status;

	if (ticket < 0 || ticket >= (int)CCRPC_SLOTS || c->busy[ticket] != 1)
		return CCRPC_EINVAL;
	f = &c->frames[ticket];
	for (;;) {
		if (ccrpc_frame_done(f, c->seq[ticket], &status, &r))
			break;
		if (c->gone)
			return CCRPC_EGONE;
		if (now_us() < spin_end) {
			__builtin_ia32_pause();
			continue;
		}
		/* Pairs with the server's complete + fence + load of client_sleeping. */
		__atomic_store_n(&c->ctl->client_sleeping, 1, __ATOMIC_RELAXED);
		FENCE();
		if (ccrpc_frame_done(f, c->seq[ticket], &status, &r)) {
			__atomic_store_n(&c->ctl->client_sleeping, 0, __ATOMIC_RELAXED);
			break;
		}
		{
			struct pollfd pfd[2] = {
				{ .fd = xenevtchn_fd(c->xce), .events = POLLIN },
				{ .fd = xs_fileno(c->xs), .events = POLLIN },
			};
			int ms = 1000;

			if (timeout_ms) {
				uint64_t el = (now_us() - start) / 1000;

				if (el >= timeout_ms) {
					__atomic_store_n(&c->ctl->client_sleeping, 0, __ATOMIC_RELAXED);
					c->busy[ticket] = 2;	/* abandoned: reusable when DONE */
					return CCRPC_ETIMEDOUT;
				}
				if (timeout_ms - el < 1000)
					ms = (int)(timeout_ms - el);
			}
			if (poll(pfd, 2, ms) > 0) {
				if (pfd[0].revents & POLLIN) {
					xenevtchn_port_or_error_t p = xenevtchn_pending(c->xce);

					if (p >= 0)
						xenevtchn_unmask(c->xce, (evtchn_port_t)p);
				}
				if (pfd[1].revents & POLLIN) {
					unsigned n;

					free(xs_read_watch(c->xs, &n));
				}
			}
			__atomic_store_n(&c->ctl->client_sleeping, 0, __ATOMIC_RELAXED);
			if (!ccrpc_frame_done(f, c->seq[ticket], &status, &r) && server_gone(c)) {
				c->gone = 1;
				c->busy[ticket] = 2;
				return CCRPC_EGONE;
			}
		}
	}
	c->busy[ticket] = 0;
	if (result)
		*result = r;
	/* The server's status is one of ours or a handler's; anything else is garbage. */
	if (status > 0 || status < CCRPC_EBUSY)
		return CCRPC_EINVAL;
	return status;
}

int ccrpc_call(struct ccrpc_client *c, unsigned fn, const uint64_t *args, unsigned nargs,
	       uint64_t *result, unsigned timeout_ms)
{
	int t = ccrpc_post(c, fn, args, nargs);

	return t < 0 ? t : ccrpc_wait(c, t, result, timeout_ms);
}

volatile struct ccrpc_frame *ccrpc_client_frames(struct ccrpc_client *c) { return c->frames; }
