/* SPDX-License-Identifier: MIT */
/*
 * ccring_compat.h - the only environment ccring.c sees.
 *
 * ccring.c is plain C that builds unchanged in the Linux 6.1 kernel and in
 * userspace (tests, fuzzer, benchmark).  It may use only what this file
 * provides:
 *
 *   uint8_t/uint16_t/uint32_t, bool, true, false
 *   CCR_READ(x)        one single, untorn load of a shared scalar
 *   CCR_WRITE(x, v)    one single, untorn store of a shared scalar
 *   ccr_mb()           full barrier (orders loads and stores against loads and stores)
 *   ccr_rmb()          read barrier (orders earlier loads against later loads)
 *   ccr_wmb()          write barrier (orders earlier stores against later stores)
 *   ccr_barrier()      compiler-only barrier (no CPU ordering)
 *   ccr_load_acquire(x)        CCR_READ(x) ordered before every later load and store
 *   ccr_store_release(x, v)    CCR_WRITE(x, v) ordered after every earlier load and store
 *   ccr_prefetch(p)    hint: bring the line at p into the cache for reading
 *   ccr_hide(x)        make the compiler forget what it knows about x's value
 *                      (keeps it from inlining bounded memcpys as rep movs)
 *   ccr_memcpy()       memcpy
 *
 * Kernel: READ_ONCE/WRITE_ONCE and the virt_* barriers, which are what Xen
 * shared rings must use: they stay real SMP barriers even in a kernel built
 * without CONFIG_SMP, because the peer is another domain on another CPU
 * (see Documentation/memory-barriers.txt, "VIRTUAL MACHINE GUESTS").
 *
 * Userspace: __atomic builtins.  A relaxed __atomic load/store is the C11
 * equivalent of READ_ONCE/WRITE_ONCE; the fences are C11 fences, which the
 * compilers lower on x86-64 to: seq_cst -> mfence/locked op, acquire/release
 * -> compiler barrier only (x86 is TSO), exactly like virt_rmb/virt_wmb, and
 * an acquire load / release store is a plain mov, exactly like
 * virt_load_acquire/virt_store_release.
 */
#ifndef CCRING_COMPAT_H
#define CCRING_COMPAT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>

#ifndef __LITTLE_ENDIAN
#error "colorcom: the ring format is little-endian and is only implemented for little-endian hosts"
#endif

#define CCR_READ(x)		READ_ONCE(x)
#define CCR_WRITE(x, v)		WRITE_ONCE(x, v)
#define ccr_mb()		virt_mb()
#define ccr_rmb()		virt_rmb()
#define ccr_wmb()		virt_wmb()
#define ccr_barrier()		barrier()
#define ccr_load_acquire(x)	virt_load_acquire(&(x))
#define ccr_store_release(x, v)	virt_store_release(&(x), v)
/* Not prefetch(): on x86 that is prefetchnta, and these lines are about to be copied. */
#define ccr_prefetch(p)		__builtin_prefetch((p), 0, 3)
#define ccr_hide(x)		OPTIMIZER_HIDE_VAR(x)
#define ccr_memcpy(d, s, n)	memcpy(d, s, n)

#else /* userspace */

#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "colorcom: the ring format is little-endian and is only implemented for little-endian hosts"
#endif

#define CCR_READ(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define CCR_WRITE(x, v)		__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#if defined(__x86_64__) && !defined(CCRING_MFENCE)
/*
 * What the kernel's virt_mb() is on x86-64: a locked add to the stack, which
 * orders like mfence for ordinary memory but is cheaper (the seq_cst fence
 * would be an mfence).  Below the 128-octet red zone, so no live data.
 */
#define ccr_mb()		__asm__ __volatile__("lock; addl $0,-132(%%rsp)" ::: "memory", "cc")
#else
#define ccr_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#define ccr_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define ccr_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define ccr_barrier()		__asm__ __volatile__("" ::: "memory")
#define ccr_load_acquire(x)	__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define ccr_store_release(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define ccr_prefetch(p)		__builtin_prefetch((p), 0, 3)
#define ccr_hide(x)		__asm__("" : "+r"(x))
#define ccr_memcpy(d, s, n)	memcpy(d, s, n)

#endif /* __KERNEL__ */

#endif /* CCRING_COMPAT_H */
