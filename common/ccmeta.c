// SPDX-License-Identifier: MIT
/*
 * ccmeta.c - offload metadata of a received frame, checked against the frame
 * (see ccmeta.h and docs/protocol.md, section 3).  Plain C like ccring.c.
 */
#include "ccmeta.h"

#define CCMETA_ETH_HLEN		14u
#define CCMETA_VLAN_HLEN	4u
#define CCMETA_MAX_TAGS		2u	/* 802.1ad + 802.1Q */
#define CCMETA_IPV4_HLEN	20u	/* without options */
#define CCMETA_IPV6_HLEN	40u
#define CCMETA_TCP_HLEN		20u
#define CCMETA_TCP_CHECK	16u	/* offsetof(struct tcphdr, check) */
#define CCMETA_CSUM_SIZE	2u	/* sizeof(__sum16) */

#define CCMETA_P_IP		0x0800u
#define CCMETA_P_IPV6		0x86ddu
#define CCMETA_P_8021Q		0x8100u
#define CCMETA_P_8021AD		0x88a8u

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Offset of the L3 header past up to two VLAN tags, and its ethertype. */
static uint32_t l3_offset(const uint8_t *frame, uint32_t hlen, uint16_t *proto)
{
	uint32_t off = CCMETA_ETH_HLEN, tags;
	uint16_t p = be16_at(frame + 12);

	for (tags = 0; tags < CCMETA_MAX_TAGS &&
	     (p == CCMETA_P_8021Q || p == CCMETA_P_8021AD) &&
	     off + CCMETA_VLAN_HLEN <= hlen; tags++) {
		p = be16_at(frame + off + 2);
		off += CCMETA_VLAN_HLEN;
	}
	*proto = p;
	return off;
}

enum ccmeta_verdict ccmeta_check(const uint8_t *frame, uint32_t hlen,
				 uint32_t len, const struct ccring_meta *m,
				 uint32_t mtu, uint32_t adv)
{
	uint16_t gso = m->gso_type & (uint16_t)~CCRING_GSO_ECN, proto;
	bool csum = m->flags & CCRING_F_CSUM_NEEDED;
	uint32_t l3, l4min;

	l3 = l3_offset(frame, hlen, &proto);

	/* What the receiver did not advertise, the peer must not use. */
	if ((csum && !(adv & CCMETA_ADV_CSUM)) ||
	    (gso == CCRING_GSO_TCPV4 && !(adv & CCMETA_ADV_GSO4)) ||
	    (gso == CCRING_GSO_TCPV6 && !(adv & CCMETA_ADV_GSO6)))
		return CCMETA_FEATURE;

	/* A single frame larger than the MTU: what a NIC would not receive. */
	if (gso == CCRING_GSO_NONE && len > l3 + mtu)
		return CCMETA_TOO_BIG;

	if (csum && (m->csum_start < l3 ||
		     (uint32_t)m->csum_start + m->csum_offset + CCMETA_CSUM_SIZE > len))
		return CCMETA_CSUM;

	if (gso == CCRING_GSO_NONE)
		return CCMETA_OK;
	/*
	 * GSO: TCP only (the ring admits no other type), with the checksum to
	 * fill in (segmentation rewrites it), on the L3 protocol the type
	 * names, with the checksum field where TCP's is, and segments no larger
	 * than the MTU.
	 */
	if (!csum)
		return CCMETA_GSO;
	if (gso == CCRING_GSO_TCPV4 && proto == CCMETA_P_IP)
		l4min = l3 + CCMETA_IPV4_HLEN;
	else if (gso == CCRING_GSO_TCPV6 && proto == CCMETA_P_IPV6)
		l4min = l3 + CCMETA_IPV6_HLEN;
	else
		return CCMETA_GSO;
	if (m->csum_start < l4min || m->csum_offset != CCMETA_TCP_CHECK ||
	    (uint32_t)m->csum_start + CCMETA_TCP_HLEN > len)
		return CCMETA_GSO;
	if (m->gso_size < CCMETA_GSO_MIN_SIZE || m->gso_size > mtu)
		return CCMETA_GSO;
	return CCMETA_OK;
}
