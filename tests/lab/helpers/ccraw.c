// SPDX-License-Identifier: MIT
/*
 * ccraw IFACE SRC-MAC DST-MAC COUNT [SIZE [GAP-US]] - send COUNT raw Ethernet
 * frames of SIZE octets (default 60; ethertype 0x88b5, local experimental) with
 * the given source and destination MACs out of IFACE, GAP-US microseconds apart
 * (default 10000).  Lab helper: a guest forging its source MAC (isolation), a
 * victim filling a ring fast (hostile-peer).  Prints the number of frames sent;
 * exit status 1 on any error.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct ether_addr *src, *dst;
	struct sockaddr_ll sll;
	unsigned char frame[1514];
	long i, count, size = 60, gap = 10000;
	int fd;

	if (argc < 5 || argc > 7) {
		fprintf(stderr, "usage: ccraw IFACE SRC-MAC DST-MAC COUNT [SIZE [GAP-US]]\n");
		return 1;
	}
	count = strtol(argv[4], NULL, 10);
	if (argc > 5)
		size = strtol(argv[5], NULL, 10);
	if (argc > 6)
		gap = strtol(argv[6], NULL, 10);
	if (size < 60 || size > (long)sizeof(frame) || gap < 0) {
		fprintf(stderr, "ccraw: SIZE must be 60..%zu, GAP-US >= 0\n", sizeof(frame));
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	sll.sll_halen = ETH_ALEN;
	if (!sll.sll_ifindex || count < 0) {
		fprintf(stderr, "ccraw: bad interface '%s' or count\n", argv[1]);
		return 1;
	}
	memset(frame, 0, sizeof(frame));
	if (!(dst = ether_aton(argv[3]))) {
		fprintf(stderr, "ccraw: bad destination MAC '%s'\n", argv[3]);
		return 1;
	}
	memcpy(frame, dst, ETH_ALEN);
	memcpy(sll.sll_addr, dst, ETH_ALEN);
	if (!(src = ether_aton(argv[2]))) {
		fprintf(stderr, "ccraw: bad source MAC '%s'\n", argv[2]);
		return 1;
	}
	memcpy(frame + ETH_ALEN, src, ETH_ALEN);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("ccraw: socket");
		return 1;
	}
	for (i = 0; i < count; i++) {
		frame[14] = (unsigned char)i;
		if (sendto(fd, frame, (size_t)size, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) != (ssize_t)size) {
			perror("ccraw: sendto");
			return 1;
		}
		if (gap)
			usleep((useconds_t)gap);
	}
	printf("%ld\n", count);
	close(fd);
	return 0;
}
