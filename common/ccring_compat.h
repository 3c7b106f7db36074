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
 * -> compiler barrier only (x86 is TSO), exactly like virt_rmb/virt_wmb.
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
#define ccr_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define ccr_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define ccr_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define ccr_barrier()		__asm__ __volatile__("" ::: "memory")
#define ccr_hide(x)		__asm__("" : "+r"(x))
#define ccr_memcpy(d, s, n)	memcpy(d, s, n)

#endif /* __KERNEL__ */

#endif /* CCRING_COMPAT_H */
