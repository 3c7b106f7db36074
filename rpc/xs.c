// SPDX-License-Identifier: GPL-2.0 OR MIT
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* vasprintf */
#endif
/* xs.c - libxenstore helpers: formatted paths, strict number parsing (peers and
 * clients write these keys, so nothing is trusted), bounded waits on watches. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xs.h"

static char *vpath(const char *fmt, va_list ap)
{
	char *p = NULL;

	if (vasprintf(&p, fmt, ap) < 0)
		return NULL;
	return p;
}

char *ccrpc_xs_read(struct xs_handle *xs, const char *fmt, ...)
{
	unsigned int len;
	va_list ap;
	char *p, *v;

	va_start(ap, fmt);
	p = vpath(fmt, ap);
	va_end(ap);
	if (!p)
		return NULL;
	v = xs_read(xs, XBT_NULL, p, &len);
	free(p);
	return v;
}

int ccrpc_parse_u(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i, n;

	if (!s || !*s)
		return -1;
	n = strlen(s);
	if (n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (max - (unsigned long)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int ccrpc_xs_readu(struct xs_handle *xs, unsigned long max, unsigned long *out,
		   const char *fmt, ...)
{
	unsigned int len;
	va_list ap;
	char *p, *v;
	int rc;

	va_start(ap, fmt);
	p = vpath(fmt, ap);
	va_end(ap);
	if (!p)
		return -1;
	v = xs_read(xs, XBT_NULL, p, &len);
	free(p);
	rc = ccrpc_parse_u(v, max, out);
	free(v);
	return rc;
}

bool ccrpc_xs_write(struct xs_handle *xs, xs_transaction_t t, const char *val,
		    const char *fmt, ...)
{
	va_list ap;
	char *p;
	bool ok;

	va_start(ap, fmt);
	p = vpath(fmt, ap);
	va_end(ap);
	if (!p)
		return false;
	ok = xs_write(xs, t, p, val, (unsigned int)strlen(val));
	free(p);
	return ok;
}

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
