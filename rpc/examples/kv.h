/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* kv.h - the key-value service's functions (ccrpc-kvd, ccrpc-kv). */
#ifndef CCRPC_KV_H
#define CCRPC_KV_H
/* put(key, val, len) -> 0; get(key, buf, cap) -> value length (may exceed cap: then
 * nothing is copied); del(key) -> 1 if it existed.  Keys are C strings < 256 bytes,
 * values at most 1 MiB, all in the caller's arena. */
enum { KV_PUT = 1, KV_GET = 2, KV_DEL = 3 };
#define KV_KEYMAX 256
#define KV_VALMAX (1u << 20)
#endif
