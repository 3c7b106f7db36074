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
 *
 * A hostile peer can make colorcomd re-create its links again and again (it
 * flips its NIC's state) and never unmap: each round would pin a fresh ring of
 * ours, until our grant table is full and every grant user in this guest
 * fails, not only colorcom.  So a new link to a peer is refused while that
 * peer already pins more than max_pending_per_peer of our released pages
 * (ccnet_reclaim_admit(), counted in links_refused_pending).  The default, two
 * rings of the largest order, lets an honest peer re-link at once even before
 * it got round to unmapping the last ring.
 */
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>

#include "common.h"

#define CCNET_RECLAIM_DELAY	(HZ / 10)

struct ccnet_reclaim {
	struct list_head	node;
	domid_t			peer;
	grant_ref_t		ref;
	struct page		*page;
};

static LIST_HEAD(ccnet_reclaim_list);
static DEFINE_SPINLOCK(ccnet_reclaim_lock);	/* the list */
/* One pass at a time, so that a count taken under it sees every entry
 * (a pass holds some on a private list meanwhile). */
static DEFINE_MUTEX(ccnet_reclaim_mutex);
static atomic_t ccnet_grants_pending = ATOMIC_INIT(0);
static atomic_t ccnet_links_refused = ATOMIC_INIT(0);

static unsigned int ccnet_max_pending = 2 * (1 + (1u << CCNET_MAX_ORDER));

module_param_cb(grants_pending, &ccnet_counter_ops, &ccnet_grants_pending, 0444);
MODULE_PARM_DESC(grants_pending,
		 "released ring pages a peer still maps, not yet freed (read-only)");
module_param_named(max_pending_per_peer, ccnet_max_pending, uint, 0644);
MODULE_PARM_DESC(max_pending_per_peer,
		 "refuse new links to a peer that still maps more of our released ring pages than this (0 = no limit)");
module_param_cb(links_refused_pending, &ccnet_counter_ops,
		&ccnet_links_refused, 0444);
MODULE_PARM_DESC(links_refused_pending,
		 "links refused because their peer was over max_pending_per_peer (read-only)");

static void ccnet_reclaim_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ccnet_reclaim_work, ccnet_reclaim_fn);

/* Free what the peers have let go.  Returns true if entries remain. */
static bool ccnet_reclaim_pass(void)
{
	struct ccnet_reclaim *r, *tmp;
	LIST_HEAD(todo);
	bool more;

	lockdep_assert_held(&ccnet_reclaim_mutex);

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
	return more;
}

static void ccnet_reclaim_fn(struct work_struct *work)
{
	bool more;

	mutex_lock(&ccnet_reclaim_mutex);
	more = ccnet_reclaim_pass();
	mutex_unlock(&ccnet_reclaim_mutex);
	if (more)
		schedule_delayed_work(&ccnet_reclaim_work, CCNET_RECLAIM_DELAY);
}

/*
 * May we grant @npages more pages to @peer?  0, or -EBUSY (counted, logged
 * rate-limited) while the peer still maps too many we released.  Process
 * context.
 */
int ccnet_reclaim_admit(domid_t peer, unsigned int npages)
{
	unsigned int cap = READ_ONCE(ccnet_max_pending), pending = 0;
	struct ccnet_reclaim *r;

	if (!cap)
		return 0;
	mutex_lock(&ccnet_reclaim_mutex);
	/* What an honest peer unmapped since the last pass must not count. */
	ccnet_reclaim_pass();
	spin_lock(&ccnet_reclaim_lock);
	list_for_each_entry(r, &ccnet_reclaim_list, node)
		pending += r->peer == peer;
	spin_unlock(&ccnet_reclaim_lock);
	mutex_unlock(&ccnet_reclaim_mutex);
	if (pending + npages <= cap)
		return 0;
	atomic_inc(&ccnet_links_refused);
	pr_warn_ratelimited(CCNET_DRV_NAME ": domain %u still maps %u of our released ring pages (limit %u): new link refused\n",
			    peer, pending, cap);
	return -EBUSY;
}

/*
 * Ends the peer's access to @ref and frees @page: now if the peer has no mapping
 * left, otherwise as soon as it unmaps.  Process context; cannot fail.
 */
void ccnet_grant_release(domid_t peer, grant_ref_t ref, struct page *page)
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
	r->peer = peer;
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
