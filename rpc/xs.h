/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* xs.h - small libxenstore helpers of the client and the server; the keys they
 * read and write are common/ccrpc_xs.h's. */
#ifndef CCRPC_XS_H
#define CCRPC_XS_H
#include <stdbool.h>
#include <xenstore.h>

#include "ccrpc_xs.h"	/* the layout (common/) */

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
