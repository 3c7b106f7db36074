// SPDX-License-Identifier: GPL-2.0 OR MIT
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* vasprintf */
#endif
/* xs.c - the library's own libxenstore helpers: bounded waits on watches, the own
 * domid.  Formatted reads and writes are common/ccrpc_xs.c's (shared with colorcomd). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xs.h"

int ccrpc_xs_wait(struct xs_handle *xs, int ms)
{
	struct pollfd pfd = { .fd = xs_fileno(xs), .events = POLLIN };
	unsigned int n;
	char **ev;
	int rc;

	rc = poll(&pfd, 1, ms);
	if (rc <= 0)
		return rc < 0 ? -errno : 0;
	ev = xs_read_watch(xs, &n);
	free(ev);
	return ev ? 1 : -EIO;
}

int ccrpc_xs_domid(struct xs_handle *xs)
{
	unsigned long d;

	if (ccrpc_xs_readu(xs, 0x7fef, &d, "domid"))
		return -1;
	return (int)d;
}
