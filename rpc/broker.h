/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* broker.h - the dom0 side of the rendezvous: turns a client's request into a
 * connection dir in the server's area, after the policy checks (docs/rpc.md).
 * Stateless: every pass re-derives everything from xenstore, so a restarted broker
 * picks up where it was. */
#ifndef CCRPC_BROKER_H
#define CCRPC_BROKER_H
#include <xenstore.h>

/* How the broker reports a decision (one line, no newline); may be NULL. */
typedef void (*ccrpc_broker_log)(const char *line);

/* Answer every pending request and remove stale connection dirs. */
void ccrpc_broker_pass(struct xs_handle *xs, ccrpc_broker_log log);
/* The watches a broker needs (all guests' areas); 0 or -1. */
int ccrpc_broker_watch(struct xs_handle *xs);
#endif
