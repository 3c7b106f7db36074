// SPDX-License-Identifier: GPL-2.0 OR MIT
/* status.c - when each link entered its state, and the back-off of links
 * and NICs, for `colorcomctl links` and `list` (format: ccdom0.h,
 * CCD_STATUS_PATH).
 *
 * xenstore keeps no times, and only the daemon is there when a link half
 * changes state (it watches them), so it keeps the time in memory and
 * publishes it in a file under /run; the back-off (backoff.c) lives only
 * in the daemon's memory too.  The file is rewritten with a rename only
 * when a line changes; a restart starts the clocks again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "ccd.h"

struct ccd_status {
	char *path;
	struct ccd_chan *c;
	size_t n;
	const struct ccd_backoff *bo;
	char *nics;             /* the "nic ..." lines last written */
};

void ccd_status_set_backoff(struct ccd_status *st,
			    const struct ccd_backoff *bo)
{
	if (st)
		st->bo = bo;
}

struct ccd_status *ccd_status_new(const char *path)
{
	struct ccd_status *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->path = strdup(path);
	if (!st->path) {
		free(st);
		return NULL;
	}
	return st;
}

void ccd_status_free(struct ccd_status *st)
{
	if (!st)
		return;
	free(st->c);
	free(st->nics);
	free(st->path);
	free(st);
}

static int cmp_chan(const void *x, const void *y)
{
	const struct ccd_chan *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->l < b->l ? -1 : a->l > b->l;
}

/* A monotonic deadline as Unix time, rounded up (0 stays 0: no wait). */
static long long to_unix(long long until_ms, long long now_ms,
			 long long now_unix)
{
	if (until_ms <= now_ms)
		return 0;
	return now_unix + (until_ms - now_ms + 999) / 1000;
}

struct bo_ctx {
	long long now_ms, now_unix;
	struct ccd_chan *c;     /* PAIR: the lines, room for more */
	size_t n, cap;
	char *buf;              /* NIC: the lines */
	size_t len, bufcap;
};

/* A pair waiting with no half left gets its own line (both states -1). */
static void add_pair(void *arg, unsigned a, unsigned l, unsigned long total,
		     long long until_ms)
{
	struct bo_ctx *x = arg;
	struct ccd_chan *nc;
	size_t j;

	(void)total;
	if (until_ms <= x->now_ms)
		return;
	for (j = 0; j < x->n; j++)
		if (x->c[j].a == a && x->c[j].l == l)
			return;
	if (x->n == x->cap) {
		nc = realloc(x->c, (x->cap * 2 + 1) * sizeof(*nc));
		if (!nc)
			return;
		x->c = nc;
		x->cap = x->cap * 2 + 1;
	}
	memset(&x->c[x->n], 0, sizeof(x->c[x->n]));
	x->c[x->n].a = a;
	x->c[x->n].l = l;
	x->c[x->n].fstate = x->c[x->n].bstate = -1;
	x->c[x->n].since = x->now_unix;
	x->n++;
}

static void add_nic(void *arg, unsigned d, unsigned n, unsigned long total,
		    long long until_ms)
{
	struct bo_ctx *x = arg;
	char line[96];
	int len;

	len = snprintf(line, sizeof(line), "nic %u %u %lu %lld\n", d, n, total,
		       to_unix(until_ms, x->now_ms, x->now_unix));
	if (len <= 0)
		return;
	if (x->len + (size_t)len + 1 > x->bufcap) {
		char *nb = realloc(x->buf, x->bufcap * 2 + sizeof(line));

		if (!nb)
			return;
		x->buf = nb;
		x->bufcap = x->bufcap * 2 + sizeof(line);
	}
	memcpy(x->buf + x->len, line, (size_t)len + 1);
	x->len += (size_t)len;
}

static int write_file(struct ccd_status *st)
{
	char tmp[4096], *slash;
	size_t i;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s", st->path);
	slash = strrchr(tmp, '/');
	if (slash && slash != tmp) {
		*slash = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", st->path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	for (i = 0; i < st->n; i++)
		fprintf(f, "%u %u %d %d %lld %lu %lld\n", st->c[i].a, st->c[i].l,
			st->c[i].fstate, st->c[i].bstate, st->c[i].since,
			st->c[i].recreated, st->c[i].wait_until);
	if (st->nics)
		fputs(st->nics, f);
	if (fclose(f)) {
		unlink(tmp);
		return -1;
	}
	return rename(tmp, st->path);
}

int ccd_status_update(struct xs_handle *h, struct ccd_status *st,
		      const struct ccd_snap *snap, long long now_unix)
{
	struct bo_ctx x = { .now_ms = snap->now_ms, .now_unix = now_unix };
	struct ccd_chan *nc;
	size_t n = 0, i, j;
	int changed = 0;

	(void)h;        /* the states come from the pass's snapshot */
	nc = calloc(snap->nhalf + 1, sizeof(*nc));
	if (!nc)
		return -1;
	/* One entry per half, sorted, then the two halves of a link merged:
	 * n log n, for networks of thousands of links. */
	for (i = 0; i < snap->nhalf; i++) {
		const struct ccd_half *hf = &snap->halves[i];
		/* missing or garbage: no state to time */
		int hs = hf->state < 0 ? -1 : hf->state;

		nc[i].a = hf->a;
		nc[i].l = hf->l;
		nc[i].fstate = hf->kind == CCD_HALF_FRONT ? hs : -1;
		nc[i].bstate = hf->kind == CCD_HALF_BACK ? hs : -1;
		nc[i].since = now_unix;
	}
	if (snap->nhalf)
		qsort(nc, snap->nhalf, sizeof(*nc), cmp_chan);
	for (i = 0; i < snap->nhalf; i++) {
		if (n && !cmp_chan(&nc[n - 1], &nc[i])) {
			if (nc[i].fstate >= 0)
				nc[n - 1].fstate = nc[i].fstate;
			if (nc[i].bstate >= 0)
				nc[n - 1].bstate = nc[i].bstate;
			continue;
		}
		nc[n++] = nc[i];
	}
	x.c = nc;
	x.n = n;
	x.cap = snap->nhalf + 1;
	ccd_backoff_each(st->bo, CCD_BO_PAIR, add_pair, &x);
	ccd_backoff_each(st->bo, CCD_BO_NIC, add_nic, &x);
	nc = x.c;
	n = x.n;
	for (i = 0; i < n; i++) {
		nc[i].recreated = ccd_backoff_total(st->bo, CCD_BO_PAIR,
						    nc[i].a, nc[i].l);
		nc[i].wait_until = to_unix(ccd_backoff_until(st->bo,
							     CCD_BO_PAIR,
							     nc[i].a, nc[i].l,
							     snap->now_ms),
					   snap->now_ms, now_unix);
	}
	if (n)
		qsort(nc, n, sizeof(*nc), cmp_chan);
	/* Both sorted: keep the time of every unchanged pair of states. */
	for (i = 0, j = 0; i < n; i++) {
		while (j < st->n && cmp_chan(&st->c[j], &nc[i]) < 0)
			j++;
		if (j < st->n && !cmp_chan(&st->c[j], &nc[i]) &&
		    st->c[j].fstate == nc[i].fstate &&
		    st->c[j].bstate == nc[i].bstate)
			nc[i].since = st->c[j].since;
		else
			changed = 1;
		if (j < st->n && !cmp_chan(&st->c[j], &nc[i]) &&
		    (st->c[j].recreated != nc[i].recreated ||
		     st->c[j].wait_until != nc[i].wait_until))
			changed = 1;
	}
	changed |= n != st->n;
	if (!st->nics != !x.buf ||
	    (x.buf && strcmp(st->nics, x.buf)))
		changed = 1;
	free(st->nics);
	st->nics = x.buf;
	free(st->c);
	st->c = nc;
	st->n = n;
	if (!changed)
		return 0;
	if (write_file(st)) {
		ccd_log_once(CCD_LOG_WARN, st->path, "cannot write %s: %s",
			     st->path, strerror(errno));
		return -1;
	}
	return 0;
}

long long ccd_now_unix(void)
{
	return (long long)time(NULL);
}
