// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Transmit: pick the peer by destination MAC, copy the frame into that peer's
 * ring.  Every peer has its own TX queue (ndo_select_queue; queue 0 carries
 * floods), so a full ring stops only that peer's queue and the qdisc above it
 * (fq_codel) holds and manages the backlog.  The frame that found the ring
 * full waits in the link's backlog, which the link's NAPI poll drains when
 * the peer signals space, and then wakes the queue.  A peer that stops
 * consuming for tx_stall_ms loses its backlog (counted) and stops no queue
 * until it consumes again, so it holds no memory beyond its ring and blocks
 * nobody, not even peers that share its queue.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/virtio_net.h>

#include "common.h"

static unsigned int ccnet_stall_ms = CCNET_STALL_MS_DEFAULT;
module_param_named(tx_stall_ms, ccnet_stall_ms, uint, 0644);
MODULE_PARM_DESC(tx_stall_ms, "ms a peer may leave its ring full before its backlog is dropped (100..60000)");

static unsigned long ccnet_stall_jiffies(void)
{
	return msecs_to_jiffies(clamp(READ_ONCE(ccnet_stall_ms),
				      CCNET_STALL_MS_MIN, CCNET_STALL_MS_MAX));
}

#ifdef CCNET_HOSTILE
/*
 * TEST-ONLY (hostile build, front/hostile/): the next record sent to this
 * domid carries a wrong sequence number, which that peer must treat as a
 * protocol violation (mark the link broken).  -1 = off.  Root only.
 */
static int ccnet_test_bad_seq = -1;
module_param_named(test_bad_seq, ccnet_test_bad_seq, int, 0600);
MODULE_PARM_DESC(test_bad_seq, "TEST ONLY: corrupt the next record sent to this domid");

static void ccnet_tx_test_hook(struct ccnet_link *link)
{
	if (unlikely(READ_ONCE(ccnet_test_bad_seq) == link->peer) &&
	    cmpxchg(&ccnet_test_bad_seq, link->peer, -1) == link->peer)
		link->tx.seq++;
}
#else
static inline void ccnet_tx_test_hook(struct ccnet_link *link) { }
#endif

/* Frame metadata, computed once at xmit, kept with a backlogged skb. */
struct ccnet_tx_cb {
	struct ccring_meta meta;
};

static inline struct ccnet_tx_cb *ccnet_tx_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct ccnet_tx_cb) > sizeof(skb->cb));
	return (struct ccnet_tx_cb *)skb->cb;
}

static int ccnet_tx_meta(struct ccnet_link *link, struct sk_buff *skb,
			 struct ccring_meta *m)
{
	struct virtio_net_hdr vh;

	BUILD_BUG_ON(CCRING_F_CSUM_NEEDED != VIRTIO_NET_HDR_F_NEEDS_CSUM);
	BUILD_BUG_ON(CCRING_F_DATA_VALID != VIRTIO_NET_HDR_F_DATA_VALID);
	BUILD_BUG_ON(CCRING_GSO_TCPV4 != VIRTIO_NET_HDR_GSO_TCPV4);
	BUILD_BUG_ON(CCRING_GSO_TCPV6 != VIRTIO_NET_HDR_GSO_TCPV6);
	BUILD_BUG_ON(CCRING_GSO_ECN != VIRTIO_NET_HDR_GSO_ECN);

	if (virtio_net_hdr_from_skb(skb, &vh, true, link->peer_csum, 0))
		return -EINVAL;
	m->flags = vh.flags;
	m->gso_type = vh.gso_type;
	m->hdr_len = __virtio16_to_cpu(true, vh.hdr_len);
	m->gso_size = __virtio16_to_cpu(true, vh.gso_size);
	m->csum_start = __virtio16_to_cpu(true, vh.csum_start);
	m->csum_offset = __virtio16_to_cpu(true, vh.csum_offset);
	return 0;
}

/* 1 = in the ring, 0 = no room, <0 = -ccring_err.  tx_lock held. */
static int ccnet_tx_put(struct ccnet_link *link, struct sk_buff *skb)
{
	struct skb_seq_state st;
	unsigned int off = 0, n;
	const u8 *data;
	int rc;

	rc = ccring_prod_space(&link->tx, skb->len);
	if (rc <= 0)
		return rc;
	ccnet_tx_test_hook(link);
	ccring_prod_begin(&link->tx, skb->len, &ccnet_tx_cb(skb)->meta);
	/* Walks head, frags and frag_list alike, one mapped chunk at a time. */
	skb_prepare_seq_read(skb, 0, skb->len, &st);
	while ((n = skb_seq_read(off, &data, &st)) != 0) {
		ccring_prod_copy(&link->tx, off, data, n);
		off += n;
	}
	ccring_prod_commit(&link->tx);
	return 1;
}

static void ccnet_tx_count(struct ccnet_link *link, unsigned int len)
{
	u64_stats_update_begin(&link->stats.tx_syncp);
	link->stats.tx_packets++;
	link->stats.tx_bytes += len;
	u64_stats_update_end(&link->stats.tx_syncp);
}

static void ccnet_tx_drop_locked(struct ccnet_link *link, struct sk_buff *skb)
{
	u64_stats_update_begin(&link->stats.tx_syncp);
	link->stats.tx_dropped++;
	u64_stats_update_end(&link->stats.tx_syncp);
	dev_kfree_skb_any(skb);
}

/* tx_lock held. */
static void ccnet_tx_push_locked(struct ccnet_link *link)
{
	if (ccring_prod_push(&link->tx))
		ccnet_link_notify(link);
}

/* Wake the queue we stopped, if any.  tx_lock held.  Not while the device
 * is closing (ndo_stop stopped every queue; ndo_open starts them). */
static void ccnet_tx_wake_locked(struct ccnet_link *link)
{
	struct netdev_queue *txq = link->stopped_txq;

	if (!txq)
		return;
	link->stopped_txq = NULL;
	if (link->nic && netif_running(link->nic->ndev))
		netif_tx_wake_queue(txq);
}

/* Empty the backlog into @list, counted as dropped (and as stall drops if
 * @stall).  tx_lock held. */
static void ccnet_tx_unqueue_locked(struct ccnet_link *link,
				    struct sk_buff_head *list, bool stall)
{
	u32 n;

	skb_queue_splice_init(&link->backlog, list);
	n = skb_queue_len(list);
	if (!n && !stall)
		return;
	u64_stats_update_begin(&link->stats.tx_syncp);
	link->stats.tx_dropped += n;
	if (stall) {
		link->stats.tx_stalls++;
		link->stats.tx_stall_dropped += n;
	}
	u64_stats_update_end(&link->stats.tx_syncp);
}

/*
 * The stall timeout: armed when the ring is found full with frames waiting.
 * If the poll moved nothing from the backlog since, the peer has stopped
 * consuming: drop what waits, wake the queue, and drop (instead of queue)
 * while its ring stays full.  If it moved something, the peer is merely
 * slow: look again one period later.
 */
void ccnet_tx_stall_timer(struct timer_list *t)
{
	struct ccnet_link *link = from_timer(link, t, stall_timer);
	struct sk_buff_head list;

	__skb_queue_head_init(&list);
	spin_lock(&link->tx_lock);
	if (!link->tx_ok || skb_queue_empty(&link->backlog))
		goto out;
	if (link->tx_moved != link->stall_mark) {
		link->stall_mark = link->tx_moved;
		mod_timer(&link->stall_timer, jiffies + ccnet_stall_jiffies());
		goto out;
	}
	link->stalled = true;
	ccnet_tx_unqueue_locked(link, &list, true);
	ccnet_tx_wake_locked(link);
out:
	spin_unlock(&link->tx_lock);
	/* Outside the lock: freeing may run socket callbacks. */
	__skb_queue_purge(&list);
}

/* Frames now wait for this link: start the stall clock.  tx_lock held. */
static void ccnet_tx_stall_arm(struct ccnet_link *link)
{
	if (timer_pending(&link->stall_timer))
		return;
	link->stall_mark = link->tx_moved;
	mod_timer(&link->stall_timer, jiffies + ccnet_stall_jiffies());
}

static bool ccnet_tx_drain_locked(struct ccnet_link *link);

/* A negative ring result: the peer broke the ring, or (ring still sane) the
 * frame was unsendable, which only costs that frame. */
static void ccnet_tx_ring_error(struct ccnet_link *link, int rc)
{
	if (ccring_broken(&link->tx))
		ccnet_link_mark_broken(link, "tx", ccring_broken(&link->tx));
	else
		atomic64_inc(&link->nic->tx_errors);
}

/*
 * One frame, already adapted to what the peer accepts, to one link.  Takes
 * ownership of skb.  @txq: the TX queue the frame came on, which a full ring
 * stops; NULL for flood copies (queue 0 is never stopped).  Returns true if
 * a record was committed but, because of @more, not pushed.
 */
static bool ccnet_link_xmit_one(struct ccnet_link *link, struct sk_buff *skb,
				struct netdev_queue *txq, bool more)
{
	unsigned int len = skb->len;
	bool deferred = false;
	int rc;

	spin_lock(&link->tx_lock);
	if (unlikely(!link->tx_ok ||
		     test_bit(CCNET_LINK_BROKEN, &link->flags)))
		goto drop;
	/* Keep order: once frames wait, new ones wait behind them. */
	if (!skb_queue_empty(&link->backlog))
		goto queue;

	rc = ccnet_tx_put(link, skb);
	if (rc == 0) {
		u64_stats_update_begin(&link->stats.tx_syncp);
		link->stats.ring_full++;
		u64_stats_update_end(&link->stats.tx_syncp);
		/*
		 * Ask the consumer for a wake-up, then look once more.  Push
		 * first: the consumer can only free what it has seen, and a
		 * deferred (xmit_more) batch may be all that fills the ring.
		 */
		ccnet_tx_push_locked(link);
		rc = ccring_prod_want_space(&link->tx, len);
		if (rc == 1)
			rc = ccnet_tx_put(link, skb);
		if (rc == 0)
			goto queue;
	}
	if (rc < 0) {
		ccnet_tx_ring_error(link, rc);
		goto drop;
	}
	/* The peer consumes again. */
	link->stalled = false;
	ccnet_tx_count(link, len);
	dev_consume_skb_any(skb);
	if (more)
		deferred = true;
	else
		ccnet_tx_push_locked(link);
	spin_unlock(&link->tx_lock);
	return deferred;

queue:
	if (link->stalled)
		goto drop_stalled;
	if (skb_queue_len(&link->backlog) >= CCNET_BACKLOG_MAX)
		goto drop;
	__skb_queue_tail(&link->backlog, skb);
	/* The stack holds the rest in the qdisc until the poll drains us. */
	if (txq && !link->stopped_txq) {
		netif_tx_stop_queue(txq);
		link->stopped_txq = txq;
		u64_stats_update_begin(&link->stats.tx_syncp);
		link->stats.tx_queue_stops++;
		u64_stats_update_end(&link->stats.tx_syncp);
	}
	ccnet_tx_stall_arm(link);
	/* Records committed earlier in this burst must not wait for "more". */
	ccnet_tx_push_locked(link);
	/*
	 * [T1] The poll looks at the backlog without the lock: a poll woken by
	 * the peer's "space" notification may have found it empty just before
	 * the frame went in, and no other notification would follow.  Store
	 * (backlog) / full barrier / load (cons, in prod_space); the peer
	 * stored cons before it notified, so either that poll saw the frame or
	 * this load sees the space.  Pairs with the lockless check in
	 * ccnet_tx_drain().
	 */
	smp_mb();
	if (ccring_prod_space(&link->tx, skb_peek(&link->backlog)->len) != 0)
		ccnet_tx_drain_locked(link);
	spin_unlock(&link->tx_lock);
	return false;

drop_stalled:
	u64_stats_update_begin(&link->stats.tx_syncp);
	link->stats.tx_stall_dropped++;
	u64_stats_update_end(&link->stats.tx_syncp);
drop:
	ccnet_tx_drop_locked(link, skb);
	spin_unlock(&link->tx_lock);
	return false;
}

/*
 * Adapt skb to the peer's features (its feature-* keys), then send.  Takes
 * ownership of skb.  Peers running this driver accept everything, so the
 * segmentation/checksum fallbacks are for other implementations.
 */
static bool ccnet_link_xmit(struct ccnet_link *link, struct sk_buff *skb,
			    struct netdev_queue *txq, bool more)
{
	struct sk_buff *segs, *next;
	bool deferred = false;

	if (skb_is_gso(skb)) {
		unsigned int t = skb_shinfo(skb)->gso_type;
		bool ok = ((t & SKB_GSO_TCPV4) && link->peer_gso4) ||
			  ((t & SKB_GSO_TCPV6) && link->peer_gso6);

		if (!ok) {
			segs = skb_gso_segment(skb, link->nic->ndev->features &
					       ~NETIF_F_GSO_MASK &
					       (link->peer_csum ? ~0ULL :
						~NETIF_F_CSUM_MASK));
			if (IS_ERR_OR_NULL(segs))
				goto drop;
			consume_skb(skb);
			skb_list_walk_safe(segs, skb, next) {
				skb_mark_not_on_list(skb);
				deferred |= ccnet_link_xmit(link, skb, txq, true);
			}
			if (!deferred || more)
				return deferred;
			spin_lock(&link->tx_lock);
			if (link->tx_ok)
				ccnet_tx_push_locked(link);
			spin_unlock(&link->tx_lock);
			return false;
		}
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL && !link->peer_csum &&
	    skb_checksum_help(skb))
		goto drop;
	if (ccnet_tx_meta(link, skb, &ccnet_tx_cb(skb)->meta))
		goto drop;
	return ccnet_link_xmit_one(link, skb, txq, more);

drop:
	atomic64_inc(&link->nic->tx_errors);
	dev_kfree_skb_any(skb);
	return false;
}

/* Push what ccnet_link_xmit_one() held back on queue q.  Under that TX
 * queue's lock. */
void ccnet_tx_flush_defer(struct ccnet_nic *nic, unsigned int q)
{
	struct ccnet_link *link = nic->tx_defer[q];

	if (!link)
		return;
	nic->tx_defer[q] = NULL;
	spin_lock(&link->tx_lock);
	if (link->tx_ok)
		ccnet_tx_push_locked(link);
	spin_unlock(&link->tx_lock);
}

/* Every queue's deferred push.  Under netif_tx_lock (all queue locks). */
void ccnet_tx_flush_defer_all(struct ccnet_nic *nic)
{
	unsigned int q;

	for (q = 0; q < CCNET_TXQ_NUM; q++)
		ccnet_tx_flush_defer(nic, q);
}

/*
 * The destination's queue: floods on queue 0, unicast on its link's (or, for
 * the outside world, the uplink's).  A stale answer (the link went meanwhile)
 * only costs that frame a trip through another queue: xmit looks the link up
 * again.
 */
u16 ccnet_select_queue(struct net_device *ndev, struct sk_buff *skb,
		       struct net_device *sb_dev)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);
	struct ccnet_link *link;
	u16 q = CCNET_TXQ_FLOOD;

	if (unlikely(skb_headlen(skb) < ETH_HLEN) ||
	    is_multicast_ether_addr(skb->data))
		return q;
	rcu_read_lock();
	link = ccnet_link_lookup(nic, skb->data);
	if (!link)
		link = rcu_dereference(nic->uplink);
	if (link)
		q = READ_ONCE(link->txq);
	rcu_read_unlock();
	return q < ndev->real_num_tx_queues ? q : CCNET_TXQ_FLOOD;
}

/* A connected link takes the least used of queues 1..N-1.  RTNL. */
void ccnet_tx_queue_assign(struct ccnet_link *link)
{
	struct ccnet_nic *nic = link->nic;
	unsigned int q, best = 1;

	ASSERT_RTNL();
	for (q = 2; q < CCNET_TXQ_NUM; q++)
		if (nic->txq_users[q] < nic->txq_users[best])
			best = q;
	nic->txq_users[best]++;
	WRITE_ONCE(link->txq, best);
}

/* RTNL; safe to call twice. */
void ccnet_tx_queue_release(struct ccnet_link *link)
{
	struct ccnet_nic *nic = link->nic;

	ASSERT_RTNL();
	if (nic && link->txq != CCNET_TXQ_FLOOD && nic->txq_users[link->txq])
		nic->txq_users[link->txq]--;
	WRITE_ONCE(link->txq, CCNET_TXQ_FLOOD);
}

netdev_tx_t ccnet_start_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);
	unsigned int q = skb_get_queue_mapping(skb);
	struct netdev_queue *txq = netdev_get_tx_queue(ndev, q);
	bool more = netdev_xmit_more();
	struct ccnet_link *link;
	struct sk_buff *nskb;
	const u8 *dest;

	if (unlikely(skb->len < ETH_HLEN || skb->len > CCRING_MAX_FRAME)) {
		atomic64_inc(&nic->tx_errors);
		goto drop_early;
	}
	dest = skb->data;
	/*
	 * dom0's uplink is a bridge port: the bridge's own link-local frames
	 * (STP BPDUs, LLDP, PAUSE: 01:80:c2:00:00:0X) stay on its side, like
	 * those the guests send (rx.c drops them on the way in).
	 */
	if (unlikely(nic->is_uplink && is_link_local_ether_addr(dest))) {
		atomic64_inc(&nic->tx_link_local);
		goto drop_early;
	}

	rcu_read_lock();
	if (is_multicast_ether_addr(dest)) {
		/* Flood: every connected peer gets its own copy in its ring,
		 * the uplink too (ARP, DHCP and the like must reach outside).
		 * No queue is stopped for a copy: one full peer must not hold
		 * up the others' broadcasts. */
		ccnet_tx_flush_defer(nic, q);
		list_for_each_entry_rcu(link, &nic->links, nic_node) {
			if (!test_bit(CCNET_LINK_CONNECTED, &link->flags))
				continue;
			nskb = skb_clone(skb, GFP_ATOMIC);
			if (!nskb) {
				spin_lock(&link->tx_lock);
				u64_stats_update_begin(&link->stats.tx_syncp);
				link->stats.tx_dropped++;
				u64_stats_update_end(&link->stats.tx_syncp);
				spin_unlock(&link->tx_lock);
				continue;
			}
			ccnet_link_xmit(link, nskb, NULL, false);
		}
		consume_skb(skb);
	} else {
		link = ccnet_link_lookup(nic, dest);
		/* Not a co-located peer: the outside world, through the uplink
		 * if the network has one (docs/architecture.md, forwarding). */
		if (!link) {
			link = rcu_dereference(nic->uplink);
			if (link)
				atomic64_inc(&nic->tx_uplink);
		}
		if (nic->tx_defer[q] && (nic->tx_defer[q] != link || !more))
			ccnet_tx_flush_defer(nic, q);
		if (!link) {
			atomic64_inc(&nic->tx_unknown);
			dev_kfree_skb_any(skb);
		} else if (ccnet_link_xmit(link, skb,
					   q == CCNET_TXQ_FLOOD ? NULL : txq,
					   more)) {
			nic->tx_defer[q] = link;
		}
	}
	rcu_read_unlock();
	return NETDEV_TX_OK;

drop_early:
	dev_kfree_skb_any(skb);
	/* The last frame of a burst: what earlier ones deferred goes now. */
	if (!more)
		ccnet_tx_flush_defer(nic, q);
	return NETDEV_TX_OK;
}

/*
 * From the poll, when the peer freed space: move the backlog into the ring,
 * and wake our queue once all of it is there.  Returns true if anything
 * moved (for the EOI's spurious accounting).
 */
bool ccnet_tx_drain(struct ccnet_link *link)
{
	bool progress = false;

	/* Lockless: see [T1] in ccnet_link_xmit_one(). */
	if (skb_queue_empty_lockless(&link->backlog))
		return false;

	spin_lock(&link->tx_lock);
	if (link->tx_ok && !test_bit(CCNET_LINK_BROKEN, &link->flags))
		progress = ccnet_tx_drain_locked(link);
	spin_unlock(&link->tx_lock);
	return progress;
}

/* The backlog into the ring, then the queue woken if it is empty.  tx_lock
 * held, link usable. */
static bool ccnet_tx_drain_locked(struct ccnet_link *link)
{
	bool progress = false, retried = false;
	struct sk_buff *skb;
	int rc;

	while ((skb = skb_peek(&link->backlog)) != NULL) {
		rc = ccnet_tx_put(link, skb);
		if (rc == 0) {
			if (retried)
				break;
			ccnet_tx_push_locked(link);
			rc = ccring_prod_want_space(&link->tx, skb->len);
			if (rc == 1) {
				/* Space appeared between the two checks. */
				retried = true;
				continue;
			}
			if (rc == 0)
				break;
		}
		if (rc < 0) {
			ccnet_tx_ring_error(link, rc);
			if (ccring_broken(&link->tx))
				break;
			/* Unsendable frame: drop it, keep draining. */
			__skb_unlink(skb, &link->backlog);
			ccnet_tx_drop_locked(link, skb);
			continue;
		}
		retried = false;
		__skb_unlink(skb, &link->backlog);
		ccnet_tx_count(link, skb->len);
		dev_consume_skb_any(skb);
		progress = true;
	}
	if (progress) {
		link->tx_moved++;
		link->stalled = false;
		ccnet_tx_push_locked(link);
	}
	if (skb_queue_empty(&link->backlog))
		ccnet_tx_wake_locked(link);
	return progress;
}

/*
 * Drop whatever waits in the backlog (close, teardown) and give back the
 * queue we stopped.  Process context.
 */
void ccnet_tx_purge(struct ccnet_link *link)
{
	struct sk_buff_head list;

	__skb_queue_head_init(&list);
	spin_lock_bh(&link->tx_lock);
	ccnet_tx_unqueue_locked(link, &list, false);
	ccnet_tx_wake_locked(link);
	spin_unlock_bh(&link->tx_lock);
	__skb_queue_purge(&list);
}
