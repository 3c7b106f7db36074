// SPDX-License-Identifier: GPL-2.0 OR MIT
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* vasprintf */
#endif
/*
 * ccrpc_xs.c - formatted-path libxenstore reads and writes, and the strict number
 * parser, for the parties of common/ccrpc_xs.h's layout: the guest library (rpc/)
 * and colorcomd's broker (back/rpcbroker.c).  Peers and clients write these keys,
 * so nothing read is trusted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ccrpc_xs.h"

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
