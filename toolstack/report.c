// SPDX-License-Identifier: GPL-2.0 OR MIT
/* report.c - the read-only commands: list, networks, links, show.
 * Everything comes from xenstore at the time of the call, except "since",
 * which only colorcomd can know (it is there when a link changes state):
 * it comes from its status file, and only when that file agrees with the
 * states xenstore shows now. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

#include "ccctl.h"

struct nicrec {
	unsigned domid, devid, links;
	char name[20], net[40], mac[18], err[120];
	int mtu, order, bs, fs, has_err;
	unsigned long flaps;    /* colorcomd's back-off (status file) */
	long long wait_s;       /* seconds left; 0 = none */
};

struct chanrec {
	unsigned a, b, l, na, nb;
	int fs, bs, oa, ob;     /* -1 = half or key missing */
	char net[40];
	long long since;        /* -1 = unknown */
	unsigned long recreated;
	long long wait_s;       /* seconds before colorcomd re-creates it */
};

struct view {
	struct nicrec *nics;
	size_t nnic;
	struct chanrec *chans;
	size_t nchan;
};

static int rd_int(struct xs_handle *h, const char *path, unsigned long max)
{
	char buf[32];
	unsigned long v;
	int l = ccctl_read(h, XBT_NULL, path, buf, sizeof(buf));

	if (l < 0 || ccd_parse_uint(buf, (size_t)l, max, &v))
		return -1;
	return (int)v;
}

static int rd_state(struct xs_handle *h, const char *path)
{
	char buf[16];
	int l = ccctl_read(h, XBT_NULL, path, buf, sizeof(buf));

	if (l == -1)
		return -1;
	return l < 0 ? -2 : ccd_parse_state(buf, (size_t)l) < 0 ? -2 :
	       ccd_parse_state(buf, (size_t)l);
}

static const char *st_name(int st)
{
	return st == -1 ? "-" : st < 0 ? "?" : ccd_state_name(st);
}

static void *grow(void *p, size_t n, size_t sz)
{
	void *q = realloc(p, (n + 1) * sz);

	if (!q) {
		ccctl_err("out of memory");
		exit(1);
	}
	return q;
}

/* ---- gathering --------------------------------------------------------------- */

static void gather_chans(struct xs_handle *h, struct view *v)
{
	unsigned doms[4096], nd, i, j, k, ls[1024], nl, as[256], na;
	char p[160], q[200];

	nd = ccctl_list_ids(h, XBT_NULL, "/local/domain", CCD_DOMID_MAX, doms,
			    4096);
	for (i = 0; i < nd; i++) {
		unsigned d = doms[i];

		/* Front halves: in A's tree; one record per link. */
		snprintf(p, sizeof(p), "/local/domain/%u/device/%s", d,
			 CCD_LINK_TYPE);
		nl = ccctl_list_ids(h, XBT_NULL, p, CCD_LINK_ID_MAX, ls, 1024);
		for (j = 0; j < nl; j++) {
			struct chanrec *c;

			if ((ls[j] >> 8) <= d)
				continue;
			v->chans = grow(v->chans, v->nchan, sizeof(*c));
			c = &v->chans[v->nchan++];
			memset(c, 0, sizeof(*c));
			c->a = d;
			c->l = ls[j];
			c->bs = c->ob = -1;
			snprintf(q, sizeof(q), "%s/%u/state", p, ls[j]);
			c->fs = rd_state(h, q);
			snprintf(q, sizeof(q), "%s/%u/%s", p, ls[j], CCD_K_ORDER);
			c->oa = rd_int(h, q, CCD_ORDER_MAX);
		}
	}
	/* Back halves: in B's tree, matched to the front records. */
	for (i = 0; i < nd; i++) {
		unsigned d = doms[i];

		snprintf(p, sizeof(p), "/local/domain/%u/backend/%s", d,
			 CCD_LINK_TYPE);
		na = ccctl_list_ids(h, XBT_NULL, p, CCD_DOMID_MAX, as, 256);
		for (j = 0; j < na; j++) {
			snprintf(q, sizeof(q), "%s/%u", p, as[j]);
			nl = ccctl_list_ids(h, XBT_NULL, q, CCD_LINK_ID_MAX, ls,
					    1024);
			for (k = 0; k < nl; k++) {
				struct chanrec *c = NULL;
				char r[240];
				size_t m;

				if ((ls[k] >> 8) != d || as[j] >= d)
					continue;
				for (m = 0; m < v->nchan; m++)
					if (v->chans[m].a == as[j] &&
					    v->chans[m].l == ls[k])
						c = &v->chans[m];
				if (!c) {
					v->chans = grow(v->chans, v->nchan,
							sizeof(*c));
					c = &v->chans[v->nchan++];
					memset(c, 0, sizeof(*c));
					c->a = as[j];
					c->l = ls[k];
					c->fs = c->oa = -1;
				}
				snprintf(r, sizeof(r), "%s/%u/state", q, ls[k]);
				c->bs = rd_state(h, r);
				snprintf(r, sizeof(r), "%s/%u/%s", q, ls[k],
					 CCD_K_ORDER);
				c->ob = rd_int(h, r, CCD_ORDER_MAX);
			}
		}
	}
}

static int cmp_chan(const void *x, const void *y);

static long long left_s(long long until, long long now)
{
	return until > now ? until - now : 0;
}

/* A link colorcomd removed and will create again once its back-off runs
 * out: no half in xenstore, only its line in the status file. */
static void add_waiting(struct view *v, const struct ccd_chan *s,
			long long now)
{
	struct chanrec *c;
	size_t m;

	if (s->fstate != -1 || s->bstate != -1 || s->wait_until <= now)
		return;
	v->chans = grow(v->chans, v->nchan, sizeof(*c));
	c = &v->chans[v->nchan++];
	memset(c, 0, sizeof(*c));
	c->a = s->a;
	c->l = s->l;
	c->fs = c->bs = c->oa = c->ob = -1;
	c->since = s->since;
	c->recreated = s->recreated;
	c->wait_s = left_s(s->wait_until, now);
	ccd_link_decode(c->l, &c->b, &c->na, &c->nb);
	snprintf(c->net, sizeof(c->net), "?");
	for (m = 0; m < v->nnic; m++)
		if (v->nics[m].domid == c->a && v->nics[m].devid == c->na)
			snprintf(c->net, sizeof(c->net), "%s", v->nics[m].net);
}

/* What only colorcomd knows (docs/reliability.md): since when each link is
 * in its states, how often it was re-created, the back-off still to run. */
static void gather_since(struct view *v)
{
	const char *path = getenv("COLORCOMCTL_STATUS");        /* tests */
	long long now = (long long)time(NULL);
	FILE *f = fopen(path ? path : CCCTL_STATUS_PATH, "r");
	char line[128];
	struct ccd_chan s;
	struct ccd_nicwait w;
	size_t i, n = v->nchan;

	for (i = 0; i < v->nchan; i++)
		v->chans[i].since = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!ccd_nicwait_parse(line, &w)) {
			for (i = 0; i < v->nnic; i++)
				if (v->nics[i].domid == w.domid &&
				    v->nics[i].devid == w.devid) {
					v->nics[i].flaps = w.flaps;
					v->nics[i].wait_s =
						left_s(w.wait_until, now);
				}
			continue;
		}
		if (ccd_chan_parse(line, &s))
			continue;
		for (i = 0; i < n; i++) {
			struct chanrec *c = &v->chans[i];

			if (c->a != s.a || c->l != s.l)
				continue;
			c->recreated = s.recreated;
			c->wait_s = left_s(s.wait_until, now);
			if (c->fs == s.fstate && c->bs == s.bstate)
				c->since = s.since;
			break;
		}
		if (i == n)
			add_waiting(v, &s, now);
	}
	fclose(f);
	if (v->nchan > n)
		qsort(v->chans, v->nchan, sizeof(*v->chans), cmp_chan);
}

static int cmp_nic(const void *x, const void *y)
{
	const struct nicrec *a = x, *b = y;

	if (a->domid != b->domid)
		return a->domid < b->domid ? -1 : 1;
	return a->devid < b->devid ? -1 : a->devid > b->devid;
}

static int cmp_chan(const void *x, const void *y)
{
	const struct chanrec *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->l < b->l ? -1 : a->l > b->l;
}

static void gather(struct xs_handle *h, struct view *v)
{
	unsigned doms[4096], nd, i, j, devs[64], nn;
	size_t k;

	memset(v, 0, sizeof(*v));
	gather_chans(h, v);
	nd = ccctl_list_ids(h, XBT_NULL, CCD_BACKEND_ROOT, CCD_DOMID_MAX, doms,
			    4096);
	for (i = 0; i < nd; i++) {
		char p[160], name[20];

		/* (the table's Name column: 19 characters) */
		ccctl_dom_ident(h, doms[i], name, sizeof(name), NULL);
		snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%u", doms[i]);
		nn = ccctl_list_ids(h, XBT_NULL, p, 0xFFFF, devs, 64);
		for (j = 0; j < nn; j++) {
			struct nicrec *n;
			char b[96], e[200], mac[32];
			int l;

			v->nics = grow(v->nics, v->nnic, sizeof(*n));
			n = &v->nics[v->nnic++];
			memset(n, 0, sizeof(*n));
			n->domid = doms[i];
			n->devid = devs[j];
			snprintf(n->name, sizeof(n->name), "%s", name);
			snprintf(b, sizeof(b), CCD_BACKEND_ROOT "/%u/%u/",
				 doms[i], devs[j]);
			snprintf(p, sizeof(p), "%s%s", b, CCD_K_NETWORK);
			l = ccctl_read(h, XBT_NULL, p, n->net, sizeof(n->net));
			if (l < 0 || !ccd_valid_network(n->net, (size_t)l))
				snprintf(n->net, sizeof(n->net), "?");
			snprintf(p, sizeof(p), "%s%s", b, CCD_K_MAC);
			l = ccctl_read(h, XBT_NULL, p, mac, sizeof(mac));
			if (l == 17)
				ccd_sanitize(mac, 17, n->mac, sizeof(n->mac));
			else
				snprintf(n->mac, sizeof(n->mac), "?");
			snprintf(p, sizeof(p), "%s%s", b, CCD_K_MTU);
			n->mtu = rd_int(h, p, CCD_MTU_MAX);
			snprintf(p, sizeof(p), "%s%s", b, CCD_K_ORDER);
			n->order = rd_int(h, p, CCD_ORDER_MAX);
			snprintf(p, sizeof(p), "%s%s", b, CCD_K_STATE);
			n->bs = rd_state(h, p);
			snprintf(p, sizeof(p), "/local/domain/%u/device/%s/%u/%s",
				 doms[i], CCD_NIC_TYPE, devs[j], CCD_K_STATE);
			n->fs = rd_state(h, p);
			snprintf(p, sizeof(p), "%s%s", b, CCD_K_ERROR);
			l = ccctl_read(h, XBT_NULL, p, e, sizeof(e));
			if (l >= 0) {
				n->has_err = 1;
				ccd_sanitize(e, (size_t)l, n->err, sizeof(n->err));
			}
		}
	}
	if (v->nnic)
		qsort(v->nics, v->nnic, sizeof(*v->nics), cmp_nic);
	if (v->nchan)
		qsort(v->chans, v->nchan, sizeof(*v->chans), cmp_chan);
	for (k = 0; k < v->nchan; k++) {
		struct chanrec *c = &v->chans[k];
		size_t m;

		ccd_link_decode(c->l, &c->b, &c->na, &c->nb);
		snprintf(c->net, sizeof(c->net), "?");
		for (m = 0; m < v->nnic; m++) {
			struct nicrec *n = &v->nics[m];

			if (n->domid == c->a && n->devid == c->na) {
				snprintf(c->net, sizeof(c->net), "%s", n->net);
				if (c->fs != -1)
					n->links++;
			}
			if (n->domid == c->b && n->devid == c->nb && c->bs != -1)
				n->links++;
		}
	}
	gather_since(v);
}

static void view_free(struct view *v)
{
	free(v->nics);
	free(v->chans);
}

static const char *pair_state(const struct chanrec *c)
{
	if (c->fs == -1 && c->bs == -1)
		return "backoff";       /* only in the status file */
	if (c->fs == -1 || c->bs == -1)
		return "incomplete";
	if (c->fs == CCD_XS_CONNECTED && c->bs == CCD_XS_CONNECTED)
		return "connected";
	if (c->fs >= CCD_XS_CLOSING || c->bs >= CCD_XS_CLOSING || c->fs < 0 ||
	    c->bs < 0)
		return "closed";
	return "connecting";
}

static void fmt_since(long long t, char *buf, size_t sz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0 || !gmtime_r(&tt, &tm))
		snprintf(buf, sz, "-");
	else
		strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void fmt_ring(int order, char *buf, size_t sz)
{
	if (order < 0 || order > 20)
		snprintf(buf, sz, "-");
	else if (order >= 8)
		snprintf(buf, sz, "%luM", (4096ul << order) >> 20);
	else
		snprintf(buf, sz, "%luK", (4096ul << order) >> 10);
}

static void json_ring(FILE *f, int order)
{
	if (order < 0)
		fprintf(f, "null");
	else
		fprintf(f, "%lu", 4096ul << order);
}

static void json_state(FILE *f, int st)
{
	if (st == -1)
		fprintf(f, "null");
	else
		ccctl_json_str(f, st_name(st));
}

static const struct nicrec *find_nic(const struct view *v, unsigned d,
				     unsigned n)
{
	size_t i;

	for (i = 0; i < v->nnic; i++)
		if (v->nics[i].domid == d && v->nics[i].devid == n)
			return &v->nics[i];
	return NULL;
}

/* ---- options ----------------------------------------------------------------- */

struct ropts {
	int json;
};

static int ropt(int opt, void *arg)
{
	if (opt != 'j')
		return 1;
	((struct ropts *)arg)->json = 1;
	return 0;
}

static const struct option json_lopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Options anywhere ("list d1 --json"): getopt permutes unless "+". */
static int ropts_parse(int argc, char **argv, struct ropts *o, int maxpos)
{
	int rc = ccctl_parse_opts(argc, argv, "jh", json_lopts, ropt, o);

	if (rc)
		return rc;
	if (argc - optind > maxpos) {
		ccctl_err("%s: too many arguments", argv[0]);
		ccctl_usage(ccctl_find_cmd(argv[0]));
		return 2;
	}
	return 0;
}

/* ---- list ---------------------------------------------------------------------- */

/* The entries of domains' xl configs colorcomd did not attach
 * (CCD_XLCFG_ROOT/D/error/N, back/xlcfg.c): one row each, no devid. */
static void list_config_errors(struct xs_handle *h, int filter, unsigned only,
			       int json, int *first)
{
	unsigned doms[4096], nd, i, j, ne = 0;
	char p[160], name[CCCTL_NAME_MAX + 1], msg[CCCTL_ERRLEN];
	char **es;

	nd = ccctl_list_ids(h, XBT_NULL, CCD_XLCFG_ROOT, CCD_DOMID_MAX, doms,
			    4096);
	for (i = 0; i < nd; i++) {
		if (filter && doms[i] != only)
			continue;
		snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/name", doms[i]);
		if (ccctl_read(h, XBT_NULL, p, name, sizeof(name)) < 0)
			snprintf(name, sizeof(name), "-");
		snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/error", doms[i]);
		es = xs_directory(h, XBT_NULL, p, &ne);
		for (j = 0; es && j < ne; j++) {
			snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/error/%.16s",
				 doms[i], es[j]);
			if (ccctl_read(h, XBT_NULL, p, msg, sizeof(msg)) < 0)
				continue;
			if (!json) {
				printf("%-6u %-16s %-5s %-16s %-17s %-12s %-12s %u  error: %s\n",
				       doms[i], name, "-", "-", "-", "-", "-",
				       0, msg);
				continue;
			}
			printf("%s\n  {\"domid\": %u, \"name\": ",
			       *first ? "" : ",", doms[i]);
			*first = 0;
			ccctl_json_str(stdout, name);
			printf(", \"devid\": null, \"config\": true, \"error\": ");
			ccctl_json_str(stdout, msg);
			printf("}");
		}
		free(es);
	}
}

int cmd_list(int argc, char **argv)
{
	struct ropts o = { 0 };
	struct xs_handle *h;
	struct view v;
	unsigned only = 0;
	int rc, filter = 0, first = 1;
	char err[CCCTL_ERRLEN];
	size_t i;

	if ((rc = ropts_parse(argc, argv, &o, 1)))
		return rc == 1 ? 0 : rc;
	if (!(h = ccctl_xs()))
		return 1;
	if (argc - optind == 1) {
		if (ccctl_domain(h, argv[optind], &only, err, sizeof(err))) {
			ccctl_err("list: %s", err);
			return 1;
		}
		filter = 1;
	}
	gather(h, &v);
	if (o.json)
		printf("[");
	else
		printf("%-6s %-16s %-5s %-16s %-17s %-12s %-12s %s\n", "Domain",
		       "Name", "Devid", "Network", "MAC", "Backend", "Frontend",
		       "Links");
	for (i = 0; i < v.nnic; i++) {
		const struct nicrec *n = &v.nics[i];

		if (filter && n->domid != only)
			continue;
		if (!o.json) {
			printf("%-6u %-16s %-5u %-16s %-17s %-12s %-12s %u",
			       n->domid, n->name, n->devid, n->net, n->mac,
			       st_name(n->bs), st_name(n->fs), n->links);
			if (n->has_err)
				printf("  error: %s", n->err);
			if (n->flaps)
				printf("  flaps: %lu", n->flaps);
			if (n->wait_s)
				printf("  back-off: %llds", n->wait_s);
			printf("\n");
			continue;
		}
		printf("%s\n  {\"domid\": %u, \"name\": ", first ? "" : ",",
		       n->domid);
		first = 0;
		ccctl_json_str(stdout, n->name);
		printf(", \"devid\": %u, \"network\": ", n->devid);
		ccctl_json_str(stdout, n->net);
		printf(", \"mac\": ");
		ccctl_json_str(stdout, n->mac);
		if (n->mtu < 0)
			printf(", \"mtu\": null");
		else
			printf(", \"mtu\": %d", n->mtu);
		printf(", \"ring\": ");
		json_ring(stdout, n->order);
		printf(", \"backend\": ");
		json_state(stdout, n->bs);
		printf(", \"frontend\": ");
		json_state(stdout, n->fs);
		printf(", \"links\": %u, \"error\": ", n->links);
		if (n->has_err)
			ccctl_json_str(stdout, n->err);
		else
			printf("null");
		printf(", \"flaps\": %lu, \"backoff_s\": %lld}", n->flaps,
		       n->wait_s);
	}
	list_config_errors(h, filter, only, o.json, &first);
	if (o.json)
		printf("%s]\n", first ? "" : "\n");
	view_free(&v);
	return 0;
}

/* ---- networks ------------------------------------------------------------------ */

int cmd_networks(int argc, char **argv)
{
	struct ropts o = { 0 };
	const struct ccd_conf *conf;
	struct xs_handle *h;
	struct view v;
	char nets[256][40];
	size_t nnet = 0, i, j;
	int rc;

	if ((rc = ropts_parse(argc, argv, &o, 0)))
		return rc == 1 ? 0 : rc;
	if (!(conf = ccctl_conf())) {
		ccctl_err("networks: %s", ccctl_conf_err);
		return 1;
	}
	if (!(h = ccctl_xs()))
		return 1;
	gather(h, &v);
	/* Networks in use, then configured ones with no NIC yet. */
	for (i = 0; i < v.nnic + conf->nnet; i++) {
		const char *n = i < v.nnic ? v.nics[i].net :
				conf->nets[i - v.nnic].name;

		for (j = 0; j < nnet && strcmp(nets[j], n); j++)
			;
		if (j == nnet && nnet < 256)
			snprintf(nets[nnet++], sizeof(nets[0]), "%s", n);
	}
	qsort(nets, nnet, sizeof(nets[0]),
	      (int (*)(const void *, const void *))strcmp);
	if (o.json)
		printf("[");
	else
		printf("%-16s %-5s %-9s %-8s %s\n", "Network", "NICs",
		       "Connected", "Links", "Max-peers");
	for (i = 0; i < nnet; i++) {
		unsigned nic = 0, conn = 0, ch = 0, max;

		for (j = 0; j < v.nnic; j++)
			if (!strcmp(v.nics[j].net, nets[i])) {
				nic++;
				conn += v.nics[j].bs == CCD_XS_CONNECTED &&
					v.nics[j].fs == CCD_XS_CONNECTED;
			}
		for (j = 0; j < v.nchan; j++)   /* (not those in back-off) */
			ch += !strcmp(v.chans[j].net, nets[i]) &&
			      (v.chans[j].fs != -1 || v.chans[j].bs != -1);
		max = ccd_conf_max_peers(conf, nets[i]);
		if (!o.json) {
			printf("%-16s %-5u %-9u %-8u ", nets[i], nic, conn, ch);
			if (max)
				printf("%u\n", max);
			else
				printf("-\n");
			continue;
		}
		printf("%s\n  {\"network\": ", i ? "," : "");
		ccctl_json_str(stdout, nets[i]);
		printf(", \"nics\": %u, \"connected\": %u, \"links\": %u, \"max_peers\": ",
		       nic, conn, ch);
		if (max)
			printf("%u}", max);
		else
			printf("null}");
	}
	if (o.json)
		printf("%s]\n", nnet ? "\n" : "");
	view_free(&v);
	return 0;
}

/* ---- links --------------------------------------------------------------------- */

static void json_end(FILE *f, const struct view *v, unsigned d, unsigned n,
		     int st, int order)
{
	const struct nicrec *nr = find_nic(v, d, n);

	fprintf(f, "{\"domid\": %u, \"name\": ", d);
	ccctl_json_str(f, nr ? nr->name : "?");
	fprintf(f, ", \"devid\": %u, \"mac\": ", n);
	ccctl_json_str(f, nr ? nr->mac : "?");
	fprintf(f, ", \"state\": ");
	json_state(f, st);
	fprintf(f, ", \"ring\": ");
	json_ring(f, order);
	fprintf(f, "}");
}

static void print_chans(const struct view *v, const char *net, int json,
			int dom)
{
	int first = 1;
	size_t i;

	if (json)
		printf("[");
	else
		printf("%-16s %-12s %-12s %-11s %-12s %-12s %-5s %-5s %-20s %-10s %s\n",
		       "Network", "A", "B", "State", "A-state", "B-state",
		       "Ring", "Ring", "Since", "Re-created", "Back-off");
	for (i = 0; i < v->nchan; i++) {
		const struct chanrec *c = &v->chans[i];
		char since[32], ra[16], rb[16], ea[24], eb[24], wait[24];

		if (net && strcmp(c->net, net))
			continue;
		if (dom >= 0 && c->a != (unsigned)dom && c->b != (unsigned)dom)
			continue;
		fmt_since(c->since, since, sizeof(since));
		if (!json) {
			fmt_ring(c->oa, ra, sizeof(ra));
			fmt_ring(c->ob, rb, sizeof(rb));
			snprintf(ea, sizeof(ea), "%u/%u", c->a, c->na);
			snprintf(eb, sizeof(eb), "%u/%u", c->b, c->nb);
			if (c->wait_s)
				snprintf(wait, sizeof(wait), "%llds", c->wait_s);
			else
				snprintf(wait, sizeof(wait), "-");
			printf("%-16s %-12s %-12s %-11s %-12s %-12s %-5s %-5s %-20s %-10lu %s\n",
			       c->net, ea, eb, pair_state(c), st_name(c->fs),
			       st_name(c->bs), ra, rb, since, c->recreated,
			       wait);
			continue;
		}
		printf("%s\n  {\"network\": ", first ? "" : ",");
		first = 0;
		ccctl_json_str(stdout, c->net);
		printf(", \"link\": %u, \"state\": \"%s\", \"a\": ", c->l,
		       pair_state(c));
		json_end(stdout, v, c->a, c->na, c->fs, c->oa);
		printf(", \"b\": ");
		json_end(stdout, v, c->b, c->nb, c->bs, c->ob);
		printf(", \"since\": ");
		if (c->since < 0)
			printf("null");
		else
			printf("\"%s\"", since);
		printf(", \"recreated\": %lu, \"backoff_s\": %lld}",
		       c->recreated, c->wait_s);
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
}

int cmd_links(int argc, char **argv)
{
	struct ropts o = { 0 };
	struct xs_handle *h;
	const char *net = NULL;
	struct view v;
	int rc;

	if ((rc = ropts_parse(argc, argv, &o, 1)))
		return rc == 1 ? 0 : rc;
	if (argc - optind == 1) {
		net = argv[optind];
		if (!ccd_valid_network(net, strlen(net))) {
			char clean[40];

			ccd_sanitize(net, strlen(net), clean, sizeof(clean));
			ccctl_err("links: bad network name '%s' (want [a-z0-9][a-z0-9_-]{0,31})",
				  clean);
			return 1;
		}
	}
	if (!(h = ccctl_xs()))
		return 1;
	gather(h, &v);
	print_chans(&v, net, o.json, -1);
	view_free(&v);
	return 0;
}

/* ---- show ---------------------------------------------------------------------- */

int cmd_show(int argc, char **argv)
{
	struct ropts o = { 0 };
	struct xs_handle *h;
	struct view v;
	unsigned d, recs[64], nr, k;
	char err[CCCTL_ERRLEN], name[64], uuid[CCCTL_UUID_LEN + 1], p[128];
	int rc, alive;
	size_t i;

	if ((rc = ropts_parse(argc, argv, &o, 1)))
		return rc == 1 ? 0 : rc;
	if (o.json) {
		ccctl_err("show: no --json here (list --json DOMAIN and links --json have the same facts)");
		ccctl_usage(ccctl_find_cmd("show"));
		return 2;
	}
	if (argc - optind != 1) {
		ccctl_err("show: need one DOMAIN");
		ccctl_usage(ccctl_find_cmd("show"));
		return 2;
	}
	if (!(h = ccctl_xs()))
		return 1;
	if (ccctl_domain(h, argv[optind], &d, err, sizeof(err))) {
		ccctl_err("show: %s", err);
		return 1;
	}
	ccctl_dom_ident(h, d, name, sizeof(name), uuid);
	alive = ccd_dom_alive(ccctl_dc(), d);
	gather(h, &v);
	printf("Domain:    %u (%s)\n", d, name);
	printf("UUID:      %s\n", uuid[0] ? uuid : "-");
	printf("State:     %s\n", alive < 0 ? "unknown (no libxenctrl)" :
	       alive ? "running" : "dying or shut down");
	for (i = 0; i < v.nnic; i++) {
		const struct nicrec *n = &v.nics[i];
		char ring[16];

		if (n->domid != d)
			continue;
		fmt_ring(n->order, ring, sizeof(ring));
		printf("NIC %u:     network %s, mac %s, mtu %d, ring %s, backend %s, frontend %s, %u link%s\n",
		       n->devid, n->net, n->mac, n->mtu, ring, st_name(n->bs),
		       st_name(n->fs), n->links, n->links == 1 ? "" : "s");
		if (n->has_err)
			printf("           error: %s\n", n->err);
	}
	nr = 0;
	if (uuid[0]) {
		snprintf(p, sizeof(p), CCD_PERSIST_ROOT "/%s", uuid);
		nr = ccctl_list_ids(h, XBT_NULL, p, CCD_DEVID_MAX, recs, 64);
	}
	printf("Reboot:    ");
	if (!nr)
		printf("no NIC recorded\n");
	for (k = 0; k < nr; k++)
		printf("%s%u", k ? " " : "NICs ", recs[k]);
	if (nr)
		printf(" re-attached by colorcomd after a reboot\n");
	printf("\n");
	print_chans(&v, NULL, 0, (int)d);
	view_free(&v);
	return 0;
}
