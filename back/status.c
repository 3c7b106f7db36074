// SPDX-License-Identifier: GPL-2.0 OR MIT
/* status.c - when each link entered its state, for `colorcomctl
 * links` (format: ccdom0.h, CCD_STATUS_PATH).
 *
 * xenstore keeps no times, and only the daemon is there when a link half
 * changes state (it watches them), so it keeps the time in memory and
 * publishes it in a file under /run.  The file is rewritten with a rename
 * only when a line changes; a restart starts the clocks again.
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
};

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
		fprintf(f, "%u %u %d %d %lld\n", st->c[i].a, st->c[i].l,
			st->c[i].fstate, st->c[i].bstate, st->c[i].since);
	if (fclose(f)) {
		unlink(tmp);
		return -1;
	}
	return rename(tmp, st->path);
}

int ccd_status_update(struct xs_handle *h, struct ccd_status *st,
		      const struct ccd_snap *snap, long long now_unix)
{
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
	}
	changed |= n != st->n;
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
