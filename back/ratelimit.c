// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ratelimit.c - token buckets per key (a domid), for work a guest can cause.
 *
 * A guest can make colorcomd pass (re-scan xenstore) by writing any node the
 * daemon watches in its tree, and make it log by writing garbage there.  Each
 * domain gets `burst` tokens, one more every `refill_ms`; a pass or a message
 * caused by a domain with no token left waits (passes) or is dropped and
 * counted (messages).  Work caused by dom0 (the toolstack, the daemon
 * itself) is never limited, so one guest cannot delay another's attach.
 *
 * Pure (the caller passes the time).  Unit tested in tests/test_registry.c.
 */
#include <stdlib.h>
#include <string.h>

#include "ccd.h"

#define CCD_RL_MAX_KEYS 4096    /* domids; beyond, full buckets are dropped */

struct ccd_rl_ent {
	unsigned long key;
	long long tokens_ms;    /* tokens * refill_ms, so refills stay exact */
	long long last_ms;
	unsigned long round;    /* the round it was last charged in */
	long long round_rc;     /* and what that charge returned */
	unsigned long denied;   /* refusals since the last ccd_rl_denied() */
};

struct ccd_rl {
	struct ccd_rl_ent *e;
	size_t n, cap;
	unsigned burst;
	long long refill_ms;
};

struct ccd_rl *ccd_rl_new(unsigned burst, long long refill_ms)
{
	struct ccd_rl *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->burst = burst ? burst : 1;
	r->refill_ms = refill_ms > 0 ? refill_ms : 1;
	return r;
}

void ccd_rl_free(struct ccd_rl *r)
{
	if (!r)
		return;
	free(r->e);
	free(r);
}

static struct ccd_rl_ent *get(struct ccd_rl *r, unsigned long key,
			      long long now_ms)
{
	long long full = (long long)r->burst * r->refill_ms;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->e[i].key == key)
			goto refill;
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 16;
		struct ccd_rl_ent *ne;

		if (r->n >= CCD_RL_MAX_KEYS) {
			/* drop the buckets that are full again: they
			 * hold no memory worth keeping */
			size_t j = 0;

			for (i = 0; i < r->n; i++)
				if (r->e[i].tokens_ms + now_ms -
				    r->e[i].last_ms < full)
					r->e[j++] = r->e[i];
			r->n = j;
		}
		if (r->n == r->cap) {
			if (r->n >= CCD_RL_MAX_KEYS)
				return NULL;
			ne = realloc(r->e, ncap * sizeof(*ne));
			if (!ne)
				return NULL;
			r->e = ne;
			r->cap = ncap;
		}
	}
	i = r->n++;
	memset(&r->e[i], 0, sizeof(r->e[i]));
	r->e[i].key = key;
	r->e[i].tokens_ms = full;
	r->e[i].last_ms = now_ms;
	r->e[i].round = (unsigned long)-1;
refill:
	if (now_ms > r->e[i].last_ms) {
		r->e[i].tokens_ms += now_ms - r->e[i].last_ms;
		if (r->e[i].tokens_ms > full)
			r->e[i].tokens_ms = full;
	}
	r->e[i].last_ms = now_ms;
	return &r->e[i];
}

long long ccd_rl_take(struct ccd_rl *r, unsigned long key, long long now_ms,
		      unsigned long round)
{
	struct ccd_rl_ent *e = get(r, key, now_ms);
	long long rc;

	if (!e)                 /* no memory for it: do not limit */
		return 0;
	if (e->round == round)
		return e->round_rc;
	if (e->tokens_ms >= r->refill_ms) {
		e->tokens_ms -= r->refill_ms;
		rc = 0;
	} else {
		rc = now_ms + (r->refill_ms - e->tokens_ms);
		e->denied++;
	}
	e->round = round;
	e->round_rc = rc;
	return rc;
}

unsigned long ccd_rl_denied(struct ccd_rl *r, unsigned long key)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->e[i].key == key) {
			unsigned long d = r->e[i].denied;

			r->e[i].denied = 0;
			return d;
		}
	return 0;
}

/* The domain a watched path lies in, when a guest can write it:
 * /local/domain/D/... with D > 0.  -1 otherwise (dom0's tree, including the
 * NIC backend dirs the toolstack writes; @releaseDomain and friends). */
long ccd_rl_path_domain(const char *path)
{
	static const char pre[] = "/local/domain/";
	unsigned long d;
	size_t n;

	if (strncmp(path, pre, sizeof(pre) - 1))
		return -1;
	path += sizeof(pre) - 1;
	n = strcspn(path, "/");
	if (ccd_parse_uint(path, n, CCD_DOMID_MAX, &d) || d == 0)
		return -1;
	return (long)d;
}
