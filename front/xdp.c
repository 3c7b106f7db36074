// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Native XDP.  The peer's frames sit in its ring, which we only read; so with
 * a program attached each frame is copied into a page of ours (headroom for
 * the program, tailroom for the skb XDP_PASS builds around it) and the
 * program runs there, before any skb exists.  The frame first passes the
 * checks every received frame passes (rx.c: source MAC, link-local, the
 * offload metadata), so a program sees only what the stack would have seen,
 * and a partial checksum is completed first, so it sees a wire frame.
 *
 *   XDP_PASS      the page becomes the skb's head
 *   XDP_DROP      the page is reused for the next frame of the poll
 *   XDP_TX        copied into the ring of the link the frame came on
 *   XDP_REDIRECT  xdp_do_redirect(); the page goes with the frame;
 *                 xdp_do_flush() before the poll ends
 *   ndo_xdp_xmit  frames other devices redirect to us go to the peer owning
 *                 the destination MAC, the uplink for unknown unicast, every
 *                 connected peer for group addresses, as start_xmit does
 *
 * A GSO record is segmented in software first (the kernel's own GSO, as
 * when the stack forwards it) and every segment goes through the program.
 * A frame larger than one page can hold (the network's MTU may be above
 * ethN's lowered one) is dropped and counted while a program is attached: the
 * program could not see it whole.  xen-netfront drops multi-slot frames for
 * the same reason.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <linux/if_vlan.h>
#include <linux/virtio_net.h>
#include <net/checksum.h>
#include <net/xdp.h>
#include <trace/events/xdp.h>
#include <asm/unaligned.h>

#include "common.h"

const char ccnet_xdp_strings[CCNET_XDP_NSTATS][ETH_GSTRING_LEN] = {
	[CCNET_XDP_PASS]		= "xdp_pass",
	[CCNET_XDP_DROP]		= "xdp_drop",
	[CCNET_XDP_TX]			= "xdp_tx",
	[CCNET_XDP_TX_ERRORS]		= "xdp_tx_errors",
	[CCNET_XDP_REDIRECT]		= "xdp_redirect",
	[CCNET_XDP_REDIRECT_ERRORS]	= "xdp_redirect_errors",
	[CCNET_XDP_ABORTED]		= "xdp_aborted",
	[CCNET_XDP_UNSUPPORTED]		= "xdp_unsupported",
	[CCNET_XDP_XMIT]		= "xdp_xmit",
	[CCNET_XDP_XMIT_DROPS]		= "xdp_xmit_drops",
};

/* --- counters --- */

/* A verdict counter: only the link's NAPI poll writes these. */
static void ccnet_xdp_count_rx(struct ccnet_link *link, enum ccnet_xdp_stat i)
{
	u64_stats_update_begin(&link->stats.rx_syncp);
	link->xdp.v[i]++;
	u64_stats_update_end(&link->stats.rx_syncp);
}

void ccnet_xdp_snap(struct ccnet_link *link, struct ccnet_xdp_snap *s)
{
	const struct ccnet_link_stats *st = &link->stats;
	unsigned int start, i;

	do {
		start = u64_stats_fetch_begin(&st->rx_syncp);
		for (i = 0; i < CCNET_XDP_XMIT; i++)
			s->v[i] = link->xdp.v[i];
	} while (u64_stats_fetch_retry(&st->rx_syncp, start));
	do {
		start = u64_stats_fetch_begin(&st->tx_syncp);
		for (i = CCNET_XDP_XMIT; i < CCNET_XDP_NSTATS; i++)
			s->v[i] = link->xdp.v[i];
	} while (u64_stats_fetch_retry(&st->tx_syncp, start));
}

void ccnet_xdp_snap_add(struct ccnet_xdp_snap *sum,
			const struct ccnet_xdp_snap *s)
{
	unsigned int i;

	for (i = 0; i < CCNET_XDP_NSTATS; i++)
		sum->v[i] += s->v[i];
}

/* --- the link's RX queue, under RTNL --- */

/* After netif_napi_add(): the queue carries the NAPI id (busy polling,
 * AF_XDP).  Without it XDP drops this link's frames (xdp_unsupported) rather
 * than let them past the program. */
void ccnet_xdp_link_attach(struct ccnet_link *link)
{
	int err;

	ASSERT_RTNL();
	if (link->xdp.rxq_ok)
		return;
	err = xdp_rxq_info_reg(&link->xdp.rxq, link->nic->ndev, 0,
			       link->napi.napi_id);
	if (err)
		goto out_warn;
	/* Plain pages: whoever ends up with a redirected frame frees it with
	 * page_frag_free(). */
	err = xdp_rxq_info_reg_mem_model(&link->xdp.rxq, MEM_TYPE_PAGE_SHARED,
					 NULL);
	if (err)
		goto out_unreg;
	link->xdp.rxq_ok = true;
	return;

out_unreg:
	xdp_rxq_info_unreg(&link->xdp.rxq);
out_warn:
	netdev_warn(link->nic->ndev, "no XDP on the link to domain %u: %d\n",
		    link->peer, err);
}

/* Before netif_napi_del(), NAPI disabled; safe to call twice. */
void ccnet_xdp_link_detach(struct ccnet_link *link)
{
	ASSERT_RTNL();
	if (!link->xdp.rxq_ok)
		return;
	xdp_rxq_info_unreg(&link->xdp.rxq);
	link->xdp.rxq_ok = false;
}

/* --- transmit: XDP_TX and ndo_xdp_xmit --- */

/*
 * One frame into @link's ring, without offload metadata, pushed at once.
 * Frames never wait: with the ring full, or skbs already waiting for room
 * (which keep their turn), the frame is dropped.  @xmit: count it as
 * ndo_xdp_xmit's.  Returns true if the frame went.
 */
static bool ccnet_xdp_put(struct ccnet_link *link, const void *data, u32 len,
			  bool xmit)
{
	static const struct ccring_meta none;
	bool ok = false;
	int rc;

	spin_lock_bh(&link->tx_lock);
	if (unlikely(!link->tx_ok ||
		     test_bit(CCNET_LINK_BROKEN, &link->flags)))
		goto out;
	if (!skb_queue_empty(&link->backlog)) {
		rc = 0;
	} else {
		rc = ccring_prod_space(&link->tx, len);
		if (rc < 0) {
			if (ccring_broken(&link->tx))
				ccnet_link_mark_broken(link, "tx",
						       ccring_broken(&link->tx));
			else
				atomic64_inc(&link->nic->tx_errors);
			goto out;
		}
	}
	if (rc == 0) {
		u64_stats_update_begin(&link->stats.tx_syncp);
		link->stats.ring_full++;
		u64_stats_update_end(&link->stats.tx_syncp);
		goto out;
	}
	ccring_prod_begin(&link->tx, len, &none);
	ccring_prod_copy(&link->tx, 0, data, len);
	ccring_prod_commit(&link->tx);
	if (ccring_prod_push(&link->tx))
		ccnet_link_notify(link);
	ok = true;
out:
	u64_stats_update_begin(&link->stats.tx_syncp);
	if (ok) {
		link->stats.tx_packets++;
		link->stats.tx_bytes += len;
	} else {
		link->stats.tx_dropped++;
	}
	if (xmit)
		link->xdp.v[ok ? CCNET_XDP_XMIT : CCNET_XDP_XMIT_DROPS]++;
	u64_stats_update_end(&link->stats.tx_syncp);
	spin_unlock_bh(&link->tx_lock);
	return ok;
}

/* One redirected frame to the peer(s) its destination names.  RCU held. */
static void ccnet_xdp_xmit_one(struct ccnet_nic *nic, const u8 *data, u32 len)
{
	struct ccnet_link *link;

	if (unlikely(len < ETH_HLEN || len > CCRING_MAX_FRAME)) {
		atomic64_inc(&nic->tx_errors);
		return;
	}
	/* As start_xmit: the bridge's link-local frames stay on its side. */
	if (unlikely(nic->is_uplink && is_link_local_ether_addr(data))) {
		atomic64_inc(&nic->tx_link_local);
		return;
	}
	if (is_multicast_ether_addr(data)) {
		list_for_each_entry_rcu(link, &nic->links, nic_node)
			if (test_bit(CCNET_LINK_CONNECTED, &link->flags))
				ccnet_xdp_put(link, data, len, true);
		return;
	}
	link = ccnet_link_lookup(nic, data);
	if (!link) {
		link = rcu_dereference(nic->uplink);
		if (!link) {
			atomic64_inc(&nic->tx_unknown);
			return;
		}
		atomic64_inc(&nic->tx_uplink);
	}
	ccnet_xdp_put(link, data, len, true);
}

/*
 * ndo_xdp_xmit: frames are copied, so every one is ours to free at once and
 * all n count as taken; those no peer could take are counted (xdp_xmit_drops,
 * tx_dropped, tx_unknown_unicast) as start_xmit counts its own.
 */
int ccnet_xdp_xmit(struct net_device *ndev, int n, struct xdp_frame **frames,
		   u32 flags)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);
	int i;

	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;
	if (unlikely(!netif_running(ndev) || !netif_carrier_ok(ndev)))
		return -ENETDOWN;
	rcu_read_lock();
	for (i = 0; i < n; i++) {
		ccnet_xdp_xmit_one(nic, frames[i]->data, frames[i]->len);
		xdp_return_frame(frames[i]);
	}
	rcu_read_unlock();
	return n;
}

/* --- receive --- */

void ccnet_xdp_poll_begin(struct ccnet_link *link, struct ccnet_xdp_poll *xp)
	__acquires(RCU)
{
	xp->spare = NULL;
	xp->flush = false;
	/* Held until poll_end: the program may be swapped meanwhile, and
	 * bpf_prog_put() frees the old one only after a grace period. */
	rcu_read_lock();
	xp->prog = rcu_dereference(link->nic->xdp_prog);
}

void ccnet_xdp_poll_end(struct ccnet_link *link, struct ccnet_xdp_poll *xp)
	__releases(RCU)
{
	/* Same CPU, same poll as the xdp_do_redirect() calls. */
	if (xp->flush)
		xdp_do_flush();
	rcu_read_unlock();
	if (xp->spare)
		put_page(xp->spare);
}

/* CHECKSUM_PARTIAL done in software, as skb_checksum_help() does it.
 * ccmeta_check() put csum_start and the field inside the frame. */
static void ccnet_xdp_csum(u8 *data, u32 len, const struct ccring_meta *m)
{
	u32 start = m->csum_start;
	__sum16 sum = csum_fold(csum_partial(data + start, len - start, 0));

	put_unaligned(sum ?: CSUM_MANGLED_0,
		      (__sum16 *)(data + start + m->csum_offset));
}

/* XDP_PASS: the page becomes the skb's head.  Takes the page.  @vouched:
 * the sender vouched for the checksum (and we did not fill it in). */
static void ccnet_xdp_pass(struct ccnet_link *link, struct page *page,
			   struct xdp_buff *xdp, bool vouched)
{
	struct net_device *ndev = link->nic->ndev;
	unsigned int metalen = xdp->data - xdp->data_meta;
	unsigned int len = xdp->data_end - xdp->data;
	struct sk_buff *skb;

	/* The helpers keep a frame at least this long; the peer is not
	 * what we trust here, the program is, but it costs one compare. */
	if (unlikely(len < ETH_HLEN))
		goto drop;
	skb = napi_build_skb(xdp->data_hard_start, PAGE_SIZE);
	if (unlikely(!skb))
		goto drop;
	skb_reserve(skb, xdp->data - xdp->data_hard_start);
	__skb_put(skb, len);
	if (metalen)
		skb_metadata_set(skb, metalen);
	if (vouched && (ndev->features & NETIF_F_RXCSUM))
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->protocol = eth_type_trans(skb, ndev);
	u64_stats_update_begin(&link->stats.rx_syncp);
	link->stats.rx_packets++;
	link->stats.rx_bytes += len;
	link->xdp.v[CCNET_XDP_PASS]++;
	u64_stats_update_end(&link->stats.rx_syncp);
	napi_gro_receive(&link->napi, skb);
	return;

drop:
	put_page(page);
	ccnet_rx_drop(link, NULL);
}

/* A page for the next frame: the one the last verdict left free, or a new
 * one.  NULL (counted as a drop) when memory is short. */
static struct page *ccnet_xdp_page(struct ccnet_link *link,
				   struct ccnet_xdp_poll *xp)
{
	struct page *page = xp->spare;

	xp->spare = NULL;
	if (!page) {
		page = dev_alloc_page();
		if (unlikely(!page))
			ccnet_rx_drop(link, NULL);
	}
	return page;
}

/*
 * The program on the frame in @page: @len octets at XDP_PACKET_HEADROOM,
 * already screened, checksum complete.  Takes the page.
 */
static void ccnet_xdp_run(struct ccnet_link *link, struct ccnet_xdp_poll *xp,
			  struct page *page, u32 len, bool vouched)
{
	struct net_device *ndev = link->nic->ndev;
	struct bpf_prog *prog = xp->prog;
	struct xdp_buff xdp;
	u32 act;

	xdp_init_buff(&xdp, PAGE_SIZE, &link->xdp.rxq);
	xdp_prepare_buff(&xdp, page_address(page), XDP_PACKET_HEADROOM, len,
			 true);
	act = bpf_prog_run_xdp(prog, &xdp);
	switch (act) {
	case XDP_PASS:
		ccnet_xdp_pass(link, page, &xdp, vouched);
		return;
	case XDP_DROP:
		ccnet_xdp_count_rx(link, CCNET_XDP_DROP);
		break;
	case XDP_TX:
		/* Back to the peer it came from; copied, so the page stays. */
		if (likely(ccnet_xdp_put(link, xdp.data, xdp.data_end - xdp.data,
					 false))) {
			ccnet_xdp_count_rx(link, CCNET_XDP_TX);
		} else {
			trace_xdp_exception(ndev, prog, act);
			ccnet_xdp_count_rx(link, CCNET_XDP_TX_ERRORS);
		}
		break;
	case XDP_REDIRECT:
		xp->flush = true;
		if (likely(!xdp_do_redirect(ndev, &xdp, prog))) {
			/* The page went with the frame. */
			ccnet_xdp_count_rx(link, CCNET_XDP_REDIRECT);
			return;
		}
		trace_xdp_exception(ndev, prog, act);
		ccnet_xdp_count_rx(link, CCNET_XDP_REDIRECT_ERRORS);
		break;
	default:
		bpf_warn_invalid_xdp_action(ndev, prog, act);
		fallthrough;
	case XDP_ABORTED:
		trace_xdp_exception(ndev, prog, act);
		ccnet_xdp_count_rx(link, CCNET_XDP_ABORTED);
		break;
	}
	/* Nothing refers to the page any more: the next frame's. */
	xp->spare = page;
}

/* One segment of a GSO record into a page and through the program.  Takes
 * the segment. */
static void ccnet_xdp_rx_seg(struct ccnet_link *link, struct ccnet_xdp_poll *xp,
			     struct sk_buff *seg)
{
	u32 len = seg->len;
	struct page *page;

	if (unlikely(len > CCNET_XDP_FRAME_MAX)) {
		ccnet_rx_drop(link, &link->xdp.v[CCNET_XDP_UNSUPPORTED]);
		goto out;
	}
	page = ccnet_xdp_page(link, xp);
	if (unlikely(!page))
		goto out;
	if (unlikely(skb_copy_bits(seg, 0, (u8 *)page_address(page) +
				   XDP_PACKET_HEADROOM, len))) {
		xp->spare = page;
		ccnet_rx_drop(link, &link->stats.rx_bad_meta);
		goto out;
	}
	ccnet_xdp_run(link, xp, page, len, false);
out:
	consume_skb(seg);
}

/*
 * A GSO record: the kernel's software segmentation turns it into the frames
 * the peer's TSO stood for, checksums done, and each goes through the
 * program, so TCP from peers keeps working under XDP.  The record passes the
 * skb path's checks first (ccmeta_check(), virtio_net_hdr_to_skb(), which
 * marks it SKB_GSO_DODGY), so segmentation sees only what the stack itself
 * would have accepted from this peer and segmented when forwarding.
 */
static void ccnet_xdp_rx_gso(struct ccnet_link *link, struct ccnet_xdp_poll *xp,
			     const struct ccring_meta *m, u32 len)
{
	struct sk_buff *skb, *segs, *seg, *next;
	struct virtio_net_hdr vh;
	int depth;
	u64 *why;

	skb = ccnet_rx_build(link, len, &why);
	if (unlikely(!skb)) {
		ccnet_rx_drop(link, why);
		return;
	}
	why = ccnet_rx_screen(link, skb->data, skb_headlen(skb), len, m);
	if (unlikely(why))
		goto drop;
	why = &link->stats.rx_bad_meta;
	ccnet_rx_vnet_hdr(m, &vh);
	if (unlikely(virtio_net_hdr_to_skb(skb, &vh, true)))
		goto drop;
	/*
	 * Segmentation starts at the MAC header (virtio_net_hdr_to_skb()
	 * reset it) and finds L3 at the network header: past the Ethernet
	 * header and any VLAN tags.  (mac_len is still 0, so
	 * __vlan_get_protocol() parses tags from ETH_HLEN; for an untagged
	 * frame it would report a depth of 0.)
	 */
	skb->protocol = eth_hdr(skb)->h_proto;
	depth = ETH_HLEN;
	if (eth_type_vlan(skb->protocol) &&
	    unlikely(!__vlan_get_protocol(skb, skb->protocol, &depth)))
		goto drop;
	skb_set_network_header(skb, depth);
	segs = skb_gso_segment(skb, 0);
	if (unlikely(IS_ERR_OR_NULL(segs)))
		goto drop;
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		ccnet_xdp_rx_seg(link, xp, seg);
	}
	return;

drop:
	ccnet_rx_drop(link, why);
	kfree_skb(skb);
}

/*
 * The current record of link->rx through the program.  The caller releases
 * the record afterwards; the frame is counted here whatever happens to it.
 */
void ccnet_xdp_rx(struct ccnet_link *link, struct ccnet_xdp_poll *xp,
		  const struct ccring_meta *m, u32 len)
{
	struct page *page;
	u8 *data;
	u64 *why;

	if (unlikely(!link->xdp.rxq_ok)) {
		ccnet_rx_drop(link, &link->xdp.v[CCNET_XDP_UNSUPPORTED]);
		return;
	}
	if (m->gso_type) {
		ccnet_xdp_rx_gso(link, xp, m, len);
		return;
	}
	if (unlikely(len > CCNET_XDP_FRAME_MAX)) {
		ccnet_rx_drop(link, &link->xdp.v[CCNET_XDP_UNSUPPORTED]);
		return;
	}
	page = ccnet_xdp_page(link, xp);
	if (unlikely(!page))
		return;
	data = (u8 *)page_address(page) + XDP_PACKET_HEADROOM;
	if (ccring_cons_copy(&link->rx, 0, data, len)) {
		why = &link->stats.rx_copy_errors;
		goto refuse;
	}
	why = ccnet_rx_screen(link, data, len, len, m);
	if (unlikely(why))
		goto refuse;
	if (m->flags & CCRING_F_CSUM_NEEDED)
		ccnet_xdp_csum(data, len, m);
	ccnet_xdp_run(link, xp, page, len,
		      !(m->flags & CCRING_F_CSUM_NEEDED) &&
		      (m->flags & CCRING_F_DATA_VALID));
	return;

refuse:
	ccnet_rx_drop(link, why);
	xp->spare = page;
}

/* --- configuration, under RTNL --- */

static int ccnet_xdp_setup(struct net_device *ndev, struct bpf_prog *prog,
			   struct netlink_ext_ack *extack)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);
	struct bpf_prog *old;

	ASSERT_RTNL();
	if (prog && ndev->mtu > (int)CCNET_XDP_MTU_MAX) {
		NL_SET_ERR_MSG_MOD(extack,
				   "MTU too large for XDP (one page per frame)");
		netdev_warn(ndev, "XDP needs an MTU of at most %d\n",
			    (int)CCNET_XDP_MTU_MAX);
		return -EINVAL;
	}
	/* The core moved a reference into prog for us; the old one's is
	 * ours to drop, and the free waits for polls still running it. */
	old = rtnl_dereference(nic->xdp_prog);
	rcu_assign_pointer(nic->xdp_prog, prog);
	if (old)
		bpf_prog_put(old);
	return 0;
}

int ccnet_xdp_bpf(struct net_device *ndev, struct netdev_bpf *bpf)
{
	switch (bpf->command) {
	case XDP_SETUP_PROG:
		return ccnet_xdp_setup(ndev, bpf->prog, bpf->extack);
	default:
		return -EINVAL;
	}
}

/* ndo_change_mtu: no MTU above what one page holds while a program runs. */
int ccnet_xdp_check_mtu(struct ccnet_nic *nic, int new_mtu)
{
	ASSERT_RTNL();
	if (new_mtu > (int)CCNET_XDP_MTU_MAX && rtnl_dereference(nic->xdp_prog)) {
		netdev_warn(nic->ndev, "mtu %d: XDP is attached, at most %d\n",
			    new_mtu, (int)CCNET_XDP_MTU_MAX);
		return -EINVAL;
	}
	return 0;
}
