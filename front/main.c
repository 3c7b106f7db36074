// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * colorcom.ko: paravirtual NIC for Xen PV guests; frames between co-located
 * guests go through granted pages, peer to peer.  See docs/architecture.md.
 */
#include <linux/module.h>
#include <xen/xen.h>

#include "common.h"

/* All NICs of this guest, so a link can find its NIC by devid.  RTNL. */
LIST_HEAD(ccnet_nics);

static int __init ccnet_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;

	/*
	 * NIC first: a link probe looks its NIC up, and when the module is loaded
	 * with devices already present the driver core probes them in
	 * registration order.
	 */
	err = xenbus_register_frontend(&ccnet_nic_driver);
	if (err)
		return err;
	err = xenbus_register_frontend(&ccnet_link_front_driver);
	if (err)
		goto out_nic;
	err = xenbus_register_backend(&ccnet_link_back_driver);
	if (err)
		goto out_link_front;
	pr_info(CCNET_DRV_NAME ": version " CCNET_DRV_VERSION " loaded\n");
	return 0;

out_link_front:
	xenbus_unregister_driver(&ccnet_link_front_driver);
out_nic:
	xenbus_unregister_driver(&ccnet_nic_driver);
	return err;
}

static void __exit ccnet_exit(void)
{
	/* Links before NICs: a link's teardown still reports into its NIC. */
	xenbus_unregister_driver(&ccnet_link_back_driver);
	xenbus_unregister_driver(&ccnet_link_front_driver);
	xenbus_unregister_driver(&ccnet_nic_driver);
	/* Every ring released: what a peer still maps goes to the kernel's list. */
	ccnet_reclaim_exit();
}

module_init(ccnet_init);
module_exit(ccnet_exit);

MODULE_DESCRIPTION("colorcom: peer-to-peer paravirtual NIC for Xen guests");
MODULE_VERSION(CCNET_DRV_VERSION);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_ALIAS("xen:colorcom");
MODULE_ALIAS("xen:cclink");
MODULE_ALIAS("xen-backend:cclink");
