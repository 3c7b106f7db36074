// SPDX-License-Identifier: GPL-2.0 OR MIT
/* xs.c - xenstore reads and the transaction helper.
 *
 * ccd_scan() reads, without a transaction, everything the registry needs.
 * Every value is length-limited and parsed strictly; guest-written garbage
 * is logged once and treated as missing.  Writes happen in link.c, each in
 * its own transaction that re-checks what it depends on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

#include "ccd.h"

#define DIR_MAX         4096    /* entries looked at in any one directory */
#define HALVES_PER_DOM  1024

unsigned long ccd_xs_reads;

int ccd_xs_read(struct xs_handle *h, uint32_t t, const char *path,
		char *buf, size_t bufsz)
{
	ccd_xs_reads++;         /* the per-pass read count of the status file */
	return ccctl_read(h, t, path, buf, bufsz);
}

/* A transaction that conflicts this many times in a row is given up (the
 * action fails, and a pass a second later tries again): a guest rewriting a
 * node we read could otherwise hold the daemon in retries, and every other
 * guest's attach behind it.  Our transactions read guest nodes only where
 * they must (link.c), so an honest action conflicts only with another dom0
 * writer, which does not loop. */
#define CCD_TX_TRIES    4

int ccd_xs_transact(struct xs_handle *h, ccd_tx_fn fn, void *arg)
{
	int tries, rc;

	for (tries = 0; tries < CCD_TX_TRIES; tries++) {
		xs_transaction_t t = xs_transaction_start(h);

		if (t == XBT_NULL)
			return -1;
		rc = fn(h, t, arg);
		if (rc) {
			int e = errno;

			xs_transaction_end(h, t, true);
			errno = e;
			return rc;
		}
		if (xs_transaction_end(h, t, false))
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	errno = EAGAIN;
	return -1;
}

/* Directory listing; NULL with *n = 0 when missing. */
static char **list(struct xs_handle *h, const char *path, unsigned *n)
{
	char **d = xs_directory(h, XBT_NULL, path, n);

	ccd_xs_reads++;
	if (!d)
		*n = 0;
	else if (*n > DIR_MAX) {
		ccd_glog(CCD_LOG_WARN, path,
			     "%s has %u entries; looking at the first %u",
			     path, *n, DIR_MAX);
		*n = DIR_MAX;
	}
	return d;
}

static void garbage(const char *path, const char *what, const char *v)
{
	char clean[64];
	char key[300];

	ccd_sanitize(v, strlen(v), clean, sizeof(clean));
	snprintf(key, sizeof(key), "%s=%s", path, clean);
	ccd_glog(CCD_LOG_WARN, key, "ignoring %s at %s: '%s'", what, path,
		     clean);
}

/* State keys: -1 missing, -2 garbage (logged), else 0..8. */
static int read_state(struct xs_handle *h, const char *path)
{
	char buf[16];
	int len = ccd_xs_read(h, XBT_NULL, path, buf, sizeof(buf));
	int st;

	if (len == -1)
		return -1;
	if (len == -2) {
		garbage(path, "over-long state", "");
		return -2;
	}
	st = ccd_parse_state(buf, (size_t)len);
	if (st < 0) {
		garbage(path, "bad state", buf);
		return -2;
	}
	return st;
}

/*
 * The guest owns its NIC frontend dir but writes only `state` there; the NIC's
 * settings are read from dom0's backend dir alone.  Anything else a guest puts
 * there (a claimed mac or network, say) is ignored, and said so once.
 */
static void check_front_claims(struct xs_handle *h, unsigned d, unsigned n)
{
	char p[96], q[200];
	char **e;
	unsigned ne, i;

	snprintf(p, sizeof(p), "/local/domain/%u/device/%s/%u", d, CCD_NIC_TYPE,
		 n);
	e = list(h, p, &ne);
	for (i = 0; i < ne; i++) {
		if (!strcmp(e[i], CCD_K_BACKEND) ||
		    !strcmp(e[i], CCD_K_BACKEND_ID) ||
		    !strcmp(e[i], CCD_K_STATE))
			continue;
		snprintf(q, sizeof(q), "%s/%s", p, e[i]);
		ccd_glog(CCD_LOG_WARN, q,
			     "ignoring guest-written %s: NIC settings come from "
			     CCD_BACKEND_ROOT "/%u/%u only", q, d, n);
	}
	free(e);
}

static void scan_nic(struct xs_handle *h, struct ccd_snap *s, unsigned d,
		     unsigned n)
{
	char base[96], p[160];
	char fe[128], feid[16], mac[24], net[48], mtu[16], ord[16], onl[16],
	     st[16], err[8], upl[8];
	struct ccd_nic_keys k;
	struct ccd_nic *nic;
	int l;

#define RD(buf, key, ptr, plen) do {                                      \
		snprintf(p, sizeof(p), "%s/%s", base, key);                 \
		l = ccd_xs_read(h, XBT_NULL, p, buf, sizeof(buf));          \
		if (l == -2) {                                              \
			snprintf(buf, sizeof(buf), "%s", "<long>");      \
			l = (int)strlen(buf);                               \
		}                                                           \
		k.ptr = l >= 0 ? buf : NULL;                                \
		k.plen = l >= 0 ? (size_t)l : 0;                            \
	} while (0)

	snprintf(base, sizeof(base), CCD_BACKEND_ROOT "/%u/%u", d, n);
	nic = ccd_snap_add_nic(s);
	if (!nic)
		return;
	nic->domid = d;
	nic->devid = n;
	memset(&k, 0, sizeof(k));
	RD(fe, CCD_K_FRONTEND, frontend, frontend_len);
	RD(feid, CCD_K_FRONTEND_ID, frontend_id, frontend_id_len);
	RD(mac, CCD_K_MAC, mac, mac_len);
	RD(net, CCD_K_NETWORK, network, network_len);
	RD(mtu, CCD_K_MTU, mtu, mtu_len);
	RD(ord, CCD_K_ORDER, order, order_len);
	RD(onl, CCD_K_ONLINE, online, online_len);
	RD(st, CCD_K_STATE, state, state_len);
	RD(upl, CCD_K_UPLINK, uplink, uplink_len);
#undef RD
	snprintf(p, sizeof(p), "%s/%s", base, CCD_K_ERROR);
	nic->has_error = ccd_xs_read(h, XBT_NULL, p, err, sizeof(err)) != -1;

	if (!k.online)
		nic->online = 1;
	else if (k.online_len == 1 && (onl[0] == '0' || onl[0] == '1'))
		nic->online = onl[0] - '0';
	else
		nic->online = -1;
	if (!k.state)
		nic->bstate = -1;
	else if ((nic->bstate = ccd_parse_state(st, k.state_len)) < 0)
		nic->bstate = -2;
	ccd_nic_validate(nic, &k);

	/* The frontend state is the guest's: never follow the `frontend` key,
	 * read the canonical path. */
	snprintf(p, sizeof(p), "/local/domain/%u/device/%s/%u/%s", d,
		 CCD_NIC_TYPE, n, CCD_K_STATE);
	nic->fstate = read_state(h, p);
	check_front_claims(h, d, n);
}

/* Every NIC of domain d (its entry under the backend root). */
static void scan_dom_nics(struct xs_handle *h, struct ccd_snap *s, unsigned d)
{
	char p[128];
	char **ns;
	unsigned nn, j;
	unsigned long n;

	snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%u", d);
	ns = list(h, p, &nn);
	for (j = 0; j < nn; j++) {
		if (ccd_parse_uint(ns[j], strlen(ns[j]), 0xFFFF, &n)) {
			garbage(p, "bad devid entry", ns[j]);
			continue;
		}
		scan_nic(h, s, d, (unsigned)n);
	}
	free(ns);
}

static void scan_nics(struct xs_handle *h, struct ccd_snap *s)
{
	char p[128];
	char **ds;
	unsigned nd, i;
	unsigned long d;

	ds = list(h, CCD_BACKEND_ROOT, &nd);
	for (i = 0; i < nd; i++) {
		if (ccd_parse_uint(ds[i], strlen(ds[i]), CCD_DOMID_MAX, &d)) {
			snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%s", ds[i]);
			garbage(p, "bad domid entry", ds[i]);
			continue;
		}
		scan_dom_nics(h, s, (unsigned)d);
	}
	free(ds);
}

/* The half's `state` and `broken` (both the guest's): into hf. */
static void check_broken(struct xs_handle *h, const char *half,
			 struct ccd_half *hf)
{
	char p[160], buf[129], clean[100], key[300];
	int len;

	snprintf(p, sizeof(p), "%s/%s", half, CCD_K_STATE);
	hf->state = read_state(h, p);
	snprintf(p, sizeof(p), "%s/%s", half, CCD_K_BROKEN);
	len = ccd_xs_read(h, XBT_NULL, p, buf, sizeof(buf));
	if (len == -1)
		return;
	hf->broken = 1;
	if (len == -2)
		snprintf(buf, sizeof(buf), "(over-long reason)");
	ccd_sanitize(buf, strlen(buf), clean, sizeof(clean));
	snprintf(key, sizeof(key), "%s=%s", p, clean);
	ccd_glog(CCD_LOG_WARN, key, "link half %s reports broken: %s", half,
		     clean);
}

static void scan_halves(struct xs_handle *h, struct ccd_snap *s, unsigned d)
{
	char p[128], q[160];
	char **ls, **as, **ls2;
	unsigned nl, na, nl2, i, j, count = 0;
	unsigned long l, a;

	snprintf(p, sizeof(p), "/local/domain/%u/device/%s", d, CCD_LINK_TYPE);
	ls = list(h, p, &nl);
	for (i = 0; i < nl && count < HALVES_PER_DOM; i++) {
		struct ccd_half *hf;

		if (ccd_parse_uint(ls[i], strlen(ls[i]), CCD_LINK_ID_MAX, &l) ||
		    (l >> 8) <= d) {
			garbage(p, "unknown link entry", ls[i]);
			continue;
		}
		if (!(hf = ccd_snap_add_half(s)))
			break;
		hf->kind = CCD_HALF_FRONT;
		hf->a = d;
		hf->b = (unsigned)(l >> 8);
		hf->l = (unsigned)l;
		snprintf(q, sizeof(q), "%s/%lu", p, l);
		check_broken(h, q, hf);
		count++;
	}
	free(ls);

	snprintf(p, sizeof(p), "/local/domain/%u/backend/%s", d, CCD_LINK_TYPE);
	as = list(h, p, &na);
	for (i = 0; i < na && count < HALVES_PER_DOM; i++) {
		if (ccd_parse_uint(as[i], strlen(as[i]), CCD_DOMID_MAX, &a) ||
		    a >= d) {
			garbage(p, "unknown link entry", as[i]);
			continue;
		}
		snprintf(q, sizeof(q), "%s/%lu", p, a);
		ls2 = list(h, q, &nl2);
		for (j = 0; j < nl2 && count < HALVES_PER_DOM; j++) {
			struct ccd_half *hf;
			char r[192];

			if (ccd_parse_uint(ls2[j], strlen(ls2[j]),
					   CCD_LINK_ID_MAX, &l) ||
			    (l >> 8) != d) {
				garbage(q, "unknown link entry", ls2[j]);
				continue;
			}
			if (!(hf = ccd_snap_add_half(s)))
				break;
			hf->kind = CCD_HALF_BACK;
			hf->a = (unsigned)a;
			hf->b = d;
			hf->l = (unsigned)l;
			snprintf(r, sizeof(r), "%s/%lu", q, l);
			check_broken(h, r, hf);
			count++;
		}
		free(ls2);
	}
	free(as);
	if (count >= HALVES_PER_DOM)
		ccd_glog(CCD_LOG_WARN, p,
			     "domain %u: more than %u link halves, ignoring the rest",
			     d, HALVES_PER_DOM);
}

int ccd_scan(struct xs_handle *h, struct ccd_dom_ctx *dc, struct ccd_snap *s)
{
	char **ds;
	unsigned nd, i;
	unsigned long d;

	ds = xs_directory(h, XBT_NULL, "/local/domain", &nd);
	if (!ds) {
		ccd_log(CCD_LOG_ERR, "cannot list /local/domain: %s",
			strerror(errno));
		return -1;
	}
	for (i = 0; i < nd; i++) {
		struct ccd_dom *x;
		unsigned char uuid[16];
		int alive;

		if (ccd_parse_uint(ds[i], strlen(ds[i]), CCD_DOMID_MAX, &d))
			continue;
		alive = ccd_dom_info(dc, (unsigned)d, uuid);
		if (!(x = ccd_snap_add_dom(s, (unsigned)d, alive != 0))) {
			free(ds);
			return -1;
		}
		memcpy(x->uuid, uuid, sizeof(uuid));
	}
	scan_nics(h, s);
	for (i = 0; i < s->ndom; i++)
		if (s->doms[i].alive)
			scan_halves(h, s, s->doms[i].domid);
	/* Halves in dead domains are the toolstack's to remove. */
	free(ds);
	return 0;
}

/* ---- targeted re-reads (incremental passes) ------------------------------ */

static void drop_nics(struct ccd_snap *s, int all, unsigned d, int one,
		      unsigned n)
{
	size_t i, k;

	for (i = k = 0; i < s->nnic; i++) {
		const struct ccd_nic *x = &s->nics[i];

		if (all || (x->domid == d && (!one || x->devid == n)))
			continue;
		s->nics[k++] = *x;
	}
	s->nnic = k;
}

/* Drop the halves living in domain d (front halves of A = d, back halves
 * of B = d); with kind >= 0 only that one half (a, l). */
static void drop_halves(struct ccd_snap *s, unsigned d, int kind, unsigned a,
			unsigned l)
{
	size_t i, k;

	for (i = k = 0; i < s->nhalf; i++) {
		const struct ccd_half *hf = &s->halves[i];
		unsigned home = hf->kind == CCD_HALF_FRONT ? hf->a : hf->b;

		if (home == d && (kind < 0 ||
				  ((int)hf->kind == kind && hf->a == a &&
				   hf->l == l)))
			continue;
		s->halves[k++] = *hf;
	}
	s->nhalf = k;
}

static size_t halves_in(const struct ccd_snap *s, unsigned d)
{
	size_t i, c = 0;

	for (i = 0; i < s->nhalf; i++)
		c += (s->halves[i].kind == CCD_HALF_FRONT ? s->halves[i].a :
		      s->halves[i].b) == d;
	return c;
}

static int dir_exists(struct xs_handle *h, const char *path)
{
	char buf[8];

	return ccd_xs_read(h, XBT_NULL, path, buf, sizeof(buf)) != -1;
}

static void rescan_nic(struct xs_handle *h, struct ccd_snap *s, unsigned d,
		       unsigned n)
{
	char p[96];

	drop_nics(s, 0, d, 1, n);
	snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%u/%u", d, n);
	if (dir_exists(h, p))
		scan_nic(h, s, d, n);
}

/* One half, by the same rules as scan_halves(): a half in a dead domain,
 * or past the per-domain bound, is not in the snapshot. */
static void rescan_half(struct xs_handle *h, struct ccd_snap *s, int kind,
			unsigned a, unsigned b, unsigned l)
{
	unsigned home = kind == CCD_HALF_FRONT ? a : b;
	struct ccd_half *hf;
	char p[160];

	drop_halves(s, home, kind, a, l);
	if (l > CCD_LINK_ID_MAX || (l >> 8) != b || a >= b ||
	    !ccd_snap_alive(s, home) || halves_in(s, home) >= HALVES_PER_DOM)
		return;
	if (kind == CCD_HALF_FRONT)
		snprintf(p, sizeof(p), "/local/domain/%u/device/%s/%u", a,
			 CCD_LINK_TYPE, l);
	else
		snprintf(p, sizeof(p), "/local/domain/%u/backend/%s/%u/%u", b,
			 CCD_LINK_TYPE, a, l);
	if (!dir_exists(h, p) || !(hf = ccd_snap_add_half(s)))
		return;
	hf->kind = kind;
	hf->a = a;
	hf->b = b;
	hf->l = l;
	check_broken(h, p, hf);
}

/* The domain list and liveness again.  A domain that died loses its halves
 * from the snapshot (as a full scan skips them); one that is new or came
 * back has its halves read. */
static int rescan_doms(struct xs_handle *h, struct ccd_dom_ctx *dc,
		       struct ccd_snap *s)
{
	struct ccd_dom *old = NULL;
	size_t nold = s->ndom, i, j;
	char **ds;
	unsigned nd, k;
	unsigned long d;

	ds = xs_directory(h, XBT_NULL, "/local/domain", &nd);
	ccd_xs_reads++;
	if (!ds) {
		ccd_log(CCD_LOG_ERR, "cannot list /local/domain: %s",
			strerror(errno));
		return -1;
	}
	if (nold && !(old = malloc(nold * sizeof(*old)))) {
		free(ds);
		return -1;
	}
	if (nold)
		memcpy(old, s->doms, nold * sizeof(*old));
	s->ndom = 0;
	for (k = 0; k < nd; k++) {
		struct ccd_dom *x;
		unsigned char uuid[16];
		int alive;

		if (ccd_parse_uint(ds[k], strlen(ds[k]), CCD_DOMID_MAX, &d))
			continue;
		alive = ccd_dom_info(dc, (unsigned)d, uuid);
		if (!(x = ccd_snap_add_dom(s, (unsigned)d, alive != 0))) {
			free(ds);
			free(old);
			return -1;
		}
		memcpy(x->uuid, uuid, sizeof(uuid));
	}
	free(ds);
	for (i = 0; i < nold; i++)
		if (old[i].alive && !ccd_snap_alive(s, old[i].domid))
			drop_halves(s, old[i].domid, -1, 0, 0);
	for (i = 0; i < s->ndom; i++) {
		int was = 0;

		for (j = 0; j < nold; j++)
			if (old[j].domid == s->doms[i].domid)
				was = old[j].alive;
		if (s->doms[i].alive && !was) {
			drop_halves(s, s->doms[i].domid, -1, 0, 0);
			scan_halves(h, s, s->doms[i].domid);
		}
	}
	free(old);
	return 0;
}

int ccd_scan_targets(struct xs_handle *h, struct ccd_dom_ctx *dc,
		     struct ccd_snap *s, const struct ccd_dirty *dr)
{
	size_t i;

	if (dr->doms && rescan_doms(h, dc, s))
		return -1;
	for (i = 0; i < dr->n; i++) {
		const struct ccd_tgt *t = &dr->t[i];

		switch (t->kind) {
		case CCD_T_NIC:
			rescan_nic(h, s, t->d, t->x);
			break;
		case CCD_T_DOMNICS:
			drop_nics(s, 0, t->d, 0, 0);
			scan_dom_nics(h, s, t->d);
			break;
		case CCD_T_ALLNICS:
			drop_nics(s, 1, 0, 0, 0);
			scan_nics(h, s);
			break;
		case CCD_T_FRONT:
			rescan_half(h, s, CCD_HALF_FRONT, t->d, t->x >> 8,
				    t->x);
			break;
		case CCD_T_BACK:
			rescan_half(h, s, CCD_HALF_BACK, t->x, t->d, t->y);
			break;
		}
	}
	return 0;
}
