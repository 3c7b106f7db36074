// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Receive: one NAPI context per link.  The event channel is shared by both
 * directions (the peer's "records for you" and "space for you"), so the poll
 * also drains that link's TX backlog.  Every record comes from an untrusted
 * peer: ccring validates indices and headers, virtio_net_hdr_to_skb()
 * validates the offload metadata, and the source MAC must be the peer's
 * (any unicast one on the uplink link, which relays the outside world).
 */
#include <linux/netdevice.h>
#include <linux/virtio_net.h>
#include <xen/events.h>

#include "common.h"

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

static void ccnet_rx_drop(struct ccnet_link *link, u64 *reason)
{
	u64_stats_update_begin(&link->stats.rx_syncp);
	link->stats.rx_dropped++;
	if (reason)
		(*reason)++;
	u64_stats_update_end(&link->stats.rx_syncp);
}

/* Copy the current record into a fresh skb; large frames go into page frags
 * so we never depend on a high-order atomic allocation. */
static struct sk_buff *ccnet_rx_build(struct ccnet_link *link, u32 len)
{
	struct ccring *r = &link->rx;
	struct sk_buff *skb;
	struct page *page;
	unsigned int off, n, i = 0;

	BUILD_BUG_ON(DIV_ROUND_UP(CCRING_MAX_FRAME - CCNET_RX_HEAD, PAGE_SIZE) >
		     MAX_SKB_FRAGS);

	if (len <= CCNET_RX_COPYBREAK) {
		skb = napi_alloc_skb(&link->napi, len);
		if (!skb)
			return NULL;
		ccring_cons_copy(r, 0, skb_put(skb, len), len);
		return skb;
	}

	skb = napi_alloc_skb(&link->napi, CCNET_RX_HEAD);
	if (!skb)
		return NULL;
	ccring_cons_copy(r, 0, skb_put(skb, CCNET_RX_HEAD), CCNET_RX_HEAD);
	for (off = CCNET_RX_HEAD; off < len; off += n) {
		n = min_t(u32, len - off, PAGE_SIZE);
		page = dev_alloc_page();
		if (!page) {
			kfree_skb(skb);
			return NULL;
		}
		ccring_cons_copy(r, off, page_address(page), n);
		skb_add_rx_frag(skb, i++, page, 0, n, PAGE_SIZE);
	}
	return skb;
}

static void ccnet_rx_deliver(struct ccnet_link *link, struct sk_buff *skb,
			     const struct ccring_meta *m)
{
	struct net_device *ndev = link->nic->ndev;
	struct virtio_net_hdr vh = {
		.flags = m->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = m->gso_type,
		.hdr_len = __cpu_to_virtio16(true, m->hdr_len),
		.gso_size = __cpu_to_virtio16(true, m->gso_size),
		.csum_start = __cpu_to_virtio16(true, m->csum_start),
		.csum_offset = __cpu_to_virtio16(true, m->csum_offset),
	};
	unsigned int len = skb->len;

	if (unlikely(len < ETH_HLEN)) {
		ccnet_rx_drop(link, &link->stats.rx_bad_meta);
		goto drop;
	}
	/*
	 * An ordinary peer may only use the one address dom0 assigned it;
	 * anything else is spoofed.  The uplink relays the outside world, so
	 * any source is fine there except a group address, which no station
	 * can have.
	 */
	if (unlikely(link->uplink ?
		     is_multicast_ether_addr(skb->data + ETH_ALEN) :
		     !ether_addr_equal(skb->data + ETH_ALEN, link->peer_mac))) {
		ccnet_rx_drop(link, &link->stats.rx_bad_src);
		goto drop;
	}
	if (unlikely(virtio_net_hdr_to_skb(skb, &vh, true))) {
		ccnet_rx_drop(link, &link->stats.rx_bad_meta);
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
	kfree_skb(skb);
}

/* Consume up to budget records; returns how many. */
static int ccnet_rx(struct ccnet_link *link, int budget)
{
	struct ccring *r = &link->rx;
	struct ccring_meta m;
	struct sk_buff *skb;
	int done = 0, rc;
	u32 len;

	while (done < budget) {
		rc = ccring_cons_peek(r, &m, &len);
		if (rc == 0)
			break;
		if (rc < 0) {
			ccnet_link_mark_broken(link, "rx", -rc);
			break;
		}
		done++;
		skb = ccnet_rx_build(link, len);
		ccring_cons_release(r);
		if (!skb) {
			ccnet_rx_drop(link, NULL);
			continue;
		}
		ccnet_rx_deliver(link, skb, &m);
	}
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

int ccnet_poll(struct napi_struct *napi, int budget)
{
	struct ccnet_link *link = container_of(napi, struct ccnet_link, napi);
	int done = 0;

	if (likely(!test_bit(CCNET_LINK_BROKEN, &link->flags))) {
		if (ccnet_tx_drain(link))
			link->eoi_work = true;
		done = ccnet_rx(link, budget);
		if (done)
			link->eoi_work = true;
		if (done >= budget)
			return budget;
	}

	if (napi_complete_done(napi, done)) {
		/* prod_event is armed now; anything that slipped in before it
		 * would not have raised an event, so look once more. */
		if (!test_bit(CCNET_LINK_BROKEN, &link->flags) &&
		    ccring_cons_final_check(&link->rx))
			napi_schedule(napi);
		else
			ccnet_eoi(link);
	}
	return done;
}
