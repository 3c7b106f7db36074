// SPDX-License-Identifier: GPL-2.0 OR MIT
/* registry.c - the broker's decisions, as pure functions of a snapshot.
 *
 * Given everything xenstore holds (NIC backend dirs, frontend states, link
 * halves, which domains live), ccd_plan_build() lists the actions that bring
 * xenstore to the wanted shape.  Nothing here does I/O, so every rule is unit
 * tested in tests/test_registry.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "ccd.h"

/* ---- snapshot containers ------------------------------------------------ */

void ccd_snap_init(struct ccd_snap *s)
{
	memset(s, 0, sizeof(*s));
}

void ccd_snap_clear(struct ccd_snap *s)
{
	s->nnic = s->nhalf = s->ndom = 0;
}

void ccd_snap_free(struct ccd_snap *s)
{
	free(s->nics);
	free(s->halves);
	free(s->doms);
	ccd_snap_init(s);
}

static void *grow(void *arr, size_t *cap, size_t n, size_t elsz)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(arr, ncap * elsz);
	if (!p)
		return NULL;
	*cap = ncap;
	return p;
}

struct ccd_nic *ccd_snap_add_nic(struct ccd_snap *s)
{
	struct ccd_nic *p = grow(s->nics, &s->capnic, s->nnic, sizeof(*p));

	if (!p)
		return NULL;
	s->nics = p;
	p = &s->nics[s->nnic++];
	memset(p, 0, sizeof(*p));
	p->bstate = p->fstate = -1;
	p->online = 1;
	return p;
}

struct ccd_half *ccd_snap_add_half(struct ccd_snap *s)
{
	struct ccd_half *p = grow(s->halves, &s->caphalf, s->nhalf, sizeof(*p));

	if (!p)
		return NULL;
	s->halves = p;
	p = &s->halves[s->nhalf++];
	memset(p, 0, sizeof(*p));
	p->state = -1;
	return p;
}

struct ccd_dom *ccd_snap_add_dom(struct ccd_snap *s, unsigned domid, int alive)
{
	struct ccd_dom *p = grow(s->doms, &s->capdom, s->ndom, sizeof(*p));

	if (!p)
		return NULL;
	s->doms = p;
	p = &s->doms[s->ndom++];
	p->domid = domid;
	p->alive = alive;
	memset(p->uuid, 0, sizeof(p->uuid));
	return p;
}

static const struct ccd_dom *snap_dom(const struct ccd_snap *s, unsigned domid)
{
	size_t i;

	for (i = 0; i < s->ndom; i++)
		if (s->doms[i].domid == domid)
			return &s->doms[i];
	return NULL;
}

int ccd_snap_same_vm(const struct ccd_snap *s, unsigned a, unsigned b)
{
	static const unsigned char zero[16];
	const struct ccd_dom *x = snap_dom(s, a), *y = snap_dom(s, b);

	return a != b && x && y && memcmp(x->uuid, zero, 16) &&
	       !memcmp(x->uuid, y->uuid, 16);
}

int ccd_snap_alive(const struct ccd_snap *s, unsigned domid)
{
	size_t i;

	for (i = 0; i < s->ndom; i++)
		if (s->doms[i].domid == domid)
			return s->doms[i].alive == 1;
	return 0;
}

const struct ccd_nic *ccd_snap_find_nic(const struct ccd_snap *s,
					unsigned domid, unsigned devid)
{
	size_t i;

	for (i = 0; i < s->nnic; i++)
		if (s->nics[i].domid == domid && s->nics[i].devid == devid)
			return &s->nics[i];
	return NULL;
}

/* ---- NIC key validation ------------------------------------------------- */

static void invalid(struct ccd_nic *n, const char *what, const char *v,
		    size_t len)
{
	char clean[48];

	ccd_sanitize(v, len, clean, sizeof(clean));
	n->valid = 0;
	if (v)
		snprintf(n->why, sizeof(n->why), "bad %s '%s'", what, clean);
	else
		snprintf(n->why, sizeof(n->why), "missing %s", what);
}

void ccd_nic_validate(struct ccd_nic *n, const struct ccd_nic_keys *k)
{
	char want[96];
	unsigned long v;

	n->valid = 0;
	n->why[0] = '\0';
	n->mtu = CCD_MTU_DEFAULT;
	n->order = CCD_ORDER_DEFAULT;

	if (n->domid > CCD_DOMID_MAX) {
		snprintf(n->why, sizeof(n->why), "bad domid %u", n->domid);
		return;
	}
	if (n->devid > CCD_DEVID_MAX) {
		snprintf(n->why, sizeof(n->why), "devid %u out of range 0..%u",
			 n->devid, CCD_DEVID_MAX);
		return;
	}
	snprintf(want, sizeof(want), "/local/domain/%u/device/%s/%u",
		 n->domid, CCD_NIC_TYPE, n->devid);
	if (!k->frontend || k->frontend_len != strlen(want) ||
	    memcmp(k->frontend, want, k->frontend_len)) {
		invalid(n, CCD_K_FRONTEND, k->frontend, k->frontend_len);
		return;
	}
	if (!k->frontend_id ||
	    ccd_parse_uint(k->frontend_id, k->frontend_id_len, CCD_DOMID_MAX, &v) ||
	    v != n->domid) {
		invalid(n, CCD_K_FRONTEND_ID, k->frontend_id, k->frontend_id_len);
		return;
	}
	if (!k->mac || ccd_parse_mac(k->mac, k->mac_len, n->mac)) {
		invalid(n, CCD_K_MAC, k->mac, k->mac_len);
		return;
	}
	if (!ccd_mac_is_unicast(n->mac)) {
		invalid(n, "mac (not unicast)", k->mac, k->mac_len);
		return;
	}
	if (!k->network || !ccd_valid_network(k->network, k->network_len)) {
		invalid(n, CCD_K_NETWORK, k->network, k->network_len);
		return;
	}
	memcpy(n->network, k->network, k->network_len);
	n->network[k->network_len] = '\0';
	if (k->mtu) {
		if (ccd_parse_uint(k->mtu, k->mtu_len, CCD_MTU_MAX, &v) ||
		    !ccd_valid_mtu(v)) {
			invalid(n, CCD_K_MTU, k->mtu, k->mtu_len);
			return;
		}
		n->mtu = (unsigned)v;
	}
	if (k->order) {
		if (ccd_parse_uint(k->order, k->order_len, CCD_ORDER_MAX, &v) ||
		    !ccd_valid_order(v)) {
			invalid(n, CCD_K_ORDER, k->order, k->order_len);
			return;
		}
		n->order = (unsigned)v;
	}
	n->uplink = 0;
	if (k->uplink) {
		if (k->uplink_len != 1 ||
		    (k->uplink[0] != '0' && k->uplink[0] != '1')) {
			invalid(n, CCD_K_UPLINK, k->uplink, k->uplink_len);
			return;
		}
		n->uplink = k->uplink[0] == '1';
	}
	/* Only dom0 relays the outside world: an uplink elsewhere would let
	 * that guest send its peers frames with any source MAC. */
	if (n->uplink && n->domid != 0) {
		snprintf(n->why, sizeof(n->why),
			 "uplink on a NIC of domain %u (only domain 0 can be an uplink)",
			 n->domid);
		return;
	}
	if (n->online < 0) {
		invalid(n, CCD_K_ONLINE, k->online, k->online_len);
		return;
	}
	if (n->bstate == -2) {
		invalid(n, "backend state", k->state, k->state_len);
		return;
	}
	n->valid = 1;
}

int ccd_nic_is_closing(const struct ccd_nic *n)
{
	return n->online == 0 || n->bstate == CCD_XS_CLOSING;
}

/* ---- plan ---------------------------------------------------------------- */

void ccd_plan_init(struct ccd_plan *p)
{
	memset(p, 0, sizeof(*p));
}

void ccd_plan_free(struct ccd_plan *p)
{
	free(p->acts);
	ccd_plan_init(p);
}

static struct ccd_act *plan_add(struct ccd_plan *p, enum ccd_act_kind kind)
{
	struct ccd_act *a = grow(p->acts, &p->capact, p->nact, sizeof(*a));

	if (!a)
		return NULL;
	p->acts = a;
	a = &p->acts[p->nact++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	return a;
}

/* Refuse NIC n: one CCD_ACT_NIC_ERROR action with the reason. */
static struct ccd_act *plan_nic_error(struct ccd_plan *p,
				      const struct ccd_nic *n,
				      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct ccd_act *plan_nic_error(struct ccd_plan *p,
				      const struct ccd_nic *n,
				      const char *fmt, ...)
{
	struct ccd_act *a = plan_add(p, CCD_ACT_NIC_ERROR);
	va_list ap;

	if (!a)
		return NULL;
	a->domid = n->domid;
	a->devid = n->devid;
	a->from = n->bstate;
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
	return a;
}

static void deadline(struct ccd_plan *p, long long t)
{
	if (!p->deadline_ms || t < p->deadline_ms)
		p->deadline_ms = t;
}

enum nic_cls { C_GONE, C_CLOSING, C_ERROR, C_WAIT, C_CONN, C_UNREADY };

struct want_link {
	size_t ia, ib;          /* indexes of NIC a (in A) and NIC b (in B) */
	unsigned a, b, l;
	int exists;
};

struct have_link {
	unsigned a, b, l;
	int front, back;
	int failed, broken;     /* a half Closing/Closed, or `broken` */
	int up;                 /* halves Connected */
	char why[64];
};

static int cmp_al(unsigned a1, unsigned l1, unsigned a2, unsigned l2)
{
	if (a1 != a2)
		return a1 < a2 ? -1 : 1;
	return l1 < l2 ? -1 : l1 > l2;
}

static int cmp_have(const void *x, const void *y)
{
	const struct have_link *p = x, *q = y;

	return cmp_al(p->a, p->l, q->a, q->l);
}

static int cmp_want(const void *x, const void *y)
{
	const struct want_link *p = x, *q = y;

	return cmp_al(p->a, p->l, q->a, q->l);
}

/* Ordering for the MAC-uniqueness rule: an already accepted NIC (InitWait
 * or Connected) keeps its MAC; otherwise the lowest (domid, devid) wins. */
static int nic_rank_less(const struct ccd_nic *x, const struct ccd_nic *y)
{
	int ax = x->bstate == CCD_XS_INITWAIT || x->bstate == CCD_XS_CONNECTED;
	int ay = y->bstate == CCD_XS_INITWAIT || y->bstate == CCD_XS_CONNECTED;

	if (ax != ay)
		return ax;
	if (x->domid != y->domid)
		return x->domid < y->domid;
	return x->devid < y->devid;
}

/* A half that says the link is over: `broken` (a ring error), or Closing/
 * Closed (a failed probe, a refused link, a teardown).  Such a link never
 * comes back by itself (docs/protocol.md): it must be re-created. */
static void half_failed(const struct ccd_half *hf, struct have_link *h)
{
	const char *side = hf->kind == CCD_HALF_FRONT ? "front" : "back";

	h->failed = h->broken = 0;
	h->why[0] = '\0';
	if (hf->broken) {
		h->failed = h->broken = 1;
		snprintf(h->why, sizeof(h->why), "%s half (domain %u) broken",
			 side, hf->kind == CCD_HALF_FRONT ? hf->a : hf->b);
	} else if (hf->state == CCD_XS_CLOSING || hf->state == CCD_XS_CLOSED) {
		h->failed = 1;
		snprintf(h->why, sizeof(h->why), "%s half (domain %u) %s", side,
			 hf->kind == CCD_HALF_FRONT ? hf->a : hf->b,
			 ccd_state_name(hf->state));
	}
}

static void link_gone_reason(const struct ccd_snap *s, const enum nic_cls *cls,
			     const struct have_link *h, char *out, size_t outsz)
{
	unsigned b, na, nb;
	const struct ccd_nic *x, *y;

	ccd_link_decode(h->l, &b, &na, &nb);
	if (!ccd_snap_alive(s, h->a)) {
		snprintf(out, outsz, "domain %u gone", h->a);
		return;
	}
	if (!ccd_snap_alive(s, h->b)) {
		snprintf(out, outsz, "domain %u gone", h->b);
		return;
	}
	x = ccd_snap_find_nic(s, h->a, na);
	y = ccd_snap_find_nic(s, h->b, nb);
	if (!x || !y) {
		snprintf(out, outsz, "nic %u/%u no longer exists",
			 x ? h->b : h->a, x ? nb : na);
		return;
	}
	if (cls[x - s->nics] == C_CLOSING || cls[y - s->nics] == C_CLOSING) {
		snprintf(out, outsz, "nic %u/%u detached",
			 cls[x - s->nics] == C_CLOSING ? h->a : h->b,
			 cls[x - s->nics] == C_CLOSING ? na : nb);
		return;
	}
	if (cls[x - s->nics] != C_CONN || cls[y - s->nics] != C_CONN) {
		snprintf(out, outsz, "nic %u/%u not connected",
			 cls[x - s->nics] != C_CONN ? h->a : h->b,
			 cls[x - s->nics] != C_CONN ? na : nb);
		return;
	}
	if (strcmp(x->network, y->network)) {
		snprintf(out, outsz, "nics on different networks");
		return;
	}
	snprintf(out, outsz, "not wanted");
}

/* A link that goes because one of its NICs left Connected (a flap) counts
 * against the pair as well as the NIC, except on that NIC's first flap of
 * a streak (free: an honest driver reload).  Otherwise a flapper whose
 * half deletions the daemon sometimes sees before its state flip and
 * sometimes in the same pass has each loss charged to one schedule or the
 * other, and both clocks run at once: the pair's links then come back
 * about twice as often as either schedule allows (docs/reliability.md). */
static int flap_charges_pair(const struct ccd_snap *s, const enum nic_cls *cls,
			     const struct ccd_opts *o, const struct have_link *h)
{
	unsigned b, na, nb, k;
	const struct ccd_nic *x, *y, *f;
	size_t ix, iy;

	ccd_link_decode(h->l, &b, &na, &nb);
	x = ccd_snap_find_nic(s, h->a, na);
	y = ccd_snap_find_nic(s, h->b, nb);
	if (!o->backoff || !x || !y || strcmp(x->network, y->network))
		return 0;
	ix = (size_t)(x - s->nics);
	iy = (size_t)(y - s->nics);
	if ((cls[ix] != C_WAIT && cls[ix] != C_CONN) ||
	    (cls[iy] != C_WAIT && cls[iy] != C_CONN) ||
	    (cls[ix] == C_CONN && cls[iy] == C_CONN))
		return 0;
	f = cls[ix] == C_WAIT ? x : y;
	/* flaps of f in this streak, this one included (noted after apply) */
	k = ccd_backoff_streak(o->backoff, CCD_BO_NIC, f->domid, f->devid) +
	    (f->bstate == CCD_XS_CONNECTED);
	return k > 1;
}

int ccd_plan_build(const struct ccd_snap *s, const struct ccd_opts *o,
		   struct ccd_plan *p)
{
	enum nic_cls *cls = NULL;
	struct want_link *want = NULL;
	struct have_link *have = NULL;
	size_t nwant = 0, capwant = 0, nhave = 0, i, j, k;
	struct ccd_act *a;
	char macs[18];
	int rc = -1;

	if (s->nnic) {
		cls = calloc(s->nnic, sizeof(*cls));
		if (!cls)
			goto out;
	}
	if (s->nhalf) {
		have = calloc(s->nhalf, sizeof(*have));
		if (!have)
			goto out;
	}

	/* 1. classify NICs; state and error actions first. */
	for (i = 0; i < s->nnic; i++) {
		const struct ccd_nic *n = &s->nics[i];

		if (!ccd_snap_alive(s, n->domid)) {
			cls[i] = C_GONE;
			continue;
		}
		if (ccd_nic_is_closing(n)) {
			cls[i] = C_CLOSING;
			if (n->bstate != CCD_XS_CLOSING) {
				if (!(a = plan_add(p, CCD_ACT_NIC_STATE)))
					goto out;
				a->domid = n->domid;
				a->devid = n->devid;
				a->from = n->bstate;
				a->to = CCD_XS_CLOSING;
				snprintf(a->reason, sizeof(a->reason),
					 "detach requested");
			}
			continue;
		}
		if (n->bstate == CCD_XS_CLOSED) {
			cls[i] = C_ERROR;
			continue;
		}
		/* No backend `state` yet: a writer that does not use one
		 * transaction is still filling the dir.  Wait for it. */
		if (n->bstate == -1) {
			cls[i] = C_UNREADY;
			continue;
		}
		if (!n->valid) {
			cls[i] = C_ERROR;
			if (!plan_nic_error(p, n, "%s", n->why))
				goto out;
			continue;
		}
		cls[i] = C_WAIT;
	}

	/* 2. MAC uniqueness per network among the accepted candidates. */
	for (i = 0; i < s->nnic; i++) {
		const struct ccd_nic *n = &s->nics[i], *w = NULL;

		if (cls[i] != C_WAIT)
			continue;
		for (j = 0; j < s->nnic; j++) {
			const struct ccd_nic *m = &s->nics[j];

			if (j == i || (cls[j] != C_WAIT && cls[j] != C_CONN))
				continue;
			if (memcmp(m->mac, n->mac, 6) ||
			    strcmp(m->network, n->network))
				continue;
			/* The same VM twice (xl migrate on this host, or a
			 * restore while the saved domain still dies): the
			 * receiver's NIC is attached before it runs, while the
			 * sender's still exists, and the sender's goes with it. */
			if (ccd_snap_same_vm(s, m->domid, n->domid))
				continue;
			if (nic_rank_less(m, n) && (!w || nic_rank_less(m, w)))
				w = m;
		}
		if (!w)
			continue;
		/* n loses; it stays counted as a candidate for the others'
		 * comparisons only through w, which ranks better. */
		cls[i] = C_ERROR;
		ccd_mac_format(n->mac, macs);
		if (!plan_nic_error(p, n,
				    "duplicate mac %s on network %s (nic %u/%u has it)",
				    macs, n->network, w->domid, w->devid))
			goto out;
	}

	/* 2b. per-network policy (colorcomd.conf network.NAME.max-peers): the
	 * best-ranked max NICs of a network stay, later ones are refused.  A
	 * NIC ranked behind another refused one is refused as well, so the
	 * order of this loop does not matter. */
	for (i = 0; o->conf && i < s->nnic; i++) {
		const struct ccd_nic *n = &s->nics[i];
		unsigned max, better = 0;

		if (cls[i] != C_WAIT)
			continue;
		max = ccd_conf_max_peers(o->conf, n->network);
		if (!max)
			continue;
		for (j = 0; j < s->nnic; j++) {
			const struct ccd_nic *m = &s->nics[j];

			if (j != i && (cls[j] == C_WAIT || cls[j] == C_CONN) &&
			    !strcmp(m->network, n->network) &&
			    nic_rank_less(m, n))
				better++;
		}
		if (better < max)
			continue;
		cls[i] = C_ERROR;
		if (!plan_nic_error(p, n, "network %s is full (max-peers %u)",
				    n->network, max))
			goto out;
	}

	/* 2b'. colorcomd.conf network.NAME.mtu: one MTU per network, so no
	 * NIC may be attached with another (its frames would be dropped as
	 * too big by peers, or it would drop theirs).  At attach only: a NIC
	 * already accepted (InitWait, Connected) keeps running after a reload
	 * that changed the key. */
	for (i = 0; o->conf && i < s->nnic; i++) {
		const struct ccd_nic *n = &s->nics[i];
		unsigned mtu;

		if (cls[i] != C_WAIT || n->bstate == CCD_XS_INITWAIT ||
		    n->bstate == CCD_XS_CONNECTED)
			continue;
		mtu = ccd_conf_mtu(o->conf, n->network);
		if (!mtu || n->mtu == mtu)
			continue;
		cls[i] = C_ERROR;
		if (!plan_nic_error(p, n, "mtu %u is not network %s's mtu %u",
				    n->mtu, n->network, mtu))
			goto out;
	}

	/* 2c. one uplink per network: the best-ranked keeps it (a guest's
	 * unknown unicast needs one place to go). */
	for (i = 0; i < s->nnic; i++) {
		const struct ccd_nic *n = &s->nics[i], *w = NULL;

		if (cls[i] != C_WAIT || !n->uplink)
			continue;
		for (j = 0; j < s->nnic; j++) {
			const struct ccd_nic *m = &s->nics[j];

			if (j == i || !m->uplink ||
			    (cls[j] != C_WAIT && cls[j] != C_CONN) ||
			    strcmp(m->network, n->network))
				continue;
			if (nic_rank_less(m, n) && (!w || nic_rank_less(m, w)))
				w = m;
		}
		if (!w)
			continue;
		cls[i] = C_ERROR;
		if (!plan_nic_error(p, n,
				    "network %s already has an uplink (nic %u/%u)",
				    n->network, w->domid, w->devid))
			goto out;
	}

	/* 2d. colorcomd.conf network.NAME.uplink.  on: dom0 has an uplink NIC
	 * there; one in any state counts (a refused or closing one is not
	 * replaced behind the admin's back, a removed one is).  off: ask every
	 * live one to detach (rule 2 then removes it). */
	for (k = 0; o->conf && k < o->conf->nnet; k++) {
		const struct ccd_conf_net *cn = &o->conf->nets[k];
		int found = 0;

		if (cn->uplink == CCD_UPLINK_UNSET || !ccd_snap_alive(s, 0))
			continue;
		for (i = 0; i < s->nnic; i++) {
			const struct ccd_nic *n = &s->nics[i];

			if (n->domid != 0 || !n->uplink ||
			    strcmp(n->network, cn->name))
				continue;
			found = 1;
			if (cn->uplink == CCD_UPLINK_ON || cls[i] == C_CLOSING)
				continue;
			if (!(a = plan_add(p, CCD_ACT_UPLINK_DETACH)))
				goto out;
			a->domid = 0;
			a->devid = n->devid;
			snprintf(a->network, sizeof(a->network), "%s", cn->name);
			snprintf(a->reason, sizeof(a->reason),
				 "colorcomd.conf: network.%s.uplink = off",
				 cn->name);
		}
		if (found || cn->uplink != CCD_UPLINK_ON)
			continue;
		if (!(a = plan_add(p, CCD_ACT_UPLINK_ATTACH)))
			goto out;
		a->domid = 0;
		a->conf = o->conf;
		snprintf(a->network, sizeof(a->network), "%s", cn->name);
		snprintf(a->reason, sizeof(a->reason),
			 "colorcomd.conf: network.%s.uplink = on", cn->name);
	}

	/* 3. state machine of the surviving candidates. */
	for (i = 0; i < s->nnic; i++) {
		const struct ccd_nic *n = &s->nics[i];
		int to = -1;

		if (cls[i] != C_WAIT)
			continue;
		if (n->bstate == CCD_XS_CONNECTED) {
			if (n->fstate == CCD_XS_CONNECTED)
				cls[i] = C_CONN;
			else
				to = CCD_XS_INITWAIT;
		} else if (n->bstate == CCD_XS_INITWAIT) {
			/* A NIC that flapped waits out its back-off in
			 * InitWait: no links, so no grants asked of peers. */
			long long until = ccd_backoff_until(o->backoff,
							    CCD_BO_NIC, n->domid,
							    n->devid, s->now_ms);

			if (n->fstate == CCD_XS_CONNECTED && until) {
				deadline(p, until);
			} else if (n->fstate == CCD_XS_CONNECTED) {
				to = CCD_XS_CONNECTED;
				cls[i] = C_CONN;
			}
		} else {        /* 1, 3, 7, 8 */
			to = CCD_XS_INITWAIT;
		}
		if (to < 0)
			continue;
		if (!(a = plan_add(p, CCD_ACT_NIC_STATE)))
			goto out;
		a->domid = n->domid;
		a->devid = n->devid;
		a->from = n->bstate;
		a->to = to;
		if (n->bstate == CCD_XS_CONNECTED)      /* a flap */
			a->bo_kind = CCD_BO_NIC;
		ccd_mac_format(n->mac, macs);
		if (to == CCD_XS_CONNECTED)
			snprintf(a->reason, sizeof(a->reason),
				 "frontend connected");
		else if (n->bstate == CCD_XS_CONNECTED)
			snprintf(a->reason, sizeof(a->reason),
				 "frontend left Connected: %s",
				 n->fstate == -1 ? "absent" : n->fstate < 0 ?
				 "garbage state" : ccd_state_name(n->fstate));
		else
			snprintf(a->reason, sizeof(a->reason),
				 "validated: %s %s mtu %u order %u",
				 n->network, macs, n->mtu, n->order);
	}

	/* 4. links that should exist: Connected pairs, same network,
	 *    different domains. */
	for (i = 0; i < s->nnic; i++) {
		if (cls[i] != C_CONN)
			continue;
		for (j = i + 1; j < s->nnic; j++) {
			const struct ccd_nic *x = &s->nics[i], *y = &s->nics[j];
			struct want_link *w;

			if (cls[j] != C_CONN || x->domid == y->domid ||
			    strcmp(x->network, y->network))
				continue;
			w = grow(want, &capwant, nwant, sizeof(*w));
			if (!w)
				goto out;
			want = w;
			w = &want[nwant++];
			memset(w, 0, sizeof(*w));
			if (x->domid < y->domid) {
				w->ia = i;
				w->ib = j;
			} else {
				w->ia = j;
				w->ib = i;
			}
			w->a = s->nics[w->ia].domid;
			w->b = s->nics[w->ib].domid;
			w->l = ccd_link_id(w->b, s->nics[w->ia].devid,
					   s->nics[w->ib].devid);
		}
	}

	/* 5. group existing halves per link (a, l): sort, then merge runs.
	 *    (Sorted, so that thousands of halves a guest may fake cost
	 *    n log n, not n^2.) */
	for (i = 0; i < s->nhalf; i++) {
		have[i].a = s->halves[i].a;
		have[i].b = s->halves[i].b;
		have[i].l = s->halves[i].l;
		have[i].front = s->halves[i].kind == CCD_HALF_FRONT;
		have[i].back = s->halves[i].kind == CCD_HALF_BACK;
		half_failed(&s->halves[i], &have[i]);
		have[i].up = s->halves[i].state == CCD_XS_CONNECTED;
	}
	if (s->nhalf)
		qsort(have, s->nhalf, sizeof(*have), cmp_have);
	for (i = 0; i < s->nhalf; i++) {
		if (nhave && have[nhave - 1].a == have[i].a &&
		    have[nhave - 1].l == have[i].l) {
			struct have_link *m = &have[nhave - 1];

			m->front |= have[i].front;
			m->back |= have[i].back;
			m->up += have[i].up;
			if (have[i].failed && (!m->failed || have[i].broken)) {
				m->broken |= have[i].broken;
				memcpy(m->why, have[i].why, sizeof(m->why));
			}
			m->failed |= have[i].failed;
			continue;
		}
		have[nhave++] = have[i];
	}
	if (nwant)
		qsort(want, nwant, sizeof(*want), cmp_want);

	/* 6. existing links: keep the wanted complete ones, remove the rest.
	 *    A half living in a dead domain is left to the toolstack, which
	 *    removes that domain's whole tree. */
	for (k = 0; k < nhave; k++) {
		struct have_link *h = &have[k];
		struct want_link *w = NULL;
		int rmf, rmb;

		if (nwant) {
			struct want_link key;

			key.a = h->a;
			key.l = h->l;
			w = bsearch(&key, want, nwant, sizeof(*want), cmp_want);
		}
		if (w)
			w->exists = 1;
		/* A link that never reaches Connected (a peer that keeps its
		 * half Initialising, a probe stuck in the middle) fails too,
		 * once it has been waiting as long as a broken one is kept.
		 * The wait starts when a pass first sees it not Connected. */
		if (w && h->front && h->back && !h->failed && h->up < 2 &&
		    o->backoff && o->broken_hold_ms) {
			long long until = ccd_backoff_hold(o->backoff, h->a,
							   h->l, s->now_ms,
							   o->broken_hold_ms);

			if (until) {
				deadline(p, until);
				continue;
			}
			h->failed = 1;
			snprintf(h->why, sizeof(h->why),
				 "not Connected after %lld s",
				 o->broken_hold_ms / 1000);
		}
		if (w && h->front && h->back && !h->failed) {
			/* Connected: a later failure gets its own hold. */
			ccd_backoff_forget(o->backoff, CCD_BO_HOLD, h->a, h->l);
			continue;
		}
		/* A failed link is kept a while (its `broken` reason stays
		 * readable), then removed and re-created after a back-off. */
		if (w && h->front && h->back) {
			long long until = 0;

			if (h->broken && o->broken_hold_ms && o->backoff)
				until = ccd_backoff_hold(o->backoff, h->a, h->l,
							 s->now_ms,
							 o->broken_hold_ms);
			if (until) {
				deadline(p, until);
				continue;
			}
		}
		rmf = h->front && ccd_snap_alive(s, h->a);
		rmb = h->back && ccd_snap_alive(s, h->b);
		if (!rmf && !rmb)
			continue;
		if (!(a = plan_add(p, CCD_ACT_LINK_REMOVE)))
			goto out;
		a->a = h->a;
		a->b = h->b;
		a->l = h->l;
		ccd_link_decode(h->l, &a->b, &a->na, &a->nb);
		a->have_front = rmf;
		a->have_back = rmb;
		if (w && h->failed) {
			a->bo_kind = CCD_BO_PAIR;
			snprintf(a->reason, sizeof(a->reason),
				 "%s; will recreate", h->why);
		} else if (w) {
			a->bo_kind = CCD_BO_PAIR;
			snprintf(a->reason, sizeof(a->reason),
				 "only the %s half exists; will recreate",
				 h->front ? "front" : "back");
		} else {
			link_gone_reason(s, cls, h, a->reason, sizeof(a->reason));
			if (flap_charges_pair(s, cls, o, h))
				a->bo_kind = CCD_BO_PAIR;
		}
	}

	/* 7. NIC dirs to remove: detached ones whose frontend is done (or timed
	 *    out), and those of dead domains. */
	for (i = 0; i < s->nnic; i++) {
		const struct ccd_nic *n = &s->nics[i];
		const char *why = NULL;
		char buf[80];

		if (cls[i] == C_GONE) {
			snprintf(buf, sizeof(buf), "domain %u gone", n->domid);
			why = buf;
		} else if (cls[i] == C_CLOSING) {
			int f = n->fstate;
			long long since = n->closing_since_ms ?
					  n->closing_since_ms : s->now_ms;

			if (f < 0 || f == CCD_XS_UNKNOWN ||
			    f == CCD_XS_INITIALISING || f == CCD_XS_CLOSED) {
				snprintf(buf, sizeof(buf), "frontend %s",
					 f < 0 ? "absent" : ccd_state_name(f));
				why = buf;
			} else if (s->now_ms - since >= o->detach_timeout_ms) {
				snprintf(buf, sizeof(buf),
					 "frontend still %s after %lld ms",
					 ccd_state_name(f), o->detach_timeout_ms);
				why = buf;
			} else {
				deadline(p, since + o->detach_timeout_ms);
			}
		}
		if (!why)
			continue;
		if (!(a = plan_add(p, CCD_ACT_NIC_REMOVE)))
			goto out;
		a->domid = n->domid;
		a->devid = n->devid;
		a->rm_front = cls[i] != C_GONE;
		snprintf(a->reason, sizeof(a->reason), "%s", why);
	}

	/* 8. missing links. */
	for (i = 0; i < nwant; i++) {
		const struct want_link *w = &want[i];
		long long until;

		if (w->exists)
			continue;
		until = ccd_backoff_until(o->backoff, CCD_BO_PAIR, w->a, w->l,
					  s->now_ms);
		if (until) {
			deadline(p, until);
			continue;
		}
		if (!(a = plan_add(p, CCD_ACT_LINK_CREATE)))
			goto out;
		a->a = w->a;
		a->b = w->b;
		a->l = w->l;
		a->nic_a = &s->nics[w->ia];
		a->nic_b = &s->nics[w->ib];
		a->na = a->nic_a->devid;
		a->nb = a->nic_b->devid;
		a->recreated = ccd_backoff_total(o->backoff, CCD_BO_PAIR, w->a,
						 w->l);
		snprintf(a->reason, sizeof(a->reason), "%s", a->nic_a->network);
	}
	rc = 0;
out:
	free(cls);
	free(want);
	free(have);
	return rc;
}

/* ---- closing timers ------------------------------------------------------ */

struct ccd_timer {
	unsigned domid, devid;
	long long since;
};

struct ccd_timers {
	struct ccd_timer *t;
	size_t n, cap;
};

struct ccd_timers *ccd_timers_new(void)
{
	return calloc(1, sizeof(struct ccd_timers));
}

void ccd_timers_free(struct ccd_timers *t)
{
	if (!t)
		return;
	free(t->t);
	free(t);
}

void ccd_timers_update(struct ccd_timers *t, struct ccd_snap *s)
{
	struct ccd_timer *nt = NULL;
	size_t nn = 0, i, j;

	if (s->nnic)
		nt = calloc(s->nnic, sizeof(*nt));
	for (i = 0; i < s->nnic; i++) {
		struct ccd_nic *n = &s->nics[i];
		long long since = s->now_ms;

		if (!ccd_nic_is_closing(n))
			continue;
		for (j = 0; j < t->n; j++)
			if (t->t[j].domid == n->domid && t->t[j].devid == n->devid)
				since = t->t[j].since;
		n->closing_since_ms = since;
		if (nt) {
			nt[nn].domid = n->domid;
			nt[nn].devid = n->devid;
			nt[nn].since = since;
			nn++;
		}
	}
	free(t->t);
	t->t = nt;
	t->n = nn;
	t->cap = nn;
}
