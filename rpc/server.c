// SPDX-License-Identifier: GPL-2.0 OR MIT
/* server.c - the serving side: accept connections the broker created in our xenstore
 * area, map each client's region at the address we reserved for it, serve frames.
 * One thread serves every client; a call runs to completion before the next. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include "ccrpc_int.h"
#include "xenmap.h"
#include "xs.h"

#define FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define MAXREFS (CCRPC_MAX_ARENA / CCRPC_PAGE + 64)

enum conn_state { C_FREE = 0, C_ADDR, C_LIVE };

struct conn {
	enum conn_state st;
	char id[48];
	unsigned client;
	uint32_t npages;
	unsigned vslot;
	uint64_t addr;
	struct ccrpc_map map;
	evtchn_port_t port;
	struct ccrpc_ctl *ctl;
	volatile struct ccrpc_frame *frames;
	struct ccrpc_call call;
};

struct export {
	ccrpc_fn f;
	void *user;
	char name[32];
};

struct ccrpc_server {
	struct xs_handle *xs;
	xenevtchn_handle *xce;
	xengnttab_handle *gt;
	unsigned self;
	char name[65];
	char root[96];		/* /local/domain/S/data/ccrpc */
	char *allow;
	unsigned spin_us, max;
	struct export fns[CCRPC_MAXFN];
	struct conn *conns;
	uint8_t vused[CCRPC_VA_SLOTS];
	struct ccrpc_server_stats st;
	int stop, published;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct ccrpc_server *ccrpc_serve(const char *service, const struct ccrpc_server_opts *opts,
				 int *err)
{
	struct ccrpc_server *s;
	int d;

	if (!service || !*service || strlen(service) > 64 || strchr(service, '/') ||
	    (opts && opts->allow && strlen(opts->allow) > 1024)) {
		*err = CCRPC_EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		*err = CCRPC_ENOMEM;
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", service);
	s->spin_us = opts ? opts->spin_us : 0;
	s->max = opts && opts->max_clients ? opts->max_clients : 16;
	s->allow = strdup(opts && opts->allow ? opts->allow : "*");
	s->conns = calloc(s->max, sizeof(*s->conns));
	if (!s->allow || !s->conns)
		goto fail;
	s->xs = xs_open(0);
	s->xce = xenevtchn_open(NULL, 0);
	s->gt = xengnttab_open(NULL, 0);
	if (!s->xs || !s->xce || !s->gt)
		goto fail;
	d = ccrpc_xs_domid(s->xs);
	if (d < 0)
		goto fail;
	s->self = (unsigned)d;
	snprintf(s->root, sizeof(s->root), "/local/domain/%u/" CCRPC_XS_ROOT, s->self);
	*err = 0;
	return s;
fail:
	ccrpc_server_close(s);
	*err = CCRPC_ESYS;
	return NULL;
}

int ccrpc_export(struct ccrpc_server *s, unsigned fn, const char *name, ccrpc_fn f, void *user)
{
	if (fn >= CCRPC_MAXFN || !f || !name || !*name || strlen(name) >= sizeof(s->fns[0].name) ||
	    strpbrk(name, ",:/") || s->fns[fn].f || s->published)
		return CCRPC_EINVAL;
	s->fns[fn].f = f;
	s->fns[fn].user = user;
	snprintf(s->fns[fn].name, sizeof(s->fns[fn].name), "%s", name);
	return 0;
}

static char *function_list(const struct ccrpc_server *s)
{
	size_t cap = 16, off = 0;
	char *out = malloc(cap), *nout;
	unsigned i;

	if (!out)
		return NULL;
	out[0] = 0;
	for (i = 0; i < CCRPC_MAXFN; i++) {
		if (!s->fns[i].f)
			continue;
		if (off + 48 > cap) {
			cap = cap * 2 + 48;
			nout = realloc(out, cap);
			if (!nout) {
				free(out);
				return NULL;
			}
			out = nout;
		}
		off += (size_t)snprintf(out + off, cap - off, "%s%u:%s", off ? "," : "", i,
					s->fns[i].name);
	}
	return out;
}

int ccrpc_publish(struct ccrpc_server *s)
{
	char *fl = function_list(s), path[192];
	xs_transaction_t t;
	bool ok;

	if (!fl)
		return CCRPC_ENOMEM;
	do {
		t = xs_transaction_start(s->xs);
		if (!t) {
			free(fl);
			return CCRPC_ESYS;
		}
		ok = ccrpc_xs_write(s->xs, t, fl, "%s/" CCRPC_XS_SERVICE "/%s/functions", s->root, s->name) &&
		     ccrpc_xs_write(s->xs, t, s->allow, "%s/" CCRPC_XS_SERVICE "/%s/allow", s->root, s->name) &&
		     ccrpc_xs_write(s->xs, t, "ready", "%s/" CCRPC_XS_SERVICE "/%s/state", s->root, s->name);
		if (!ok) {
			xs_transaction_end(s->xs, t, true);
			free(fl);
			return CCRPC_ESYS;
		}
		if (xs_transaction_end(s->xs, t, false))
			break;
		if (errno != EAGAIN) {
			free(fl);
			return CCRPC_ESYS;
		}
	} while (1);
	free(fl);
	snprintf(path, sizeof(path), "%s/" CCRPC_XS_CONN, s->root);
	if (!xs_watch(s->xs, path, "conn"))
		return CCRPC_ESYS;
	s->published = 1;
	return 0;
}

static struct conn *find_conn(struct ccrpc_server *s, const char *id)
{
	unsigned i;

	for (i = 0; i < s->max; i++)
		if (s->conns[i].st != C_FREE && !strcmp(s->conns[i].id, id))
			return &s->conns[i];
	return NULL;
}

static void conn_fail(struct ccrpc_server *s, const char *id, const char *why)
{
	ccrpc_xs_write(s->xs, XBT_NULL, why, "%s/" CCRPC_XS_CONN "/%s/server-error", s->root, id);
}

/* rm: remove the connection dir (a failed setup keeps it, with server-error in it, for
 * the client to read; the broker removes it when the client's request goes). */
static void conn_teardown(struct ccrpc_server *s, struct conn *c, int gone, int rm)
{
	char path[192];

	if (c->st == C_FREE)
		return;
	/* Unmapping fires the gntdev notify: the client's server_alive byte drops and it
	 * gets an event, so a waiting caller returns CCRPC_EGONE at once. */
	ccrpc_map_release(&c->map);
	ccrpc_va_release(c->addr, (size_t)c->npages * CCRPC_PAGE);	/* the window */
	if (c->port)
		xenevtchn_unbind(s->xce, c->port);
	s->vused[c->vslot] = 0;
	snprintf(path, sizeof(path), "%s/" CCRPC_XS_CONN "/%s", s->root, c->id);
	if (rm)
		xs_rm(s->xs, XBT_NULL, path);
	if (c->st == C_LIVE) {
		s->st.clients_now--;
		if (gone)
			s->st.clients_gone++;
	}
	memset(c, 0, sizeof(*c));
}

/* A new connection dir from the broker: reserve an address window for the client. */
static void conn_offer(struct ccrpc_server *s, const char *id)
{
	unsigned long client, pages;
	char *svc, buf[32], *fl;
	struct conn *c = NULL;
	unsigned i, k;
	uint32_t h;

	if (strlen(id) >= sizeof(c->id))
		return;
	/* Every server of this domain sees every connection dir (they share the conn/
	 * area): one for another service is not ours to answer, not even with an error,
	 * or the client reads that error before its own server's arena-addr. */
	svc = ccrpc_xs_read(s->xs, "%s/" CCRPC_XS_CONN "/%s/service", s->root, id);
	if (!svc || strcmp(svc, s->name)) {
		free(svc);
		return;
	}
	for (i = 0; i < s->max; i++)
		if (s->conns[i].st == C_FREE) {
			c = &s->conns[i];
			break;
		}
	if (!c) {
		free(svc);
		conn_fail(s, id, "busy: too many clients");
		return;
	}
	if (ccrpc_xs_readu(s->xs, 0x7fef, &client, "%s/" CCRPC_XS_CONN "/%s/client-domid", s->root, id) ||
	    ccrpc_xs_readu(s->xs, CCRPC_XS_MAX_PAGES, &pages,
			   "%s/" CCRPC_XS_CONN "/%s/arena-pages", s->root, id) ||
	    pages <= CCRPC_HEAP_OFF / CCRPC_PAGE) {
		free(svc);
		conn_fail(s, id, "invalid connection");
		return;
	}
	free(svc);
	/* One window per connection, never shared: a client's pointers can only ever land
	 * in its own window (or fault the check), never in another client's arena.  The
	 * first window tried depends on the connection's id (client domid, pid, counter),
	 * not on the client alone: a client process talking to several servers (other
	 * processes, other domains) would otherwise be offered the same address by each,
	 * and its second connect would fail with CCRPC_EADDR. */
	for (h = 2166136261u, k = 0; id[k]; k++)
		h = (h ^ (unsigned char)id[k]) * 16777619u;
	for (k = 0; k < CCRPC_VA_SLOTS; k++) {
		unsigned slot = (h + k) % CCRPC_VA_SLOTS;
		uint64_t a = CCRPC_VA_BASE + (uint64_t)slot * CCRPC_VA_STRIDE;

		if (s->vused[slot] || ccrpc_va_reserve(a, pages * CCRPC_PAGE))
			continue;
		s->vused[slot] = 1;
		c->vslot = slot;
		c->addr = a;
		break;
	}
	if (!c->addr) {
		conn_fail(s, id, "address: no free window");
		return;
	}
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->map.fd = -1;		/* nothing mapped yet: teardown must not close fd 0 */
	c->client = (unsigned)client;
	c->npages = (uint32_t)pages;
	c->st = C_ADDR;
	fl = function_list(s);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)c->addr);
	if (!fl || !ccrpc_xs_write(s->xs, XBT_NULL, fl, "%s/" CCRPC_XS_CONN "/%s/functions", s->root, id) ||
	    !ccrpc_xs_write(s->xs, XBT_NULL, buf, "%s/" CCRPC_XS_CONN "/%s/arena-addr", s->root, id)) {
		conn_fail(s, id, "setup failed");
		conn_teardown(s, c, 0, 0);
	}
	free(fl);
}

/* Why a setup step failed, for the client's error message (WHY has 96 bytes). */
static int fail_step(char *why, const char *step, int e)
{
	snprintf(why, 96, "setup failed: %s (%s)", step, e ? strerror(e) : "bad value");
	return -1;
}

/* The client granted its region: map it at the reserved address and go live. */
static int conn_accept(struct ccrpc_server *s, struct conn *c, char *why)
{
	uint32_t dref[16], ndir = (c->npages * 4 + CCRPC_PAGE - 1) / CCRPC_PAGE, n = 0;
	unsigned long v;
	uint32_t *refs;
	char *list, *p, *tok, *save = NULL;
	void *dir;
	xenevtchn_port_or_error_t port;
	struct ccrpc_ctl *ctl;
	int rc;

	list = ccrpc_xs_read(s->xs, "%s/" CCRPC_XS_CONN "/%s/dir-refs", s->root, c->id);
	if (!list)
		return fail_step(why, "read dir-refs", errno);
	for (p = list; (tok = strtok_r(p, ",", &save)); p = NULL) {
		if (n == 16 || ccrpc_parse_u(tok, UINT32_MAX, &v))
			break;
		dref[n++] = (uint32_t)v;
	}
	free(list);
	if (n != ndir || tok)
		return fail_step(why, "dir-refs", 0);
	if (ccrpc_xs_readu(s->xs, UINT32_MAX, &v, "%s/" CCRPC_XS_CONN "/%s/client-port", s->root, c->id))
		return fail_step(why, "client-port", 0);
	refs = malloc(c->npages * sizeof(*refs));
	if (!refs)
		return fail_step(why, "memory", ENOMEM);
	dir = xengnttab_map_domain_grant_refs(s->gt, ndir, c->client, dref, PROT_READ);
	if (!dir) {
		rc = errno;
		free(refs);
		return fail_step(why, "map the ref directory", rc);
	}
	memcpy(refs, dir, c->npages * sizeof(*refs));	/* snapshot: read once */
	xengnttab_unmap(s->gt, dir, ndir);
	rc = ccrpc_map_fixed(&c->map, (uint16_t)c->client, refs, c->npages, c->addr);
	free(refs);
	if (rc)
		return fail_step(why, "map the region (gntdev)", -rc);
	ctl = c->map.addr;
	if (ctl->magic != CCRPC_MAGIC || ctl->version != CCRPC_VERSION)
		return fail_step(why, "control page magic/version", 0);
	port = xenevtchn_bind_interdomain(s->xce, c->client, (evtchn_port_t)v);
	if (port < 0)
		return fail_step(why, "bind the event channel", errno);
	c->port = (evtchn_port_t)port;
	ctl->server_alive = 1;
	ctl->server_sleeping = 0;
	rc = ccrpc_map_notify(&c->map, CCRPC_CTL_SERVER_ALIVE, c->port);
	if (rc)
		return fail_step(why, "gntdev unmap notify", -rc);
	c->ctl = ctl;
	c->frames = (volatile struct ccrpc_frame *)((uint8_t *)c->map.addr + CCRPC_PAGE);
	/* The heap as we computed it, never as the client's control page says. */
	c->call.lo = c->addr + CCRPC_HEAP_OFF;
	c->call.hi = c->addr + (uint64_t)c->npages * CCRPC_PAGE;
	c->call.domid = c->client;
	if (!ccrpc_xs_write(s->xs, XBT_NULL, "connected", "%s/" CCRPC_XS_CONN "/%s/server-state",
			    s->root, c->id))
		return fail_step(why, "write server-state", errno);
	c->st = C_LIVE;
	s->st.clients_now++;
	s->st.clients_total++;
	return 0;
}

static void scan_conns(struct ccrpc_server *s)
{
	char path[192], **ids, *v, why[96];
	unsigned n = 0, i;
	struct conn *c;

	snprintf(path, sizeof(path), "%s/" CCRPC_XS_CONN, s->root);
	ids = xs_directory(s->xs, XBT_NULL, path, &n);
	for (i = 0; i < n; i++) {
		if (find_conn(s, ids[i]))
			continue;
		/* A dir we already failed keeps its server-error until the broker drops it. */
		v = ccrpc_xs_read(s->xs, "%s/%s/server-error", path, ids[i]);
		if (!v)
			conn_offer(s, ids[i]);
		free(v);
	}
	for (i = 0; i < s->max; i++) {
		unsigned j, present = 0;

		c = &s->conns[i];
		if (c->st == C_FREE)
			continue;
		for (j = 0; j < n; j++)
			present |= !strcmp(ids[j], c->id);
		if (!present) {
			/* The broker removed it: the client's domain died, or the client closed
			 * and its request went before we saw client-state (then client_closing
			 * says it was orderly). */
			conn_teardown(s, c, c->st != C_LIVE ||
				      !__atomic_load_n(&c->ctl->client_closing, __ATOMIC_ACQUIRE), 0);
			continue;
		}
		v = ccrpc_xs_read(s->xs, "%s/%s/client-state", path, c->id);
		if (v && !strcmp(v, "closed"))
			conn_teardown(s, c, 0, 1);
		else if (v && !strcmp(v, "ready") && c->st == C_ADDR && conn_accept(s, c, why)) {
			conn_fail(s, c->id, why);
			conn_teardown(s, c, 0, 0);
		}
		free(v);
	}
	free(ids);
}

static int dispatch(void *ctx, struct ccrpc_call *call, const struct ccrpc_frame *fr,
		    uint64_t *result)
{
	struct ccrpc_server *s = ctx;
	const struct export *e = &s->fns[fr->fn];
	int rc;

	if (!e->f) {
		s->st.unknown_fn++;
		s->st.errors++;
		return CCRPC_ENOFN;
	}
	rc = e->f(call, fr->arg, fr->nargs, result, e->user);
	s->st.calls++;
	if (rc) {
		s->st.errors++;
		if (rc == CCRPC_EBADPTR)
			s->st.bad_ptr++;
		if (rc == CCRPC_ELOOP)
			s->st.loops++;
		if (rc > 0 || rc < CCRPC_EBUSY)	/* a handler's own codes stay in our range */
			rc = CCRPC_EINVAL;
	}
	return rc;
}

static unsigned serve_all(struct ccrpc_server *s)
{
	unsigned i, n, total = 0;
	struct conn *c;

	for (i = 0; i < s->max; i++) {
		c = &s->conns[i];
		if (c->st != C_LIVE)
			continue;
		n = ccrpc_serve_area(c->frames, CCRPC_SLOTS, &c->call, dispatch, s);
		if (!n)
			continue;
		total += n;
		/* Complete, then check: pairs with the client's store of client_sleeping,
		 * fence, recheck (client.c, ccrpc_wait). */
		FENCE();
		if (__atomic_load_n(&c->ctl->client_sleeping, __ATOMIC_RELAXED))
			xenevtchn_notify(s->xce, c->port);
	}
	return total;
}

static void set_sleeping(struct ccrpc_server *s, uint32_t v)
{
	unsigned i;

	for (i = 0; i < s->max; i++)
		if (s->conns[i].st == C_LIVE)
			__atomic_store_n(&s->conns[i].ctl->server_sleeping, v, __ATOMIC_RELAXED);
}

/* The kernel cleared a client's alive byte (its process exited or closed): drop it.
 * Counted as gone unless the client said it was closing (only a statistic: a client
 * can lie about it, and nothing else depends on it). */
static void reap_dead(struct ccrpc_server *s)
{
	unsigned i;

	for (i = 0; i < s->max; i++)
		if (s->conns[i].st == C_LIVE &&
		    !__atomic_load_n(&s->conns[i].ctl->client_alive, __ATOMIC_ACQUIRE))
			conn_teardown(s, &s->conns[i],
				      !__atomic_load_n(&s->conns[i].ctl->client_closing, __ATOMIC_ACQUIRE), 1);
}

int ccrpc_run(struct ccrpc_server *s, unsigned timeout_ms)
{
	uint64_t start = now_us(), last_work = start;
	struct pollfd pfd[2];
	unsigned spins = 0;
	int rc, ms;

	if (!s->published)
		return CCRPC_EINVAL;
	scan_conns(s);
	s->stop = 0;
	while (!s->stop) {
		uint64_t t = now_us();

		if (timeout_ms && t - start >= (uint64_t)timeout_ms * 1000u)
			return CCRPC_ETIMEDOUT;
		if (serve_all(s)) {
			last_work = now_us();
			continue;
		}
		ms = 1000;
		if (t - last_work < s->spin_us && (++spins & 63)) {
			__builtin_ia32_pause();
			continue;	/* bounded busy poll: no syscall on the hot path */
		}
		if (t - last_work < s->spin_us) {
			ms = 0;		/* still spinning: only look at xenstore and events */
		} else {
			/* Pairs with the client's post + fence + load of server_sleeping. */
			set_sleeping(s, 1);
			FENCE();
			if (serve_all(s)) {
				set_sleeping(s, 0);
				last_work = now_us();
				continue;
			}
		}
		if (timeout_ms) {
			uint64_t left = (uint64_t)timeout_ms * 1000u - (now_us() - start);

			if (left / 1000 < (uint64_t)ms)
				ms = (int)(left / 1000);
		}
		pfd[0] = (struct pollfd){ .fd = xenevtchn_fd(s->xce), .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = xs_fileno(s->xs), .events = POLLIN };
		rc = poll(pfd, 2, ms);
		set_sleeping(s, 0);
		if (rc < 0 && errno != EINTR)
			return CCRPC_ESYS;
		if (rc > 0 && (pfd[0].revents & POLLIN)) {
			xenevtchn_port_or_error_t p = xenevtchn_pending(s->xce);

			if (p >= 0)
				xenevtchn_unmask(s->xce, (evtchn_port_t)p);
			reap_dead(s);
		}
		if (rc > 0 && (pfd[1].revents & POLLIN)) {
			unsigned n;

			free(xs_read_watch(s->xs, &n));
			scan_conns(s);
		}
		if (rc == 0 && ms)
			reap_dead(s);
	}
	return 0;
}

void ccrpc_stop(struct ccrpc_server *s) { s->stop = 1; }

void ccrpc_server_stats(const struct ccrpc_server *s, struct ccrpc_server_stats *st) { *st = s->st; }

void ccrpc_server_close(struct ccrpc_server *s)
{
	char path[192];
	unsigned i;

	if (!s)
		return;
	for (i = 0; s->conns && i < s->max; i++)
		conn_teardown(s, &s->conns[i], 0, 1);
	if (s->xs && s->published) {
		snprintf(path, sizeof(path), "%s/" CCRPC_XS_SERVICE "/%s", s->root, s->name);
		xs_rm(s->xs, XBT_NULL, path);
	}
	if (s->gt)
		xengnttab_close(s->gt);
	if (s->xce)
		xenevtchn_close(s->xce);
	if (s->xs)
		xs_close(s->xs);
	free(s->conns);
	free(s->allow);
	free(s);
}
