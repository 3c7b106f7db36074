// SPDX-License-Identifier: GPL-2.0 OR MIT
/* backoff.c - exponential back-off of link re-creation, per NIC and per pair.
 *
 * Every link colorcomd creates costs both guests a probe, a ring of 65..513
 * granted pages and a teardown.  A guest that flaps its NIC (frontend
 * Connected -> anything -> Connected) or breaks, closes or deletes its half
 * of a link again and again would otherwise make the daemon re-create links
 * to every peer at the guest's own rate.  So each such event is noted here,
 * keyed by the NIC (domid, devid) or by the pair (A, L), and the next
 * creation waits base * 2^(k-1) (capped), k being the events of the current
 * streak.  A NIC's first flap is free: an honest driver reload is one flap.
 * An entry is forgotten once its key has been quiet for two maximum delays
 * (and at least CCD_BO_QUIET_MIN_MS), or when the NIC goes away (detach).
 *
 * Pure (no I/O, no clock): the caller passes the time.  Unit tested in
 * tests/test_registry.c.  The memory is lost on restart, which only forgives.
 */
#include <stdlib.h>
#include <string.h>

#include "ccd.h"

#define CCD_BO_QUIET_MIN_MS     60000
/* At most this many keys are remembered; beyond, the quietest is dropped
 * (keys come from dom0-validated NICs and links, so this is only a bound). */
#define CCD_BO_MAX_ENTRIES      65536

struct ccd_bo_ent {
	int kind;
	unsigned x, y;
	unsigned streak;        /* events in the current streak */
	unsigned long total;    /* events since first seen (never reset) */
	long long last_ms;      /* time of the last event */
	long long until_ms;     /* no (re)creation before this */
};

struct ccd_backoff {
	struct ccd_bo_ent *e;
	size_t n, cap;
	long long base_ms, max_ms;
};

struct ccd_backoff *ccd_backoff_new(long long base_ms, long long max_ms)
{
	struct ccd_backoff *b = calloc(1, sizeof(*b));

	if (b)
		ccd_backoff_set(b, base_ms, max_ms);
	return b;
}

void ccd_backoff_free(struct ccd_backoff *b)
{
	if (!b)
		return;
	free(b->e);
	free(b);
}

/* New settings (SIGHUP) apply at once, to the waits already running too. */
void ccd_backoff_set(struct ccd_backoff *b, long long base_ms,
		     long long max_ms)
{
	size_t i;

	if (!b)
		return;
	b->base_ms = base_ms < 0 ? 0 : base_ms;
	b->max_ms = max_ms < 0 ? 0 : max_ms;
	for (i = 0; i < b->n; i++)
		if (b->e[i].kind != CCD_BO_HOLD)
			b->e[i].until_ms = b->e[i].last_ms +
				ccd_backoff_delay(b, b->e[i].kind,
						  b->e[i].streak);
}

static struct ccd_bo_ent *find(const struct ccd_backoff *b, int kind,
			       unsigned x, unsigned y)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->e[i].kind == kind && b->e[i].x == x && b->e[i].y == y)
			return &b->e[i];
	return NULL;
}

/* The wait after the k-th event of a streak (k >= 1). */
long long ccd_backoff_delay(const struct ccd_backoff *b, int kind, unsigned k)
{
	unsigned free_events = kind == CCD_BO_NIC ? 1 : 0;
	long long d;
	unsigned i;

	if (k <= free_events)
		return 0;
	if (!b->max_ms)         /* back-off off: a NIC never waits, a pair the base */
		return kind == CCD_BO_NIC ? 0 : b->base_ms;
	d = b->base_ms;
	for (i = free_events + 1; i < k && d < b->max_ms; i++)
		d *= 2;
	return d < b->max_ms ? d : b->max_ms;
}

static long long quiet_ms(const struct ccd_backoff *b)
{
	return 2 * b->max_ms > CCD_BO_QUIET_MIN_MS ? 2 * b->max_ms :
						     CCD_BO_QUIET_MIN_MS;
}

long long ccd_backoff_note(struct ccd_backoff *b, int kind, unsigned x,
			   unsigned y, long long now_ms)
{
	struct ccd_bo_ent *e = find(b, kind, x, y);

	if (!e) {
		if (b->n == b->cap) {
			size_t ncap = b->cap ? b->cap * 2 : 32;
			struct ccd_bo_ent *ne;

			if (b->n >= CCD_BO_MAX_ENTRIES) {
				size_t i, old = 0;

				for (i = 1; i < b->n; i++)
					if (b->e[i].last_ms < b->e[old].last_ms)
						old = i;
				b->e[old] = b->e[--b->n];
			} else {
				ne = realloc(b->e, ncap * sizeof(*ne));
				if (!ne)        /* forgetting only forgives */
					return 0;
				b->e = ne;
				b->cap = ncap;
			}
		}
		e = &b->e[b->n++];
		memset(e, 0, sizeof(*e));
		e->kind = kind;
		e->x = x;
		e->y = y;
	} else if (now_ms - (e->until_ms > e->last_ms ? e->until_ms :
			    e->last_ms) >= quiet_ms(b)) {
		e->streak = 0;
	}
	e->streak++;
	e->total++;
	e->last_ms = now_ms;
	e->until_ms = now_ms + ccd_backoff_delay(b, kind, e->streak);
	return e->until_ms - now_ms;
}

/* A failed link first seen now is kept until now + hold_ms: returns that
 * time while it lies ahead, then 0.  ccd_backoff_forget() ends the hold. */
long long ccd_backoff_hold(struct ccd_backoff *b, unsigned x, unsigned y,
			   long long now_ms, long long hold_ms)
{
	struct ccd_bo_ent *e = find(b, CCD_BO_HOLD, x, y);

	if (!e) {
		ccd_backoff_note(b, CCD_BO_HOLD, x, y, now_ms);
		e = find(b, CCD_BO_HOLD, x, y);
		if (!e)                 /* no memory: do not hold */
			return 0;
		e->until_ms = now_ms + hold_ms;
	}
	return e->until_ms > now_ms ? e->until_ms : 0;
}

void ccd_backoff_forget(struct ccd_backoff *b, int kind, unsigned x,
			unsigned y)
{
	struct ccd_bo_ent *e = b ? find(b, kind, x, y) : NULL;

	if (e)
		*e = b->e[--b->n];
}

long long ccd_backoff_until(const struct ccd_backoff *b, int kind, unsigned x,
			    unsigned y, long long now_ms)
{
	const struct ccd_bo_ent *e = b ? find(b, kind, x, y) : NULL;

	return e && e->until_ms > now_ms ? e->until_ms : 0;
}

unsigned long ccd_backoff_total(const struct ccd_backoff *b, int kind,
				unsigned x, unsigned y)
{
	const struct ccd_bo_ent *e = b ? find(b, kind, x, y) : NULL;

	return e ? e->total : 0;
}

unsigned ccd_backoff_streak(const struct ccd_backoff *b, int kind, unsigned x,
			    unsigned y)
{
	const struct ccd_bo_ent *e = b ? find(b, kind, x, y) : NULL;

	return e ? e->streak : 0;
}

/* Forget quiet keys and every key of a NIC that is gone (keep(x, y) == 0):
 * a detach and attach by the administrator starts afresh. */
void ccd_backoff_expire(struct ccd_backoff *b, long long now_ms,
			int (*keep)(void *arg, int kind, unsigned x, unsigned y),
			void *arg)
{
	size_t i = 0;

	while (i < b->n) {
		struct ccd_bo_ent *e = &b->e[i];

		long long quiet_since = e->until_ms > e->last_ms ?
					e->until_ms : e->last_ms;

		if (now_ms - quiet_since >= quiet_ms(b) ||
		    (keep && !keep(arg, e->kind, e->x, e->y)))
			b->e[i] = b->e[--b->n];
		else
			i++;
	}
}

/* Every entry of one kind, for the status file (status.c). */
void ccd_backoff_each(const struct ccd_backoff *b, int kind,
		      void (*fn)(void *arg, unsigned x, unsigned y,
				 unsigned long total, long long until_ms),
		      void *arg)
{
	size_t i;

	for (i = 0; b && i < b->n; i++)
		if (b->e[i].kind == kind)
			fn(arg, b->e[i].x, b->e[i].y, b->e[i].total,
			   b->e[i].until_ms);
}

size_t ccd_backoff_count(const struct ccd_backoff *b)
{
	return b ? b->n : 0;
}
