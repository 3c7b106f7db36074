// SPDX-License-Identifier: GPL-2.0 OR MIT
/* rpc.c - `colorcomctl rpc`: libccrpc's services and connections, as colorcomd's
 * broker sees them (common/ccrpc_xs.h, docs/rpc.md).  Read only.  Every value
 * under a guest's data/ccrpc was written by that guest: text is sanitized for the
 * table and escaped for JSON, numbers are parsed strictly or shown as unknown. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "ccctl.h"
#include "ccrpc_xs.h"

#define RPC_MAXDOM 1024
#define RPC_MAXENT 4096		/* entries of one guest dir looked at */
#define RPC_TXT 128		/* longest guest-written text shown */

struct rpc_svc {
	unsigned domid;
	char name[CCRPC_XS_MAX_NAME + 1], state[RPC_TXT], allow[RPC_TXT], fns[1024];
	int nfn;		/* -1: unreadable */
};

/* A connection (a conn dir in the server's area), or a request the broker refused
 * (server < 0: only the name the client asked for is known). */
struct rpc_conn {
	unsigned client;
	int server;
	char id[RPC_TXT], service[RPC_TXT], server_ask[RPC_TXT], state[RPC_TXT];
	long pages;		/* -1: unknown */
};

struct rpc_view {
	struct rpc_svc *svc;
	struct rpc_conn *conn;
	size_t nsvc, nconn;
};

struct rpc_opts {
	int json;
};

static int rpc_opt(int opt, void *arg)
{
	if (opt != 'j')
		return 1;
	((struct rpc_opts *)arg)->json = 1;
	return 0;
}

/* Guest text as written (no NUL inside, at most sz - 1 bytes; "" when absent, "?"
 * when too long).  Sanitized when printed in the table (tx), escaped in JSON. */
static void rd_txt(struct xs_handle *h, const char *path, char *out, size_t sz)
{
	int l = ccctl_read(h, XBT_NULL, path, out, sz);

	if (l < 0)
		snprintf(out, sz, "%s", l == -2 ? "?" : "");
}

/* Printable for a terminal: a guest's escape sequences never reach it.  Four
 * rotating buffers, so one printf can show several. */
static const char *tx(const char *s)
{
	static char buf[4][RPC_TXT];
	static unsigned k;
	char *b = buf[k++ % 4];

	ccd_sanitize(s, strlen(s), b, RPC_TXT);
	return b;
}

static long rd_num(struct xs_handle *h, const char *path, unsigned long max)
{
	char buf[32];
	unsigned long v;
	int l = ccctl_read(h, XBT_NULL, path, buf, sizeof(buf));

	return l > 0 && !ccd_parse_uint(buf, (size_t)l, max, &v) ? (long)v : -1;
}

/* Room for element n of an array grown by doubling (capacity is the next power of
 * two); NULL on failure, the old array still valid. */
static void *grow(void *p, size_t n, size_t sz)
{
	if (n == 0)
		return calloc(1, sz);
	if (n & (n - 1))
		return p;		/* not full yet */
	return realloc(p, 2 * n * sz);
}

/* "N:name,N:name": the count of well-formed entries, -1 if any is not. */
static int count_fns(const char *s)
{
	int n = 0;

	while (*s) {
		size_t len = strcspn(s, ",");
		const char *colon = memchr(s, ':', len);
		unsigned long fn;

		if (!colon || ccd_parse_uint(s, (size_t)(colon - s), 255, &fn) || colon + 1 == s + len)
			return -1;
		n++;
		s += len + (s[len] == ',');
	}
	return n;
}

static char **dir(struct xs_handle *h, const char *path, unsigned *n)
{
	char **d = xs_directory(h, XBT_NULL, path, n);

	if (!d)
		*n = 0;
	if (*n > RPC_MAXENT)
		*n = RPC_MAXENT;
	return d;
}

static int add_svc(struct rpc_view *v, struct xs_handle *h, unsigned d, const char *name)
{
	char p[256];
	struct rpc_svc *s, *ns = grow(v->svc, v->nsvc, sizeof(*s));

	if (!ns)
		return -1;
	v->svc = ns;
	s = memset(&v->svc[v->nsvc++], 0, sizeof(*s));
	s->domid = d;
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(p, sizeof(p), "/local/domain/%u/" CCRPC_XS_ROOT "/" CCRPC_XS_SERVICE "/%s/state", d, name);
	rd_txt(h, p, s->state, sizeof(s->state));
	snprintf(p, sizeof(p), "/local/domain/%u/" CCRPC_XS_ROOT "/" CCRPC_XS_SERVICE "/%s/allow", d, name);
	rd_txt(h, p, s->allow, sizeof(s->allow));
	snprintf(p, sizeof(p), "/local/domain/%u/" CCRPC_XS_ROOT "/" CCRPC_XS_SERVICE "/%s/functions", d, name);
	rd_txt(h, p, s->fns, sizeof(s->fns));
	s->nfn = count_fns(s->fns);
	return 0;
}

static struct rpc_conn *new_conn(struct rpc_view *v)
{
	struct rpc_conn *c, *nc = grow(v->conn, v->nconn, sizeof(*c));

	if (!nc)
		return NULL;
	v->conn = nc;
	c = memset(&v->conn[v->nconn++], 0, sizeof(*c));
	c->pages = -1;
	return c;
}

/* The state a user cares about, from both sides' keys. */
static void conn_state(struct xs_handle *h, const char *base, struct rpc_conn *c)
{
	char p[300], err[RPC_TXT], srv[RPC_TXT], cli[RPC_TXT];

	snprintf(p, sizeof(p), "%s/server-error", base);
	rd_txt(h, p, err, sizeof(err));
	snprintf(p, sizeof(p), "%s/server-state", base);
	rd_txt(h, p, srv, sizeof(srv));
	snprintf(p, sizeof(p), "%s/client-state", base);
	rd_txt(h, p, cli, sizeof(cli));
	if (err[0])
		snprintf(c->state, sizeof(c->state), "failed: %.100s", err);
	else if (!strcmp(cli, "closed"))
		snprintf(c->state, sizeof(c->state), "closing");
	else if (!strcmp(srv, "connected"))
		snprintf(c->state, sizeof(c->state), "connected");
	else
		snprintf(c->state, sizeof(c->state), "setting up");
}

/* conn/C_R in server d's area: the broker made it, so C and R are checked again
 * only for display (a guest may have added junk beside them). */
static int add_conn(struct rpc_view *v, struct xs_handle *h, unsigned d, const char *ent)
{
	char base[256], p[300];
	const char *us = strchr(ent, '_');
	unsigned long cl;
	struct rpc_conn *c;

	if (!us || ccd_parse_uint(ent, (size_t)(us - ent), CCD_DOMID_MAX, &cl))
		return 0;
	if (!(c = new_conn(v)))
		return -1;
	c->client = (unsigned)cl;
	c->server = (int)d;
	snprintf(c->id, sizeof(c->id), "%s", us + 1);
	snprintf(base, sizeof(base), "/local/domain/%u/" CCRPC_XS_ROOT "/" CCRPC_XS_CONN "/%s", d, ent);
	snprintf(p, sizeof(p), "%s/service", base);
	rd_txt(h, p, c->service, sizeof(c->service));
	snprintf(p, sizeof(p), "%s/arena-pages", base);
	c->pages = rd_num(h, p, CCRPC_XS_MAX_PAGES);
	conn_state(h, base, c);
	return 0;
}

/* A request the broker refused (its error key): shown so a user sees why. */
static int add_refused(struct rpc_view *v, struct xs_handle *h, unsigned d, const char *ent)
{
	char base[256], p[300], why[RPC_TXT];
	struct rpc_conn *c;

	snprintf(base, sizeof(base), "/local/domain/%u/" CCRPC_XS_ROOT "/" CCRPC_XS_CONNECT "/%s", d, ent);
	snprintf(p, sizeof(p), "%s/error", base);
	rd_txt(h, p, why, sizeof(why));
	if (!why[0])
		return 0;	/* pending, or granted: its conn dir is the row */
	if (!(c = new_conn(v)))
		return -1;
	c->client = d;
	c->server = -1;
	snprintf(c->id, sizeof(c->id), "%s", ent);
	snprintf(p, sizeof(p), "%s/server", base);
	rd_txt(h, p, c->server_ask, sizeof(c->server_ask));
	snprintf(p, sizeof(p), "%s/service", base);
	rd_txt(h, p, c->service, sizeof(c->service));
	snprintf(p, sizeof(p), "%s/arena-pages", base);
	c->pages = rd_num(h, p, CCRPC_XS_MAX_PAGES);
	snprintf(c->state, sizeof(c->state), "refused: %.100s", why);
	return 0;
}

static int gather(struct xs_handle *h, struct rpc_view *v)
{
	unsigned doms[RPC_MAXDOM], nd, i, j, n;
	static const char *const kinds[] = { CCRPC_XS_SERVICE, CCRPC_XS_CONN, CCRPC_XS_CONNECT };
	char p[128], **d;
	size_t k;
	int rc = 0;

	memset(v, 0, sizeof(*v));
	nd = ccctl_list_ids(h, XBT_NULL, "/local/domain", CCD_DOMID_MAX, doms, RPC_MAXDOM);
	for (i = 0; i < nd && !rc; i++) {
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && !rc; k++) {
			snprintf(p, sizeof(p), "/local/domain/%u/" CCRPC_XS_ROOT "/%s", doms[i], kinds[k]);
			d = dir(h, p, &n);
			for (j = 0; j < n && !rc; j++)
				rc = k == 0 ? add_svc(v, h, doms[i], d[j]) :
				     k == 1 ? add_conn(v, h, doms[i], d[j]) : add_refused(v, h, doms[i], d[j]);
			free(d);
		}
	}
	return rc;
}

static int involves(const struct rpc_conn *c, unsigned d)
{
	return c->client == d || (c->server >= 0 && (unsigned)c->server == d);
}

static void print_table(struct xs_handle *h, const struct rpc_view *v, int filter, unsigned only)
{
	char a[64], b[64];
	size_t i;

	printf("Services\n%-6s %-16s %-16s %-8s %-9s %s\n", "Domain", "Name", "Service", "State",
	       "Functions", "Allow");
	for (i = 0; i < v->nsvc; i++) {
		const struct rpc_svc *s = &v->svc[i];

		if (filter && s->domid != only)
			continue;
		ccctl_dom_ident(h, s->domid, a, sizeof(a), NULL);
		printf("%-6u %-16s %-16s %-8s ", s->domid, a, tx(s->name), s->state[0] ? tx(s->state) : "-");
		if (s->nfn >= 0)
			printf("%-9d %s\n", s->nfn, s->allow[0] ? tx(s->allow) : "*");
		else
			printf("%-9s %s\n", "?", s->allow[0] ? tx(s->allow) : "*");
	}
	printf("\nConnections\n%-6s %-16s %-6s %-16s %-16s %-12s %-6s %s\n", "Client", "Name",
	       "Server", "Name", "Service", "Id", "Pages", "State");
	for (i = 0; i < v->nconn; i++) {
		const struct rpc_conn *c = &v->conn[i];
		char sd[16], pg[24];

		if (filter && !involves(c, only))
			continue;
		ccctl_dom_ident(h, c->client, a, sizeof(a), NULL);
		if (c->server >= 0) {
			snprintf(sd, sizeof(sd), "%d", c->server);
			ccctl_dom_ident(h, (unsigned)c->server, b, sizeof(b), NULL);
		} else {
			snprintf(sd, sizeof(sd), "-");
			snprintf(b, sizeof(b), "%.40s", c->server_ask[0] ? tx(c->server_ask) : "?");
		}
		snprintf(pg, sizeof(pg), c->pages >= 0 ? "%ld" : "?", c->pages);
		printf("%-6u %-16s %-6s %-16s %-16s %-12s %-6s %s\n", c->client, a, sd, b,
		       c->service[0] ? tx(c->service) : "?", tx(c->id), pg, tx(c->state));
	}
}

static void print_json(struct xs_handle *h, const struct rpc_view *v, int filter, unsigned only)
{
	const char *sep = "";
	char a[64];
	size_t i;

	printf("{\"services\": [");
	for (i = 0; i < v->nsvc; i++) {
		const struct rpc_svc *s = &v->svc[i];

		if (filter && s->domid != only)
			continue;
		ccctl_dom_ident(h, s->domid, a, sizeof(a), NULL);
		printf("%s\n  {\"domid\": %u, \"name\": ", sep, s->domid);
		ccctl_json_str(stdout, a);
		printf(", \"service\": ");
		ccctl_json_str(stdout, s->name);
		printf(", \"state\": ");
		ccctl_json_str(stdout, s->state);
		printf(", \"functions\": ");
		ccctl_json_str(stdout, s->fns);
		printf(", \"nfunctions\": ");
		if (s->nfn >= 0)
			printf("%d", s->nfn);
		else
			printf("null");
		printf(", \"allow\": ");
		ccctl_json_str(stdout, s->allow[0] ? s->allow : "*");
		printf("}");
		sep = ",";
	}
	printf("%s],\n \"connections\": [", *sep ? "\n" : "");
	sep = "";
	for (i = 0; i < v->nconn; i++) {
		const struct rpc_conn *c = &v->conn[i];

		if (filter && !involves(c, only))
			continue;
		ccctl_dom_ident(h, c->client, a, sizeof(a), NULL);
		printf("%s\n  {\"client\": %u, \"client_name\": ", sep, c->client);
		ccctl_json_str(stdout, a);
		if (c->server >= 0) {
			ccctl_dom_ident(h, (unsigned)c->server, a, sizeof(a), NULL);
			printf(", \"server\": %d, \"server_name\": ", c->server);
			ccctl_json_str(stdout, a);
		} else {
			printf(", \"server\": null, \"server_name\": ");
			ccctl_json_str(stdout, c->server_ask);
		}
		printf(", \"service\": ");
		ccctl_json_str(stdout, c->service);
		printf(", \"id\": ");
		ccctl_json_str(stdout, c->id);
		if (c->pages >= 0)
			printf(", \"pages\": %ld", c->pages);
		else
			printf(", \"pages\": null");
		printf(", \"state\": ");
		ccctl_json_str(stdout, c->state);
		printf("}");
		sep = ",";
	}
	printf("%s]}\n", *sep ? "\n" : "");
}

int cmd_rpc(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rpc_opts o = { 0 };
	struct rpc_view v;
	struct xs_handle *h;
	char err[CCCTL_ERRLEN];
	unsigned only = 0;
	int rc, filter = 0;

	if ((rc = ccctl_parse_opts(argc, argv, "jh", lopts, rpc_opt, &o)))
		return rc == 1 ? 0 : rc;
	if (argc - optind > 1) {
		ccctl_err("%s: too many arguments", argv[0]);
		ccctl_usage(ccctl_find_cmd(argv[0]));
		return 2;
	}
	if (!(h = ccctl_xs()))
		return 1;
	if (argc - optind == 1) {
		if (ccctl_domain(h, argv[optind], &only, err, sizeof(err))) {
			ccctl_err("rpc: %s", err);
			return 1;
		}
		filter = 1;
	}
	rc = gather(h, &v);
	if (rc)
		ccctl_err("rpc: out of memory");
	else if (o.json)
		print_json(h, &v, filter, only);
	else
		print_table(h, &v, filter, only);
	free(v.svc);
	free(v.conn);
	return rc ? 1 : 0;
}
