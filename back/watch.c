// SPDX-License-Identifier: GPL-2.0 OR MIT
/* watch.c - what colorcomd watches in the guests' trees, and what a watch
 * event names.
 *
 * Every path we watch says which NIC, which domain's NICs or which link half
 * changed, so an event is turned into a target (struct ccd_tgt) and a pass
 * re-reads only that (xs.c, ccd_scan_targets).  A path no watch of ours can
 * deliver is ignored: the periodic full pass covers anything missed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "ccd.h"

#define WATCH_FRONT     "ccd-front"

void ccd_dirty_init(struct ccd_dirty *dr)
{
	memset(dr, 0, sizeof(*dr));
}

void ccd_dirty_clear(struct ccd_dirty *dr)
{
	dr->n = 0;
	dr->full = dr->doms = dr->rpc = 0;
}

void ccd_dirty_free(struct ccd_dirty *dr)
{
	free(dr->t);
	ccd_dirty_init(dr);
}

void ccd_dirty_add(struct ccd_dirty *dr, int kind, unsigned d, unsigned x,
		   unsigned y)
{
	struct ccd_tgt *t;
	size_t i;

	if (dr->full)
		return;
	for (i = 0; i < dr->n; i++)
		if (dr->t[i].kind == kind && dr->t[i].d == d &&
		    dr->t[i].x == x && dr->t[i].y == y)
			return;
	if (dr->n >= CCD_DIRTY_MAX) {
		dr->full = 1;
		return;
	}
	if (dr->n == dr->cap) {
		size_t ncap = dr->cap ? dr->cap * 2 : 32;

		t = realloc(dr->t, ncap * sizeof(*t));
		if (!t) {               /* cannot remember it: read it all */
			dr->full = 1;
			return;
		}
		dr->t = t;
		dr->cap = ncap;
	}
	t = &dr->t[dr->n++];
	t->kind = kind;
	t->d = d;
	t->x = x;
	t->y = y;
}

/* Next path component as a number: *p advances past it and its '/'.
 * Returns 0, 1 when the path ends here, -1 when it is not a number. */
static int comp_uint(const char **p, unsigned long max, unsigned long *v)
{
	size_t n;

	if (!**p)
		return 1;
	n = strcspn(*p, "/");
	if (ccd_parse_uint(*p, n, max, v))
		return -1;
	*p += n;
	if (**p == '/')
		(*p)++;
	return 0;
}

/* "word/" at *p: advance past it. */
static int comp_word(const char **p, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(*p, w, n) || (*p)[n] != '/')
		return -1;
	*p += n + 1;
	return 0;
}

int ccd_dirty_path(struct ccd_dirty *dr, const char *path)
{
	static const char root[] = CCD_BACKEND_ROOT, pre[] = "/local/domain/";
	unsigned long d, x, y;
	const char *p;
	int r;

	if (!strcmp(path, "@releaseDomain") ||
	    !strcmp(path, "@introduceDomain")) {
		dr->doms = 1;
		return 0;
	}
	/* dom0's NIC backend dirs: root[/D[/N[/key]]] */
	if (!strncmp(path, root, sizeof(root) - 1) &&
	    (path[sizeof(root) - 1] == '/' || !path[sizeof(root) - 1])) {
		p = path + sizeof(root) - 1;
		if (*p == '/')
			p++;
		r = comp_uint(&p, CCD_DOMID_MAX, &d);
		if (r > 0) {
			ccd_dirty_add(dr, CCD_T_ALLNICS, 0, 0, 0);
			return 0;
		}
		if (r < 0)
			return -1;
		r = comp_uint(&p, 0xFFFF, &x);
		if (r > 0)
			ccd_dirty_add(dr, CCD_T_DOMNICS, (unsigned)d, 0, 0);
		else if (r == 0)
			ccd_dirty_add(dr, CCD_T_NIC, (unsigned)d,
				      (unsigned)x, 0);
		return r < 0 ? -1 : 0;
	}
	if (strncmp(path, pre, sizeof(pre) - 1))
		return -1;
	p = path + sizeof(pre) - 1;
	if (comp_uint(&p, CCD_DOMID_MAX, &d))
		return -1;
	/* D/device/colorcom/N[/...]: the NIC's frontend (its state) */
	if (!comp_word(&p, "device") && !comp_word(&p, CCD_NIC_TYPE)) {
		if (comp_uint(&p, 0xFFFF, &x))
			return -1;
		ccd_dirty_add(dr, CCD_T_NIC, (unsigned)d, (unsigned)x, 0);
		return 0;
	}
	p = path + sizeof(pre) - 1;
	comp_uint(&p, CCD_DOMID_MAX, &d);
	/* A/device/cclink/L[/...]: a front half */
	if (!comp_word(&p, "device") && !comp_word(&p, CCD_LINK_TYPE)) {
		if (comp_uint(&p, CCD_LINK_ID_MAX, &x))
			return -1;
		ccd_dirty_add(dr, CCD_T_FRONT, (unsigned)d, (unsigned)x, 0);
		return 0;
	}
	p = path + sizeof(pre) - 1;
	comp_uint(&p, CCD_DOMID_MAX, &d);
	/* B/backend/cclink/A/L[/...]: a back half */
	if (!comp_word(&p, "backend") && !comp_word(&p, CCD_LINK_TYPE)) {
		if (comp_uint(&p, CCD_DOMID_MAX, &x) ||
		    comp_uint(&p, CCD_LINK_ID_MAX, &y))
			return -1;
		ccd_dirty_add(dr, CCD_T_BACK, (unsigned)d, (unsigned)x,
			      (unsigned)y);
		return 0;
	}
	p = path + sizeof(pre) - 1;
	comp_uint(&p, CCD_DOMID_MAX, &d);
	/* D/data/ccrpc[/...]: libccrpc's rendezvous (rpc.c) */
	if (!strcmp(p, "data/ccrpc") || !strncmp(p, "data/ccrpc/", 11)) {
		dr->rpc = 1;
		return 0;
	}
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Watch the frontend state of every NIC we know and every link half (guests
 * write those: the NIC rules need the first, the link rules and the link
 * times of status.c the second), and stop watching the ones that went. */
void ccd_watches_sync(struct xs_handle *h, struct ccd_watches *ws,
		      const struct ccd_snap *s)
{
	size_t max = s->nnic + s->nhalf, n = 0, i, j, k;
	char **want = NULL;

	if (max)
		want = calloc(max, sizeof(*want));
	for (i = 0; want && i < max; i++) {
		char p[160];

		if (i < s->nnic) {
			snprintf(p, sizeof(p), "/local/domain/%u/device/%s/%u/%s",
				 s->nics[i].domid, CCD_NIC_TYPE,
				 s->nics[i].devid, CCD_K_STATE);
		} else {
			const struct ccd_half *hf = &s->halves[i - s->nnic];

			/* the whole half: its `broken` matters too */
			if (hf->kind == CCD_HALF_FRONT)
				snprintf(p, sizeof(p),
					 "/local/domain/%u/device/%s/%u",
					 hf->a, CCD_LINK_TYPE, hf->l);
			else
				snprintf(p, sizeof(p),
					 "/local/domain/%u/backend/%s/%u/%u",
					 hf->b, CCD_LINK_TYPE, hf->a, hf->l);
		}
		if (!(want[n] = strdup(p)))
			break;
		n++;
	}
	if (n)
		qsort(want, n, sizeof(*want), cmp_str);
	/* (two NICs of one domain with the same devid cannot exist; be safe) */
	for (i = 1, k = n ? 1 : 0; i < n; i++) {
		if (strcmp(want[i], want[k - 1]))
			want[k++] = want[i];
		else
			free(want[i]);
	}
	n = k;
	/* Both lists sorted: merge. */
	for (i = 0, j = 0; i < n || j < ws->n;) {
		int d = i >= n ? 1 : j >= ws->n ? -1 :
			strcmp(want[i], ws->w[j]);

		if (d < 0) {
			if (!xs_watch(h, want[i], WATCH_FRONT))
				ccd_log(CCD_LOG_WARN, "watch %s: %s", want[i],
					strerror(errno));
			i++;
		} else if (d > 0) {
			xs_unwatch(h, ws->w[j], WATCH_FRONT);
			j++;
		} else {
			i++;
			j++;
		}
	}
	for (j = 0; j < ws->n; j++)
		free(ws->w[j]);
	free(ws->w);
	ws->w = want;
	ws->n = n;
}

void ccd_watches_free(struct ccd_watches *ws)
{
	size_t j;

	for (j = 0; j < ws->n; j++)
		free(ws->w[j]);
	free(ws->w);
	ws->w = NULL;
	ws->n = 0;
}
