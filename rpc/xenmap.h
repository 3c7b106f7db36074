/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* xenmap.h - the one step the Xen libraries do not do: grant and map pages at a
 * fixed virtual address (gntalloc/gntdev ioctls + mmap(MAP_FIXED...)). */
#ifndef CCRPC_XENMAP_H
#define CCRPC_XENMAP_H
#include <stdint.h>
#include <stddef.h>

struct ccrpc_share {	/* client: pages it grants, at a fixed address */
	int fd;
	uint64_t index;
	uint32_t count;
	void *addr;
	uint32_t *refs;
};
struct ccrpc_map {	/* server: a client's grants, mapped at the same address */
	int fd;
	uint64_t index;
	uint32_t count;
	void *addr;
};

/* 0, or -errno (EEXIST: the range is in use here). */
int ccrpc_share_fixed(struct ccrpc_share *s, uint16_t domid, uint64_t addr, uint32_t count);
int ccrpc_share_notify(struct ccrpc_share *s, size_t byte_off, uint32_t port);
void ccrpc_share_release(struct ccrpc_share *s);

/* Reserve [addr, addr+len) with an inaccessible mapping; 0 or -errno. */
int ccrpc_va_reserve(uint64_t addr, size_t len);
void ccrpc_va_release(uint64_t addr, size_t len);
/* Map over a range this process reserved with ccrpc_va_reserve. */
int ccrpc_map_fixed(struct ccrpc_map *m, uint16_t domid, const uint32_t *refs, uint32_t count,
		    uint64_t addr);
int ccrpc_map_notify(struct ccrpc_map *m, size_t byte_off, uint32_t port);
void ccrpc_map_release(struct ccrpc_map *m);
#endif
