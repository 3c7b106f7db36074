// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TEST-ONLY: a hostile peer, for the lab scenario hostile-peer.  Built only into
 * the hostile variant of the module (front/hostile/, CCNET_HOSTILE); the release
 * colorcom.ko has none of this.
 *
 *   echo "CMD DOMID [ARG]" >/sys/module/colorcom/parameters/hostile
 *
 * acts on our connected link to DOMID:
 *   prod-beyond   publish a prod index past the end of the ring
 *   prod-back     publish a prod index behind the last one published
 *   cons-beyond   (as consumer of the peer's ring) publish a cons past its prod
 *   cons-back     publish a cons index behind the last one published
 *   len-huge      publish a record header with len 0x7fffffff
 *   len-zero      publish a record header with len 0
 *   double-fetch  ARG records (default 200), each pushed with a valid header whose
 *                 len is then flipped to huge and back, again and again, for a
 *                 jiffy or two
 *   flood         send events as fast as possible for ARG ms (default 5000)
 *   meta-KIND     send ARG records (default 1), each a well-formed IPv4/TCP frame
 *                 from us (192.0.2.1 -> 192.0.2.2, so no stack answers it) with
 *                 offload metadata of KIND, through the honest producer: the
 *                 link stays up and the ring stays valid; only what
 *                 virtio_net_hdr_to_skb() would be given is bad.  Kinds, and
 *                 the victim's counter each must reach, in ccnet_hostile_metas[]
 *   keep-maps     from now on never unmap the rings that DOMID gives us (its
 *                 released pages stay pinned); DOMID -1 turns it off
 * The index and header commands first silence our side of the link (our poll
 * and TX stop, without telling anyone), so no honest write of ours repairs the
 * corruption before the peer sees it.
 */
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <xen/events.h>

#include "common.h"

#define CCNET_HOSTILE_HUGE	0x7fffffffu
#define CCNET_HOSTILE_FRAME	60u

static struct ccnet_link *ccnet_hostile_find(unsigned int peer)
{
	struct ccnet_link *link;
	struct ccnet_nic *nic;

	ASSERT_RTNL();
	list_for_each_entry(nic, &ccnet_nics, node)
		list_for_each_entry(link, &nic->links, nic_node)
			if (link->peer == peer &&
			    test_bit(CCNET_LINK_CONNECTED, &link->flags))
				return link;
	return NULL;
}

/* Write into our own (granted) ring at index idx, splitting at page ends. */
static void ccnet_hostile_put(struct ccnet_link *link, u32 idx, const void *src,
			      u32 n)
{
	const u8 *s = src;
	u32 off, chunk;

	while (n) {
		off = idx & (link->tx.size - 1);
		chunk = min_t(u32, n, PAGE_SIZE - (off & (PAGE_SIZE - 1)));
		memcpy(link->own.va[off / PAGE_SIZE] + (off & (PAGE_SIZE - 1)),
		       s, chunk);
		idx += chunk;
		s += chunk;
		n -= chunk;
	}
}

static u32 *ccnet_hostile_len_word(struct ccnet_link *link, u32 idx)
{
	u32 off = idx & (link->tx.size - 1);

	/* Records start 8-aligned: the len word never straddles a page. */
	return (u32 *)(link->own.va[off / PAGE_SIZE] + (off & (PAGE_SIZE - 1)));
}

/* Our side stops touching the link, quietly: no broken key, no count. */
static void ccnet_hostile_silence(struct ccnet_link *link)
{
	set_bit(CCNET_LINK_BROKEN, &link->flags);
}

static int ccnet_hostile_index(struct ccnet_link *link, const char *cmd)
{
	struct ccring_ctrl *own = link->tx.ctrl, *peer = link->rx.ctrl;
	u32 v;

	spin_lock_bh(&link->tx_lock);
	ccnet_hostile_silence(link);
	if (!strcmp(cmd, "prod-beyond")) {
		v = link->tx.pushed + link->tx.size + 8;
		WRITE_ONCE(own->prod, v);
	} else if (!strcmp(cmd, "prod-back")) {
		v = link->tx.pushed - 8;
		WRITE_ONCE(own->prod, v);
	} else if (!strcmp(cmd, "cons-beyond")) {
		/* Past anything the producer can have pushed.  (Reading the
		 * consumer's private state outside the poll is fine only here:
		 * our poll is silenced above, and the value is meant to be
		 * wrong anyway.) */
		v = link->rx.peer_idx + link->rx.size + 8;
		WRITE_ONCE(peer->cons, v);
	} else {
		/* Behind anything the producer can have seen. */
		v = link->rx.released - link->rx.size - 8;
		WRITE_ONCE(peer->cons, v);
	}
	spin_unlock_bh(&link->tx_lock);
	pr_info("colorcom-hostile: %s to domain %u: wrote %u\n", cmd, link->peer, v);
	return 0;
}

static int ccnet_hostile_len(struct ccnet_link *link, u32 len)
{
	struct ccring_hdr h = { .len = len };
	u32 at;

	spin_lock_bh(&link->tx_lock);
	ccnet_hostile_silence(link);
	at = link->tx.prod;
	h.seq = link->tx.seq;
	ccnet_hostile_put(link, at, &h, sizeof(h));
	virt_wmb();
	/* Publish the header and one 8-octet word after it. */
	WRITE_ONCE(link->tx.ctrl->prod, at + ccring_rec_size(8));
	spin_unlock_bh(&link->tx_lock);
	pr_info("colorcom-hostile: header len %u at %u to domain %u\n", len, at,
		link->peer);
	return 0;
}

static int ccnet_hostile_double_fetch(struct ccnet_link *link, unsigned int n)
{
	u8 frame[CCNET_HOSTILE_FRAME] = { };
	struct ccring_meta m = { };
	unsigned int i, sent = 0, flips = 0;
	unsigned long until;
	u32 at, *lenp;

	ether_addr_copy(frame, link->peer_mac);
	ether_addr_copy(frame + ETH_ALEN, link->nic->ndev->dev_addr);
	frame[12] = 0x88;	/* local experimental ethertype */
	frame[13] = 0xb5;
	for (i = 0; i < n; i++) {
		spin_lock_bh(&link->tx_lock);
		if (!link->tx_ok ||
		    ccring_prod_space(&link->tx, CCNET_HOSTILE_FRAME) <= 0) {
			spin_unlock_bh(&link->tx_lock);
			break;
		}
		at = link->tx.prod;
		ccring_prod_begin(&link->tx, CCNET_HOSTILE_FRAME, &m);
		ccring_prod_copy(&link->tx, 0, frame, sizeof(frame));
		ccring_prod_commit(&link->tx);
		/* Always kick: the sooner the reader races us, the better. */
		ccring_prod_push(&link->tx);
		ccnet_link_notify(link);
		/* The record is published: now change it under the reader. */
		lenp = ccnet_hostile_len_word(link, at);
		until = jiffies + max(1UL, msecs_to_jiffies(1));
		/* Huge only for an instant per flip: most records are read
		 * valid, so the reader gets to copy many of them whole. */
		while (time_before_eq(jiffies, until)) {
			WRITE_ONCE(*lenp, CCNET_HOSTILE_HUGE);
			WRITE_ONCE(*lenp, CCNET_HOSTILE_FRAME);
			udelay(5);
			flips++;
		}
		spin_unlock_bh(&link->tx_lock);
		sent++;
		cond_resched();
	}
	pr_info("colorcom-hostile: double-fetch to domain %u: %u records, %u flips\n",
		link->peer, sent, flips);
	return 0;
}

static int ccnet_hostile_flood(struct ccnet_link *link, unsigned int ms)
{
	unsigned long until = jiffies + msecs_to_jiffies(ms);
	unsigned long n = 0;

	while (time_before(jiffies, until)) {
		notify_remote_via_irq(link->irq);
		if (!(++n & 63))
			cond_resched();
	}
	pr_info("colorcom-hostile: flood to domain %u: %lu events in %u ms\n",
		link->peer, n, ms);
	return 0;
}

/*
 * Offload metadata a peer must not get away with (issue #14 item 4), and two
 * honest controls.  Every bad kind passes the ring's own format checks, so it
 * reaches the victim's driver, which must refuse it before
 * virtio_net_hdr_to_skb() and count it under the reason given.  The same
 * kinds are in tests/unit/test_meta.c with ccmeta_check()'s verdict.
 */
struct ccnet_hostile_meta {
	const char	*kind;		/* meta-KIND */
	bool		vlan;		/* 802.1Q tag before the IPv4 header */
	u32		len;		/* frame; 0 = network MTU + ETH_HLEN + over */
	u16		flags, gso_type, gso_size, csum_start, csum_offset;
	const char	*victim_counter;	/* for the lab's log only */
	u8		over;
};

#define CCH_CS	CCRING_F_CSUM_NEEDED
#define CCH_V4	CCRING_GSO_TCPV4
#define CCH_V6	CCRING_GSO_TCPV6
static const struct ccnet_hostile_meta ccnet_hostile_metas[] = {
	/* controls: valid metadata, must be delivered */
	{ "good-csum",      false, 200,  CCH_CS, 0,      0,    34, 16, "rx_packets" },
	{ "good-gso",       false, 3000, CCH_CS, CCH_V4, 1448, 34, 16, "rx_packets" },
	/* partial checksum pointing into the Ethernet / VLAN header or beyond */
	{ "csum-start-eth", false, 200,  CCH_CS, 0,      0,    0,  16, "rx_bad_csum" },
	{ "csum-start-vlan", true, 200,  CCH_CS, 0,      0,    14, 16, "rx_bad_csum" },
	{ "csum-beyond",    false, 200,  CCH_CS, 0,      0,    34, 180, "rx_bad_csum" },
	{ "csum-start-huge", false, 200, CCH_CS, 0,      0,    0xffff, 0xffff, "rx_bad_csum" },
	/* GSO */
	{ "gso-no-csum",    false, 3000, 0,      CCH_V4, 1448, 34, 16, "rx_bad_gso" },
	{ "gso-no-csum-dv", false, 3000, CCRING_F_DATA_VALID, CCH_V4, 1448, 0, 0, "rx_bad_gso" },
	{ "gso-wrong-l3",   false, 3000, CCH_CS, CCH_V6, 1448, 34, 16, "rx_bad_gso" },
	{ "gso-ecn-v6-on-v4", false, 3000, CCH_CS, CCH_V6 | CCRING_GSO_ECN, 1448, 34, 16, "rx_bad_gso" },
	{ "gso-size-zero",  false, 3000, CCH_CS, CCH_V4, 0,    34, 16, "rx_bad_gso" },
	{ "gso-size-small", false, 3000, CCH_CS, CCH_V4, 7,    34, 16, "rx_bad_gso" },
	{ "gso-size-big",   false, 3000, CCH_CS, CCH_V4, 65535, 34, 16, "rx_bad_gso" },
	{ "gso-csum-off",   false, 3000, CCH_CS, CCH_V4, 1448, 34, 6,  "rx_bad_gso" },
	{ "gso-csum-in-ip", false, 3000, CCH_CS, CCH_V4, 1448, 24, 16, "rx_bad_gso" },
	/* a frame of exactly the network MTU (a control), and one above it */
	{ "at-mtu",         false, 0,    0,      0,      0,    0,  0,  "rx_packets", 0 },
	{ "too-big",        false, 0,    0,      0,      0,    0,  0,  "rx_too_big", 1 },
};

static const struct ccnet_hostile_meta *ccnet_hostile_meta_find(const char *kind)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ccnet_hostile_metas); i++)
		if (!strcmp(ccnet_hostile_metas[i].kind, kind))
			return &ccnet_hostile_metas[i];
	return NULL;
}

/* Ethernet (+ VLAN) + IPv4 + TCP, TEST-NET addresses, valid IP checksum. */
static void ccnet_hostile_frame(struct ccnet_link *link, u8 *f, u32 len,
				bool vlan)
{
	struct iphdr *ip;
	struct tcphdr *th;
	u32 l3 = ETH_HLEN;

	memset(f, 0, len);
	ether_addr_copy(f, link->peer_mac);
	ether_addr_copy(f + ETH_ALEN, link->nic->ndev->dev_addr);
	if (vlan) {
		*(__be16 *)(f + 12) = htons(ETH_P_8021Q);
		*(__be16 *)(f + 14) = htons(5);
		l3 += VLAN_HLEN;
	}
	*(__be16 *)(f + l3 - 2) = htons(ETH_P_IP);
	ip = (struct iphdr *)(f + l3);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(len - l3);
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = htonl(0xc0000201);
	ip->daddr = htonl(0xc0000202);
	ip->check = ip_fast_csum(ip, ip->ihl);
	th = (struct tcphdr *)(ip + 1);
	th->source = htons(9);
	th->dest = htons(9);
	th->doff = 5;
	th->ack = 1;
}

static int ccnet_hostile_meta(struct ccnet_link *link, const char *kind,
			      unsigned int n)
{
	const struct ccnet_hostile_meta *k = ccnet_hostile_meta_find(kind);
	struct ccring_meta m = { };
	unsigned int i, sent = 0;
	u32 len;
	u8 *f;

	if (!k)
		return -EINVAL;
	len = k->len ? k->len : link->nic->net_mtu + ETH_HLEN + k->over;
	f = kmalloc(len, GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	ccnet_hostile_frame(link, f, len, k->vlan);
	m.flags = k->flags;
	m.gso_type = k->gso_type;
	m.gso_size = k->gso_size;
	m.csum_start = k->csum_start;
	m.csum_offset = k->csum_offset;
	m.hdr_len = k->gso_type ? 54 : 0;
	for (i = 0; i < n; i++) {
		spin_lock_bh(&link->tx_lock);
		if (!link->tx_ok || test_bit(CCNET_LINK_BROKEN, &link->flags) ||
		    ccring_prod_space(&link->tx, len) <= 0) {
			spin_unlock_bh(&link->tx_lock);
			break;
		}
		ccring_prod_begin(&link->tx, len, &m);
		ccring_prod_copy(&link->tx, 0, f, len);
		ccring_prod_commit(&link->tx);
		if (ccring_prod_push(&link->tx))
			ccnet_link_notify(link);
		spin_unlock_bh(&link->tx_lock);
		sent++;
	}
	kfree(f);
	pr_info("colorcom-hostile: meta-%s to domain %u: %u of %u records (%u octets; victim counts %s)\n",
		kind, link->peer, sent, n, len, k->victim_counter);
	return sent == n ? 0 : -EAGAIN;
}

/* keep-maps: the domain whose rings we never unmap (link.c asks), -1 = none. */
static int ccnet_hostile_keep = -1;

bool ccnet_hostile_keep_maps(domid_t peer)
{
	return READ_ONCE(ccnet_hostile_keep) == peer;
}

static int ccnet_hostile_set(const char *val, const struct kernel_param *kp)
{
	char cmd[24];
	unsigned int peer, arg = 0;
	struct ccnet_link *link;
	int n, err;

	n = sscanf(val, "%23s %u %u", cmd, &peer, &arg);
	if (n < 2)
		return -EINVAL;
	if (!strcmp(cmd, "keep-maps")) {
		WRITE_ONCE(ccnet_hostile_keep, (int)peer);
		pr_info("colorcom-hostile: keep-maps %d\n", (int)peer);
		return 0;
	}
	rtnl_lock();
	link = ccnet_hostile_find(peer);
	if (!link) {
		err = -ENOENT;
	} else if (!strcmp(cmd, "prod-beyond") || !strcmp(cmd, "prod-back") ||
		   !strcmp(cmd, "cons-beyond") || !strcmp(cmd, "cons-back")) {
		err = ccnet_hostile_index(link, cmd);
	} else if (!strcmp(cmd, "len-huge")) {
		err = ccnet_hostile_len(link, CCNET_HOSTILE_HUGE);
	} else if (!strcmp(cmd, "len-zero")) {
		err = ccnet_hostile_len(link, 0);
	} else if (!strcmp(cmd, "double-fetch")) {
		err = ccnet_hostile_double_fetch(link, n > 2 ? arg : 200);
	} else if (!strcmp(cmd, "flood")) {
		err = ccnet_hostile_flood(link, n > 2 ? arg : 5000);
	} else if (!strncmp(cmd, "meta-", 5)) {
		err = ccnet_hostile_meta(link, cmd + 5, n > 2 ? arg : 1);
	} else {
		err = -EINVAL;
	}
	/* Whatever we broke, the peer hears about it now. */
	if (link && !err && strcmp(cmd, "flood") && strncmp(cmd, "meta-", 5))
		notify_remote_via_irq(link->irq);
	rtnl_unlock();
	return err;
}

static const struct kernel_param_ops ccnet_hostile_ops = {
	.set = ccnet_hostile_set,
};
module_param_cb(hostile, &ccnet_hostile_ops, NULL, 0200);
MODULE_PARM_DESC(hostile, "TEST ONLY: \"CMD DOMID [ARG]\" misbehaves towards that peer");
