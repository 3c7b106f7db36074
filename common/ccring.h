/* SPDX-License-Identifier: MIT */
/*
 * ccring.h - colorcom shared-page ring: one producer, one consumer, variable-size
 * records, free-running byte indices, Xen io/ring.h-style event suppression.
 *
 * This file is the contract shared by front/ (kernel) and the userspace tests,
 * fuzzer and benchmark.  It compiles unchanged in both through ccring_compat.h.
 * The normative description is docs/protocol.md; keep the two in step.
 *
 * Everything in struct ccring_ctrl and in the data pages is written by an
 * untrusted peer.  The implementation copies every shared field once into a
 * private variable, validates it, and never uses the shared copy again.
 */
#ifndef CCRING_H
#define CCRING_H

#include "ccring_compat.h"

#define CCRING_MAGIC		0x31524343u	/* "CCR1" little-endian */
#define CCRING_VERSION		1u
#define CCRING_PAGE_SIZE	4096u
#define CCRING_CACHELINE	64u
#define CCRING_ALIGN		8u
/* The driver enforces >= 6 (256 KiB); order 0 is allowed so tests can wrap fast. */
#define CCRING_MIN_ORDER	0u
#define CCRING_MAX_ORDER	9u	/* 512 data pages = 2 MiB: all refs fit the control page */
#define CCRING_DEFAULT_ORDER	6u	/* 64 data pages = 256 KiB */
#define CCRING_MAX_REFS		(1u << CCRING_MAX_ORDER)
/* Largest frame: a 64 KiB GSO super-packet plus Ethernet/VLAN headers, rounded. */
#define CCRING_MAX_FRAME	(65536u + 128u)

/* Record header flags (ccring_hdr.flags). Unknown bits are a protocol error. */
#define CCRING_F_CSUM_NEEDED	0x0001u	/* = VIRTIO_NET_HDR_F_NEEDS_CSUM */
#define CCRING_F_DATA_VALID	0x0002u	/* = VIRTIO_NET_HDR_F_DATA_VALID */
#define CCRING_F_KNOWN		(CCRING_F_CSUM_NEEDED | CCRING_F_DATA_VALID)

/* gso_type values: the virtio_net_hdr ones that Linux 6.1 can carry. */
#define CCRING_GSO_NONE		0u
#define CCRING_GSO_TCPV4	1u
#define CCRING_GSO_TCPV6	4u
#define CCRING_GSO_ECN		0x80u

/*
 * Record header, 24 octets, little-endian, at an 8-octet aligned ring offset.
 * It may straddle a page boundary or the end of the ring.
 *
 *  0     1     2     3     4     5     6     7
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * |          len          |   flags   | gso_type  |
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * |  hdr_len  | gso_size  | csum_start| csum_off  |
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * |         seq           |       reserved        |
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * followed by len octets of frame, then 0..7 pad octets to the next 8-octet boundary.
 */
struct ccring_hdr {
	uint32_t len;		/* frame length, 1..CCRING_MAX_FRAME */
	uint16_t flags;		/* CCRING_F_* */
	uint16_t gso_type;	/* CCRING_GSO_* */
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint32_t seq;		/* producer's record counter, checked by the consumer */
	uint32_t reserved;	/* must be zero */
};
#define CCRING_HDR_SIZE		24u

/*
 * The control page (one 4 KiB page, granted by the producer side).
 *
 * 0x000 setup line, written once by the producer before it publishes tx-ring-ref:
 *        magic, version, order, reserved
 * 0x040 producer line, written only by the producer: prod, cons_event
 * 0x080 consumer line, written only by the consumer: cons, prod_event
 * 0x100 data_ref[2^order]: grant refs of the data pages, written once by the producer
 */
struct ccring_ctrl {
	uint32_t magic;
	uint32_t version;
	uint32_t order;
	uint32_t setup_reserved[13];
	/* producer line */
	uint32_t prod;		/* bytes published (free-running) */
	uint32_t cons_event;	/* producer: "notify me when cons passes this" */
	uint32_t prod_reserved[14];
	/* consumer line */
	uint32_t cons;		/* bytes consumed (free-running) */
	uint32_t prod_event;	/* consumer: "notify me when prod passes this" */
	uint32_t cons_reserved[14];
	uint32_t pad[16];	/* keeps data_ref at 0x100 */
	uint32_t data_ref[(CCRING_PAGE_SIZE - 0x100) / 4];
};

/* Metadata the driver passes/gets alongside a frame (mirror of the record header). */
struct ccring_meta {
	uint16_t flags;
	uint16_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};

/* Error codes returned by the consumer/producer when the peer misbehaves. */
enum ccring_err {
	CCRING_OK = 0,
	CCRING_E_INDEX = 1,	/* prod/cons outside the legal window, or not aligned */
	CCRING_E_LEN = 2,	/* header length 0, too big, or beyond published bytes */
	CCRING_E_FLAGS = 3,	/* unknown flag / gso_type / nonzero reserved */
	CCRING_E_SEQ = 4,	/* record sequence number not the expected one */
	CCRING_E_SETUP = 5,	/* bad magic/version/order at attach */
};

/*
 * A ring endpoint: private state, never shared.  pages[i] is the virtual address
 * of data page i (a page list; no contiguity is assumed).
 */
struct ccring {
	struct ccring_ctrl *ctrl;
	uint8_t *const *pages;
	uint32_t npages;	/* 2^order */
	uint32_t size;		/* npages * CCRING_PAGE_SIZE */
	uint32_t prod;		/* producer: private prod (may be ahead of ctrl->prod) */
	uint32_t pushed;	/* producer: last value written to ctrl->prod */
	uint32_t cons;		/* consumer: private cons */
	uint32_t released;	/* consumer: last value written to ctrl->cons */
	uint32_t seq;		/* next record sequence number */
	uint32_t cur_off;	/* consumer: payload offset of the current record */
	uint32_t cur_len;	/* consumer: length of the current record (0 = none) */
	uint32_t peer_idx;	/* last index read from the peer (for monotonicity) */
	int broken;		/* sticky enum ccring_err; nothing works once set */
};

/* --- setup --- */
/* Producer side: initialise a zeroed control page; refs are filled by the caller. */
void ccring_ctrl_init(struct ccring_ctrl *ctrl, uint32_t order);
/* Either side: bind an endpoint to a control page and its page list. */
int ccring_attach(struct ccring *r, struct ccring_ctrl *ctrl, uint8_t *const *pages,
		  uint32_t order);
/* Mapper side: read and validate magic/version/order once. 0 or CCRING_E_SETUP. */
int ccring_check_setup(const struct ccring_ctrl *ctrl, uint32_t *order_out);

/* --- producer --- */
/* Bytes a record of frame length len occupies (header + len, 8-aligned). */
static inline uint32_t ccring_rec_size(uint32_t len)
{
	return (CCRING_HDR_SIZE + len + CCRING_ALIGN - 1) & ~(CCRING_ALIGN - 1);
}
/* Room for a frame of len bytes?  Reads ctrl->cons once, validates it. <0 = -ccring_err */
int ccring_prod_space(struct ccring *r, uint32_t len);
/* Start a record of len bytes (caller checked space). Then copy payload, then commit. */
void ccring_prod_begin(struct ccring *r, uint32_t len, const struct ccring_meta *m);
void ccring_prod_copy(struct ccring *r, uint32_t off, const void *src, uint32_t n);
void ccring_prod_commit(struct ccring *r);
/* Publish all committed records; returns true if the peer must be notified. */
bool ccring_prod_push(struct ccring *r);
/*
 * Ring full: ask for a wake-up when len bytes are free (sets cons_event), then
 * re-check.  Returns 1 if the space is already there (caller retries now),
 * 0 if the caller must wait for the notification, <0 on a broken peer.
 * (Call ccring_prod_push first: cons can only pass pushed bytes.  The wake-up
 * is requested for when max(record, half the ring) is free: see protocol.md.)
 */
int ccring_prod_want_space(struct ccring *r, uint32_t len);

/* --- consumer --- */
/*
 * Look at the next record: 1 = a record is current (meta/len filled, payload can
 * be copied), 0 = ring empty, <0 = -ccring_err (ring is now broken).
 * (A record still current from the previous peek is released first: the header
 * is fetched once, so peek always moves on.)
 */
int ccring_cons_peek(struct ccring *r, struct ccring_meta *m, uint32_t *len);
/*
 * Copy n payload octets of the current record, from offset off, into dst.
 * 0 = copied; <0 = nothing copied, dst untouched: -ccring_err of a broken ring,
 * or -CCRING_E_LEN when no record is current or [off, off + n) leaves it (a
 * caller error: the ring is not broken).  A caller that gets an error must
 * not use dst: drop the frame.
 */
int ccring_cons_copy(struct ccring *r, uint32_t off, void *dst, uint32_t n);
/* Done with the current record. */
void ccring_cons_release(struct ccring *r);
/* Publish cons; returns true if the producer asked to be notified (cons_event). */
bool ccring_cons_publish(struct ccring *r);
/*
 * About to sleep: set prod_event = cons + 1, full barrier, re-check.
 * Returns true if work arrived meanwhile (caller must not sleep).
 */
bool ccring_cons_final_check(struct ccring *r);

/* --- helpers (additions; nothing above depends on them) --- */
/* Largest frame length this ring can carry: min(CCRING_MAX_FRAME, size - header). */
static inline uint32_t ccring_max_len(const struct ccring *r)
{
	return r->size - CCRING_HDR_SIZE < CCRING_MAX_FRAME ?
	       r->size - CCRING_HDR_SIZE : CCRING_MAX_FRAME;
}
/* Sticky error (enum ccring_err, positive), 0 if the ring works. */
static inline int ccring_broken(const struct ccring *r)
{
	return r->broken;
}
/* Short text for an error (either sign), e.g. for the xenstore `broken` key. */
const char *ccring_strerror(int err);

#ifdef CCRING_TEST_HOOKS
/* Test builds only: called right after each load of peer-written memory. */
enum ccring_hook_point {
	CCRING_HOOK_PROD_READ = 1,	/* consumer loaded ctrl->prod */
	CCRING_HOOK_HDR_READ,		/* consumer copied a record header */
	CCRING_HOOK_CONS_EVENT_READ,	/* consumer loaded ctrl->cons_event */
	CCRING_HOOK_CONS_READ,		/* producer loaded ctrl->cons */
	CCRING_HOOK_PROD_EVENT_READ,	/* producer loaded ctrl->prod_event */
};
extern void (*ccring_test_hook)(struct ccring *r, int point);
#endif

#endif /* CCRING_H */
