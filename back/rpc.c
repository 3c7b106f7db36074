// SPDX-License-Identifier: GPL-2.0 OR MIT
/* rpc.c - colorcomd's half of libccrpc's rendezvous (docs/rpc.md): the policy is
 * rpcbroker.c (same network from our own backend dirs, the service's allow list);
 * colorcomd runs it after every reconcile pass and watches each guest's
 * data/ccrpc dir, so a request or a server's change wakes the loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "ccd.h"
#include "rpcbroker.h"

#define WATCH_RPC "ccd-rpc"
#define RPC_MAXDOM 1024

static unsigned rpc_watched[RPC_MAXDOM];
static size_t rpc_nwatched;

static void rpc_log(const char *line)
{
	ccd_log(CCD_LOG_INFO, "rpc: %s", line);
}

static int has(const unsigned *v, size_t n, unsigned d)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == d)
			return 1;
	return 0;
}

/* One watch per live guest on its data/ccrpc: requests (connect/) and services come
 * and go there.  Dead domains' watches are dropped. */
static void rpc_update_watches(struct xs_handle *h)
{
	unsigned now[RPC_MAXDOM], n = 0, k, i;
	char **d = xs_directory(h, XBT_NULL, "/local/domain", &k), p[64];
	unsigned long v;

	if (!d)
		return;
	for (i = 0; i < k && n < RPC_MAXDOM; i++) {
		char *end;

		v = strtoul(d[i], &end, 10);
		if (*end || v == 0 || v > 0x7fef)
			continue;
		now[n++] = (unsigned)v;
	}
	free(d);
	for (i = 0; i < n; i++) {
		if (has(rpc_watched, rpc_nwatched, now[i]))
			continue;
		snprintf(p, sizeof(p), "/local/domain/%u/data/ccrpc", now[i]);
		if (!xs_watch(h, p, WATCH_RPC))
			ccd_log(CCD_LOG_WARN, "rpc: watch %s failed", p);
	}
	for (i = 0; i < rpc_nwatched; i++) {
		if (has(now, n, rpc_watched[i]))
			continue;
		snprintf(p, sizeof(p), "/local/domain/%u/data/ccrpc", rpc_watched[i]);
		xs_unwatch(h, p, WATCH_RPC);
	}
	memcpy(rpc_watched, now, n * sizeof(now[0]));
	rpc_nwatched = n;
}

void ccd_rpc_pass(struct xs_handle *h)
{
	ccd_rpc_broker_pass(h, rpc_log);
	rpc_update_watches(h);
}
