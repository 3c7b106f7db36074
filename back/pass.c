// SPDX-License-Identifier: GPL-2.0 OR MIT
/* pass.c - one reconcile pass: scan, decide, apply. */
#include <stdio.h>

#include "ccd.h"

int ccd_reconcile(struct xs_handle *h, struct ccd_dom_ctx *dc,
		  struct ccd_timers *timers, const struct ccd_opts *o,
		  struct ccd_snap *snap, long long now_ms,
		  long long *deadline_ms)
{
	struct ccd_plan plan;
	int rc = -1;

	ccd_plan_init(&plan);
	ccd_snap_clear(snap);
	snap->now_ms = now_ms;
	*deadline_ms = 0;
	if (ccd_scan(h, dc, snap))
		goto out;
	ccd_timers_update(timers, snap);
	if (ccd_plan_build(snap, o, &plan)) {
		ccd_log(CCD_LOG_ERR, "out of memory building the plan");
		goto out;
	}
	ccd_log(CCD_LOG_DEBUG,
		"pass: %zu domains, %zu nics, %zu link halves, %zu actions",
		snap->ndom, snap->nnic, snap->nhalf, plan.nact);
	rc = ccd_plan_apply(h, &plan) ? -1 : 0;
	*deadline_ms = plan.deadline_ms;
out:
	ccd_plan_free(&plan);
	return rc;
}
