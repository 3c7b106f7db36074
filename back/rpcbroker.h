/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* rpcbroker.h - colorcomd's side of libccrpc's rendezvous: turns a client's request
 * into a connection dir in the server's area, after the policy checks (docs/rpc.md).
 * Stateless: every pass re-derives everything from xenstore, so a restarted daemon
 * picks up where it was. */
#ifndef CCD_RPCBROKER_H
#define CCD_RPCBROKER_H
#include <xenstore.h>

/* How the broker reports a decision (one line, no newline); may be NULL. */
typedef void (*ccd_rpc_broker_log)(const char *line);

/* Answer every pending request and remove stale connection dirs. */
void ccd_rpc_broker_pass(struct xs_handle *xs, ccd_rpc_broker_log log);
#endif
