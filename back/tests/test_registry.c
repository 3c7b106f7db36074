// SPDX-License-Identifier: GPL-2.0 OR MIT
/* test_registry.c - pure logic: NIC validation and the reconcile plan. */
#define TST_PREFIX "back.registry."
#include <stdlib.h>

#include "ccd.h"
#include "tst.h"

static void quiet(int prio, const char *msg)
{
	(void)prio;
	(void)msg;
}

static const struct ccd_opts OPTS = { .detach_timeout_ms = 10000,
				      .relink_delay_ms = 1000 };

/* ---- NIC validation ------------------------------------------------------ */

struct keys {
	struct ccd_nic_keys k;
	char fe[96];
};

static void good_keys(struct keys *w, unsigned d, unsigned n, const char *mac,
		      const char *net)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->fe, sizeof(w->fe), "/local/domain/%u/device/colorcom/%u", d,
		 n);
	w->k.frontend = w->fe;
	w->k.frontend_len = strlen(w->fe);
	w->k.frontend_id = d == 1 ? "1" : d == 2 ? "2" : d == 3 ? "3" : "7";
	w->k.frontend_id_len = 1;
	w->k.mac = mac;
	w->k.mac_len = strlen(mac);
	w->k.network = net;
	w->k.network_len = strlen(net);
}

static int t_validate_good(void)
{
	struct ccd_nic n = { .domid = 1, .devid = 3, .online = 1, .bstate = 1 };
	struct keys w;

	good_keys(&w, 1, 3, "00:16:3E:00:00:01", "blue");
	ccd_nic_validate(&n, &w.k);
	CHECK(n.valid);
	CHECK_STR(n.network, "blue");
	CHECK_INT(n.mtu, 1500);
	CHECK_INT(n.order, 6);
	CHECK_INT(n.mac[5], 1);
	w.k.mtu = "9000";
	w.k.mtu_len = 4;
	w.k.order = "9";
	w.k.order_len = 1;
	ccd_nic_validate(&n, &w.k);
	CHECK(n.valid);
	CHECK_INT(n.mtu, 9000);
	CHECK_INT(n.order, 9);
	return 0;
}

static int t_validate_bad(void)
{
	struct ccd_nic n = { .domid = 1, .devid = 3, .online = 1, .bstate = 1 };
	struct keys w;

	good_keys(&w, 1, 2, "00:16:3e:00:00:01", "blue");   /* wrong devid */
	ccd_nic_validate(&n, &w.k);
	CHECK(!n.valid);
	CHECK(strstr(n.why, "frontend"));

	good_keys(&w, 1, 3, "00:16:3e:00:00:01", "blue");
	w.k.frontend_id = "2";
	ccd_nic_validate(&n, &w.k);
	CHECK(!n.valid && strstr(n.why, "frontend-id"));

	good_keys(&w, 1, 3, "01:16:3e:00:00:01", "blue");
	ccd_nic_validate(&n, &w.k);
	CHECK(!n.valid && strstr(n.why, "unicast"));

	good_keys(&w, 1, 3, "00:16:3e:00:00:01", "Blue");
	ccd_nic_validate(&n, &w.k);
	CHECK(!n.valid && strstr(n.why, "network"));

	good_keys(&w, 1, 3, "00:16:3e:00:00:01", "blue");
	w.k.mtu = "67";
	w.k.mtu_len = 2;
	ccd_nic_validate(&n, &w.k);
	CHECK_STR(n.why, "bad mtu '67'");

	good_keys(&w, 1, 3, "00:16:3e:00:00:01", "blue");
	w.k.order = "10";
	w.k.order_len = 2;
	ccd_nic_validate(&n, &w.k);
	CHECK_STR(n.why, "bad ring-page-order '10'");

	good_keys(&w, 1, 3, "00:16:3e:00:00:01", "blue");
	w.k.mac = NULL;
	ccd_nic_validate(&n, &w.k);
	CHECK_STR(n.why, "missing mac");

	good_keys(&w, 1, 3, "00:16:3e:00:00:01", "blue");
	n.online = -1;
	w.k.online = "yes";
	w.k.online_len = 3;
	ccd_nic_validate(&n, &w.k);
	CHECK_STR(n.why, "bad online 'yes'");
	n.online = 1;

	n.devid = 16;
	ccd_nic_validate(&n, &w.k);
	CHECK(!n.valid && strstr(n.why, "out of range"));
	return 0;
}

/* ---- plan ------------------------------------------------------------------ */

static struct ccd_nic *nic(struct ccd_snap *s, unsigned d, unsigned n,
			   const char *net, unsigned macl, int bst, int fst)
{
	struct ccd_nic *x = ccd_snap_add_nic(s);

	x->domid = d;
	x->devid = n;
	x->bstate = bst;
	x->fstate = fst;
	x->online = 1;
	x->valid = 1;
	snprintf(x->network, sizeof(x->network), "%s", net);
	x->mac[0] = 0x00;
	x->mac[1] = 0x16;
	x->mac[2] = 0x3e;
	x->mac[5] = (uint8_t)macl;
	x->mtu = 1500;
	x->order = 6;
	return x;
}

static void half(struct ccd_snap *s, enum ccd_half_kind k, unsigned a,
		 unsigned l)
{
	struct ccd_half *h = ccd_snap_add_half(s);

	h->kind = k;
	h->a = a;
	h->b = l >> 8;
	h->l = l;
}

static size_t count(const struct ccd_plan *p, enum ccd_act_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < p->nact; i++)
		n += p->acts[i].kind == k;
	return n;
}

static const struct ccd_act *find(const struct ccd_plan *p,
				  enum ccd_act_kind k, unsigned d, unsigned n)
{
	size_t i;

	for (i = 0; i < p->nact; i++)
		if (p->acts[i].kind == k && p->acts[i].domid == d &&
		    p->acts[i].devid == n)
			return &p->acts[i];
	return NULL;
}

static void doms(struct ccd_snap *s, int n)
{
	int i;

	for (i = 0; i <= n; i++)
		ccd_snap_add_dom(s, (unsigned)i, 1);
}

#define PLAN(s, p) do {                                                    \
		ccd_plan_init(&p);                                         \
		CHECK(ccd_plan_build(&s, &OPTS, &p) == 0);                 \
	} while (0)
#define DONE(s, p) do { ccd_plan_free(&p); ccd_snap_free(&s); } while (0)

static int t_plan_empty(void)
{
	struct ccd_snap s;
	struct ccd_plan p;

	ccd_snap_init(&s);
	PLAN(s, p);
	CHECK_INT(p.nact, 0);
	CHECK_INT(p.deadline_ms, 0);
	DONE(s, p);
	return 0;
}

static int t_plan_validate_to_initwait(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	const struct ccd_act *a;

	ccd_snap_init(&s);
	doms(&s, 3);
	nic(&s, 1, 0, "blue", 1, 1, 1);
	nic(&s, 2, 0, "blue", 2, -1, -1);    /* no state key yet: wait */
	nic(&s, 3, 0, "blue", 3, 3, -1);     /* odd states: back to 2 */
	PLAN(s, p);
	CHECK_INT(p.nact, 2);
	a = find(&p, CCD_ACT_NIC_STATE, 1, 0);
	CHECK(a && a->from == 1 && a->to == 2);
	CHECK(!find(&p, CCD_ACT_NIC_STATE, 2, 0));
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 2, 0));
	a = find(&p, CCD_ACT_NIC_STATE, 3, 0);
	CHECK(a && a->from == 3 && a->to == 2);
	DONE(s, p);
	return 0;
}

static int t_plan_connect_and_link(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	const struct ccd_act *a;

	ccd_snap_init(&s);
	doms(&s, 2);
	nic(&s, 2, 1, "blue", 2, 2, 4);   /* listed first: order must not matter */
	nic(&s, 1, 0, "blue", 1, 4, 4);
	PLAN(s, p);
	CHECK_INT(p.nact, 2);
	a = find(&p, CCD_ACT_NIC_STATE, 2, 1);
	CHECK(a && a->from == 2 && a->to == 4);
	CHECK(p.acts[1].kind == CCD_ACT_LINK_CREATE);  /* after the state */
	a = &p.acts[1];
	CHECK_INT(a->a, 1);
	CHECK_INT(a->b, 2);
	CHECK_INT(a->l, 0x201);
	CHECK(a->nic_a->domid == 1 && a->nic_b->domid == 2);
	CHECK_STR(a->reason, "blue");
	DONE(s, p);
	return 0;
}

static int t_plan_no_link_until_both_connected(void)
{
	struct ccd_snap s;
	struct ccd_plan p;

	ccd_snap_init(&s);
	doms(&s, 2);
	nic(&s, 1, 0, "blue", 1, 4, 4);
	nic(&s, 2, 0, "blue", 2, 2, 2);
	PLAN(s, p);
	CHECK_INT(p.nact, 0);
	DONE(s, p);
	return 0;
}

static int t_plan_existing_link_untouched(void)
{
	struct ccd_snap s;
	struct ccd_plan p;

	ccd_snap_init(&s);
	doms(&s, 2);
	nic(&s, 1, 0, "blue", 1, 4, 4);
	nic(&s, 2, 0, "blue", 2, 4, 4);
	half(&s, CCD_HALF_FRONT, 1, 0x200);
	half(&s, CCD_HALF_BACK, 1, 0x200);
	PLAN(s, p);
	CHECK_INT(p.nact, 0);
	DONE(s, p);
	return 0;
}

static int t_plan_isolation_and_same_domain(void)
{
	struct ccd_snap s;
	struct ccd_plan p;

	ccd_snap_init(&s);
	doms(&s, 3);
	nic(&s, 1, 0, "blue", 1, 4, 4);
	nic(&s, 1, 1, "blue", 2, 4, 4);   /* same domain: no link 1<->1 */
	nic(&s, 2, 0, "red", 3, 4, 4);    /* other network */
	nic(&s, 3, 0, "red", 4, 4, 4);
	PLAN(s, p);
	CHECK_INT(p.nact, 1);
	CHECK(p.acts[0].kind == CCD_ACT_LINK_CREATE);
	CHECK_INT(p.acts[0].a, 2);
	CHECK_INT(p.acts[0].b, 3);
	CHECK_INT(p.acts[0].l, 0x300);
	DONE(s, p);
	return 0;
}

static int t_plan_mesh(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	size_t i;
	unsigned seen = 0;

	ccd_snap_init(&s);
	doms(&s, 4);
	nic(&s, 3, 2, "blue", 3, 4, 4);
	nic(&s, 1, 0, "blue", 1, 4, 4);
	nic(&s, 2, 1, "blue", 2, 4, 4);
	nic(&s, 4, 0, "blue", 4, 4, 4);
	PLAN(s, p);
	CHECK_INT(count(&p, CCD_ACT_LINK_CREATE), 6);
	for (i = 0; i < p.nact; i++) {
		const struct ccd_act *a = &p.acts[i];

		CHECK(a->a < a->b);
		CHECK_INT(a->l, ccd_link_id(a->b, a->nic_a->devid, a->nic_b->devid));
		if (a->a == 1 && a->b == 3) {
			CHECK_INT(a->l, 0x302);
			seen |= 1;
		}
		if (a->a == 2 && a->b == 3) {
			CHECK_INT(a->l, 0x312);
			seen |= 2;
		}
		if (a->a == 3 && a->b == 4) {
			CHECK_INT(a->l, 0x420);
			seen |= 4;
		}
	}
	CHECK_INT(seen, 7);
	DONE(s, p);
	return 0;
}

/* A migration into this host: the receiver (4) carries the sender's (1) UUID
 * and MAC while both exist; neither NIC is refused.  An unrelated domain (2,
 * another UUID) with that MAC still is. */
static int t_plan_dup_mac_same_vm(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	const struct ccd_act *a;

	ccd_snap_init(&s);
	doms(&s, 4);
	memset(s.doms[1].uuid, 0xab, 16);
	memset(s.doms[4].uuid, 0xab, 16);
	memset(s.doms[2].uuid, 0xcd, 16);
	nic(&s, 1, 0, "blue", 9, 1, 1);
	nic(&s, 4, 0, "blue", 9, 1, 1);
	PLAN(s, p);
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 1, 0));
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 4, 0));
	CHECK(find(&p, CCD_ACT_NIC_STATE, 4, 0));
	ccd_plan_free(&p);
	nic(&s, 2, 0, "blue", 9, 1, 1);
	PLAN(s, p);
	a = find(&p, CCD_ACT_NIC_ERROR, 2, 0);
	CHECK(a && strstr(a->reason, "duplicate mac"));
	/* Unknown UUIDs (all zeros) never count as the same VM. */
	CHECK(!ccd_snap_same_vm(&s, 0, 3));
	CHECK(ccd_snap_same_vm(&s, 1, 4));
	CHECK(!ccd_snap_same_vm(&s, 1, 1));
	DONE(s, p);
	return 0;
}

static int t_plan_dup_mac_second_loses(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	const struct ccd_act *a;

	ccd_snap_init(&s);
	doms(&s, 3);
	nic(&s, 1, 0, "blue", 9, 1, 1);
	nic(&s, 2, 0, "blue", 9, 1, 1);
	nic(&s, 3, 0, "red", 9, 1, 1);    /* same MAC, other network: fine */
	PLAN(s, p);
	a = find(&p, CCD_ACT_NIC_ERROR, 2, 0);
	CHECK(a);
	CHECK(strstr(a->reason, "duplicate mac 00:16:3e:00:00:09 on network blue (nic 1/0 has it)"));
	CHECK(find(&p, CCD_ACT_NIC_STATE, 1, 0));
	CHECK(find(&p, CCD_ACT_NIC_STATE, 3, 0));
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 1, 0));
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 3, 0));
	DONE(s, p);
	return 0;
}

static int t_plan_dup_mac_accepted_keeps_it(void)
{
	struct ccd_snap s;
	struct ccd_plan p;

	ccd_snap_init(&s);
	doms(&s, 5);
	nic(&s, 5, 0, "blue", 9, 4, 4);   /* accepted earlier */
	nic(&s, 1, 0, "blue", 9, 1, 1);   /* newcomer, lower domid */
	nic(&s, 3, 0, "blue", 9, 1, 1);
	PLAN(s, p);
	CHECK(find(&p, CCD_ACT_NIC_ERROR, 1, 0));
	CHECK(find(&p, CCD_ACT_NIC_ERROR, 3, 0));
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 5, 0));
	CHECK(strstr(find(&p, CCD_ACT_NIC_ERROR, 3, 0)->reason, "nic 5/0 has it"));
	DONE(s, p);
	return 0;
}

static int t_plan_max_peers(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	struct ccd_conf c;
	struct ccd_opts o = OPTS;
	char err[128];
	static const char text[] = "network.blue.max-peers = 2\n";

	CHECK(ccd_conf_parse(text, sizeof(text) - 1, "t", &c, err,
			     sizeof(err)) == 0);
	o.conf = &c;
	ccd_snap_init(&s);
	doms(&s, 6);
	nic(&s, 6, 0, "blue", 6, 4, 4);   /* accepted earlier: keeps its place */
	nic(&s, 1, 0, "blue", 1, 1, 1);   /* lowest newcomer: second place */
	nic(&s, 3, 0, "blue", 3, 1, 1);   /* third: refused */
	nic(&s, 4, 0, "blue", 4, 1, 1);   /* fourth: refused */
	nic(&s, 5, 0, "red", 5, 1, 1);    /* no limit on red */
	ccd_plan_init(&p);
	CHECK(ccd_plan_build(&s, &o, &p) == 0);
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 6, 0));
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 1, 0));
	CHECK(find(&p, CCD_ACT_NIC_ERROR, 3, 0));
	CHECK(find(&p, CCD_ACT_NIC_ERROR, 4, 0));
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 5, 0));
	CHECK_STR(find(&p, CCD_ACT_NIC_ERROR, 3, 0)->reason,
		  "network blue is full (max-peers 2)");
	ccd_plan_free(&p);
	/* without the policy nobody is refused */
	PLAN(s, p);
	CHECK_INT(count(&p, CCD_ACT_NIC_ERROR), 0);
	DONE(s, p);
	return 0;
}

static int t_plan_network_mtu(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	struct ccd_conf c;
	struct ccd_opts o = OPTS;
	char err[128];
	static const char text[] = "network.blue.mtu = 9000\n";

	CHECK(ccd_conf_parse(text, sizeof(text) - 1, "t", &c, err,
			     sizeof(err)) == 0);
	o.conf = &c;
	ccd_snap_init(&s);
	doms(&s, 5);
	nic(&s, 1, 0, "blue", 1, 1, 1);
	nic(&s, 2, 0, "blue", 2, 1, 1);
	nic(&s, 3, 0, "blue", 3, 4, 4);   /* live before the key: kept */
	nic(&s, 4, 0, "red", 4, 1, 1);    /* no network MTU on red */
	s.nics[0].mtu = 9000;
	s.nics[1].mtu = 1500;
	s.nics[2].mtu = 1500;
	s.nics[3].mtu = 1500;
	ccd_plan_init(&p);
	CHECK(ccd_plan_build(&s, &o, &p) == 0);
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 1, 0));
	CHECK(find(&p, CCD_ACT_NIC_ERROR, 2, 0));
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 3, 0));
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 4, 0));
	CHECK_STR(find(&p, CCD_ACT_NIC_ERROR, 2, 0)->reason,
		  "mtu 1500 is not network blue's mtu 9000");
	ccd_plan_free(&p);
	/* without the key every MTU is accepted */
	PLAN(s, p);
	CHECK_INT(count(&p, CCD_ACT_NIC_ERROR), 0);
	DONE(s, p);
	return 0;
}

static int t_plan_invalid_nic_closed(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	struct ccd_nic *n;
	const struct ccd_act *a;

	ccd_snap_init(&s);
	doms(&s, 2);
	n = nic(&s, 1, 0, "blue", 1, 1, 1);
	n->valid = 0;
	snprintf(n->why, sizeof(n->why), "bad mtu '5'");
	n = nic(&s, 2, 0, "blue", 2, 6, 4);   /* already Closed: left alone */
	n->valid = 0;
	PLAN(s, p);
	CHECK_INT(p.nact, 1);
	a = find(&p, CCD_ACT_NIC_ERROR, 1, 0);
	CHECK(a);
	CHECK_STR(a->reason, "bad mtu '5'");
	DONE(s, p);
	return 0;
}

static int t_plan_detach(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	struct ccd_nic *n;
	const struct ccd_act *a;

	ccd_snap_init(&s);
	s.now_ms = 50000;
	doms(&s, 3);
	n = nic(&s, 1, 0, "blue", 1, 4, 4);
	n->online = 0;                    /* toolstack asked */
	n->closing_since_ms = 45000;
	nic(&s, 2, 0, "blue", 2, 4, 4);
	nic(&s, 3, 0, "blue", 3, 4, 4);
	half(&s, CCD_HALF_FRONT, 1, 0x200);
	half(&s, CCD_HALF_BACK, 1, 0x200);
	half(&s, CCD_HALF_FRONT, 1, 0x300);
	half(&s, CCD_HALF_BACK, 1, 0x300);
	half(&s, CCD_HALF_FRONT, 2, 0x300);
	half(&s, CCD_HALF_BACK, 2, 0x300);
	PLAN(s, p);
	a = find(&p, CCD_ACT_NIC_STATE, 1, 0);
	CHECK(a && a->to == CCD_XS_CLOSING);
	CHECK_INT(count(&p, CCD_ACT_LINK_REMOVE), 2);
	CHECK_INT(count(&p, CCD_ACT_NIC_REMOVE), 0);   /* frontend still 4 */
	CHECK_INT(count(&p, CCD_ACT_LINK_CREATE), 0);
	CHECK_INT(p.deadline_ms, 55000);
	CHECK(strstr(p.acts[1].reason, "nic 1/0 detached"));
	DONE(s, p);
	return 0;
}

static int t_plan_detach_frontend_closed(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	struct ccd_nic *n;
	const struct ccd_act *a;

	ccd_snap_init(&s);
	doms(&s, 1);
	n = nic(&s, 1, 0, "blue", 1, 5, 6);
	n->online = 0;
	PLAN(s, p);
	CHECK_INT(p.nact, 1);
	a = find(&p, CCD_ACT_NIC_REMOVE, 1, 0);
	CHECK(a && a->rm_front);
	CHECK_STR(a->reason, "frontend Closed");
	DONE(s, p);
	return 0;
}

static int t_plan_detach_timeout(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	struct ccd_nic *n;

	ccd_snap_init(&s);
	s.now_ms = 60000;
	doms(&s, 1);
	n = nic(&s, 1, 0, "blue", 1, 5, 4);
	n->closing_since_ms = 50000;
	PLAN(s, p);
	CHECK(find(&p, CCD_ACT_NIC_REMOVE, 1, 0));
	CHECK(strstr(p.acts[0].reason, "still Connected after 10000 ms"));
	DONE(s, p);
	return 0;
}

static int t_plan_frontend_left(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	const struct ccd_act *a;

	ccd_snap_init(&s);
	doms(&s, 2);
	nic(&s, 1, 0, "blue", 1, 4, 6);    /* guest module unloaded */
	nic(&s, 2, 0, "blue", 2, 4, 4);
	half(&s, CCD_HALF_FRONT, 1, 0x200);
	half(&s, CCD_HALF_BACK, 1, 0x200);
	PLAN(s, p);
	a = find(&p, CCD_ACT_NIC_STATE, 1, 0);
	CHECK(a && a->to == CCD_XS_INITWAIT);
	CHECK_INT(count(&p, CCD_ACT_LINK_REMOVE), 1);
	CHECK(strstr(p.acts[1].reason, "nic 1/0 not connected"));
	DONE(s, p);
	return 0;
}

static int t_plan_dead_domain(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	const struct ccd_act *a;

	ccd_snap_init(&s);
	ccd_snap_add_dom(&s, 0, 1);
	ccd_snap_add_dom(&s, 1, 1);
	ccd_snap_add_dom(&s, 2, 0);        /* dying */
	ccd_snap_add_dom(&s, 3, 1);
	nic(&s, 1, 0, "blue", 1, 4, 4);
	nic(&s, 2, 0, "blue", 2, 4, 4);
	nic(&s, 3, 0, "blue", 3, 4, 4);
	nic(&s, 4, 0, "blue", 4, 4, 4);    /* /local/domain/4 gone */
	half(&s, CCD_HALF_FRONT, 1, 0x200);   /* in 1, peer 2 dead */
	half(&s, CCD_HALF_BACK, 1, 0x200);    /* in 2: left to toolstack */
	half(&s, CCD_HALF_FRONT, 2, 0x300);   /* in 2 */
	half(&s, CCD_HALF_BACK, 2, 0x300);    /* in 3, peer 2 dead */
	half(&s, CCD_HALF_FRONT, 1, 0x300);
	half(&s, CCD_HALF_BACK, 1, 0x300);    /* live link 1<->3 */
	PLAN(s, p);
	CHECK_INT(count(&p, CCD_ACT_LINK_REMOVE), 2);
	CHECK(p.acts[0].kind == CCD_ACT_LINK_REMOVE);
	CHECK(p.acts[0].a == 1 && p.acts[0].l == 0x200 &&
	      p.acts[0].have_front && !p.acts[0].have_back);
	CHECK_STR(p.acts[0].reason, "domain 2 gone");
	CHECK(p.acts[1].a == 2 && p.acts[1].l == 0x300 &&
	      !p.acts[1].have_front && p.acts[1].have_back);
	a = find(&p, CCD_ACT_NIC_REMOVE, 2, 0);
	CHECK(a && !a->rm_front);
	CHECK(find(&p, CCD_ACT_NIC_REMOVE, 4, 0));
	CHECK_INT(count(&p, CCD_ACT_NIC_REMOVE), 2);
	CHECK_INT(count(&p, CCD_ACT_LINK_CREATE), 0);
	DONE(s, p);
	return 0;
}

static int t_plan_half_link_recreated_later(void)
{
	struct ccd_snap s;
	struct ccd_plan p;

	ccd_snap_init(&s);
	s.now_ms = 1000;
	doms(&s, 2);
	nic(&s, 1, 0, "blue", 1, 4, 4);
	nic(&s, 2, 0, "blue", 2, 4, 4);
	half(&s, CCD_HALF_BACK, 1, 0x200);
	PLAN(s, p);
	CHECK_INT(p.nact, 1);
	CHECK(p.acts[0].kind == CCD_ACT_LINK_REMOVE && p.acts[0].have_back &&
	      !p.acts[0].have_front);
	CHECK(strstr(p.acts[0].reason, "only the back half"));
	/* the wait is noted once the removal is done (pass.c) */
	CHECK_INT(p.acts[0].bo_kind, CCD_BO_PAIR);
	CHECK_INT(p.deadline_ms, 0);
	DONE(s, p);
	return 0;
}

/* ---- back-off (backoff.c) ------------------------------------------------ */

static int t_backoff_schedule(void)
{
	struct ccd_backoff *b = ccd_backoff_new(1000, 16000);
	long long now = 5000;
	unsigned k;

	CHECK(b);
	/* a NIC's first flap is free, then 1, 2, 4, 8, 16, 16 s */
	CHECK_INT(ccd_backoff_delay(b, CCD_BO_NIC, 1), 0);
	CHECK_INT(ccd_backoff_delay(b, CCD_BO_NIC, 2), 1000);
	CHECK_INT(ccd_backoff_delay(b, CCD_BO_NIC, 6), 16000);
	CHECK_INT(ccd_backoff_delay(b, CCD_BO_NIC, 7), 16000);
	CHECK_INT(ccd_backoff_delay(b, CCD_BO_NIC, 4000000000u), 16000);
	/* a pair waits from the first failure: 1, 2, 4, ... 16 s */
	CHECK_INT(ccd_backoff_delay(b, CCD_BO_PAIR, 1), 1000);
	CHECK_INT(ccd_backoff_delay(b, CCD_BO_PAIR, 3), 4000);
	CHECK_INT(ccd_backoff_delay(b, CCD_BO_PAIR, 99), 16000);

	CHECK_INT(ccd_backoff_until(b, CCD_BO_PAIR, 1, 0x200, now), 0);
	CHECK_INT(ccd_backoff_note(b, CCD_BO_PAIR, 1, 0x200, now), 1000);
	CHECK_INT(ccd_backoff_until(b, CCD_BO_PAIR, 1, 0x200, now), now + 1000);
	CHECK_INT(ccd_backoff_until(b, CCD_BO_PAIR, 1, 0x200, now + 1000), 0);
	/* other keys and kinds are independent */
	CHECK_INT(ccd_backoff_until(b, CCD_BO_PAIR, 1, 0x201, now), 0);
	CHECK_INT(ccd_backoff_until(b, CCD_BO_NIC, 1, 0x200, now), 0);
	for (k = 2; k <= 8; k++) {
		now += 20000;
		CHECK_INT(ccd_backoff_note(b, CCD_BO_PAIR, 1, 0x200, now),
			  ccd_backoff_delay(b, CCD_BO_PAIR, k));
	}
	CHECK_INT(ccd_backoff_streak(b, CCD_BO_PAIR, 1, 0x200), 8);
	CHECK_INT(ccd_backoff_total(b, CCD_BO_PAIR, 1, 0x200), 8);
	/* quiet for two maximum delays, but at least 60 s: a new streak */
	now += 16000 + 59999;
	ccd_backoff_expire(b, now, NULL, NULL);
	CHECK_INT(ccd_backoff_count(b), 1);
	now += 1;
	CHECK_INT(ccd_backoff_note(b, CCD_BO_PAIR, 1, 0x200, now), 1000);
	CHECK_INT(ccd_backoff_total(b, CCD_BO_PAIR, 1, 0x200), 9);
	now += 16000 + 60000;
	ccd_backoff_expire(b, now, NULL, NULL);
	CHECK_INT(ccd_backoff_count(b), 0);
	/* off: a NIC never waits, a pair always the base, at once */
	ccd_backoff_note(b, CCD_BO_NIC, 3, 0, now);
	ccd_backoff_note(b, CCD_BO_NIC, 3, 0, now);
	ccd_backoff_note(b, CCD_BO_NIC, 3, 0, now);
	CHECK_INT(ccd_backoff_until(b, CCD_BO_NIC, 3, 0, now), now + 2000);
	ccd_backoff_set(b, 1000, 0);
	CHECK_INT(ccd_backoff_until(b, CCD_BO_NIC, 3, 0, now), 0);
	CHECK_INT(ccd_backoff_delay(b, CCD_BO_NIC, 9), 0);
	CHECK_INT(ccd_backoff_delay(b, CCD_BO_PAIR, 9), 1000);
	ccd_backoff_free(b);
	ccd_backoff_free(NULL);
	CHECK_INT(ccd_backoff_until(NULL, CCD_BO_NIC, 1, 0, now), 0);
	return 0;
}

static int keep_dom1(void *arg, int kind, unsigned x, unsigned y)
{
	(void)arg;
	(void)kind;
	(void)y;
	return x == 1;
}

static int t_backoff_hold_and_forget(void)
{
	struct ccd_backoff *b = ccd_backoff_new(1000, 60000);

	CHECK(b);
	/* a hold is set once, from the first sight */
	CHECK_INT(ccd_backoff_hold(b, 1, 0x200, 1000, 30000), 31000);
	CHECK_INT(ccd_backoff_hold(b, 1, 0x200, 20000, 30000), 31000);
	CHECK_INT(ccd_backoff_hold(b, 1, 0x200, 31000, 30000), 0);
	/* not expired while it lies ahead, even past the quiet time */
	ccd_backoff_forget(b, CCD_BO_HOLD, 1, 0x200);
	CHECK_INT(ccd_backoff_hold(b, 1, 0x200, 40000, 500000), 540000);
	ccd_backoff_expire(b, 539999, NULL, NULL);
	CHECK_INT(ccd_backoff_hold(b, 1, 0x200, 539999, 1), 540000);
	/* the keys of a NIC that is gone are forgotten */
	ccd_backoff_note(b, CCD_BO_NIC, 1, 0, 1000);
	ccd_backoff_note(b, CCD_BO_NIC, 2, 0, 1000);
	ccd_backoff_note(b, CCD_BO_NIC, 2, 0, 1000);
	CHECK_INT(ccd_backoff_until(b, CCD_BO_NIC, 2, 0, 1000), 2000);
	ccd_backoff_expire(b, 1000, keep_dom1, NULL);
	CHECK_INT(ccd_backoff_until(b, CCD_BO_NIC, 2, 0, 1000), 0);
	CHECK_INT(ccd_backoff_total(b, CCD_BO_NIC, 1, 0), 1);
	CHECK_INT(ccd_backoff_count(b), 2);
	ccd_backoff_free(b);
	return 0;
}

/* A flapping guest, simulated for 10 minutes at one flap per second: with
 * the back-off, the links to it are created a handful of times, not 600. */
static int t_backoff_bounds_flapping(void)
{
	struct ccd_backoff *b = ccd_backoff_new(1000, 60000);
	long long now, next = 0;
	unsigned created = 0;

	CHECK(b);
	for (now = 0; now < 600000; now += 1000) {
		/* the guest is Connected again; may its NIC have links? */
		if (ccd_backoff_until(b, CCD_BO_NIC, 5, 0, now))
			continue;
		if (now < next)
			continue;
		created++;
		/* and it flaps at once: links removed, one flap noted */
		next = now + ccd_backoff_note(b, CCD_BO_NIC, 5, 0, now);
	}
	/* 0, 1, 2, 4, 8, 16, 32 s, then every 60 s: ~16 in 600 s */
	CHECK(created >= 10 && created <= 17);
	ccd_backoff_set(b, 1000, 0);    /* the control: no back-off */
	ccd_backoff_forget(b, CCD_BO_NIC, 5, 0);
	for (now = 0, created = 0; now < 600000; now += 1000) {
		if (ccd_backoff_until(b, CCD_BO_NIC, 5, 0, now))
			continue;
		created++;
		ccd_backoff_note(b, CCD_BO_NIC, 5, 0, now);
	}
	CHECK_INT(created, 600);
	ccd_backoff_free(b);
	return 0;
}

/* ---- rate limits (ratelimit.c) ------------------------------------------ */

static int t_ratelimit(void)
{
	struct ccd_rl *r = ccd_rl_new(3, 200);
	unsigned long round = 0;
	int i;

	CHECK(r);
	for (i = 0; i < 3; i++)
		CHECK_INT(ccd_rl_take(r, 7, 1000, ++round), 0);
	CHECK_INT(ccd_rl_take(r, 7, 1000, ++round), 1200);
	/* the same round is charged once and answered alike */
	CHECK_INT(ccd_rl_take(r, 7, 1000, round), 1200);
	CHECK_INT(ccd_rl_take(r, 8, 1000, round), 0);   /* another domain */
	CHECK_INT(ccd_rl_take(r, 7, 1100, ++round), 1200);
	CHECK_INT(ccd_rl_take(r, 7, 1200, ++round), 0);
	CHECK_INT(ccd_rl_denied(r, 7), 2);
	CHECK_INT(ccd_rl_denied(r, 7), 0);
	/* refills up to the burst only */
	CHECK_INT(ccd_rl_take(r, 7, 100000, ++round), 0);
	CHECK_INT(ccd_rl_take(r, 7, 100000, ++round), 0);
	CHECK_INT(ccd_rl_take(r, 7, 100000, ++round), 0);
	CHECK(ccd_rl_take(r, 7, 100000, ++round) > 0);
	/* a guest flooding for 10 s gets 3 + 50 passes */
	{
		long long t;
		unsigned got = 0;

		for (t = 200000; t < 210000; t += 10)
			got += !ccd_rl_take(r, 9, t, ++round);
		CHECK_INT(got, 3 + 50 - 1);
	}
	CHECK_INT(ccd_rl_path_domain("/local/domain/5/device/colorcom/0/state"), 5);
	CHECK_INT(ccd_rl_path_domain("/local/domain/5"), 5);
	CHECK_INT(ccd_rl_path_domain("/local/domain/0/backend/colorcom/5/0"), -1);
	CHECK_INT(ccd_rl_path_domain("/local/domain/05/x"), -1);
	CHECK_INT(ccd_rl_path_domain("@releaseDomain"), -1);
	CHECK_INT(ccd_rl_path_domain("/local/domain/"), -1);
	ccd_rl_free(r);
	return 0;
}

static int t_plan_failed_link_recreated(void)
{
	struct ccd_opts o = OPTS;
	struct ccd_snap s;
	struct ccd_plan p;
	struct ccd_half *h;

	o.backoff = ccd_backoff_new(1000, 60000);
	o.broken_hold_ms = 60000;
	CHECK(o.backoff);
	/* a half Closed (a failed probe): removed at once, re-created later */
	ccd_snap_init(&s);
	s.now_ms = 1000;
	doms(&s, 2);
	nic(&s, 1, 0, "blue", 1, 4, 4);
	nic(&s, 2, 0, "blue", 2, 4, 4);
	half(&s, CCD_HALF_FRONT, 1, 0x200);
	h = ccd_snap_add_half(&s);
	h->kind = CCD_HALF_BACK;
	h->a = 1;
	h->b = 2;
	h->l = 0x200;
	h->state = CCD_XS_CLOSED;
	ccd_plan_init(&p);
	CHECK(ccd_plan_build(&s, &o, &p) == 0);
	CHECK_INT(p.nact, 1);
	CHECK(p.acts[0].kind == CCD_ACT_LINK_REMOVE && p.acts[0].have_front &&
	      p.acts[0].have_back);
	CHECK_STR(p.acts[0].reason, "back half (domain 2) Closed; will recreate");
	CHECK_INT(p.acts[0].bo_kind, CCD_BO_PAIR);
	ccd_plan_free(&p);
	/* a `broken` half: kept broken_hold_ms, then removed */
	h->state = CCD_XS_CONNECTED;
	h->broken = 1;
	ccd_plan_init(&p);
	CHECK(ccd_plan_build(&s, &o, &p) == 0);
	CHECK_INT(p.nact, 0);
	CHECK_INT(p.deadline_ms, 61000);
	ccd_plan_free(&p);
	s.now_ms = 60999;
	ccd_plan_init(&p);
	CHECK(ccd_plan_build(&s, &o, &p) == 0);
	CHECK_INT(p.nact, 0);
	ccd_plan_free(&p);
	s.now_ms = 61000;
	ccd_plan_init(&p);
	CHECK(ccd_plan_build(&s, &o, &p) == 0);
	CHECK_INT(p.nact, 1);
	CHECK_STR(p.acts[0].reason, "back half (domain 2) broken; will recreate");
	ccd_plan_free(&p);
	/* gone: a wanted link waits out the pair's back-off */
	s.nhalf = 0;
	ccd_backoff_note(o.backoff, CCD_BO_PAIR, 1, 0x200, 61000);
	ccd_plan_init(&p);
	CHECK(ccd_plan_build(&s, &o, &p) == 0);
	CHECK_INT(count(&p, CCD_ACT_LINK_CREATE), 0);
	CHECK_INT(p.deadline_ms, 62000);
	ccd_plan_free(&p);
	s.now_ms = 62000;
	ccd_plan_init(&p);
	CHECK(ccd_plan_build(&s, &o, &p) == 0);
	CHECK_INT(count(&p, CCD_ACT_LINK_CREATE), 1);
	CHECK_INT(p.acts[0].recreated, 1);
	ccd_backoff_free(o.backoff);
	DONE(s, p);
	return 0;
}

static int t_plan_nic_flap_waits(void)
{
	struct ccd_opts o = OPTS;
	struct ccd_snap s;
	struct ccd_plan p;
	const struct ccd_act *a;

	o.backoff = ccd_backoff_new(1000, 60000);
	CHECK(o.backoff);
	ccd_snap_init(&s);
	s.now_ms = 1000;
	doms(&s, 2);
	nic(&s, 1, 0, "blue", 1, 4, 3);    /* left Connected: a flap */
	nic(&s, 2, 0, "blue", 2, 4, 4);
	ccd_plan_init(&p);
	CHECK(ccd_plan_build(&s, &o, &p) == 0);
	a = find(&p, CCD_ACT_NIC_STATE, 1, 0);
	CHECK(a && a->to == CCD_XS_INITWAIT && a->bo_kind == CCD_BO_NIC);
	ccd_plan_free(&p);
	/* the second flap in a row: back in Connected, it waits 1 s */
	ccd_backoff_note(o.backoff, CCD_BO_NIC, 1, 0, 1000);
	ccd_backoff_note(o.backoff, CCD_BO_NIC, 1, 0, 1000);
	s.nics[0].bstate = 2;
	s.nics[0].fstate = 4;
	ccd_plan_init(&p);
	CHECK(ccd_plan_build(&s, &o, &p) == 0);
	CHECK_INT(p.nact, 0);
	CHECK_INT(p.deadline_ms, 2000);
	ccd_plan_free(&p);
	s.now_ms = 2000;
	ccd_plan_init(&p);
	CHECK(ccd_plan_build(&s, &o, &p) == 0);
	a = find(&p, CCD_ACT_NIC_STATE, 1, 0);
	CHECK(a && a->to == CCD_XS_CONNECTED && !a->bo_kind);
	CHECK_INT(count(&p, CCD_ACT_LINK_CREATE), 1);
	ccd_backoff_free(o.backoff);
	DONE(s, p);
	return 0;
}

static int t_plan_stale_link_reaped(void)
{
	struct ccd_snap s;
	struct ccd_plan p;

	ccd_snap_init(&s);
	doms(&s, 2);
	nic(&s, 1, 0, "blue", 1, 4, 4);
	nic(&s, 2, 0, "blue", 2, 4, 4);
	half(&s, CCD_HALF_FRONT, 1, 0x200);
	half(&s, CCD_HALF_BACK, 1, 0x200);
	half(&s, CCD_HALF_FRONT, 1, 0x205);   /* nic 2/5 does not exist */
	half(&s, CCD_HALF_BACK, 1, 0x205);
	PLAN(s, p);
	CHECK_INT(p.nact, 1);
	CHECK(p.acts[0].kind == CCD_ACT_LINK_REMOVE && p.acts[0].l == 0x205);
	CHECK_STR(p.acts[0].reason, "nic 2/5 no longer exists");
	DONE(s, p);
	return 0;
}

static int t_plan_network_changed_reaped(void)
{
	struct ccd_snap s;
	struct ccd_plan p;

	ccd_snap_init(&s);
	doms(&s, 2);
	nic(&s, 1, 0, "blue", 1, 4, 4);
	nic(&s, 2, 0, "red", 2, 4, 4);
	half(&s, CCD_HALF_FRONT, 1, 0x200);
	half(&s, CCD_HALF_BACK, 1, 0x200);
	PLAN(s, p);
	CHECK_INT(p.nact, 1);
	CHECK_STR(p.acts[0].reason, "nics on different networks");
	DONE(s, p);
	return 0;
}

static int t_plan_garbage_states(void)
{
	struct ccd_snap s;
	struct ccd_plan p;

	ccd_snap_init(&s);
	doms(&s, 2);
	nic(&s, 1, 0, "blue", 1, 2, -2);   /* frontend wrote garbage */
	nic(&s, 2, 0, "blue", 2, 4, -2);
	PLAN(s, p);
	/* No link; the connected one goes back to InitWait. */
	CHECK_INT(p.nact, 1);
	CHECK(find(&p, CCD_ACT_NIC_STATE, 2, 0)->to == CCD_XS_INITWAIT);
	DONE(s, p);
	return 0;
}


/* ---- uplink ----------------------------------------------------------------- */

static int t_validate_uplink(void)
{
	struct ccd_nic n = { .domid = 0, .devid = 1, .online = 1, .bstate = 1 };
	struct keys w;

	good_keys(&w, 0, 1, "00:16:3e:00:00:01", "blue");
	w.k.frontend_id = "0";
	ccd_nic_validate(&n, &w.k);
	CHECK(n.valid && !n.uplink);            /* missing = not an uplink */
	w.k.uplink = "1";
	w.k.uplink_len = 1;
	ccd_nic_validate(&n, &w.k);
	CHECK(n.valid && n.uplink);
	w.k.uplink = "0";
	ccd_nic_validate(&n, &w.k);
	CHECK(n.valid && !n.uplink);
	w.k.uplink = "yes";
	w.k.uplink_len = 3;
	ccd_nic_validate(&n, &w.k);
	CHECK(!n.valid);
	CHECK_STR(n.why, "bad uplink 'yes'");
	/* Only dom0 relays the outside: a guest NIC flagged uplink is refused. */
	n.domid = 1;
	good_keys(&w, 1, 1, "00:16:3e:00:00:01", "blue");
	w.k.uplink = "1";
	w.k.uplink_len = 1;
	ccd_nic_validate(&n, &w.k);
	CHECK(!n.valid);
	CHECK_STR(n.why, "uplink on a NIC of domain 1 (only domain 0 can be an uplink)");
	return 0;
}

static int t_plan_one_uplink_per_network(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	const struct ccd_act *a;

	ccd_snap_init(&s);
	doms(&s, 2);
	nic(&s, 0, 0, "blue", 10, 4, 4)->uplink = 1;   /* accepted first */
	nic(&s, 0, 1, "blue", 11, 1, 1)->uplink = 1;   /* a second one */
	nic(&s, 0, 2, "red", 12, 1, 1)->uplink = 1;    /* another network */
	nic(&s, 1, 0, "blue", 1, 4, 4);
	PLAN(s, p);
	a = find(&p, CCD_ACT_NIC_ERROR, 0, 1);
	CHECK(a);
	CHECK_STR(a->reason, "network blue already has an uplink (nic 0/0)");
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 0, 0));
	CHECK(!find(&p, CCD_ACT_NIC_ERROR, 0, 2));
	/* dom0's uplink and the guest get their link as any pair does */
	CHECK_INT(count(&p, CCD_ACT_LINK_CREATE), 1);
	for (size_t i = 0; i < p.nact; i++)
		if (p.acts[i].kind == CCD_ACT_LINK_CREATE)
			CHECK(p.acts[i].nic_a->domid == 0 && p.acts[i].nic_a->uplink &&
			      p.acts[i].nic_b->domid == 1);
	DONE(s, p);
	return 0;
}

static int plan_conf(const char *text, struct ccd_snap *s, struct ccd_plan *p,
		     struct ccd_conf *c)
{
	struct ccd_opts o = OPTS;
	char err[128];

	if (ccd_conf_parse(text, strlen(text), "t", c, err, sizeof(err)))
		return -1;
	o.conf = c;
	ccd_plan_init(p);
	return ccd_plan_build(s, &o, p);
}

static int t_plan_uplink_conf(void)
{
	struct ccd_snap s;
	struct ccd_plan p;
	struct ccd_conf c;
	const struct ccd_act *a;

	/* on, and dom0 has none: attach one (network and conf carried) */
	ccd_snap_init(&s);
	doms(&s, 1);
	nic(&s, 1, 0, "blue", 1, 4, 4);
	CHECK(plan_conf("network.blue.uplink = on\nnetwork.red.uplink = off\n",
			&s, &p, &c) == 0);
	CHECK_INT(count(&p, CCD_ACT_UPLINK_ATTACH), 1);
	CHECK_INT(count(&p, CCD_ACT_UPLINK_DETACH), 0);
	a = &p.acts[0];
	for (size_t i = 0; i < p.nact; i++)
		if (p.acts[i].kind == CCD_ACT_UPLINK_ATTACH)
			a = &p.acts[i];
	CHECK_STR(a->network, "blue");
	CHECK(a->conf == &c);
	ccd_plan_free(&p);

	/* on, and it exists (any state, even refused): nothing */
	nic(&s, 0, 3, "blue", 9, 6, 1)->uplink = 1;
	CHECK(plan_conf("network.blue.uplink = on\n", &s, &p, &c) == 0);
	CHECK_INT(count(&p, CCD_ACT_UPLINK_ATTACH), 0);
	ccd_plan_free(&p);

	/* off: the live one is asked to detach, a closing one is left alone,
	 * another network's and a non-uplink dom0 NIC are not touched */
	ccd_snap_free(&s);
	ccd_snap_init(&s);
	doms(&s, 1);
	nic(&s, 0, 0, "blue", 10, 4, 4)->uplink = 1;
	nic(&s, 0, 1, "red", 11, 4, 4)->uplink = 1;
	nic(&s, 0, 2, "blue", 12, 4, 4);
	CHECK(plan_conf("network.blue.uplink = off\n", &s, &p, &c) == 0);
	CHECK_INT(count(&p, CCD_ACT_UPLINK_DETACH), 1);
	CHECK(find(&p, CCD_ACT_UPLINK_DETACH, 0, 0));
	CHECK_INT(count(&p, CCD_ACT_UPLINK_ATTACH), 0);
	ccd_plan_free(&p);
	s.nics[0].online = 0;           /* already detaching */
	CHECK(plan_conf("network.blue.uplink = off\n", &s, &p, &c) == 0);
	CHECK_INT(count(&p, CCD_ACT_UPLINK_DETACH), 0);
	ccd_plan_free(&p);
	/* on, with the old one still closing: wait for it to go */
	CHECK(plan_conf("network.blue.uplink = on\n", &s, &p, &c) == 0);
	CHECK_INT(count(&p, CCD_ACT_UPLINK_ATTACH), 0);
	ccd_plan_free(&p);

	/* unset: colorcomctl decides, the daemon does nothing either way */
	CHECK(plan_conf("network.blue.max-peers = 4\n", &s, &p, &c) == 0);
	CHECK_INT(count(&p, CCD_ACT_UPLINK_ATTACH) + count(&p, CCD_ACT_UPLINK_DETACH), 0);
	DONE(s, p);
	return 0;
}

static int t_timers(void)
{
	struct ccd_timers *t = ccd_timers_new();
	struct ccd_snap s;
	struct ccd_nic *n;

	CHECK(t);
	ccd_snap_init(&s);
	s.now_ms = 100;
	n = nic(&s, 1, 0, "blue", 1, 5, 4);
	nic(&s, 2, 0, "blue", 2, 4, 4);
	ccd_timers_update(t, &s);
	CHECK_INT(n->closing_since_ms, 100);
	CHECK_INT(s.nics[1].closing_since_ms, 0);
	ccd_snap_clear(&s);
	s.now_ms = 900;
	n = nic(&s, 1, 0, "blue", 1, 5, 4);
	ccd_timers_update(t, &s);
	CHECK_INT(n->closing_since_ms, 100);   /* remembered */
	ccd_snap_clear(&s);
	s.now_ms = 1000;
	ccd_timers_update(t, &s);              /* gone: forgotten */
	s.now_ms = 2000;
	n = nic(&s, 1, 0, "blue", 1, 5, 4);
	ccd_timers_update(t, &s);
	CHECK_INT(n->closing_since_ms, 2000);
	ccd_snap_free(&s);
	ccd_timers_free(t);
	return 0;
}

int main(void)
{
	ccd_log_hook = quiet;
	RUN(t_validate_good);
	RUN(t_validate_bad);
	RUN(t_plan_empty);
	RUN(t_plan_validate_to_initwait);
	RUN(t_plan_connect_and_link);
	RUN(t_plan_no_link_until_both_connected);
	RUN(t_plan_existing_link_untouched);
	RUN(t_plan_isolation_and_same_domain);
	RUN(t_plan_mesh);
	RUN(t_plan_dup_mac_second_loses);
	RUN(t_plan_dup_mac_accepted_keeps_it);
	RUN(t_plan_max_peers);
	RUN(t_plan_network_mtu);
	RUN(t_plan_invalid_nic_closed);
	RUN(t_plan_detach);
	RUN(t_plan_detach_frontend_closed);
	RUN(t_plan_detach_timeout);
	RUN(t_plan_frontend_left);
	RUN(t_plan_dead_domain);
	RUN(t_plan_half_link_recreated_later);
	RUN(t_backoff_schedule);
	RUN(t_backoff_hold_and_forget);
	RUN(t_backoff_bounds_flapping);
	RUN(t_plan_failed_link_recreated);
	RUN(t_ratelimit);
	RUN(t_plan_nic_flap_waits);
	RUN(t_plan_stale_link_reaped);
	RUN(t_plan_network_changed_reaped);
	RUN(t_plan_garbage_states);
	RUN(t_validate_uplink);
	RUN(t_plan_one_uplink_per_network);
	RUN(t_plan_uplink_conf);
	RUN(t_timers);
	RUN(t_plan_dup_mac_same_vm);
	return tst_failed ? 1 : 0;
}
