// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ethtool: -i, -k (generic), -g, -S.  All these ops run under RTNL, which is
 * also what link attach/detach hold, so the link list cannot change inside one
 * ethtool request.  Between requests it can: the per-link block count is
 * snapshot by get_sset_count and the other two ops honour that snapshot,
 * padding or truncating, so the kernel never writes past what ethtool sized.
 */
#include <linux/ethtool.h>
#include <linux/rtnetlink.h>

#include "common.h"

static const char ccnet_nic_strings[][ETH_GSTRING_LEN] = {
	"tx_packets", "tx_bytes", "rx_packets", "rx_bytes",
	"tx_dropped", "rx_dropped", "ring_full", "notify_tx", "notify_rx",
	"proto_errors", "spurious", "eoi_throttled",
	"tx_unknown_unicast", "tx_errors", "rx_bad_source",
	"rx_bad_meta", "links", "links_connected", "tx_to_uplink",
	"rx_bad_csum", "rx_bad_gso", "rx_bad_feature", "rx_too_big",
	"rx_link_local", "rx_copy_errors", "tx_link_local",
	"tx_queue_stops", "tx_stalls", "tx_stall_dropped",
};
#define CCNET_NIC_NSTATS ARRAY_SIZE(ccnet_nic_strings)

static const char * const ccnet_link_strings[] = {
	"tx_packets", "tx_bytes", "rx_packets", "rx_bytes", "tx_dropped",
	"rx_dropped", "ring_full", "notify_tx", "notify_rx", "proto_errors",
	"spurious", "eoi_throttled", "rx_refused", "tx_queue_stops",
	"tx_stalls", "tx_stall_dropped",
};
#define CCNET_LINK_NSTATS ARRAY_SIZE(ccnet_link_strings)

static void ccnet_get_drvinfo(struct net_device *ndev,
			      struct ethtool_drvinfo *info)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);

	strscpy(info->driver, CCNET_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, CCNET_DRV_VERSION, sizeof(info->version));
	strscpy(info->bus_info, nic->xdev->nodename, sizeof(info->bus_info));
}

/*
 * Rings hold variable-size records, so "entries" is reported as the number of
 * full-size (ETH_FRAME_LEN) records a ring holds.  RX is the smallest ring a
 * connected peer granted us, TX the one we grant.  Read-only: the size is
 * set by the toolstack (ring-page-order).
 */
static u32 ccnet_ring_entries(unsigned int order)
{
	return (CCRING_PAGE_SIZE << order) / ccring_rec_size(ETH_FRAME_LEN);
}

static void ccnet_get_ringparam(struct net_device *ndev,
				struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);
	unsigned int rx_order = nic->order;
	struct ccnet_link *link;
	bool any = false;

	list_for_each_entry(link, &nic->links, nic_node) {
		if (!test_bit(CCNET_LINK_CONNECTED, &link->flags))
			continue;
		if (!any || link->rx.npages < (1u << rx_order))
			rx_order = ilog2(link->rx.npages);
		any = true;
	}
	ring->rx_max_pending = ccnet_ring_entries(CCNET_MAX_ORDER);
	ring->tx_max_pending = ccnet_ring_entries(CCNET_MAX_ORDER);
	ring->rx_pending = ccnet_ring_entries(rx_order);
	ring->tx_pending = ccnet_ring_entries(nic->order);
}

/* "peerD_" normally; "peerD.N_" (N = the peer's NIC devid) when this NIC
 * has two links to the same domain. */
static void ccnet_link_prefix(struct ccnet_nic *nic, struct ccnet_link *link,
			      char *buf, size_t len)
{
	struct ccnet_link *o;

	list_for_each_entry(o, &nic->links, nic_node) {
		if (o != link && o->peer == link->peer) {
			snprintf(buf, len, "peer%u.%u_", link->peer, link->peer_nic);
			return;
		}
	}
	snprintf(buf, len, "peer%u_", link->peer);
}

static int ccnet_get_sset_count(struct net_device *ndev, int sset)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	nic->ethtool_nlinks = nic->nlinks;
	return CCNET_NIC_NSTATS + CCNET_XDP_NSTATS +
	       nic->ethtool_nlinks * CCNET_LINK_NSTATS;
}

static void ccnet_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);
	struct ccnet_link *link;
	unsigned int i, n = 0;
	char prefix[24];

	if (sset != ETH_SS_STATS)
		return;
	memcpy(data, ccnet_nic_strings, sizeof(ccnet_nic_strings));
	data += sizeof(ccnet_nic_strings);
	memcpy(data, ccnet_xdp_strings, sizeof(ccnet_xdp_strings));
	data += sizeof(ccnet_xdp_strings);

	list_for_each_entry(link, &nic->links, nic_node) {
		if (n++ == nic->ethtool_nlinks)
			return;
		ccnet_link_prefix(nic, link, prefix, sizeof(prefix));
		for (i = 0; i < CCNET_LINK_NSTATS; i++) {
			snprintf(data, ETH_GSTRING_LEN, "%s%s", prefix,
				 ccnet_link_strings[i]);
			data += ETH_GSTRING_LEN;
		}
	}
	/* Links left since the count was taken: keep the layout. */
	for (; n < nic->ethtool_nlinks; n++) {
		for (i = 0; i < CCNET_LINK_NSTATS; i++) {
			snprintf(data, ETH_GSTRING_LEN, "gone_%s",
				 ccnet_link_strings[i]);
			data += ETH_GSTRING_LEN;
		}
	}
}

static void ccnet_fill_link(u64 *d, const struct ccnet_stats_snap *s)
{
	d[0] = s->tx_packets;
	d[1] = s->tx_bytes;
	d[2] = s->rx_packets;
	d[3] = s->rx_bytes;
	d[4] = s->tx_dropped;
	d[5] = s->rx_dropped;
	d[6] = s->ring_full;
	d[7] = s->notify_tx;
	d[8] = s->notify_rx;
	d[9] = s->proto_errors;
	d[10] = s->spurious;
	d[11] = s->eoi_throttled;
}

/* Frames refused for what the peer put in them (rx.c's reasons). */
static u64 ccnet_refused(const struct ccnet_stats_snap *s)
{
	return s->rx_bad_src + s->rx_bad_meta + s->rx_bad_csum +
	       s->rx_bad_gso + s->rx_bad_feature + s->rx_too_big +
	       s->rx_link_local;
}

static void ccnet_get_ethtool_stats(struct net_device *ndev,
				    struct ethtool_stats *stats, u64 *data)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);
	struct ccnet_stats_snap sum, s;
	struct ccnet_link *link;
	unsigned int n = 0;

	ccnet_nic_stats_sum(nic, &sum);
	ccnet_fill_link(data, &sum);
	data[12] = atomic64_read(&nic->tx_unknown);
	data[13] = atomic64_read(&nic->tx_errors);
	data[14] = sum.rx_bad_src;
	data[15] = sum.rx_bad_meta;
	data[16] = nic->nlinks;
	data[17] = nic->nconnected;
	data[18] = atomic64_read(&nic->tx_uplink);
	data[19] = sum.rx_bad_csum;
	data[20] = sum.rx_bad_gso;
	data[21] = sum.rx_bad_feature;
	data[22] = sum.rx_too_big;
	data[23] = sum.rx_link_local;
	data[24] = sum.rx_copy_errors;
	data[25] = atomic64_read(&nic->tx_link_local);
	data[26] = sum.tx_queue_stops;
	data[27] = sum.tx_stalls;
	data[28] = sum.tx_stall_dropped;
	BUILD_BUG_ON(CCNET_NIC_NSTATS != 29 || CCNET_LINK_NSTATS != 16);
	data += CCNET_NIC_NSTATS;
	memcpy(data, sum.xdp.v, sizeof(sum.xdp.v));
	data += CCNET_XDP_NSTATS;

	list_for_each_entry(link, &nic->links, nic_node) {
		if (n++ == nic->ethtool_nlinks)
			return;
		ccnet_link_snap(link, &s);
		ccnet_fill_link(data, &s);
		data[12] = ccnet_refused(&s);
		data[13] = s.tx_queue_stops;
		data[14] = s.tx_stalls;
		data[15] = s.tx_stall_dropped;
		data += CCNET_LINK_NSTATS;
	}
	for (; n < nic->ethtool_nlinks; n++) {
		memset(data, 0, CCNET_LINK_NSTATS * sizeof(*data));
		data += CCNET_LINK_NSTATS;
	}
}

const struct ethtool_ops ccnet_ethtool_ops = {
	.get_drvinfo		= ccnet_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_ringparam		= ccnet_get_ringparam,
	.get_sset_count		= ccnet_get_sset_count,
	.get_strings		= ccnet_get_strings,
	.get_ethtool_stats	= ccnet_get_ethtool_stats,
};
