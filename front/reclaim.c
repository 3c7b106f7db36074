// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * reclaim.c - take back the pages of our own rings once the peer has let go.
 *
 * A link's two halves tear down independently: when we release our TX ring the
 * peer may still have it mapped (it unmaps when it sees our half go, a moment
 * later).  gnttab_end_foreign_access() handles that case by parking the page on
 * the kernel's deferred list, but that list is drained at most 10 entries per
 * second, and a 256 KiB ring is 65 grants: a NIC that is attached and detached
 * every few seconds (the lab's churn scenario) outgrows it without bound and the
 * guest runs out of memory after ~150 cycles.  So we keep our own list and retry
 * every entry every CCNET_RECLAIM_DELAY: a page comes back as soon as the peer
 * unmaps it, however many there are.  A peer that never unmaps (it hangs, but is
 * not destroyed: Xen drops a dead domain's mappings itself) pins only the pages
 * it mapped, exactly as with the kernel's list, and the count is visible in
 * /sys/module/colorcom/parameters/grants_pending.
 */
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>

#include "common.h"

#define CCNET_RECLAIM_DELAY	(HZ / 10)

struct ccnet_reclaim {
	struct list_head	node;
	grant_ref_t		ref;
	struct page		*page;
};

static LIST_HEAD(ccnet_reclaim_list);
static DEFINE_SPINLOCK(ccnet_reclaim_lock);
static atomic_t ccnet_grants_pending = ATOMIC_INIT(0);

module_param_cb(grants_pending, &ccnet_counter_ops, &ccnet_grants_pending, 0444);
MODULE_PARM_DESC(grants_pending,
		 "released ring pages a peer still maps, not yet freed (read-only)");

static void ccnet_reclaim_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ccnet_reclaim_work, ccnet_reclaim_fn);

static void ccnet_reclaim_fn(struct work_struct *work)
{
	struct ccnet_reclaim *r, *tmp;
	LIST_HEAD(todo);
	bool more;

	/* Work on a private list: releases can queue new entries meanwhile. */
	spin_lock(&ccnet_reclaim_lock);
	list_splice_init(&ccnet_reclaim_list, &todo);
	spin_unlock(&ccnet_reclaim_lock);

	list_for_each_entry_safe(r, tmp, &todo, node) {
		if (!gnttab_try_end_foreign_access(r->ref))
			continue;
		list_del(&r->node);
		__free_page(r->page);
		kfree(r);
		atomic_dec(&ccnet_grants_pending);
	}

	spin_lock(&ccnet_reclaim_lock);
	list_splice(&todo, &ccnet_reclaim_list);
	more = !list_empty(&ccnet_reclaim_list);
	spin_unlock(&ccnet_reclaim_lock);
	if (more)
		schedule_delayed_work(&ccnet_reclaim_work, CCNET_RECLAIM_DELAY);
}

/*
 * Ends the peer's access to @ref and frees @page: now if the peer has no mapping
 * left, otherwise as soon as it unmaps.  Process context; cannot fail.
 */
void ccnet_grant_release(grant_ref_t ref, struct page *page)
{
	struct ccnet_reclaim *r;

	if (gnttab_try_end_foreign_access(ref)) {
		__free_page(page);
		return;
	}
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		/* Teardown must not fail: the kernel's slower list takes it. */
		gnttab_end_foreign_access(ref, page);
		return;
	}
	r->ref = ref;
	r->page = page;
	atomic_inc(&ccnet_grants_pending);
	spin_lock(&ccnet_reclaim_lock);
	list_add_tail(&r->node, &ccnet_reclaim_list);
	spin_unlock(&ccnet_reclaim_lock);
	schedule_delayed_work(&ccnet_reclaim_work, CCNET_RECLAIM_DELAY);
}

/* Module exit, every link gone: what a peer still maps goes to the kernel's list. */
void ccnet_reclaim_exit(void)
{
	struct ccnet_reclaim *r, *tmp;

	cancel_delayed_work_sync(&ccnet_reclaim_work);
	list_for_each_entry_safe(r, tmp, &ccnet_reclaim_list, node) {
		list_del(&r->node);
		gnttab_end_foreign_access(r->ref, r->page);
		kfree(r);
		atomic_dec(&ccnet_grants_pending);
	}
}
