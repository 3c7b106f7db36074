// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The "cclink" xenbus device: one per peer, front half in the lower domid,
 * back half in the higher one (docs/architecture.md).  Both halves run the
 * same code: grant our TX ring to the peer, map the peer's TX ring as our RX
 * ring, share one event channel.  The halves differ only in who allocates the
 * event channel and in which peer state triggers the connect.
 */
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/jhash.h>
#include <xen/xenbus.h>
#include <xen/grant_table.h>
#include <xen/events.h>
#include <xen/page.h>

#include "common.h"
#include "ccmeta.h"

/* Grant map/unmap ops go to the hypervisor in batches of this many, from the
 * stack: teardown must never depend on an allocation succeeding. */
#define CCNET_MAP_BATCH		16

/*
 * Module-wide resource counters, read-only in /sys/module/colorcom/parameters/:
 * grant refs we hold for peers, peer pages we map, event channels we own.  With
 * no link left they must read 0; the lab's churn scenario checks they come back
 * to where they were after hundreds of links came and went.
 */
static atomic_t ccnet_grants_active = ATOMIC_INIT(0);
static atomic_t ccnet_maps_active = ATOMIC_INIT(0);
static atomic_t ccnet_evtchns_active = ATOMIC_INIT(0);

static int ccnet_counter_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(kp->arg));
}

/* Also reclaim.c's grants_pending. */
const struct kernel_param_ops ccnet_counter_ops = {
	.get = ccnet_counter_get,
};
module_param_cb(grants_active, &ccnet_counter_ops, &ccnet_grants_active, 0444);
MODULE_PARM_DESC(grants_active, "grant refs currently given to peers (read-only)");
module_param_cb(maps_active, &ccnet_counter_ops, &ccnet_maps_active, 0444);
MODULE_PARM_DESC(maps_active, "peer pages currently mapped (read-only)");
module_param_cb(evtchns_active, &ccnet_counter_ops, &ccnet_evtchns_active, 0444);
MODULE_PARM_DESC(evtchns_active, "event channels currently owned (read-only)");

/*
 * TX ring data pages as one contiguous block (best effort, see
 * ccnet_own_ring_alloc_block()); read when a link sets up its ring.
 * tx_rings_contig counts the TX rings that got one.
 */
static bool ccnet_tx_contig;
module_param_named(tx_contig, ccnet_tx_contig, bool, 0644);
MODULE_PARM_DESC(tx_contig, "allocate each TX ring's data pages as one contiguous block when possible (read at link setup)");
static atomic_t ccnet_tx_rings_contig = ATOMIC_INIT(0);
module_param_cb(tx_rings_contig, &ccnet_counter_ops, &ccnet_tx_rings_contig, 0444);
MODULE_PARM_DESC(tx_rings_contig, "TX rings whose data pages are one contiguous block (read-only)");

static unsigned int ccnet_mac_hash(const u8 *mac)
{
	return jhash(mac, ETH_ALEN, 0) & ((1u << CCNET_HASH_BITS) - 1);
}

/* Caller holds rcu_read_lock(); returns a connected link or NULL. */
struct ccnet_link *ccnet_link_lookup(struct ccnet_nic *nic, const u8 *mac)
{
	struct ccnet_link *link;

	hlist_for_each_entry_rcu(link, &nic->hash[ccnet_mac_hash(mac)], hash_node)
		if (ether_addr_equal(link->peer_mac, mac))
			return link;
	return NULL;
}

void ccnet_link_notify(struct ccnet_link *link)
{
	atomic64_inc(&link->stats.notify_tx);
	notify_remote_via_irq(link->irq);
}

void ccnet_link_snap(struct ccnet_link *link, struct ccnet_stats_snap *s)
{
	const struct ccnet_link_stats *st = &link->stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&st->tx_syncp);
		s->tx_packets = st->tx_packets;
		s->tx_bytes = st->tx_bytes;
		s->tx_dropped = st->tx_dropped;
		s->ring_full = st->ring_full;
		s->tx_queue_stops = st->tx_queue_stops;
		s->tx_stalls = st->tx_stalls;
		s->tx_stall_dropped = st->tx_stall_dropped;
	} while (u64_stats_fetch_retry(&st->tx_syncp, start));
	do {
		start = u64_stats_fetch_begin(&st->rx_syncp);
		s->rx_packets = st->rx_packets;
		s->rx_bytes = st->rx_bytes;
		s->rx_dropped = st->rx_dropped;
		s->rx_bad_src = st->rx_bad_src;
		s->rx_bad_meta = st->rx_bad_meta;
		s->rx_bad_csum = st->rx_bad_csum;
		s->rx_bad_gso = st->rx_bad_gso;
		s->rx_bad_feature = st->rx_bad_feature;
		s->rx_too_big = st->rx_too_big;
		s->rx_link_local = st->rx_link_local;
		s->rx_copy_errors = st->rx_copy_errors;
	} while (u64_stats_fetch_retry(&st->rx_syncp, start));
	s->notify_tx = atomic64_read(&st->notify_tx);
	s->notify_rx = atomic64_read(&st->notify_rx);
	s->proto_errors = atomic64_read(&st->proto_errors);
	s->spurious = atomic64_read(&st->spurious);
	s->eoi_throttled = atomic64_read(&st->eoi_throttled);
	ccnet_xdp_snap(link, &s->xdp);
}

/*
 * xenstore can only be written from process context, and the log line is
 * printed here too: mark_broken may run under tx_lock, where a printk can
 * re-enter our own xmit through netconsole.
 */
static void ccnet_link_broken_work(struct work_struct *work)
{
	struct ccnet_link *link = container_of(work, struct ccnet_link,
					       broken_work);
	int err;

	/* The peer decides how often links break: rate-limited. */
	dev_err_ratelimited(&link->xdev->dev,
			    "peer %u broke the %s ring: %s; link disabled\n",
			    link->peer, link->broken_dir,
			    ccring_strerror(link->broken_err));
	err = xenbus_printf(XBT_NIL, link->xdev->nodename, "broken",
			    "%s ring: %s", link->broken_dir,
			    ccring_strerror(link->broken_err));
	if (err)
		dev_warn_ratelimited(&link->xdev->dev, "writing broken: %d\n",
				     err);
}

/*
 * The peer broke the ring protocol.  Stop using the link in both directions
 * (TX and the poll check the bit), tell colorcomd through xenstore, keep the
 * mappings until the link is closed: the other links are not affected.
 * Callable from any context, including with tx_lock held: no printk here.
 */
void ccnet_link_mark_broken(struct ccnet_link *link, const char *dir, int err)
{
	if (test_and_set_bit(CCNET_LINK_BROKEN, &link->flags))
		return;
	atomic64_inc(&link->stats.proto_errors);
	link->broken_dir = dir;
	link->broken_err = err;
	schedule_work(&link->broken_work);
}

/* --- our TX ring: pages we own, granted to the peer only --- */

static void ccnet_own_ring_release(struct ccnet_link *link)
{
	struct ccnet_own_ring *own = &link->own;
	unsigned int i;

	if (own->pages) {
		for (i = 0; i < own->npages; i++) {
			if (!own->pages[i])
				continue;
			/* Frees the page once the peer has unmapped it. */
			if (own->refs[i] >= 0) {
				ccnet_grant_release(link->peer, own->refs[i],
						    own->pages[i]);
				atomic_dec(&ccnet_grants_active);
			} else
				__free_page(own->pages[i]);
		}
	}
	if (own->ctrl_page) {
		if (own->ctrl_ref >= 0) {
			ccnet_grant_release(link->peer, own->ctrl_ref,
					    own->ctrl_page);
			atomic_dec(&ccnet_grants_active);
		} else
			__free_page(own->ctrl_page);
	}
	if (own->contig)
		atomic_dec(&ccnet_tx_rings_contig);
	kfree(own->pages);
	kfree(own->refs);
	kfree(own->va);
	memset(own, 0, sizeof(*own));
	own->ctrl_ref = -1;
	memset(&link->tx, 0, sizeof(link->tx));
}

/*
 * The data pages as one physically contiguous block, so that page_address()
 * gives one virtually contiguous run and ccring copies a record that crosses
 * pages with one memcpy (ring_run() in common/ccring.c) instead of one per
 * page.  split_page() makes them independent order-0 pages again:
 * ccnet_grant_release() frees each one on its own when the peer lets go,
 * exactly like pages allocated one by one.  Best effort: without a free
 * block of that order we do not reclaim or compact for one (NORETRY), and
 * the caller allocates page by page.  Returns true if the block was taken.
 */
static bool ccnet_own_ring_alloc_block(struct ccnet_own_ring *own)
{
	unsigned int i, order = ilog2(own->npages);
	struct page *block;

	if (!READ_ONCE(ccnet_tx_contig) || order > MAX_ORDER - 1)
		return false;
	block = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NORETRY |
			    __GFP_NOWARN, order);
	if (!block)
		return false;
	split_page(block, order);
	for (i = 0; i < own->npages; i++)
		own->pages[i] = block + i;
	own->contig = true;
	return true;
}

/* Runs of virtually adjacent pages in the list, as ccring copies them. */
static unsigned int ccnet_own_ring_runs(const struct ccnet_own_ring *own)
{
	unsigned int i, runs = 1;

	for (i = 1; i < own->npages; i++)
		if (own->va[i] != own->va[i - 1] + PAGE_SIZE)
			runs++;
	return runs;
}

static int ccnet_own_ring_grant(struct ccnet_link *link)
{
	struct ccnet_own_ring *own = &link->own;
	unsigned int i, n = 1u << link->order;
	struct ccring_ctrl *ctrl;
	int ref;

	own->npages = n;
	own->pages = kcalloc(n, sizeof(*own->pages), GFP_KERNEL);
	own->refs = kmalloc_array(n, sizeof(*own->refs), GFP_KERNEL);
	own->va = kcalloc(n, sizeof(*own->va), GFP_KERNEL);
	if (!own->pages || !own->refs || !own->va)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		own->refs[i] = -1;

	own->ctrl_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!own->ctrl_page)
		return -ENOMEM;
	if (ccnet_own_ring_alloc_block(own))
		atomic_inc(&ccnet_tx_rings_contig);
	for (i = 0; i < n; i++) {
		if (!own->pages[i])
			own->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!own->pages[i])
			return -ENOMEM;
		own->va[i] = page_address(own->pages[i]);
	}

	ctrl = page_address(own->ctrl_page);
	ccring_ctrl_init(ctrl, link->order);
	for (i = 0; i < n; i++) {
		/* The consumer only reads data pages: grant them read-only. */
		ref = gnttab_grant_foreign_access(link->peer,
						  xen_page_to_gfn(own->pages[i]), 1);
		if (ref < 0)
			return ref;
		atomic_inc(&ccnet_grants_active);
		own->refs[i] = ref;
		ctrl->data_ref[i] = ref;
	}
	/* The consumer writes its index line into the control page. */
	ref = gnttab_grant_foreign_access(link->peer,
					  xen_page_to_gfn(own->ctrl_page), 0);
	if (ref < 0)
		return ref;
	atomic_inc(&ccnet_grants_active);
	own->ctrl_ref = ref;

	if (ccring_attach(&link->tx, ctrl, own->va, link->order))
		return -EINVAL;
	dev_dbg(&link->xdev->dev, "TX ring: %u data pages in %u runs%s\n", n,
		ccnet_own_ring_runs(own), own->contig ? " (one block)" : "");
	return 0;
}

/* --- the peer's TX ring (our RX ring): its grants mapped here --- */

static int ccnet_map_range(struct ccnet_link *link, unsigned int first,
			   const grant_ref_t *refs, unsigned int count, bool ro)
{
	struct ccnet_peer_ring *prx = &link->prx;
	struct gnttab_map_grant_ref ops[CCNET_MAP_BATCH];
	u32 flags = GNTMAP_host_map | (ro ? GNTMAP_readonly : 0);
	unsigned int i;
	int err;

	for (i = 0; i < count; i++)
		gnttab_set_map_op(&ops[i],
				  (unsigned long)page_address(prx->pages[first + i]),
				  flags, refs[i], link->peer);
	err = gnttab_map_refs(ops, NULL, &prx->pages[first], count);
	for (i = 0; i < count; i++) {
		if (ops[i].status == GNTST_okay) {
			prx->handles[first + i] = ops[i].handle;
			prx->mapped[first + i] = true;
			atomic_inc(&ccnet_maps_active);
		} else {
			/* The peer picks the refs: one line per batch at most,
			 * and rate-limited. */
			if (!err)
				dev_warn_ratelimited(&link->xdev->dev,
					"mapping grant %u of domain %u: status %d\n",
					refs[i], link->peer, ops[i].status);
			if (!err)
				err = -EIO;
		}
	}
	return err;
}

static void ccnet_unmap_flush(struct ccnet_link *link,
			      struct gnttab_unmap_grant_ref *ops,
			      struct page **pages, unsigned int count)
{
	unsigned int i;
	int err;

	if (!count)
		return;
	err = gnttab_unmap_refs(ops, NULL, pages, count);
	for (i = 0; i < count; i++) {
		if (err || ops[i].status != GNTST_okay)
			link->prx.unmap_failed = true;
		else
			atomic_dec(&ccnet_maps_active);
	}
	if (link->prx.unmap_failed)
		dev_err(&link->xdev->dev, "unmapping peer ring failed (%d)\n", err);
}

static void ccnet_peer_ring_unmap(struct ccnet_link *link)
{
	struct ccnet_peer_ring *prx = &link->prx;
	struct gnttab_unmap_grant_ref ops[CCNET_MAP_BATCH];
	struct page *pages[CCNET_MAP_BATCH];
	unsigned int i, k = 0;

	/* A failed kcalloc in ccnet_peer_ring_map() leaves any of these NULL;
	 * nothing is mapped until all of them exist. */
	if (!prx->pages || !prx->mapped)
		goto out_free;
	if (unlikely(ccnet_hostile_keep_maps(link->peer))) {
		/* TEST-ONLY (hostile build): a peer that never lets go of
		 * our rings; the pages stay mapped, so they must leak. */
		prx->unmap_failed = true;
		goto out_free;
	}

	for (i = 0; i < 1 + prx->npages; i++) {
		if (!prx->mapped[i])
			continue;
		gnttab_set_unmap_op(&ops[k],
				    (unsigned long)page_address(prx->pages[i]),
				    GNTMAP_host_map, prx->handles[i]);
		pages[k++] = prx->pages[i];
		prx->mapped[i] = false;
		if (k == CCNET_MAP_BATCH) {
			ccnet_unmap_flush(link, ops, pages, k);
			k = 0;
		}
	}
	ccnet_unmap_flush(link, ops, pages, k);

	/* A page Xen still maps must never go back to the allocator. */
	if (!prx->unmap_failed) {
		if (prx->npages)
			gnttab_free_pages(prx->npages, prx->pages + 1);
		if (prx->ctrl_alloced)
			gnttab_free_pages(1, prx->pages);
	}
out_free:
	kfree(prx->pages);
	kfree(prx->handles);
	kfree(prx->mapped);
	kfree(prx->va);
	memset(prx, 0, sizeof(*prx));
	memset(&link->rx, 0, sizeof(link->rx));
}

/*
 * Partial state is left for ccnet_peer_ring_unmap(), which the caller runs.
 * want_order is the peer half's ring-page-order (colorcomd writes it there);
 * the control page must say the same (docs/protocol.md, section 2).
 */
static int ccnet_peer_ring_map(struct ccnet_link *link, grant_ref_t ctrl_ref,
			       u32 want_order, const char **why)
{
	struct ccnet_peer_ring *prx = &link->prx;
	grant_ref_t refs[CCNET_MAP_BATCH];
	struct ccring_ctrl *ctrl;
	unsigned int i, j, n, cnt;
	u32 order;
	int err;

	*why = "allocating peer ring";
	prx->pages = kcalloc(CCRING_MAX_REFS + 1, sizeof(*prx->pages), GFP_KERNEL);
	prx->handles = kcalloc(CCRING_MAX_REFS + 1, sizeof(*prx->handles),
			       GFP_KERNEL);
	prx->mapped = kcalloc(CCRING_MAX_REFS + 1, sizeof(*prx->mapped),
			      GFP_KERNEL);
	prx->va = kcalloc(CCRING_MAX_REFS, sizeof(*prx->va), GFP_KERNEL);
	if (!prx->pages || !prx->handles || !prx->mapped || !prx->va)
		return -ENOMEM;

	err = gnttab_alloc_pages(1, prx->pages);
	if (err)
		return err;
	prx->ctrl_alloced = true;

	*why = "mapping peer control page";
	err = ccnet_map_range(link, 0, &ctrl_ref, 1, false);
	if (err)
		return err;
	ctrl = page_address(prx->pages[0]);

	/* The peer's one and only say on geometry, validated once. */
	*why = "peer control page invalid";
	if (ccring_check_setup(ctrl, &order) ||
	    order < CCNET_MIN_ORDER || order > CCNET_MAX_ORDER) {
		ccnet_link_mark_broken(link, "rx", CCRING_E_SETUP);
		return -EPROTO;
	}
	*why = "peer ring order differs from its ring-page-order";
	if (order != want_order) {
		ccnet_link_mark_broken(link, "rx", CCRING_E_SETUP);
		return -EPROTO;
	}
	n = 1u << order;

	*why = "allocating peer ring";
	err = gnttab_alloc_pages(n, prx->pages + 1);
	if (err)
		return err;
	prx->npages = n;

	*why = "mapping peer data pages";
	for (i = 0; i < n; i += cnt) {
		cnt = min_t(unsigned int, n - i, CCNET_MAP_BATCH);
		/* Each ref read once; Xen validates it against the peer. */
		for (j = 0; j < cnt; j++)
			refs[j] = READ_ONCE(ctrl->data_ref[i + j]);
		err = ccnet_map_range(link, 1 + i, refs, cnt, true);
		if (err)
			return err;
	}
	for (i = 0; i < n; i++)
		prx->va[i] = page_address(prx->pages[1 + i]);

	*why = "attaching peer ring";
	if (ccring_attach(&link->rx, ctrl, prx->va, order)) {
		ccnet_link_mark_broken(link, "rx", CCRING_E_SETUP);
		return -EPROTO;
	}
	return 0;
}

/* --- NAPI, under RTNL --- */

void ccnet_link_napi_start(struct ccnet_link *link)
{
	ASSERT_RTNL();
	if (!test_bit(CCNET_LINK_CONNECTED, &link->flags) || !link->nic ||
	    !netif_running(link->nic->ndev))
		return;
	if (test_and_set_bit(CCNET_LINK_NAPI_ON, &link->flags))
		return;
	napi_enable(&link->napi);
	/* Catch up with frames and an EOI that arrived while we were off. */
	local_bh_disable();
	napi_schedule(&link->napi);
	local_bh_enable();
}

void ccnet_link_napi_stop(struct ccnet_link *link)
{
	ASSERT_RTNL();
	if (test_and_clear_bit(CCNET_LINK_NAPI_ON, &link->flags))
		napi_disable(&link->napi);
}

/* --- lifecycle, all under RTNL --- */

static void ccnet_link_attach(struct ccnet_link *link, struct ccnet_nic *nic)
{
	struct list_head *at = &nic->links;
	struct ccnet_link *pos;

	link->nic = nic;
	netif_napi_add(nic->ndev, &link->napi, ccnet_poll);
	link->napi_added = true;
	ccnet_xdp_link_attach(link);

	/* Sorted by (peer domid, link id) so ethtool -S keeps a stable order. */
	list_for_each_entry(pos, &nic->links, nic_node) {
		if (pos->peer > link->peer ||
		    (pos->peer == link->peer && pos->id > link->id)) {
			at = &pos->nic_node;
			break;
		}
	}
	spin_lock_bh(&nic->stats_lock);
	list_add_tail_rcu(&link->nic_node, at);
	spin_unlock_bh(&nic->stats_lock);
	link->on_list = true;
	nic->nlinks++;
}

/*
 * The one disconnect path, for errors and for close; safe to call twice and on
 * a half-built link.  The order is the table above ccnet_poll() (rx.c): stop
 * TX (tx_ok), stop NAPI, wait out RCU readers, stop the EOI timer, unbind the
 * irq, and only then unmap and free the rings, so nothing can run on them
 * afterwards.  The peer's pages are unmapped before anything else can fail,
 * so a dead peer never stays a zombie because of us.
 */
static void ccnet_link_teardown(struct ccnet_link *link)
{
	struct ccnet_nic *nic = link->nic;

	ASSERT_RTNL();
	if (test_and_clear_bit(CCNET_LINK_CONNECTED, &link->flags) && nic) {
		hlist_del_init_rcu(&link->hash_node);
		/* Unknown unicast is dropped from now on (the grace period
		 * below covers TX paths that still hold the pointer). */
		if (rtnl_dereference(nic->uplink) == link)
			RCU_INIT_POINTER(nic->uplink, NULL);
		nic->nconnected--;
		ccnet_nic_update_carrier(nic);
		ccnet_tx_queue_release(link);
	}
	spin_lock_bh(&link->tx_lock);
	link->tx_ok = false;
	spin_unlock_bh(&link->tx_lock);
	/* Also wakes the queue we stopped: it may be shared. */
	ccnet_tx_purge(link);
	/* Only xmit arms it, and only while tx_ok. */
	del_timer_sync(&link->stall_timer);
	if (nic) {
		unsigned int q;

		netif_tx_lock_bh(nic->ndev);
		for (q = 0; q < CCNET_TXQ_NUM; q++)
			if (nic->tx_defer[q] == link)
				nic->tx_defer[q] = NULL;
		netif_tx_unlock_bh(nic->ndev);
	}
	/* Waits for the poll's owner (softirq, thread or busy-poll reader);
	 * the poll touches nothing after napi_complete_done(). */
	ccnet_link_napi_stop(link);
	/* TX paths and busy-poll lookups that found the link under RCU before
	 * it left the hash and tx_ok went false. */
	synchronize_net();
	/* After NAPI (only the poll arms it), before the unbind (it EOIs the
	 * irq). */
	del_timer_sync(&link->eoi_timer);
	if (link->irq > 0) {
		/* Also closes the port. */
		unbind_from_irqhandler(link->irq, link);
		link->irq = 0;
		link->evtchn = 0;
		atomic_dec(&ccnet_evtchns_active);
	} else if (link->evtchn) {
		xenbus_free_evtchn(link->xdev, link->evtchn);
		link->evtchn = 0;
		atomic_dec(&ccnet_evtchns_active);
	}
	ccnet_peer_ring_unmap(link);
	ccnet_own_ring_release(link);
	set_bit(CCNET_LINK_DEAD, &link->flags);
}

/* Teardown, leave the NIC (counters fold into its totals), go Closed. */
void ccnet_link_detach(struct ccnet_link *link)
{
	struct ccnet_nic *nic = link->nic;
	struct ccnet_stats_snap s;

	ASSERT_RTNL();
	/* A flapping peer decides how often: rate-limited. */
	if (nic && test_bit(CCNET_LINK_CONNECTED, &link->flags) &&
	    net_ratelimit())
		netdev_info(nic->ndev, "link to domain %u down\n", link->peer);
	ccnet_link_teardown(link);
	if (nic) {
		if (link->on_list) {
			spin_lock_bh(&nic->stats_lock);
			list_del_rcu(&link->nic_node);
			ccnet_link_snap(link, &s);
			ccnet_nic_fold_gone(nic, &s);
			spin_unlock_bh(&nic->stats_lock);
			link->on_list = false;
			nic->nlinks--;
		}
		if (link->napi_added) {
			ccnet_xdp_link_detach(link);
			netif_napi_del(&link->napi);
			link->napi_added = false;
		}
		link->nic = NULL;
	}
	xenbus_switch_state(link->xdev, XenbusStateClosed);
}

static void ccnet_link_fail(struct ccnet_link *link, int err, const char *why)
{
	xenbus_dev_error(link->xdev, err, "%s", why);
	ccnet_link_detach(link);
}

static int ccnet_link_read_config(struct ccnet_link *link, const char **why)
{
	struct xenbus_device *dev = link->xdev;
	const char *p;
	char *str;
	bool ok;

	*why = "bad link id";
	p = strrchr(dev->nodename, '/');
	if (!p || kstrtouint(p + 1, 10, &link->id))
		return -EINVAL;
	link->peer_nic = link->is_back ? (link->id >> 4) & 0xf : link->id & 0xf;

	*why = "missing or bad nic key";
	link->nic_devid = xenbus_read_unsigned(dev->nodename, "nic", UINT_MAX);
	if (link->nic_devid > 15)
		return -EINVAL;

	*why = "missing or bad peer-mac key";
	str = xenbus_read(XBT_NIL, dev->nodename, "peer-mac", NULL);
	if (IS_ERR(str))
		return PTR_ERR(str);
	ok = strlen(str) == 17 && mac_pton(str, link->peer_mac) &&
	     is_valid_ether_addr(link->peer_mac);
	kfree(str);
	if (!ok)
		return -EINVAL;

	/*
	 * Read from OUR half, which only colorcomd and we can write: the peer
	 * cannot make itself an uplink.  Only dom0 relays the outside world;
	 * the flag on a link to anyone else means a confused writer, and
	 * honouring it would let that peer spoof any source MAC.
	 */
	*why = "peer-uplink set for a peer other than domain 0";
	link->uplink = xenbus_read_unsigned(dev->nodename, "peer-uplink", 0) == 1;
	if (link->uplink && link->peer != 0)
		return -EPERM;
	return 0;
}

/*
 * Our feature keys say what we accept, from the NIC's features now: `ethtool
 * -K rx off` (RXCSUM) withdraws partial checksums and with them GSO (a GSO
 * record always carries one); TSO/TSO6 off withdraw that GSO type.  What we
 * advertise is what the poll enforces for the life of the link; a change
 * applies to links set up after it (the peer reads the keys once).
 */
static int ccnet_link_write_keys(struct ccnet_link *link)
{
	const char *node = link->xdev->nodename;
	netdev_features_t f = link->nic->ndev->features;
	struct xenbus_transaction xbt;
	int err;

	link->adv = 0;
	if (f & NETIF_F_RXCSUM) {
		link->adv |= CCMETA_ADV_CSUM;
		if (f & NETIF_F_TSO)
			link->adv |= CCMETA_ADV_GSO4;
		if (f & NETIF_F_TSO6)
			link->adv |= CCMETA_ADV_GSO6;
	}

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	err = xenbus_printf(xbt, node, "tx-ring-ref", "%d", link->own.ctrl_ref);
	if (!err && !link->is_back)
		err = xenbus_printf(xbt, node, "event-channel", "%u", link->evtchn);
	if (!err)
		err = xenbus_printf(xbt, node, "feature-csum", "%u",
				    !!(link->adv & CCMETA_ADV_CSUM));
	if (!err)
		err = xenbus_printf(xbt, node, "feature-gso-tcpv4", "%u",
				    !!(link->adv & CCMETA_ADV_GSO4));
	if (!err)
		err = xenbus_printf(xbt, node, "feature-gso-tcpv6", "%u",
				    !!(link->adv & CCMETA_ADV_GSO6));
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	return err;
}

/* Probe work: find the NIC, grant our ring, (front) allocate the port. */
static int ccnet_link_setup(struct ccnet_link *link, const char **why)
{
	struct xenbus_device *dev = link->xdev;
	struct ccnet_nic *nic;
	int err;

	err = ccnet_link_read_config(link, why);
	if (err)
		return err;

	*why = "nic not found or not connected";
	nic = ccnet_nic_find(link->nic_devid);
	if (!nic)
		return -ENODEV;

	*why = "bad ring-page-order";
	link->order = xenbus_read_unsigned(dev->nodename, "ring-page-order",
					   nic->order);
	if (link->order < CCNET_MIN_ORDER || link->order > CCNET_MAX_ORDER)
		return -EINVAL;

	/* A peer that never unmaps our released rings gets no new one while
	 * it sits on too many (reclaim.c). */
	*why = "peer still maps too many released ring pages";
	err = ccnet_reclaim_admit(link->peer, 1 + (1u << link->order));
	if (err)
		return err;

	snprintf(link->name, sizeof(link->name), "%s-p%u", nic->ndev->name,
		 link->peer);
	ccnet_link_attach(link, nic);

	*why = "granting tx ring";
	err = ccnet_own_ring_grant(link);
	if (err)
		return err;

	if (!link->is_back) {
		*why = "allocating event channel";
		err = xenbus_alloc_evtchn(dev, &link->evtchn);
		if (err)
			return err;
		atomic_inc(&ccnet_evtchns_active);
		*why = "binding event channel";
		err = bind_evtchn_to_irqhandler_lateeoi(link->evtchn,
							ccnet_link_interrupt, 0,
							link->name, link);
		if (err < 0)
			return err;
		link->irq = err;
	}

	*why = "writing ring keys";
	return ccnet_link_write_keys(link);
}

static int ccnet_link_connect(struct ccnet_link *link, const char **why)
{
	struct xenbus_device *dev = link->xdev;
	struct ccnet_nic *nic = link->nic;
	unsigned int ref, port, order;
	int err;

	ASSERT_RTNL();
	if (test_bit(CCNET_LINK_CONNECTED, &link->flags))
		return 0;

	*why = "reading peer tx-ring-ref";
	err = xenbus_scanf(XBT_NIL, dev->otherend, "tx-ring-ref", "%u", &ref);
	if (err != 1)
		return err < 0 ? err : -EINVAL;
	link->peer_csum = xenbus_read_unsigned(dev->otherend, "feature-csum", 0);
	link->peer_gso4 = xenbus_read_unsigned(dev->otherend,
					       "feature-gso-tcpv4", 0);
	link->peer_gso6 = xenbus_read_unsigned(dev->otherend,
					       "feature-gso-tcpv6", 0);
	/* We only ever send GSO frames that need their checksum filled in. */
	if (!link->peer_csum)
		link->peer_gso4 = link->peer_gso6 = false;

	order = xenbus_read_unsigned(dev->otherend, "ring-page-order",
				     CCRING_DEFAULT_ORDER);
	err = ccnet_peer_ring_map(link, ref, order, why);
	if (err)
		goto out_unmap;

	if (link->is_back) {
		*why = "reading peer event-channel";
		err = xenbus_scanf(XBT_NIL, dev->otherend, "event-channel", "%u",
				   &port);
		if (err != 1) {
			err = err < 0 ? err : -EINVAL;
			goto out_unmap;
		}
		*why = "binding event channel";
		err = bind_interdomain_evtchn_to_irqhandler_lateeoi(dev, port,
				ccnet_link_interrupt, 0, link->name, link);
		if (err < 0)
			goto out_unmap;
		link->irq = err;
		atomic_inc(&ccnet_evtchns_active);
	}

	ccnet_tx_queue_assign(link);
	spin_lock_bh(&link->tx_lock);
	link->tx_ok = true;
	link->stalled = false;
	spin_unlock_bh(&link->tx_lock);
	set_bit(CCNET_LINK_CONNECTED, &link->flags);
	hlist_add_head_rcu(&link->hash_node,
			   &nic->hash[ccnet_mac_hash(link->peer_mac)]);
	/* colorcomd gives a network one uplink; should a second appear, the
	 * first keeps the unknown unicast (the other still relays in). */
	if (link->uplink && !rtnl_dereference(nic->uplink))
		rcu_assign_pointer(nic->uplink, link);
	nic->nconnected++;
	ccnet_nic_update_carrier(nic);
	ccnet_link_napi_start(link);

	err = xenbus_switch_state(dev, XenbusStateConnected);
	if (err)
		dev_warn(&dev->dev, "switching to Connected: %d\n", err);
	if (net_ratelimit())
		netdev_info(nic->ndev, "link to domain %u (%pM)%s connected via %s\n",
			    link->peer, link->peer_mac,
			    link->uplink ? " (uplink)" : "", dev->nodename);
	return 0;

out_unmap:
	ccnet_peer_ring_unmap(link);
	return err;
}

static void ccnet_link_peer_changed(struct ccnet_link *link,
				    enum xenbus_state state)
{
	const char *why = NULL;
	int err;

	ASSERT_RTNL();
	if (!link->probed || test_bit(CCNET_LINK_DEAD, &link->flags))
		return;
	dev_dbg(&link->xdev->dev, "peer %s\n", xenbus_strstate(state));

	switch (state) {
	case XenbusStateInitialised:
		/* The front half waits for the back half's Connected. */
		if (!link->is_back)
			break;
		fallthrough;
	case XenbusStateConnected:
		err = ccnet_link_connect(link, &why);
		if (err)
			ccnet_link_fail(link, err, why);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
	case XenbusStateUnknown:
		dev_info_ratelimited(&link->xdev->dev, "peer %u is %s, closing\n",
				     link->peer, xenbus_strstate(state));
		ccnet_link_detach(link);
		break;
	default:
		break;
	}
}

static void ccnet_link_otherend_changed(struct xenbus_device *dev,
					enum xenbus_state state)
{
	struct ccnet_link *link = dev_get_drvdata(&dev->dev);

	if (!link)
		return;
	rtnl_lock();
	ccnet_link_peer_changed(link, state);
	rtnl_unlock();
}

static int ccnet_link_probe(struct xenbus_device *dev, bool is_back)
{
	struct ccnet_link *link;
	const char *why = NULL;
	int err;

	link = kzalloc(sizeof(*link), GFP_KERNEL);
	if (!link)
		return -ENOMEM;
	link->xdev = dev;
	link->is_back = is_back;
	link->peer = dev->otherend_id;
	link->own.ctrl_ref = -1;
	spin_lock_init(&link->tx_lock);
	skb_queue_head_init(&link->backlog);
	INIT_WORK(&link->broken_work, ccnet_link_broken_work);
	timer_setup(&link->eoi_timer, ccnet_eoi_timer, 0);
	timer_setup(&link->stall_timer, ccnet_tx_stall_timer, 0);
	u64_stats_init(&link->stats.tx_syncp);
	u64_stats_init(&link->stats.rx_syncp);
	INIT_LIST_HEAD(&link->nic_node);
	INIT_HLIST_NODE(&link->hash_node);
	dev_set_drvdata(&dev->dev, link);

	/*
	 * Always succeed from here: a link that cannot come up goes Closed with
	 * an error node, so the peer (and colorcomd) see it fail instead of
	 * waiting on a half that never leaves Initialising.
	 */
	rtnl_lock();
	link->probed = true;
	err = ccnet_link_setup(link, &why);
	if (err) {
		ccnet_link_fail(link, err, why);
	} else {
		xenbus_switch_state(dev, is_back ? XenbusStateInitWait :
						   XenbusStateInitialised);
		/* The peer may already be past the state we wait for. */
		ccnet_link_peer_changed(link,
					xenbus_read_driver_state(dev->otherend));
	}
	rtnl_unlock();
	return 0;
}

static int ccnet_link_front_probe(struct xenbus_device *dev,
				  const struct xenbus_device_id *id)
{
	return ccnet_link_probe(dev, false);
}

static int ccnet_link_back_probe(struct xenbus_device *dev,
				 const struct xenbus_device_id *id)
{
	return ccnet_link_probe(dev, true);
}

static void ccnet_link_remove(struct xenbus_device *dev)
{
	struct ccnet_link *link = dev_get_drvdata(&dev->dev);

	rtnl_lock();
	ccnet_link_detach(link);
	rtnl_unlock();
	cancel_work_sync(&link->broken_work);
	dev_set_drvdata(&dev->dev, NULL);
	/* Readers that found us on the NIC's lists before detach. */
	synchronize_net();
	kfree(link);
}

static const struct xenbus_device_id ccnet_link_ids[] = {
	{ "cclink" },
	{ "" }
};

struct xenbus_driver ccnet_link_front_driver = {
	.ids			= ccnet_link_ids,
	.probe			= ccnet_link_front_probe,
	.remove			= ccnet_link_remove,
	.otherend_changed	= ccnet_link_otherend_changed,
	.not_essential		= true,
};

struct xenbus_driver ccnet_link_back_driver = {
	.ids			= ccnet_link_ids,
	.probe			= ccnet_link_back_probe,
	.remove			= ccnet_link_remove,
	.otherend_changed	= ccnet_link_otherend_changed,
	.not_essential		= true,
};
