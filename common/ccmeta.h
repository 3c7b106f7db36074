/* SPDX-License-Identifier: MIT */
/*
 * ccmeta.h - may a received frame's offload metadata (struct ccring_meta, a
 * virtio_net_hdr) be handed to the stack?  The rules are docs/protocol.md,
 * section 3, "Records".  Pure logic on the frame's first octets, shared by the
 * driver (front/rx.c) and the userspace unit tests, like ccring.c.
 *
 * The ring layer only checks the record's format; this checks the metadata
 * against the frame it describes, so that no value a peer picks reaches a WARN
 * in the receiving kernel (a csum_start inside the Ethernet or VLAN header
 * makes skb_checksum_help() WARN once the header is pulled) and none depends
 * on what the receiving kernel's point release of virtio_net_hdr_to_skb()
 * happens to check.
 */
#ifndef CCMETA_H
#define CCMETA_H

#include "ccring.h"

/* What the receiver advertised (its feature-* keys, docs/protocol.md 10). */
#define CCMETA_ADV_CSUM		0x1u
#define CCMETA_ADV_GSO4		0x2u
#define CCMETA_ADV_GSO6		0x4u

/*
 * Smallest gso_size accepted: TCP_MIN_GSO_SIZE, the smallest MSS Linux's TCP
 * emits (tcp_min_snd_mss 48 minus 40 octets of options).  A higher floor
 * would drop honest flows to hosts that announce a small MSS; what a small one
 * costs is bounded by the frame (64 KiB / 8 segments, as netback accepts).
 */
#define CCMETA_GSO_MIN_SIZE	8u

enum ccmeta_verdict {
	CCMETA_OK = 0,
	CCMETA_FEATURE,		/* uses an offload the receiver did not advertise */
	CCMETA_TOO_BIG,		/* a single frame above the MTU */
	CCMETA_CSUM,		/* csum_start below L3, or the field beyond the frame */
	CCMETA_GSO,		/* GSO: no NEEDS_CSUM, wrong L3, not TCP's checksum,
				 * gso_size out of [CCMETA_GSO_MIN_SIZE, mtu] */
};

/*
 * frame: the first hlen octets of a frame of len octets (hlen >= 14: the
 * caller drops runts; VLAN tags beyond hlen are not looked for).  mtu: the
 * receiver's.  adv: CCMETA_ADV_* it advertised.  Reads only frame[0, hlen).
 */
enum ccmeta_verdict ccmeta_check(const uint8_t *frame, uint32_t hlen,
				 uint32_t len, const struct ccring_meta *m,
				 uint32_t mtu, uint32_t adv);

#endif /* CCMETA_H */
