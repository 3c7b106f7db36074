// SPDX-License-Identifier: GPL-2.0 OR MIT
/* pass.c - one reconcile pass: scan (all of xenstore, or what watch events
 * named), decide, apply, remember back-offs. */
#include <stdio.h>

#include "ccd.h"

/* A failed action (xenstore error, or a transaction that kept conflicting
 * with a guest's writes) is tried again by a pass this much later. */
#define CCD_RETRY_MS    1000

static void deadline(long long *dl, long long t)
{
	if (!*dl || t < *dl)
		*dl = t;
}

/* Keys of NICs (and pairs of NICs) still in the snapshot stay remembered;
 * a detached NIC's back-off is forgotten with it. */
static int bo_keep(void *arg, int kind, unsigned x, unsigned y)
{
	const struct ccd_snap *s = arg;
	unsigned b, na, nb;

	if (kind == CCD_BO_NIC)
		return ccd_snap_find_nic(s, x, y) != NULL;
	ccd_link_decode(y, &b, &na, &nb);
	return ccd_snap_find_nic(s, x, na) && ccd_snap_find_nic(s, b, nb);
}

/* Note the back-off event of every action that was carried out. */
static void note_backoffs(struct ccd_backoff *bo, const struct ccd_plan *p,
			  long long now_ms, long long *dl)
{
	size_t i;

	for (i = 0; i < p->nact; i++) {
		const struct ccd_act *a = &p->acts[i];
		unsigned x = a->bo_kind == CCD_BO_NIC ? a->domid : a->a;
		unsigned y = a->bo_kind == CCD_BO_NIC ? a->devid : a->l;
		long long wait;

		if (a->rc != 0)
			continue;
		if (a->kind == CCD_ACT_LINK_REMOVE ||
		    a->kind == CCD_ACT_LINK_CREATE)
			ccd_backoff_forget(bo, CCD_BO_HOLD, a->a, a->l);
		if (!a->bo_kind)
			continue;
		wait = ccd_backoff_note(bo, a->bo_kind, x, y, now_ms);
		if (wait) {
			deadline(dl, now_ms + wait);
			ccd_log(CCD_LOG_INFO,
				"%s %u/%u: %s %u in a row, next link in %lld ms",
				a->bo_kind == CCD_BO_NIC ? "nic" : "link",
				x, a->bo_kind == CCD_BO_NIC ? y : a->b,
				a->bo_kind == CCD_BO_NIC ? "flap" : "failure",
				ccd_backoff_streak(bo, a->bo_kind, x, y), wait);
		}
	}
}

/* What each action wrote (or found changed, when it was skipped): read
 * again, so that the snapshot, and the watches made from it, hold it. */
static void reread_acted(struct xs_handle *h, struct ccd_dom_ctx *dc,
			 struct ccd_snap *snap, const struct ccd_plan *p)
{
	struct ccd_dirty dr;
	size_t i;

	ccd_dirty_init(&dr);
	for (i = 0; i < p->nact; i++) {
		const struct ccd_act *a = &p->acts[i];

		switch (a->kind) {
		case CCD_ACT_NIC_STATE:
		case CCD_ACT_NIC_ERROR:
		case CCD_ACT_NIC_REMOVE:
			ccd_dirty_add(&dr, CCD_T_NIC, a->domid, a->devid, 0);
			break;
		case CCD_ACT_LINK_REMOVE:
		case CCD_ACT_LINK_CREATE:
			ccd_dirty_add(&dr, CCD_T_FRONT, a->a, a->l, 0);
			ccd_dirty_add(&dr, CCD_T_BACK, a->b, a->a, a->l);
			break;
		case CCD_ACT_UPLINK_ATTACH:
		case CCD_ACT_UPLINK_DETACH:
			ccd_dirty_add(&dr, CCD_T_DOMNICS, 0, 0, 0);
			break;
		}
	}
	if (dr.full) {          /* too many to remember: read it all */
		ccd_snap_clear(snap);
		if (ccd_scan(h, dc, snap))
			ccd_snap_clear(snap);
	} else if (dr.n) {
		if (ccd_scan_targets(h, dc, snap, &dr))
			ccd_snap_clear(snap);
	}
	ccd_dirty_free(&dr);
}

/* Plan and apply on the snapshot as it is. */
static int decide(struct xs_handle *h, struct ccd_dom_ctx *dc,
		  struct ccd_timers *timers, const struct ccd_opts *o,
		  struct ccd_snap *snap, long long now_ms,
		  long long *deadline_ms)
{
	struct ccd_plan plan;
	int rc = -1, fails;

	ccd_plan_init(&plan);
	ccd_timers_update(timers, snap);
	if (o->backoff)
		ccd_backoff_expire(o->backoff, now_ms, bo_keep, snap);
	if (ccd_plan_build(snap, o, &plan)) {
		ccd_log(CCD_LOG_ERR, "out of memory building the plan");
		goto out;
	}
	ccd_log(CCD_LOG_DEBUG,
		"pass: %zu domains, %zu nics, %zu link halves, %zu actions",
		snap->ndom, snap->nnic, snap->nhalf, plan.nact);
	fails = ccd_plan_apply(h, &plan);
	rc = fails ? -1 : 0;
	*deadline_ms = plan.deadline_ms;
	if (o->backoff)
		note_backoffs(o->backoff, &plan, now_ms, deadline_ms);
	/* Links just created are not in this pass's snapshot, so nothing
	 * watches their halves yet: pass again at once, or a half that fails
	 * or never connects goes unseen until some other event. */
	for (size_t i = 0; i < plan.nact; i++)
		if (plan.acts[i].kind == CCD_ACT_LINK_CREATE &&
		    plan.acts[i].rc == 0)
			deadline(deadline_ms, now_ms);
	if (fails)
		deadline(deadline_ms, now_ms + CCD_RETRY_MS);
	reread_acted(h, dc, snap, &plan);
out:
	ccd_plan_free(&plan);
	return rc;
}

int ccd_reconcile(struct xs_handle *h, struct ccd_dom_ctx *dc,
		  struct ccd_timers *timers, const struct ccd_opts *o,
		  struct ccd_snap *snap, long long now_ms,
		  long long *deadline_ms)
{
	ccd_snap_clear(snap);
	snap->now_ms = now_ms;
	*deadline_ms = 0;
	if (ccd_scan(h, dc, snap)) {
		ccd_snap_clear(snap);   /* a partial scan is no base */
		return -1;
	}
	return decide(h, dc, timers, o, snap, now_ms, deadline_ms);
}

int ccd_reconcile_dirty(struct xs_handle *h, struct ccd_dom_ctx *dc,
			struct ccd_timers *timers, const struct ccd_opts *o,
			struct ccd_snap *snap, const struct ccd_dirty *dr,
			long long now_ms, long long *deadline_ms)
{
	if (dr->full || !snap->ndom)
		return ccd_reconcile(h, dc, timers, o, snap, now_ms,
				     deadline_ms);
	snap->now_ms = now_ms;
	*deadline_ms = 0;
	if (ccd_scan_targets(h, dc, snap, dr)) {
		ccd_snap_clear(snap);   /* the next pass reads it all */
		return -1;
	}
	return decide(h, dc, timers, o, snap, now_ms, deadline_ms);
}
