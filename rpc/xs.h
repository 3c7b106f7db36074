/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* xs.h - small libxenstore helpers of the client and the server; the keys they
 * read and write are common/ccrpc_xs.h's. */
#ifndef CCRPC_XS_H
#define CCRPC_XS_H
#include <stdbool.h>
#include <xenstore.h>

#include "ccrpc_xs.h"	/* the layout and the read/write helpers (common/) */

/* Wait up to ms for a watch event (any); 1 event, 0 timeout, <0 error. */
int ccrpc_xs_wait(struct xs_handle *xs, int ms);
/* Own domid (relative read of "domid"); -1 if unknown. */
int ccrpc_xs_domid(struct xs_handle *xs);
#endif
