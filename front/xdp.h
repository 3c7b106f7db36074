/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * colorcom guest driver: native XDP (xdp.c).  Included by common.h; what a
 * link and a stats snapshot carry for XDP lives here so the rest of the
 * driver only holds one member of each type.
 */
#ifndef CCNET_XDP_H
#define CCNET_XDP_H

#include <linux/types.h>
#include <linux/skbuff.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <net/xdp.h>

struct ccnet_link;
struct ccnet_nic;
struct ccring_meta;
struct bpf_prog;
struct netdev_bpf;
struct net_device;

/*
 * XDP runs on one page per frame: XDP_PACKET_HEADROOM in front, room for an
 * skb_shared_info behind (XDP_PASS builds the skb around the same page), the
 * frame in between.  Larger frames (a network MTU above what ethN was lowered
 * to) are dropped and counted while a program is attached: the program could
 * not see them whole.  GSO records are segmented first (xdp.c).  An MTU above
 * CCNET_XDP_MTU_MAX refuses the attach, as xen-netfront does.
 */
#define CCNET_XDP_FRAME_MAX						\
	(PAGE_SIZE - XDP_PACKET_HEADROOM -				\
	 SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))
#define CCNET_XDP_MTU_MAX	(CCNET_XDP_FRAME_MAX - ETH_HLEN - 4 /* VLAN */)

/* Counters; each has one writer context (xdp.c). */
enum ccnet_xdp_stat {
	/* verdicts, written by the link's NAPI poll (rx_syncp) */
	CCNET_XDP_PASS,
	CCNET_XDP_DROP,
	CCNET_XDP_TX,
	CCNET_XDP_TX_ERRORS,	/* XDP_TX that found no room (ring full, link down) */
	CCNET_XDP_REDIRECT,
	CCNET_XDP_REDIRECT_ERRORS,
	CCNET_XDP_ABORTED,	/* XDP_ABORTED and unknown verdicts */
	CCNET_XDP_UNSUPPORTED,	/* larger than a page, or no rxq: dropped */
	/* ndo_xdp_xmit, written under tx_lock (tx_syncp) */
	CCNET_XDP_XMIT,
	CCNET_XDP_XMIT_DROPS,
	CCNET_XDP_NSTATS
};

struct ccnet_xdp_snap {
	u64 v[CCNET_XDP_NSTATS];
};

/* Per link: its RX queue as XDP sees it, and its counters. */
struct ccnet_xdp_link {
	struct xdp_rxq_info	rxq;
	bool			rxq_ok;
	u64			v[CCNET_XDP_NSTATS];
};

/* State of one NAPI poll. */
struct ccnet_xdp_poll {
	struct bpf_prog		*prog;
	struct page		*spare;		/* a page no frame uses any more */
	bool			flush;		/* xdp_do_redirect() was called */
};

extern const char ccnet_xdp_strings[CCNET_XDP_NSTATS][ETH_GSTRING_LEN];

/* nic.c */
int ccnet_xdp_bpf(struct net_device *ndev, struct netdev_bpf *bpf);
int ccnet_xdp_xmit(struct net_device *ndev, int n, struct xdp_frame **frames,
		   u32 flags);
int ccnet_xdp_check_mtu(struct ccnet_nic *nic, int new_mtu);

/* link.c */
void ccnet_xdp_link_attach(struct ccnet_link *link);
void ccnet_xdp_link_detach(struct ccnet_link *link);
void ccnet_xdp_snap(struct ccnet_link *link, struct ccnet_xdp_snap *s);
void ccnet_xdp_snap_add(struct ccnet_xdp_snap *sum,
			const struct ccnet_xdp_snap *s);

/* rx.c */
void ccnet_xdp_poll_begin(struct ccnet_link *link, struct ccnet_xdp_poll *xp)
	__acquires(RCU);
void ccnet_xdp_rx(struct ccnet_link *link, struct ccnet_xdp_poll *xp,
		  const struct ccring_meta *m, u32 len);
void ccnet_xdp_poll_end(struct ccnet_link *link, struct ccnet_xdp_poll *xp)
	__releases(RCU);

#endif /* CCNET_XDP_H */
