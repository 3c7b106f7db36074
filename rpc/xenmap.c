// SPDX-License-Identifier: GPL-2.0 OR MIT
/* xenmap.c - fixed-address grant sharing and mapping.  libxengntshr and libxengnttab
 * choose the address of a mapping themselves (mmap(NULL, ...)); ccrpc needs the same
 * address on both sides, so this file drives the same kernel devices they use
 * (/dev/xen/gntalloc, /dev/xen/gntdev) with the same ioctls, and only the mmap differs.
 * Everything else (event channels, the grant-ref directory, xenstore) goes through the
 * Xen libraries. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/sys/gntalloc.h>
#include <xen/sys/gntdev.h>
#include "xenmap.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define PAGE 4096ull

int ccrpc_share_fixed(struct ccrpc_share *s, uint16_t domid, uint64_t addr, uint32_t count)
{
	struct ioctl_gntalloc_alloc_gref *op;
	struct ioctl_gntalloc_dealloc_gref dop;
	void *p;
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	op = calloc(1, sizeof(*op) + count * sizeof(uint32_t));
	s->refs = calloc(count, sizeof(uint32_t));
	if (!op || !s->refs) {
		err = -ENOMEM;
		goto undo_alloc;
	}
	s->fd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	if (s->fd < 0) {
		err = -errno;
		goto undo_alloc;
	}
	op->domid = domid;
	op->flags = GNTALLOC_FLAG_WRITABLE;
	op->count = count;
	if (ioctl(s->fd, IOCTL_GNTALLOC_ALLOC_GREF, op) < 0) {
		err = -errno;
		goto undo_open;
	}
	/* NOREPLACE: never clobber something of ours that already sits there; a kernel
	 * that ignores the flag returns another address, which counts as a refusal. */
	p = mmap((void *)(uintptr_t)addr, count * PAGE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, s->fd, (off_t)op->index);
	if (p == MAP_FAILED || p != (void *)(uintptr_t)addr) {
		err = p == MAP_FAILED ? -errno : -EEXIST;
		if (p != MAP_FAILED)
			munmap(p, count * PAGE);
		goto undo_gref;
	}
	memcpy(s->refs, op->gref_ids, count * sizeof(uint32_t));
	s->index = op->index;
	s->count = count;
	s->addr = p;
	free(op);
	return 0;

undo_gref:
	dop.index = op->index;
	dop.count = count;
	ioctl(s->fd, IOCTL_GNTALLOC_DEALLOC_GREF, &dop);
undo_open:
	close(s->fd);
	s->fd = -1;
undo_alloc:
	free(op);
	free(s->refs);
	s->refs = NULL;
	return err;
}

int ccrpc_share_notify(struct ccrpc_share *s, size_t byte_off, uint32_t port)
{
	struct ioctl_gntalloc_unmap_notify n = {
		.index = s->index + byte_off,
		.action = UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT,
		.event_channel_port = port,
	};
	return ioctl(s->fd, IOCTL_GNTALLOC_SET_UNMAP_NOTIFY, &n) < 0 ? -errno : 0;
}

void ccrpc_share_release(struct ccrpc_share *s)
{
	struct ioctl_gntalloc_dealloc_gref dop;

	if (s->fd < 0)
		return;
	/* Dealloc first, then unmap: the grants end (and the notify fires) when both the
	 * file's and the mapping's references are gone; a peer still mapping them keeps
	 * the pages until it unmaps, then the kernel reclaims them. */
	dop.index = s->index;
	dop.count = s->count;
	ioctl(s->fd, IOCTL_GNTALLOC_DEALLOC_GREF, &dop);
	if (s->addr)
		munmap(s->addr, s->count * PAGE);
	close(s->fd);
	free(s->refs);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

int ccrpc_va_reserve(uint64_t addr, size_t len)
{
	void *p = mmap((void *)(uintptr_t)addr, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	if (p != (void *)(uintptr_t)addr) {
		munmap(p, len);
		return -EEXIST;
	}
	return 0;
}

void ccrpc_va_release(uint64_t addr, size_t len)
{
	munmap((void *)(uintptr_t)addr, len);
}

int ccrpc_map_fixed(struct ccrpc_map *m, uint16_t domid, const uint32_t *refs, uint32_t count,
		    uint64_t addr)
{
	struct ioctl_gntdev_map_grant_ref *op;
	struct ioctl_gntdev_unmap_grant_ref uop;
	uint32_t i;
	void *p;
	int err;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	op = calloc(1, sizeof(*op) + count * sizeof(struct ioctl_gntdev_grant_ref));
	if (!op)
		return -ENOMEM;
	m->fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
	if (m->fd < 0) {
		err = -errno;
		goto undo_alloc;
	}
	op->count = count;
	for (i = 0; i < count; i++) {
		op->refs[i].domid = domid;
		op->refs[i].ref = refs[i];
	}
	if (ioctl(m->fd, IOCTL_GNTDEV_MAP_GRANT_REF, op) < 0) {
		err = -errno;
		goto undo_open;
	}
	/* MAP_FIXED replaces only our own PROT_NONE reservation of this range. */
	p = mmap((void *)(uintptr_t)addr, count * PAGE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, m->fd, (off_t)op->index);
	if (p == MAP_FAILED) {
		err = -errno;
		goto undo_ref;
	}
	m->index = op->index;
	m->count = count;
	m->addr = p;
	free(op);
	return 0;

undo_ref:
	uop.index = op->index;
	uop.count = count;
	uop.pad = 0;
	ioctl(m->fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &uop);
undo_open:
	close(m->fd);
	m->fd = -1;
undo_alloc:
	free(op);
	return err;
}

int ccrpc_map_notify(struct ccrpc_map *m, size_t byte_off, uint32_t port)
{
	struct ioctl_gntdev_unmap_notify n = {
		.index = m->index + byte_off,
		.action = UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT,
		.event_channel_port = port,
	};
	return ioctl(m->fd, IOCTL_GNTDEV_SET_UNMAP_NOTIFY, &n) < 0 ? -errno : 0;
}

void ccrpc_map_release(struct ccrpc_map *m)
{
	struct ioctl_gntdev_unmap_grant_ref uop;

	if (m->fd < 0)
		return;
	if (m->addr)
		munmap(m->addr, m->count * PAGE);
	uop.index = m->index;
	uop.count = m->count;
	uop.pad = 0;
	ioctl(m->fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &uop);
	close(m->fd);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}
