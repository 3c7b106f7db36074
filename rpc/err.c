// SPDX-License-Identifier: GPL-2.0 OR MIT
/* err.c - the error strings of libccrpc. */
#include "ccrpc.h"

const char *ccrpc_strerror(int err)
{
	switch (err) {
	case CCRPC_OK: return "success";
	case CCRPC_ENOFN: return "unknown function";
	case CCRPC_EBADPTR: return "argument points outside the caller's arena";
	case CCRPC_EGONE: return "peer gone";
	case CCRPC_ETIMEDOUT: return "timed out";
	case CCRPC_ELOOP: return "list or tree loops (walk bound exceeded)";
	case CCRPC_EINVAL: return "invalid argument or frame";
	case CCRPC_ENOMEM: return "arena or call slots exhausted";
	case CCRPC_EDENIED: return "connection denied by the broker";
	case CCRPC_EADDR: return "shared address range unavailable";
	case CCRPC_ENOSVC: return "no such service";
	case CCRPC_ESYS: return "Xen device or xenstore operation failed";
	case CCRPC_EBUSY: return "server busy, retry";
	}
	return "unknown error";
}
