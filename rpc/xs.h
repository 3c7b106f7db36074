/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* xs.h - the xenstore keys of the rendezvous (docs/rpc.md) and small libxenstore
 * helpers shared by client, server and broker. */
#ifndef CCRPC_XS_H
#define CCRPC_XS_H
#include <stdbool.h>
#include <xenstore.h>

/* Under /local/domain/D/data/ccrpc (the guest's own, writable area): */
#define CCRPC_XS_ROOT "data/ccrpc"
#define CCRPC_XS_SERVICE "service"	/* service/NAME/{functions,allow,state} by the server */
#define CCRPC_XS_CONNECT "connect"	/* connect/R/{server,service,arena-pages,state} by a client;
					 * conn, server-domid or error by the broker */
#define CCRPC_XS_CONN "conn"		/* conn/C-R/ in the server's area, created by the broker */

char *ccrpc_xs_read(struct xs_handle *xs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ccrpc_xs_readu(struct xs_handle *xs, unsigned long max, unsigned long *out,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
bool ccrpc_xs_write(struct xs_handle *xs, xs_transaction_t t, const char *val,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Strict decimal: no sign, no leading zero, <= max. */
int ccrpc_parse_u(const char *s, unsigned long max, unsigned long *out);
/* Wait up to ms for a watch event (any); 1 event, 0 timeout, <0 error. */
int ccrpc_xs_wait(struct xs_handle *xs, int ms);
/* Own domid (relative read of "domid"); -1 if unknown. */
int ccrpc_xs_domid(struct xs_handle *xs);
#endif
