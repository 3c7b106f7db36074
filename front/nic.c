// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The "colorcom" xenbus frontend: one net_device per NIC.  Its backend is a
 * plain xenstore dir driven by colorcomd (no dom0 kernel backend), so the
 * state machine here is the one in docs/protocol.md, "The NIC device".
 */
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/if_vlan.h>
#include <linux/ctype.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "common.h"

struct ccnet_nic *ccnet_nic_find(unsigned int devid)
{
	struct ccnet_nic *nic;

	ASSERT_RTNL();
	list_for_each_entry(nic, &ccnet_nics, node)
		if (nic->devid == devid && nic->registered && !nic->closed &&
		    !nic->suspended)
			return nic;
	return NULL;
}

void ccnet_nic_update_carrier(struct ccnet_nic *nic)
{
	ASSERT_RTNL();
	if (nic->nconnected > 0) {
		if (!netif_carrier_ok(nic->ndev))
			netif_carrier_on(nic->ndev);
	} else if (netif_carrier_ok(nic->ndev)) {
		netif_carrier_off(nic->ndev);
	}
}

static void ccnet_snap_add(struct ccnet_stats_snap *sum,
			   const struct ccnet_stats_snap *s)
{
	sum->tx_packets += s->tx_packets;
	sum->tx_bytes += s->tx_bytes;
	sum->tx_dropped += s->tx_dropped;
	sum->ring_full += s->ring_full;
	sum->notify_tx += s->notify_tx;
	sum->tx_queue_stops += s->tx_queue_stops;
	sum->tx_stalls += s->tx_stalls;
	sum->tx_stall_dropped += s->tx_stall_dropped;
	sum->rx_packets += s->rx_packets;
	sum->rx_bytes += s->rx_bytes;
	sum->rx_dropped += s->rx_dropped;
	sum->rx_bad_src += s->rx_bad_src;
	sum->rx_bad_meta += s->rx_bad_meta;
	sum->rx_bad_csum += s->rx_bad_csum;
	sum->rx_bad_gso += s->rx_bad_gso;
	sum->rx_bad_feature += s->rx_bad_feature;
	sum->rx_too_big += s->rx_too_big;
	sum->rx_link_local += s->rx_link_local;
	sum->rx_copy_errors += s->rx_copy_errors;
	sum->notify_rx += s->notify_rx;
	sum->proto_errors += s->proto_errors;
	sum->spurious += s->spurious;
	sum->eoi_throttled += s->eoi_throttled;
	ccnet_xdp_snap_add(&sum->xdp, &s->xdp);
}

/*
 * Totals over live links plus the ones that went away.  stats_lock makes the
 * departure of a link (list removal + folding into "gone") atomic for us, so
 * the totals never count a link twice or lose it.
 */
void ccnet_nic_stats_sum(struct ccnet_nic *nic, struct ccnet_stats_snap *sum)
{
	struct ccnet_stats_snap s;
	struct ccnet_link *link;

	spin_lock_bh(&nic->stats_lock);
	*sum = nic->gone;
	list_for_each_entry(link, &nic->links, nic_node) {
		ccnet_link_snap(link, &s);
		ccnet_snap_add(sum, &s);
	}
	spin_unlock_bh(&nic->stats_lock);
}

/* Called by link.c with stats_lock held when a link leaves its NIC. */
void ccnet_nic_fold_gone(struct ccnet_nic *nic, const struct ccnet_stats_snap *s)
{
	ccnet_snap_add(&nic->gone, s);
}

static void ccnet_get_stats64(struct net_device *ndev,
			      struct rtnl_link_stats64 *st)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);
	struct ccnet_stats_snap sum;
	u64 errs, meta;

	ccnet_nic_stats_sum(nic, &sum);
	meta = sum.rx_bad_meta + sum.rx_bad_csum + sum.rx_bad_gso +
	       sum.rx_bad_feature;
	/* Refused for what the peer sent; link-local frames and failed
	 * copies are plain drops. */
	errs = sum.rx_bad_src + meta + sum.rx_too_big;
	st->tx_packets = sum.tx_packets;
	st->tx_bytes = sum.tx_bytes;
	st->tx_dropped = sum.tx_dropped + atomic64_read(&nic->tx_unknown);
	st->tx_errors = atomic64_read(&nic->tx_errors);
	st->rx_packets = sum.rx_packets;
	st->rx_bytes = sum.rx_bytes;
	/* rx_dropped per link includes the error drops; report them once. */
	st->rx_dropped = sum.rx_dropped - errs;
	st->rx_errors = errs + sum.proto_errors;
	st->rx_frame_errors = meta;
	st->rx_length_errors = sum.rx_too_big;
}

static int ccnet_open(struct net_device *ndev)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);
	struct ccnet_link *link;

	ASSERT_RTNL();
	list_for_each_entry(link, &nic->links, nic_node)
		ccnet_link_napi_start(link);
	netif_tx_start_all_queues(ndev);
	return 0;
}

static int ccnet_stop(struct net_device *ndev)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);
	struct ccnet_link *link;

	ASSERT_RTNL();
	netif_tx_disable(ndev);
	/* The burst that promised "more" will not get it now. */
	netif_tx_lock_bh(ndev);
	ccnet_tx_flush_defer_all(nic);
	netif_tx_unlock_bh(ndev);
	list_for_each_entry(link, &nic->links, nic_node) {
		ccnet_link_napi_stop(link);
		ccnet_tx_purge(link);
	}
	return 0;
}

/*
 * The network's MTU is the toolstack's (colorcomd enforces one per network):
 * every peer sends up to it and RX accepts up to it, so ethN may go below it
 * (as on any Ethernet) but never above.  max_mtu already makes the core
 * refuse that; this says why, once per attempt.
 */
static int ccnet_change_mtu(struct net_device *ndev, int new_mtu)
{
	struct ccnet_nic *nic = ccnet_nic_of(ndev);
	int err;

	if (new_mtu > (int)nic->net_mtu) {
		netdev_warn(ndev, "mtu %d is above the network's %u\n", new_mtu,
			    nic->net_mtu);
		return -EINVAL;
	}
	err = ccnet_xdp_check_mtu(nic, new_mtu);
	if (err)
		return err;
	WRITE_ONCE(ndev->mtu, new_mtu);
	return 0;
}

static const struct net_device_ops ccnet_netdev_ops = {
	.ndo_open		= ccnet_open,
	.ndo_stop		= ccnet_stop,
	.ndo_start_xmit		= ccnet_start_xmit,
	.ndo_select_queue	= ccnet_select_queue,
	.ndo_change_mtu		= ccnet_change_mtu,
	.ndo_get_stats64	= ccnet_get_stats64,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_bpf		= ccnet_xdp_bpf,	/* xdp.c */
	.ndo_xdp_xmit		= ccnet_xdp_xmit,
	/* No ndo_set_mac_address: peers filter on the MAC dom0 assigned. */
};

/* Read and check the NIC keys; see the table in docs/protocol.md. */
static int ccnet_nic_read_config(struct ccnet_nic *nic, u8 *mac,
				 unsigned int *mtu)
{
	struct xenbus_device *xdev = nic->xdev;
	char *str;
	bool ok;

	str = xenbus_read(XBT_NIL, xdev->otherend, "mac", NULL);
	if (IS_ERR(str)) {
		xenbus_dev_fatal(xdev, PTR_ERR(str), "reading %s/mac",
				 xdev->otherend);
		return PTR_ERR(str);
	}
	ok = strlen(str) == 17 && mac_pton(str, mac) && is_valid_ether_addr(mac);
	kfree(str);
	if (!ok) {
		xenbus_dev_fatal(xdev, -EINVAL, "bad mac in %s", xdev->otherend);
		return -EINVAL;
	}

	*mtu = xenbus_read_unsigned(xdev->otherend, "mtu", CCNET_DEFAULT_MTU);
	if (*mtu < CCNET_MIN_MTU || *mtu > CCNET_MAX_MTU) {
		xenbus_dev_fatal(xdev, -EINVAL, "mtu %u out of range", *mtu);
		return -EINVAL;
	}

	nic->order = xenbus_read_unsigned(xdev->otherend, "ring-page-order",
					  CCRING_DEFAULT_ORDER);
	if (nic->order < CCNET_MIN_ORDER || nic->order > CCNET_MAX_ORDER) {
		xenbus_dev_fatal(xdev, -EINVAL, "ring-page-order %u out of range",
				 nic->order);
		return -EINVAL;
	}
	return 0;
}

/*
 * dom0's uplink NIC gets a name the admin can put into a bridge or OVS
 * config: "ccup-" + the network name, cut to IFNAMSIZ - 1 characters
 * (docs/admin.md).  Only in dom0: a guest NIC is never an uplink (colorcomd
 * refuses the key there), and the name is all the flag changes on this side.
 */
static int ccnet_nic_uplink_name(struct ccnet_nic *nic)
{
	struct xenbus_device *xdev = nic->xdev;
	char name[IFNAMSIZ];
	const char *p;
	char *net;

	nic->is_uplink = xen_initial_domain() &&
		xenbus_read_unsigned(xdev->otherend, "uplink", 0) == 1;
	if (!nic->is_uplink)
		return 0;
	net = xenbus_read(XBT_NIL, xdev->otherend, "network", NULL);
	if (IS_ERR(net)) {
		xenbus_dev_fatal(xdev, PTR_ERR(net), "reading %s/network",
				 xdev->otherend);
		return PTR_ERR(net);
	}
	snprintf(name, sizeof(name), "ccup-%s", net);
	kfree(net);
	/* The protocol's network names; also keeps '%' (a name template)
	 * and '/' out of the interface name. */
	for (p = name + 5; *p; p++) {
		if (!isdigit(*p) && !(*p >= 'a' && *p <= 'z') && *p != '-' &&
		    *p != '_')
			break;
	}
	if (*p || p == name + 5 || !dev_valid_name(name)) {
		xenbus_dev_fatal(xdev, -EINVAL, "bad network for an uplink name");
		return -EINVAL;
	}
	strscpy(nic->ndev->name, name, IFNAMSIZ);
	return 0;
}

/*
 * Back after a suspend (resume in a restored domain, or a cancelled suspend):
 * ethN stays, so addresses, routes and open sockets survive.  Only the
 * backend's InitWait counts: colorcomd answers our Initialising with it once
 * it has removed the links we closed, so the links it creates next are new
 * ones.  The MAC normally comes back unchanged (colorcomd re-attaches from
 * the reboot record); if the new dir says otherwise, the dir wins.
 */
static void ccnet_nic_reconnect(struct ccnet_nic *nic, enum xenbus_state bstate)
{
	struct net_device *ndev = nic->ndev;
	unsigned int mtu;
	u8 mac[ETH_ALEN];

	ASSERT_RTNL();
	if (bstate != XenbusStateInitWait ||
	    nic->xdev->state == XenbusStateConnected)
		return;
	if (ccnet_nic_read_config(nic, mac, &mtu))
		return;
	if (!ether_addr_equal(ndev->dev_addr, mac)) {
		netdev_warn(ndev, "mac changed across suspend: %pM -> %pM\n",
			    ndev->dev_addr, mac);
		eth_hw_addr_set(ndev, mac);
		call_netdevice_notifiers(NETDEV_CHANGEADDR, ndev);
	}
	/* The network's MTU may have changed while we were away. */
	nic->net_mtu = mtu;
	ndev->max_mtu = mtu;
	if (ndev->mtu != mtu)
		dev_set_mtu(ndev, mtu);
	xenbus_switch_state(nic->xdev, XenbusStateConnected);
	netdev_info(ndev, "reconnected after suspend (%s)\n",
		    nic->xdev->otherend);
}

/* Backend reached InitWait: the keys are valid, bring up ethN (ccup-NET for
 * dom0's uplink). */
static void ccnet_nic_connect(struct ccnet_nic *nic, enum xenbus_state bstate)
{
	struct net_device *ndev = nic->ndev;
	unsigned int mtu;
	u8 mac[ETH_ALEN];
	int err;

	rtnl_lock();
	if (nic->closed || nic->suspended) {
		rtnl_unlock();
		return;
	}
	if (nic->registered) {
		ccnet_nic_reconnect(nic, bstate);
		rtnl_unlock();
		return;
	}
	err = ccnet_nic_read_config(nic, mac, &mtu);
	if (err)
		goto out_unlock;
	err = ccnet_nic_uplink_name(nic);
	if (err)
		goto out_unlock;

	eth_hw_addr_set(ndev, mac);
	ndev->mtu = mtu;
	/* The network's MTU is the toolstack's: every peer gets the same and
	 * drops frames above it (rx_too_big), so raising ours would only
	 * lose frames.  Lowering it stays allowed, as on any Ethernet. */
	nic->net_mtu = mtu;
	ndev->max_mtu = mtu;
	netif_carrier_off(ndev);
	err = register_netdevice(ndev);
	if (err) {
		xenbus_dev_fatal(nic->xdev, err, "registering net device");
		goto out_unlock;
	}
	nic->registered = true;
	rtnl_unlock();

	netdev_info(ndev, "colorcom %s mac %pM mtu %u ring order %u%s\n",
		    nic->xdev->nodename, mac, mtu, nic->order,
		    nic->is_uplink ? " (uplink)" : "");
	xenbus_switch_state(nic->xdev, XenbusStateConnected);
	return;

out_unlock:
	rtnl_unlock();
}

/*
 * The NIC goes away: every link is torn down (they switch to Closed so their
 * peers let go of our pages), then ethN.  Terminal: a closed NIC comes back
 * only as a new device.
 */
static void ccnet_nic_close(struct ccnet_nic *nic)
{
	struct ccnet_link *link, *tmp;

	rtnl_lock();
	if (!nic->closed) {
		nic->closed = true;
		list_for_each_entry_safe(link, tmp, &nic->links, nic_node)
			ccnet_link_detach(link);
		if (nic->registered)
			unregister_netdevice(nic->ndev);
	}
	rtnl_unlock();
	xenbus_switch_state(nic->xdev, XenbusStateClosed);
}

static void ccnet_nic_backend_changed(struct xenbus_device *xdev,
				      enum xenbus_state state)
{
	struct ccnet_nic *nic = dev_get_drvdata(&xdev->dev);

	if (!nic || READ_ONCE(nic->suspended))
		return;
	dev_dbg(&xdev->dev, "backend %s\n", xenbus_strstate(state));

	switch (state) {
	case XenbusStateInitWait:
	case XenbusStateConnected:
		/* Connected without InitWait seen: we missed a transition. */
		ccnet_nic_connect(nic, state);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
	case XenbusStateUnknown:
		ccnet_nic_close(nic);
		break;
	default:
		break;
	}
}

static int ccnet_nic_probe(struct xenbus_device *xdev,
			   const struct xenbus_device_id *id)
{
	struct net_device *ndev;
	struct ccnet_nic *nic;
	const char *p;
	int err;

	p = strrchr(xdev->nodename, '/');
	/* One TX queue per peer (tx.c), one RX queue: RX is per-link NAPI. */
	ndev = alloc_etherdev_mqs(sizeof(*nic), CCNET_TXQ_NUM, 1);
	if (!ndev)
		return -ENOMEM;
	nic = netdev_priv(ndev);
	nic->ndev = ndev;
	nic->xdev = xdev;
	nic->net_mtu = CCNET_DEFAULT_MTU;
	INIT_LIST_HEAD(&nic->links);
	INIT_LIST_HEAD(&nic->node);
	spin_lock_init(&nic->stats_lock);
	atomic64_set(&nic->tx_unknown, 0);
	atomic64_set(&nic->tx_uplink, 0);
	atomic64_set(&nic->tx_errors, 0);
	atomic64_set(&nic->tx_link_local, 0);
	err = p ? kstrtouint(p + 1, 10, &nic->devid) : -EINVAL;
	if (err) {
		xenbus_dev_fatal(xdev, err, "bad device id");
		goto out_free;
	}

	SET_NETDEV_DEV(ndev, &xdev->dev);
	ndev->netdev_ops = &ccnet_netdev_ops;
	/* A frame that finds its ring full waits in the link's backlog (an
	 * skb list), so one skb must not be handed to us twice: pktgen's
	 * clone_skb did that, and the second queueing corrupted the list. */
	ndev->priv_flags &= ~IFF_TX_SKB_SHARING;
	ndev->ethtool_ops = &ccnet_ethtool_ops;
	ndev->min_mtu = CCNET_MIN_MTU;
	ndev->max_mtu = CCNET_MAX_MTU;
	/*
	 * Frames are copied into the ring, so any layout works (SG) and the
	 * checksum/GSO metadata rides along as virtio_net_hdr.  No UDP_L4 GSO:
	 * 6.1's virtio_net_hdr_from_skb cannot express it.
	 */
	ndev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO |
			    NETIF_F_TSO6 | NETIF_F_RXCSUM;
	ndev->features = ndev->hw_features;
	/* A GSO frame plus its Ethernet/VLAN header must fit one ring record. */
	netif_set_tso_max_size(ndev, CCRING_MAX_FRAME - ETH_HLEN - VLAN_HLEN);

	dev_set_drvdata(&xdev->dev, nic);
	rtnl_lock();
	list_add(&nic->node, &ccnet_nics);
	rtnl_unlock();

	/* The backend may have validated the keys before we got here. */
	ccnet_nic_backend_changed(xdev, xenbus_read_driver_state(xdev->otherend));
	return 0;

out_free:
	free_netdev(ndev);
	return err;
}

static void ccnet_nic_remove(struct xenbus_device *xdev)
{
	struct ccnet_nic *nic = dev_get_drvdata(&xdev->dev);

	ccnet_nic_close(nic);
	rtnl_lock();
	list_del_init(&nic->node);
	rtnl_unlock();
	dev_set_drvdata(&xdev->dev, NULL);
	/* unregister_netdevice() completed at rtnl_unlock() above. */
	free_netdev(nic->ndev);
}

/*
 * xl save / migrate (and xl save -c) suspend the guest through xenbus.  Every
 * link closes now, as a detach would: our grants are revoked, the peers'
 * rings unmapped, the port closed, and Closed tells each peer to let go of
 * our pages, so the saved domain can die.  A restored domain has a new domid
 * and so needs new links anyway (the link id holds the higher domid).  The NIC
 * itself goes back to Initialising: colorcomd then removes what is left of the
 * links and answers with InitWait, from which ccnet_nic_reconnect() starts
 * over.  ethN stays registered throughout (carrier off while no link is up).
 */
static int ccnet_nic_suspend(struct xenbus_device *xdev)
{
	struct ccnet_nic *nic = dev_get_drvdata(&xdev->dev);
	struct ccnet_link *link, *tmp;

	if (!nic)
		return 0;
	rtnl_lock();
	if (nic->closed || nic->suspended) {
		rtnl_unlock();
		return 0;
	}
	WRITE_ONCE(nic->suspended, true);
	/* First, so colorcomd never sees one of these links wanted but
	 * missing a half (it would recreate it). */
	xenbus_switch_state(xdev, XenbusStateInitialising);
	list_for_each_entry_safe(link, tmp, &nic->links, nic_node) {
		ccnet_link_detach(link);
		/*
		 * Our own half goes too (colorcomd created it, but with write
		 * access for us, which lets us remove it): the peer sees it
		 * vanish at once, and xenbus unregisters the device, now or, in a restored
		 * domain, when it finds the node missing there.  Left in place it
		 * would be probed again at resume, where it cannot exist (new
		 * domid, new link id), and each such probe stalls the resume.
		 */
		xenbus_rm(XBT_NIL, link->xdev->nodename, "");
	}
	rtnl_unlock();
	if (nic->registered)
		netdev_info(nic->ndev, "suspend: links closed\n");
	return 0;
}

/*
 * In the restored domain, after xenbus found our (new) backend dir.  The
 * otherend watch xenbus sets up next fires at once with the backend state,
 * which drives the reconnect.
 */
static int ccnet_nic_resume(struct xenbus_device *xdev)
{
	struct ccnet_nic *nic = dev_get_drvdata(&xdev->dev);

	if (!nic)
		return 0;
	rtnl_lock();
	WRITE_ONCE(nic->suspended, false);
	rtnl_unlock();
	return 0;
}

/*
 * The PM core's last step, after every resume callback, also when the suspend
 * was cancelled (xl save -c, a failed save): xenbus calls no driver callback
 * on cancel, and our otherend watch survived, so start over from the backend
 * state here.  Without an otherend the restore found no backend dir for us:
 * colorcomd attached nothing before the domain ran.  Say so; xenbus will not
 * probe the device again by itself (docs/admin.md).
 */
static void ccnet_nic_pm_complete(struct device *dev)
{
	struct xenbus_device *xdev = to_xenbus_device(dev);
	struct ccnet_nic *nic = dev_get_drvdata(dev);
	bool was;

	if (!nic)
		return;
	rtnl_lock();
	was = nic->suspended;
	if (was && xdev->otherend)
		WRITE_ONCE(nic->suspended, false);
	rtnl_unlock();
	if (!was)
		return;
	if (!xdev->otherend) {
		dev_err(dev, "no backend dir after restore (colorcomd not running?): NIC down; once attached, unbind and bind %s in /sys/bus/xen/drivers/colorcom\n",
			dev_name(dev));
		return;
	}
	dev_info(dev, "suspend cancelled, reconnecting\n");
	ccnet_nic_backend_changed(xdev, xenbus_read_driver_state(xdev->otherend));
}

static const struct dev_pm_ops ccnet_nic_pm_ops = {
	/* The xenbus bus has no .complete, so the PM core calls ours. */
	.complete		= ccnet_nic_pm_complete,
};

static const struct xenbus_device_id ccnet_nic_ids[] = {
	{ "colorcom" },
	{ "" }
};

struct xenbus_driver ccnet_nic_driver = {
	.ids			= ccnet_nic_ids,
	.probe			= ccnet_nic_probe,
	.remove			= ccnet_nic_remove,
	.otherend_changed	= ccnet_nic_backend_changed,
	.suspend		= ccnet_nic_suspend,
	.resume			= ccnet_nic_resume,
	.driver.pm		= &ccnet_nic_pm_ops,
	.not_essential		= true,
};
