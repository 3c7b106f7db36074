// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Receive: one NAPI context per link.  The event channel is shared by both
 * directions (the peer's "records for you" and "space for you"), so the poll
 * also drains that link's TX backlog.  Every record comes from an untrusted
 * peer: ccring validates indices and headers, ccnet_rx_check_meta() the
 * offload metadata (virtio_net_hdr_to_skb() only after it), and the source
 * MAC must be the peer's (any unicast one on the uplink link, which relays
 * the outside world).  A refused frame is counted per reason, never logged.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/virtio_net.h>
#include <xen/events.h>

#include "common.h"
#include "ccmeta.h"

/*
 * lateeoi: the port stays masked until xen_irq_lateeoi(), which the poll
 * sends once it has gone idle.  So at most one event is outstanding, and a
 * peer that kicks us without giving us work gets throttled as spurious.
 */
irqreturn_t ccnet_link_interrupt(int irq, void *dev_id)
{
	struct ccnet_link *link = dev_id;

	atomic64_inc(&link->stats.notify_rx);
	atomic_set(&link->eoi_pending, 1);
	/* Disabled NAPI (device down, not yet connected): the EOI waits for
	 * ccnet_link_napi_start(), which schedules a poll. */
	napi_schedule(&link->napi);
	return IRQ_HANDLED;
}

void ccnet_rx_drop(struct ccnet_link *link, u64 *reason)
{
	u64_stats_update_begin(&link->stats.rx_syncp);
	link->stats.rx_dropped++;
	if (reason)
		(*reason)++;
	u64_stats_update_end(&link->stats.rx_syncp);
}

/* Copy the current record into a fresh skb; large frames go into page frags
 * so we never depend on a high-order atomic allocation.  NULL on failure,
 * with *why set to the counter to bump (NULL: out of memory). */
struct sk_buff *ccnet_rx_build(struct ccnet_link *link, u32 len, u64 **why)
{
	struct ccring *r = &link->rx;
	struct sk_buff *skb;
	struct page *page;
	unsigned int off, n, i = 0;

	BUILD_BUG_ON(DIV_ROUND_UP(CCRING_MAX_FRAME - CCNET_RX_HEAD, PAGE_SIZE) >
		     MAX_SKB_FRAGS);

	*why = NULL;
	if (len <= CCNET_RX_COPYBREAK) {
		skb = napi_alloc_skb(&link->napi, len);
		if (!skb)
			return NULL;
		if (ccring_cons_copy(r, 0, skb_put(skb, len), len))
			goto copy_failed;
		return skb;
	}

	skb = napi_alloc_skb(&link->napi, CCNET_RX_HEAD);
	if (!skb)
		return NULL;
	if (ccring_cons_copy(r, 0, skb_put(skb, CCNET_RX_HEAD), CCNET_RX_HEAD))
		goto copy_failed;
	for (off = CCNET_RX_HEAD; off < len; off += n) {
		n = min_t(u32, len - off, PAGE_SIZE);
		page = dev_alloc_page();
		if (!page) {
			kfree_skb(skb);
			return NULL;
		}
		/* Attached first, so the skb's free takes the page too. */
		skb_add_rx_frag(skb, i++, page, 0, n, PAGE_SIZE);
		if (ccring_cons_copy(r, off, page_address(page), n))
			goto copy_failed;
	}
	return skb;

copy_failed:
	/* The ring refused (it broke under us): the skb holds garbage. */
	*why = &link->stats.rx_copy_errors;
	kfree_skb(skb);
	return NULL;
}

/* Why ccmeta_check() refused a frame: the counter to bump. */
static u64 *ccnet_rx_check_meta(struct ccnet_link *link, const u8 *data,
				u32 hlen, u32 len, const struct ccring_meta *m)
{
	struct ccnet_link_stats *st = &link->stats;

	switch (ccmeta_check(data, hlen, len, m,
			     READ_ONCE(link->nic->net_mtu), link->adv)) {
	case CCMETA_OK:
		return NULL;
	case CCMETA_FEATURE:
		return &st->rx_bad_feature;
	case CCMETA_TOO_BIG:
		return &st->rx_too_big;
	case CCMETA_CSUM:
		return &st->rx_bad_csum;
	case CCMETA_GSO:
	default:
		return &st->rx_bad_gso;
	}
}

/*
 * What every received frame must pass before anyone sees it, the stack or
 * an XDP program (xdp.c).  @data: the frame's first @hlen octets, @len its
 * length.  NULL if it may go on, else the counter to bump.
 */
u64 *ccnet_rx_screen(struct ccnet_link *link, const u8 *data, u32 hlen,
		     u32 len, const struct ccring_meta *m)
{
	if (unlikely(len < ETH_HLEN || hlen < ETH_HLEN))
		return &link->stats.rx_bad_meta;
	/*
	 * An ordinary peer may only use the one address dom0 assigned it;
	 * anything else is spoofed.  The uplink relays the outside world, so
	 * any source is fine there except a group address, which no station
	 * can have.
	 */
	if (unlikely(link->uplink ?
		     is_multicast_ether_addr(data + ETH_ALEN) :
		     !ether_addr_equal(data + ETH_ALEN, link->peer_mac)))
		return &link->stats.rx_bad_src;
	/*
	 * IEEE 802.1D reserved group addresses (STP, PAUSE, LACP, LLDP, ...)
	 * end at the first bridge port: not from the outside world into the
	 * guests, not from the guests into dom0's bridge.
	 */
	if (unlikely((link->uplink || link->nic->is_uplink) &&
		     is_link_local_ether_addr(data)))
		return &link->stats.rx_link_local;
	/* The metadata against the frame (docs/protocol.md section 3), so
	 * that nothing the peer picks reaches a WARN in the stack. */
	return ccnet_rx_check_meta(link, data, hlen, len, m);
}

/* The record's metadata as the virtio_net_hdr the kernel's helpers take. */
void ccnet_rx_vnet_hdr(const struct ccring_meta *m, struct virtio_net_hdr *vh)
{
	*vh = (struct virtio_net_hdr) {
		.flags = m->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = m->gso_type,
		.hdr_len = __cpu_to_virtio16(true, m->hdr_len),
		.gso_size = __cpu_to_virtio16(true, m->gso_size),
		.csum_start = __cpu_to_virtio16(true, m->csum_start),
		.csum_offset = __cpu_to_virtio16(true, m->csum_offset),
	};
}

static void ccnet_rx_deliver(struct ccnet_link *link, struct sk_buff *skb,
			     const struct ccring_meta *m)
{
	struct net_device *ndev = link->nic->ndev;
	unsigned int len = skb->len;
	struct virtio_net_hdr vh;
	u64 *why;

	ccnet_rx_vnet_hdr(m, &vh);

	why = ccnet_rx_screen(link, skb->data, skb_headlen(skb), len, m);
	if (unlikely(why))
		goto drop;
	if (unlikely(virtio_net_hdr_to_skb(skb, &vh, true))) {
		why = &link->stats.rx_bad_meta;
		goto drop;
	}
	/* The sender vouches for its own frames only; trusting it costs us
	 * nothing we did not already accept from it. */
	if (!(m->flags & CCRING_F_CSUM_NEEDED) &&
	    (m->flags & CCRING_F_DATA_VALID) && (ndev->features & NETIF_F_RXCSUM))
		skb->ip_summed = CHECKSUM_UNNECESSARY;

	skb->protocol = eth_type_trans(skb, ndev);
	u64_stats_update_begin(&link->stats.rx_syncp);
	link->stats.rx_packets++;
	link->stats.rx_bytes += len;
	u64_stats_update_end(&link->stats.rx_syncp);
	napi_gro_receive(&link->napi, skb);
	return;

drop:
	/* Counted, never logged: the peer chooses how often this happens. */
	ccnet_rx_drop(link, why);
	kfree_skb(skb);
}

/* Consume up to budget records; returns how many. */
static int ccnet_rx(struct ccnet_link *link, int budget)
{
	struct ccring *r = &link->rx;
	struct ccnet_xdp_poll xp;
	struct ccring_meta m;
	struct sk_buff *skb;
	int done = 0, rc;
	u64 *why;
	u32 len;

	ccnet_xdp_poll_begin(link, &xp);
	while (done < budget) {
		rc = ccring_cons_peek(r, &m, &len);
		if (rc == 0)
			break;
		if (rc < 0) {
			ccnet_link_mark_broken(link, "rx", -rc);
			break;
		}
		done++;
		/* With a program attached, xdp.c takes the frame. */
		if (xp.prog) {
			ccnet_xdp_rx(link, &xp, &m, len);
			ccring_cons_release(r);
			continue;
		}
		skb = ccnet_rx_build(link, len, &why);
		ccring_cons_release(r);
		if (!skb) {
			ccnet_rx_drop(link, why);
			continue;
		}
		ccnet_rx_deliver(link, skb, &m);
	}
	ccnet_xdp_poll_end(link, &xp);
	/* Hand the space back; wake the producer if it asked for it. */
	if (done && ccring_cons_publish(r))
		ccnet_link_notify(link);
	return done;
}

void ccnet_eoi_timer(struct timer_list *t)
{
	struct ccnet_link *link = from_timer(link, t, eoi_timer);

	xen_irq_lateeoi(link->irq, XEN_EOI_FLAG_SPURIOUS);
}

static void ccnet_eoi(struct ccnet_link *link)
{
	unsigned int n;

	if (!atomic_xchg(&link->eoi_pending, 0))
		return;
	if (link->eoi_work) {
		link->eoi_work = false;
		link->spurious = 0;
		xen_irq_lateeoi(link->irq, 0);
		return;
	}
	atomic64_inc(&link->stats.spurious);
	n = ++link->spurious;
	if (n <= CCNET_SPURIOUS_FREE) {
		/* Not flagged spurious: the kernel would hold the unmask a whole
		 * jiffy from the second one in a row, and an honest peer's kick
		 * that raced our final re-check must not cost the next frame
		 * 4 ms.  Floods are ours to throttle, below. */
		xen_irq_lateeoi(link->irq, 0);
		return;
	}
	/* The port stays masked until the timer EOIs it, so however fast the
	 * peer kicks, we wake at most once per delay. */
	n = min(n - CCNET_SPURIOUS_FREE, 16u);
	atomic64_inc(&link->stats.eoi_throttled);
	mod_timer(&link->eoi_timer,
		  jiffies + min_t(unsigned long, 1ul << n, CCNET_EOI_DELAY_MAX));
}

/*
 * Who touches a link, and what keeps each away from a link being torn down
 * (ccnet_link_teardown() in link.c runs the steps in this order):
 *
 *  context              touches                      stopped by
 *  TX (start_xmit)      tx ring, backlog, notify,    tx_ok = false under
 *                       queue stop, stall_timer arm  tx_lock, synchronize_net
 *  stall_timer          backlog, queue wake          del_timer_sync() after
 *                                                    tx_ok went false (it
 *                                                    then does nothing)
 *  NAPI poll: softirq,  rx ring, eoi_*, spurious,    napi_disable(): waits for
 *    threaded, busy     eoi_timer arm, tx_drain,     whoever owns the instance,
 *    poll (one owner)   notify, EOI                  and ccnet_poll() does
 *                                                    nothing after completing
 *  eoi_timer            EOI of the irq               del_timer_sync(), after
 *                                                    napi_disable (only the
 *                                                    poll arms it)
 *  irq handler          notify_rx, eoi_pending,      unbind_from_irqhandler()
 *                       napi_schedule (a no-op       (waits for a running
 *                       once NAPI is disabled)       handler), after the timer
 *  broken_work          xenstore, xdev               cancel_work_sync() in
 *                                                    ccnet_link_remove()
 * and only then are the rings unmapped and freed.
 */
int ccnet_poll(struct napi_struct *napi, int budget)
{
	struct ccnet_link *link = container_of(napi, struct ccnet_link, napi);
	int done = 0;

	/* netpoll (budget 0) wants TX completions only, and we have none;
	 * it may also come from inside our own tx_lock (netconsole). */
	if (unlikely(!budget))
		return 0;

	if (likely(!test_bit(CCNET_LINK_BROKEN, &link->flags))) {
		bool drained = ccnet_tx_drain(link);

		if (drained)
			link->eoi_work = true;
		done = ccnet_rx(link, budget);
		if (done)
			link->eoi_work = true;
		if (done >= budget)
			return budget;
	}

	/*
	 * Everything that touches the ring or the link happens here, while we
	 * still own the instance; once napi_complete_done() has returned true
	 * another CPU (the irq's softirq, a busy-poll reader) may already be
	 * polling, and napi_disable() may already have returned to teardown.
	 *
	 * A busy-poll reader owns the instance with IN_BUSY_POLL set: then
	 * napi_complete_done() refuses, and the core calls us once more without
	 * the bit (busy_poll_stop()) before it lets go.  That call arms the
	 * event and EOIs; until then the port stays masked and the peer need
	 * not kick a reader that spins anyway.
	 */
	if (!(READ_ONCE(napi->state) & NAPIF_STATE_IN_BUSY_POLL)) {
		/* Ask for an event on the next push, then look once more:
		 * a record that slipped in before prod_event moved raised no
		 * event.  Pairs with the producer's push ([C3] <-> [P2]). */
		if (!test_bit(CCNET_LINK_BROKEN, &link->flags) &&
		    ccring_cons_final_check(&link->rx))
			return budget;	/* not done: the core polls us again */
		/* Unmasks the port: an event from now on finds the instance
		 * still ours, so napi_schedule() sets MISSED and
		 * napi_complete_done() below reschedules us. */
		ccnet_eoi(link);
	}
	napi_complete_done(napi, done);
	/* Nothing below this line may touch the link. */
	return done;
}
