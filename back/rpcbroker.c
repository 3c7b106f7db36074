// SPDX-License-Identifier: GPL-2.0 OR MIT
/* rpcbroker.c - colorcomd's policy for libccrpc connections (docs/rpc.md).  Everything
 * a guest wrote is parsed strictly; the policy inputs that matter (which network a
 * NIC is on) come from dom0's own backend dirs, which no guest can write. */
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <xenstore.h>

#include "ccd.h"
#include "ccrpc_xs.h"
#include "rpcbroker.h"

#define ROOT "/local/domain/%u/" CCRPC_XS_ROOT

/* Formatted-path xenstore reads and writes: every path here is built from parts. */
static char *vpath(const char *fmt, va_list ap)
{
	char *p = NULL;

	return vasprintf(&p, fmt, ap) < 0 ? NULL : p;
}

static __attribute__((format(printf, 2, 3))) char *rd(struct xs_handle *xs, const char *fmt, ...)
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

/* Strict decimal (ccd_parse_uint: no sign, no leading zero) <= max; 0 or -1. */
static int pnum(const char *s, unsigned long max, unsigned long *out)
{
	return s ? ccd_parse_uint(s, strlen(s), max, out) : -1;
}

static __attribute__((format(printf, 4, 5))) int rdu(struct xs_handle *xs, unsigned long max,
						     unsigned long *out, const char *fmt, ...)
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
	rc = pnum(v, max, out);
	free(v);
	return rc;
}

static __attribute__((format(printf, 4, 5))) bool wr(struct xs_handle *xs, xs_transaction_t t,
						     const char *val, const char *fmt, ...)
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

static void say(ccd_rpc_broker_log log, const char *fmt, const char *a, unsigned x, unsigned y)
{
	char line[256];

	if (log) {
		snprintf(line, sizeof(line), fmt, a, x, y);
		log(line);
	}
}

static unsigned *domains(struct xs_handle *xs, unsigned *n)
{
	char **d = xs_directory(xs, XBT_NULL, "/local/domain", n);
	unsigned *out, i, k = 0;
	unsigned long v;

	if (!d) {
		*n = 0;
		return NULL;
	}
	out = calloc(*n + 1, sizeof(*out));
	for (i = 0; out && i < *n; i++)
		if (!pnum(d[i], 0x7fef, &v))
			out[k++] = (unsigned)v;
	free(d);
	*n = k;
	return out;
}

/* A domid, or a domain name looked up in /local/domain/X/name. */
static int resolve(struct xs_handle *xs, const char *who)
{
	unsigned long v;
	unsigned n, i, *ds;
	int found = -1;
	char *name;

	if (!pnum(who, 0x7fef, &v)) {
		name = rd(xs, "/local/domain/%lu/name", v);
		free(name);
		return name ? (int)v : -1;
	}
	ds = domains(xs, &n);
	for (i = 0; ds && i < n && found < 0; i++) {
		name = rd(xs, "/local/domain/%u/name", ds[i]);
		if (name && !strcmp(name, who))
			found = (int)ds[i];
		free(name);
	}
	free(ds);
	return found;
}

/* Same colorcom network: some NIC of each, per dom0's backend dirs. */
static bool same_network(struct xs_handle *xs, unsigned a, unsigned b)
{
	char pa[64], pb[64], **na, **nb;
	unsigned n1 = 0, n2 = 0, i, j;
	bool same = false;

	snprintf(pa, sizeof(pa), "/local/domain/0/backend/colorcom/%u", a);
	snprintf(pb, sizeof(pb), "/local/domain/0/backend/colorcom/%u", b);
	na = xs_directory(xs, XBT_NULL, pa, &n1);
	nb = xs_directory(xs, XBT_NULL, pb, &n2);
	for (i = 0; na && i < n1 && !same; i++) {
		char *x = rd(xs, "%s/%s/network", pa, na[i]);

		for (j = 0; x && nb && j < n2 && !same; j++) {
			char *y = rd(xs, "%s/%s/network", pb, nb[j]);

			same = y && !strcmp(x, y);
			free(y);
		}
		free(x);
	}
	free(na);
	free(nb);
	return same;
}

static bool allowed(struct xs_handle *xs, const char *allow, unsigned client)
{
	char *list, *tok, *save = NULL, *p, *name;
	bool ok = false;
	unsigned long v;

	if (!allow || !strcmp(allow, "*") || !*allow)
		return true;
	name = rd(xs, "/local/domain/%u/name", client);
	list = strdup(allow);
	for (p = list; list && !ok && (tok = strtok_r(p, ",", &save)); p = NULL)
		ok = (!pnum(tok, 0x7fef, &v) && v == client) || (name && !strcmp(tok, name));
	free(list);
	free(name);
	return ok;
}

static void refuse(struct xs_handle *xs, unsigned c, const char *r, const char *why, ccd_rpc_broker_log log)
{
	wr(xs, XBT_NULL, why, ROOT "/" CCRPC_XS_CONNECT "/%s/error", c, r);
	say(log, "refused %s (client %u, server %u)", why, c, 0);
}

static bool setperm(struct xs_handle *xs, xs_transaction_t t, const char *path, unsigned owner,
		    unsigned other, unsigned operm)
{
	struct xs_permissions p[2] = {
		{ .id = owner, .perms = XS_PERM_NONE },
		{ .id = other, .perms = operm },
	};
	return xs_set_permissions(xs, t, path, p, 2);
}

/* DIR/KEY = VAL, owned by OWNER, with OPERM for OTHER. */
static bool put(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *key,
		const char *val, unsigned owner, unsigned other, unsigned operm)
{
	char k[256];

	snprintf(k, sizeof(k), "%s/%s", dir, key);
	return xs_write(xs, t, k, val, (unsigned int)strlen(val)) &&
	       setperm(xs, t, k, owner, other, operm);
}

static void handle_request(struct xs_handle *xs, unsigned c, const char *r, ccd_rpc_broker_log log)
{
	char *who = NULL, *svc = NULL, *st = NULL, *allow = NULL, *done, d[192], v[32];
	static const char *const client_keys[] = { "dir-refs", "client-port", "client-state",
						   "client-error" };
	unsigned long pages;
	xs_transaction_t t;
	unsigned i;
	bool ok;
	int s;

	done = rd(xs, ROOT "/" CCRPC_XS_CONNECT "/%s/conn", c, r);
	if (done) {
		/* Its connection dir is gone (the server dropped a dead client, or the
		 * server's domain died): the request is stale.  A live client learns the
		 * same from the dir's disappearance. */
		char *state = rd(xs, "%s/client-domid", done);

		if (!state) {
			char req[128];

			snprintf(req, sizeof(req), ROOT "/" CCRPC_XS_CONNECT "/%s", c, r);
			xs_rm(xs, XBT_NULL, req);
			say(log, "removed stale request %s (client %u, %u)", r, c, 0);
		}
		free(state);
	} else {
		done = rd(xs, ROOT "/" CCRPC_XS_CONNECT "/%s/error", c, r);
	}
	st = rd(xs, ROOT "/" CCRPC_XS_CONNECT "/%s/state", c, r);
	if (done || !st || strcmp(st, "request"))
		goto out;
	if (strlen(r) > CCRPC_XS_MAX_ID || strspn(r, "0123456789-") != strlen(r)) {
		refuse(xs, c, r, "invalid request id", log);
		goto out;
	}
	who = rd(xs, ROOT "/" CCRPC_XS_CONNECT "/%s/server", c, r);
	svc = rd(xs, ROOT "/" CCRPC_XS_CONNECT "/%s/service", c, r);
	if (!who || !svc || strlen(svc) > CCRPC_XS_MAX_NAME || strchr(svc, '/') ||
	    strlen(who) > CCRPC_XS_MAX_NAME ||
	    rdu(xs, CCRPC_XS_MAX_PAGES, &pages, ROOT "/" CCRPC_XS_CONNECT "/%s/arena-pages", c, r)) {
		refuse(xs, c, r, "invalid request", log);
		goto out;
	}
	s = who ? resolve(xs, who) : -1;
	free(st);
	st = s > 0 ? rd(xs, ROOT "/" CCRPC_XS_SERVICE "/%s/state", (unsigned)s, svc) : NULL;
	if (s <= 0 || (unsigned)s == c || !st || strcmp(st, "ready")) {
		refuse(xs, c, r, "no-service", log);
		goto out;
	}
	if (!same_network(xs, c, (unsigned)s)) {
		refuse(xs, c, r, "denied: not on a common colorcom network", log);
		goto out;
	}
	allow = rd(xs, ROOT "/" CCRPC_XS_SERVICE "/%s/allow", (unsigned)s, svc);
	if (!allowed(xs, allow, c)) {
		refuse(xs, c, r, "denied: not in the service's allow list", log);
		goto out;
	}
	snprintf(d, sizeof(d), ROOT "/" CCRPC_XS_CONN "/%u_%s", (unsigned)s, c, r);
	do {
		t = xs_transaction_start(xs);
		if (!t)
			goto out;
		snprintf(v, sizeof(v), "%u", c);
		/* The dir: owned by the server, read/write for the client.  Keys the client
		 * must write exist beforehand with the same perms: a node an unprivileged
		 * domain creates is owned by it and would be hidden from the server. */
		ok = xs_mkdir(xs, t, d) && setperm(xs, t, d, (unsigned)s, c, XS_PERM_READ | XS_PERM_WRITE) &&
		     put(xs, t, d, "client-domid", v, (unsigned)s, c, XS_PERM_READ) &&
		     put(xs, t, d, "service", svc, (unsigned)s, c, XS_PERM_READ);
		snprintf(v, sizeof(v), "%lu", pages);
		ok = ok && put(xs, t, d, "arena-pages", v, (unsigned)s, c, XS_PERM_READ);
		for (i = 0; ok && i < sizeof(client_keys) / sizeof(client_keys[0]); i++)
			ok = put(xs, t, d, client_keys[i], "", (unsigned)s, c, XS_PERM_READ | XS_PERM_WRITE);
		snprintf(v, sizeof(v), "%d", s);
		ok = ok && wr(xs, t, v, ROOT "/" CCRPC_XS_CONNECT "/%s/server-domid", c, r) &&
		     wr(xs, t, d, ROOT "/" CCRPC_XS_CONNECT "/%s/conn", c, r);
		if (!ok) {
			xs_transaction_end(xs, t, true);
			say(log, "xenstore write failed for %s (client %u, server %u)", r, c, (unsigned)s);
			goto out;
		}
		if (xs_transaction_end(xs, t, false))
			break;
		if (errno != EAGAIN) {
			say(log, "xenstore commit failed for %s (client %u, server %u)", r, c, (unsigned)s);
			goto out;
		}
	} while (1);
	say(log, "connection %s: client %u -> server %u", r, c, (unsigned)s);
out:
	free(done);
	free(st);
	free(who);
	free(svc);
	free(allow);
}

/* A connection dir whose request is gone (client closed, or its domain died) goes. */
static void reap_conns(struct xs_handle *xs, unsigned s, ccd_rpc_broker_log log)
{
	char p[96], **ids, *conn, *us;
	unsigned n = 0, i;
	unsigned long c;

	snprintf(p, sizeof(p), ROOT "/" CCRPC_XS_CONN, s);
	ids = xs_directory(xs, XBT_NULL, p, &n);
	for (i = 0; ids && i < n; i++) {
		char num[16], *r = strchr(ids[i], '_');
		char full[192];

		if (!r || (size_t)(r - ids[i]) >= sizeof(num))
			continue;
		memcpy(num, ids[i], (size_t)(r - ids[i]));
		num[r - ids[i]] = 0;
		snprintf(full, sizeof(full), "%s/%s", p, ids[i]);
		conn = pnum(num, 0x7fef, &c) ? NULL :
			rd(xs, ROOT "/" CCRPC_XS_CONNECT "/%s/conn", (unsigned)c, r + 1);
		us = full;
		if (!conn || strcmp(conn, us)) {
			xs_rm(xs, XBT_NULL, full);
			say(log, "removed stale connection %s (server %u, %u)", ids[i], s, 0);
		} else if (!same_network(xs, (unsigned)c, s)) {
			/* A NIC was detached: the policy no longer holds, the connection
			 * goes (both sides see its dir vanish). */
			xs_rm(xs, XBT_NULL, full);
			say(log, "closed connection %s: client %u and server %u share no network", ids[i],
			    (unsigned)c, s);
		}
		free(conn);
	}
	free(ids);
}

void ccd_rpc_broker_pass(struct xs_handle *xs, ccd_rpc_broker_log log)
{
	unsigned n, i, j, k;
	unsigned *ds = domains(xs, &n);
	char p[96], **reqs;

	for (i = 0; ds && i < n; i++) {
		if (ds[i] == 0)
			continue;
		snprintf(p, sizeof(p), ROOT "/" CCRPC_XS_CONNECT, ds[i]);
		reqs = xs_directory(xs, XBT_NULL, p, &k);
		for (j = 0; reqs && j < k; j++)
			handle_request(xs, ds[i], reqs[j], log);
		free(reqs);
		reap_conns(xs, ds[i], log);
	}
	free(ds);
}
