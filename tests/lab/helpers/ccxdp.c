// SPDX-License-Identifier: GPL-2.0
/*
 * ccxdp.c - the xdp scenario's XDP programs, one object per variant (the
 * Makefile builds each with clang -target bpf and one -D):
 *   CCXDP_DROP      every frame: XDP_DROP
 *   CCXDP_PASS      every frame: XDP_PASS
 *   CCXDP_ECHO      an IPv4 ICMP echo request (no IP options) becomes the reply,
 *                   MACs and addresses swapped, sent back with XDP_TX; whatever
 *                   the address, so the stack never sees it; the rest: XDP_PASS
 *   CCXDP_REDIRECT  the same reply, sent back with bpf_redirect() to the device
 *                   it came in on (XDP_REDIRECT, then that device's ndo_xdp_xmit)
 * Loaded with `ip link set dev X xdp obj F sec xdp`.  No libbpf headers needed.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>

#define SEC(n) __attribute__((section(n), used))
#define ccxdp_htons(x) ((__u16)__builtin_bswap16(x))	/* bpfel: host is x86 */

/* <linux/icmp.h> pulls in libc headers, which a bpf target cannot have. */
struct ccxdp_icmp {
	__u8 type;
	__u8 code;
	__u16 checksum;
	__u32 rest;
};
#define CCXDP_ECHO_REQUEST	8
#define CCXDP_ECHO_REPLY	0

#ifdef CCXDP_REDIRECT
static long (*bpf_redirect)(__u32 ifindex, __u64 flags) = (void *)BPF_FUNC_redirect;
#endif

SEC("xdp")
int ccxdp(struct xdp_md *ctx)
{
#if defined(CCXDP_DROP)
	(void)ctx;
	return XDP_DROP;
#elif defined(CCXDP_PASS)
	(void)ctx;
	return XDP_PASS;
#else
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct ccxdp_icmp *ic = (void *)(ip + 1);
	unsigned char mac[ETH_ALEN];
	__u32 addr, sum;
	int i;

	if ((void *)(ic + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != ccxdp_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_ICMP || ic->type != CCXDP_ECHO_REQUEST || ic->code)
		return XDP_PASS;
	for (i = 0; i < ETH_ALEN; i++) {
		mac[i] = eth->h_dest[i];
		eth->h_dest[i] = eth->h_source[i];
		eth->h_source[i] = mac[i];
	}
	addr = ip->daddr;
	ip->daddr = ip->saddr;
	ip->saddr = addr;	/* the IP checksum does not change */
	/* Type 8 -> 0: the 16-bit word type|code drops by 0x0800, so the
	 * one's complement checksum rises by as much (RFC 1624). */
	ic->type = CCXDP_ECHO_REPLY;
	sum = ccxdp_htons(ic->checksum) + 0x0800;
	sum = (sum & 0xffff) + (sum >> 16);
	ic->checksum = ccxdp_htons((__u16)sum);
#if defined(CCXDP_REDIRECT)
	return bpf_redirect(ctx->ingress_ifindex, 0);
#else
	return XDP_TX;
#endif
#endif
}

char _license[] SEC("license") = "GPL";
