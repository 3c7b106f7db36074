/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * colorcom guest driver: shared definitions.
 *
 * Object model
 *   ccnet_nic   one per "colorcom" xenbus frontend device, owns one net_device.
 *   ccnet_link  one per "cclink" xenbus device (front or back half), i.e. one
 *               peer of one NIC.  Owns the TX ring it grants, the peer's TX ring
 *               it maps (its RX ring), one event channel and one NAPI context.
 *
 * Locking
 *   RTNL is the configuration lock: the NIC list, the link list of a NIC, link
 *   attach/connect/disconnect/detach, NAPI enable/disable and carrier changes
 *   all happen under it.  The data path never takes it: it finds links through
 *   RCU (nic->links, nic->hash) and serialises on the per-link tx_lock.
 *   link->tx_ok, set and cleared under tx_lock, is what makes the TX ring
 *   usable; the ring memory is released only after tx_ok went false and an RCU
 *   grace period passed, so a reader that saw tx_ok under the lock is safe.
 */
#ifndef CCNET_COMMON_H
#define CCNET_COMMON_H

#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/rculist.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <xen/xenbus.h>
#include <xen/grant_table.h>

#include "ccring.h"
#include "xdp.h"

#define CCNET_DRV_NAME		"colorcom"
#define CCNET_DRV_VERSION	"0.1"

/* Largest MTU: an IPv4/IPv6 packet cannot exceed 65535 octets including the
 * 14-octet Ethernet header budget the protocol reserves; 65521 + 14 + 4 (VLAN)
 * still fits CCRING_MAX_FRAME. */
#define CCNET_MIN_MTU		68
#define CCNET_MAX_MTU		65521
#define CCNET_DEFAULT_MTU	1500

/* The driver refuses rings below 256 KiB: a maximal frame must always fit,
 * with room to batch. */
#define CCNET_MIN_ORDER		6u
#define CCNET_MAX_ORDER		CCRING_MAX_ORDER

/* Frames held per link while its ring is full; beyond that we drop for that
 * peer only.  Unicast stops its TX queue on the first one, so what collects
 * here is mostly flood copies; bounded so a stuck peer costs at most this
 * much memory, and emptied by the stall timeout. */
#define CCNET_BACKLOG_MAX	256

/*
 * TX queues.  Queue 0 carries floods (broadcast, multicast) and is never
 * stopped; every connected link gets one of queues 1..N-1 (the least used),
 * and ndo_select_queue sends a frame to its destination link's queue, so a
 * full peer stops only its own queue and the qdisc (fq_codel) holds its
 * backlog.  Beyond N-1 links, links share queues; the stall timeout bounds
 * how long a stuck peer can hold a shared one.
 */
#define CCNET_TXQ_NUM		16
#define CCNET_TXQ_FLOOD		0

/* A peer that lets its ring stay full this long (a stalled consumer) loses
 * its backlog and gets no queue stop until it consumes again (module
 * parameter tx_stall_ms, clamped to this range). */
#define CCNET_STALL_MS_DEFAULT	2000u
#define CCNET_STALL_MS_MIN	100u
#define CCNET_STALL_MS_MAX	60000u

/* RX frames up to this size are copied into one linear skb; larger ones get a
 * small linear head and page frags so we never ask for high-order atomics. */
#define CCNET_RX_COPYBREAK	2048u
#define CCNET_RX_HEAD		256u

#define CCNET_HASH_BITS		6


/*
 * Event-flood throttle.  Linux's own lateeoi throttle is undone by its delayed
 * EOI worker (it EOIs with the spurious count reset), so a peer that kicks us
 * without work still gets about one wake-up per jiffy.  After this many
 * consecutive kicks that brought no work we hold the EOI back ourselves, the
 * port stays masked meanwhile, with the delay doubling up to the cap.  Any
 * real work ends the streak.  An honest peer rarely sends even two in a row
 * (a kick racing our final re-check), so it never gets here.
 */
#define CCNET_SPURIOUS_FREE	8u
#define CCNET_EOI_DELAY_MAX	(HZ / 4)

struct ccnet_nic;

/* Per-link counters.  tx_* are written under tx_lock, rx_* only by the NAPI
 * poll, so each group has a single writer; the rest come from several
 * contexts and are atomic. */
struct ccnet_link_stats {
	struct u64_stats_sync	tx_syncp;
	u64			tx_packets;
	u64			tx_bytes;
	u64			tx_dropped;
	u64			ring_full;
	u64			tx_queue_stops;	/* our TX queue stopped for this peer */
	u64			tx_stalls;	/* stall timeouts that fired */
	u64			tx_stall_dropped; /* dropped because stalled (in tx_dropped) */
	struct u64_stats_sync	rx_syncp;
	u64			rx_packets;
	u64			rx_bytes;
	u64			rx_dropped;
	/* Why a frame was refused; each is a subset of rx_dropped. */
	u64			rx_bad_src;	/* spoofed source MAC */
	u64			rx_bad_meta;	/* runt, or virtio_net_hdr_to_skb() said no */
	u64			rx_bad_csum;	/* csum_start below L3 / field beyond the frame */
	u64			rx_bad_gso;	/* GSO: no NEEDS_CSUM, wrong L3, bad gso_size */
	u64			rx_bad_feature;	/* offload we did not advertise */
	u64			rx_too_big;	/* above our MTU */
	u64			rx_link_local;	/* 01:80:c2:00:00:0X to/from the uplink */
	u64			rx_copy_errors;	/* ring refused the payload copy */
	atomic64_t		notify_tx;
	atomic64_t		notify_rx;
	atomic64_t		proto_errors;
	atomic64_t		spurious;	/* wake-ups that found no work */
	atomic64_t		eoi_throttled;	/* EOIs we held back (spurious streak) */
};

/* Plain snapshot, used for reporting and for folding a departing link into
 * its NIC's totals. */
struct ccnet_stats_snap {
	u64 tx_packets, tx_bytes, tx_dropped, ring_full, notify_tx;
	u64 tx_queue_stops, tx_stalls, tx_stall_dropped;
	u64 rx_packets, rx_bytes, rx_dropped, rx_bad_src, rx_bad_meta, notify_rx;
	u64 rx_bad_csum, rx_bad_gso, rx_bad_feature, rx_too_big, rx_link_local;
	u64 rx_copy_errors;
	u64 proto_errors, spurious, eoi_throttled;
	struct ccnet_xdp_snap xdp;
};

/* The ring we produce into: pages we own and grant to the peer. */
struct ccnet_own_ring {
	struct page		*ctrl_page;
	int			ctrl_ref;	/* -1 = not granted */
	unsigned int		npages;
	struct page		**pages;
	int			*refs;		/* -1 = not granted */
	u8			**va;
	bool			contig;		/* data pages are one block */
};

/* The ring the peer produces into: its grants, mapped here. */
struct ccnet_peer_ring {
	unsigned int		npages;		/* data pages; slot 0 is the control page */
	struct page		**pages;	/* npages + 1, from gnttab_alloc_pages */
	grant_handle_t		*handles;
	bool			*mapped;
	u8			**va;		/* data pages only */
	bool			ctrl_alloced;
	bool			unmap_failed;	/* leak rather than free a mapped page */
};

enum ccnet_link_flags {
	CCNET_LINK_BROKEN,	/* sticky: the peer violated the protocol */
	CCNET_LINK_CONNECTED,	/* rings mapped, irq bound, published to the NIC */
	CCNET_LINK_NAPI_ON,	/* napi_enable()d */
	CCNET_LINK_DEAD,	/* torn down; terminal until the device goes */
};

struct ccnet_link {
	struct xenbus_device	*xdev;
	bool			is_back;	/* we are the backend half */
	unsigned long		flags;
	struct ccnet_nic	*nic;		/* RTNL; NULL once detached */
	bool			probed;		/* setup done; state changes may act */
	domid_t			peer;
	unsigned int		id;		/* link id L from the node name */
	unsigned int		nic_devid;
	unsigned int		peer_nic;	/* the peer's NIC devid, from L */
	u8			peer_mac[ETH_ALEN];
	unsigned int		order;		/* of the ring we grant */
	/*
	 * The peer is its network's uplink (dom0's NIC, bridged to the outside):
	 * it may send frames with any source MAC and gets our unknown unicast.
	 * From our own half's `peer-uplink`, which only colorcomd writes (the peer
	 * cannot write our half), and honoured only when the peer is domain 0.
	 */
	bool			uplink;

	/* what the peer accepts (its feature-* keys) */
	bool			peer_csum;
	bool			peer_gso4;
	bool			peer_gso6;
	/* what we advertised (CCMETA_ADV_*: our feature-* keys, from the NIC's
	 * features when the link was set up); the poll drops records that use
	 * anything else */
	u32			adv;

	struct ccnet_own_ring	own;
	struct ccnet_peer_ring	prx;

	/* TX: our ring, serialised by tx_lock */
	spinlock_t		tx_lock;
	bool			tx_ok;
	struct ccring		tx;
	struct sk_buff_head	backlog;	/* protected by tx_lock */
	u32			want_len;	/* head of backlog waits for this */
	/*
	 * Backpressure, all under tx_lock.  txq: our queue (1..N-1), set at
	 * connect under RTNL and read by ndo_select_queue.  stopped_txq: the
	 * queue we stopped because our ring was full (the backlog is then not
	 * empty); the poll wakes it once the backlog is in the ring.
	 * stall_timer fires if that takes longer than tx_stall_ms with no
	 * progress (tx_moved unchanged since stall_mark): the backlog is
	 * dropped, the queue woken, and `stalled` makes a full ring drop
	 * instead of queue until the peer consumes again.
	 */
	u16			txq;
	struct netdev_queue	*stopped_txq;
	bool			stalled;
	unsigned long		tx_moved;
	unsigned long		stall_mark;
	struct timer_list	stall_timer;

	/*
	 * RX: the peer's ring.  rx (the consumer's private indices), eoi_work and
	 * spurious have ONE owner: whoever holds the NAPI instance (softirq poll,
	 * threaded poll or a busy-poll reader; the NAPI core lets only one of
	 * them in at a time), and ccnet_poll() touches none of them once it has
	 * called napi_complete_done().  Setup and teardown touch them only while
	 * NAPI is disabled.  Nothing else may.
	 */
	struct ccring		rx;
	struct napi_struct	napi;
	bool			napi_added;
	atomic_t		eoi_pending;	/* irq handler sets, poll clears */
	bool			eoi_work;	/* poll saw work since the last EOI */
	unsigned int		spurious;	/* consecutive kicks without work */
	struct timer_list	eoi_timer;	/* a held-back EOI, see above */

	evtchn_port_t		evtchn;		/* front half: the port we allocated */
	int			irq;		/* 0 = not bound */

	struct work_struct	broken_work;
	const char		*broken_dir;	/* "tx" or "rx" */
	int			broken_err;	/* enum ccring_err */

	struct ccnet_link_stats	stats;
	struct ccnet_xdp_link	xdp;		/* xdp.c */

	struct list_head	nic_node;	/* nic->links, RCU */
	struct hlist_node	hash_node;	/* nic->hash, RCU, connected only */
	bool			on_list;
	bool			in_hash;
	char			name[32];	/* irq name */
};

struct ccnet_nic {
	struct net_device	*ndev;
	struct xenbus_device	*xdev;
	unsigned int		devid;
	bool			registered;
	bool			closed;		/* unregistered; terminal */
	/* Between xenbus suspend and resume (xl save, migrate): no links, no
	 * state changes acted on.  RTNL. */
	bool			suspended;
	unsigned int		order;		/* default ring-page-order */
	bool			is_uplink;	/* dom0's uplink NIC (named ccup-NET) */
	struct list_head	node;		/* ccnet_nics, RTNL */

	struct list_head	links;		/* sorted by (peer, link id); RCU */
	struct hlist_head	hash[1 << CCNET_HASH_BITS];
	unsigned int		nlinks;
	unsigned int		nconnected;
	unsigned int		ethtool_nlinks;	/* snapshot taken by get_sset_count */
	/* The connected link to the network's uplink, if any: unknown unicast
	 * goes there.  Written under RTNL, read under RCU by TX. */
	struct ccnet_link __rcu	*uplink;

	/* Per TX queue: the link whose committed records we have not pushed
	 * yet because netdev_xmit_more() promised another frame.  Entry q is
	 * only touched under TX queue q's lock. */
	struct ccnet_link	*tx_defer[CCNET_TXQ_NUM];
	/* Connected links per TX queue (RTNL): a new link takes the least
	 * used of 1..N-1. */
	unsigned int		txq_users[CCNET_TXQ_NUM];
	/* The network's MTU (the backend's `mtu`): ethN's max_mtu, and the
	 * largest frame RX accepts whatever ethN's own MTU is lowered to. */
	unsigned int		net_mtu;
	/* The attached XDP program (xdp.c): RTNL writes, the polls read
	 * under RCU. */
	struct bpf_prog __rcu	*xdp_prog;

	/* Counters of links that went away, so totals never go backwards.
	 * stats_lock also makes "remove from list + fold in" atomic for
	 * readers. */
	spinlock_t		stats_lock;
	struct ccnet_stats_snap	gone;
	atomic64_t		tx_unknown;	/* unknown unicast, dropped (no uplink) */
	atomic64_t		tx_uplink;	/* unknown unicast sent to the uplink */
	atomic64_t		tx_errors;	/* unsendable skb (too big, bad GSO) */
	atomic64_t		tx_link_local;	/* uplink: 01:80:c2:00:00:0X not relayed */
};

/* main.c */
extern struct list_head ccnet_nics;

/* nic.c */
extern struct xenbus_driver ccnet_nic_driver;
struct ccnet_nic *ccnet_nic_find(unsigned int devid);
void ccnet_nic_update_carrier(struct ccnet_nic *nic);
void ccnet_nic_stats_sum(struct ccnet_nic *nic, struct ccnet_stats_snap *sum);
void ccnet_nic_fold_gone(struct ccnet_nic *nic, const struct ccnet_stats_snap *s);

/* link.c */
extern struct xenbus_driver ccnet_link_front_driver;
extern struct xenbus_driver ccnet_link_back_driver;
void ccnet_link_detach(struct ccnet_link *link);
struct ccnet_link *ccnet_link_lookup(struct ccnet_nic *nic, const u8 *mac);
void ccnet_link_mark_broken(struct ccnet_link *link, const char *dir, int err);
void ccnet_link_napi_start(struct ccnet_link *link);
void ccnet_link_napi_stop(struct ccnet_link *link);
void ccnet_link_snap(struct ccnet_link *link, struct ccnet_stats_snap *s);
void ccnet_link_notify(struct ccnet_link *link);

/* Read-only sysfs view of an atomic_t module counter (link.c). */
extern const struct kernel_param_ops ccnet_counter_ops;

/* reclaim.c */
void ccnet_grant_release(domid_t peer, grant_ref_t ref, struct page *page);
int ccnet_reclaim_admit(domid_t peer, unsigned int npages);
void ccnet_reclaim_exit(void);

/* tx.c */
netdev_tx_t ccnet_start_xmit(struct sk_buff *skb, struct net_device *ndev);
u16 ccnet_select_queue(struct net_device *ndev, struct sk_buff *skb,
		       struct net_device *sb_dev);
bool ccnet_tx_drain(struct ccnet_link *link);
void ccnet_tx_flush_defer(struct ccnet_nic *nic, unsigned int q);
void ccnet_tx_flush_defer_all(struct ccnet_nic *nic);
void ccnet_tx_purge(struct ccnet_link *link);
void ccnet_tx_stall_timer(struct timer_list *t);
void ccnet_tx_queue_assign(struct ccnet_link *link);
void ccnet_tx_queue_release(struct ccnet_link *link);

/* rx.c */
irqreturn_t ccnet_link_interrupt(int irq, void *dev_id);
void ccnet_rx_drop(struct ccnet_link *link, u64 *reason);
struct sk_buff *ccnet_rx_build(struct ccnet_link *link, u32 len, u64 **why);
struct virtio_net_hdr;
void ccnet_rx_vnet_hdr(const struct ccring_meta *m, struct virtio_net_hdr *vh);
u64 *ccnet_rx_screen(struct ccnet_link *link, const u8 *data, u32 hlen,
		     u32 len, const struct ccring_meta *m);
int ccnet_poll(struct napi_struct *napi, int budget);
void ccnet_eoi_timer(struct timer_list *t);

#ifdef CCNET_HOSTILE
/* hostile.c, TEST-ONLY: keep the rings of this peer mapped for ever. */
bool ccnet_hostile_keep_maps(domid_t peer);
#else
/* A macro, not an inline stub: the release module carries no trace of the
 * test hooks, not even a name in its debug info (hostile-peer checks it). */
#define ccnet_hostile_keep_maps(peer) ((void)(peer), false)
#endif

/* ethtool.c */
extern const struct ethtool_ops ccnet_ethtool_ops;

static inline struct ccnet_nic *ccnet_nic_of(struct net_device *ndev)
{
	return netdev_priv(ndev);
}

#endif /* CCNET_COMMON_H */
