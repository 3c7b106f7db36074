// SPDX-License-Identifier: GPL-2.0 OR MIT
/* persist.c - NICs that follow a domain across `xl reboot`.
 *
 * colorcomctl records every NIC it attaches under CCD_PERSIST_ROOT/UUID/DEVID
 * (same transaction as the attach) with the domid it was made for.  When a
 * domain reboots, libxl destroys it (its NIC dirs go with it, rule 1) and
 * creates a new domain with the same UUID and a new domid.  After each pass
 * we look for live domains whose UUID has records made for another domid,
 * and attach those NICs again, with the same MAC, network, MTU and ring, in
 * one transaction per NIC that also moves the record to the new domid.
 *
 * Matching is by UUID, not name: libxl keeps the UUID across a reboot,
 * while a name can be given to an unrelated domain once the old one is
 * gone.  A record whose UUID no domain has had for reboot-grace seconds
 * (the domain was shut down or destroyed, not rebooted) is removed; the
 * time is the one piece of memory here, and losing it on restart only
 * delays that removal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "ccd.h"

#define PERSIST_MAX 256         /* UUIDs tracked for the grace period */
#define UUID_LEN 36

struct orphan {
	char uuid[UUID_LEN + 1];
	long long since_ms;
};

struct ccd_persist {
	struct orphan o[PERSIST_MAX];
	size_t n;
};

struct ccd_persist *ccd_persist_new(void)
{
	return calloc(1, sizeof(struct ccd_persist));
}

void ccd_persist_free(struct ccd_persist *ps)
{
	free(ps);
}

static int valid_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != UUID_LEN)
		return 0;
	for (i = 0; i < UUID_LEN; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' :
		    !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

/*
 * The same UUID from the Xen handle the snapshot already holds (libxl creates
 * every domain with its UUID as the handle), without a xenstore read per
 * domain per pass.  0 for an all-zero handle (a domain not made by libxl):
 * the caller then reads /local/domain/D/vm.
 */
static int handle_uuid(const unsigned char h[16], char uuid[UUID_LEN + 1])
{
	static const unsigned char zero[16];

	if (!memcmp(h, zero, sizeof(zero)))
		return 0;
	snprintf(uuid, UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9],
		 h[10], h[11], h[12], h[13], h[14], h[15]);
	return 1;
}

/* UUID of a live domain from libxl's /local/domain/D/vm = "/vm/UUID". */
static int dom_uuid(struct xs_handle *h, xs_transaction_t t, unsigned d,
		    char uuid[UUID_LEN + 1])
{
	char p[64], buf[64];
	int l;

	snprintf(p, sizeof(p), "/local/domain/%u/vm", d);
	l = ccd_xs_read(h, t, p, buf, sizeof(buf));
	if (l != 4 + UUID_LEN || strncmp(buf, "/vm/", 4) || !valid_uuid(buf + 4))
		return -1;
	memcpy(uuid, buf + 4, UUID_LEN + 1);
	return 0;
}

/* One recorded NIC. */
struct rec {
	char uuid[UUID_LEN + 1];
	unsigned devid, domid, newdom;
	char name[64];
	struct ccctl_spec spec;
	int mac_busy;           /* out: someone still has the MAC */
};

static int read_rec(struct xs_handle *h, struct rec *r)
{
	char p[160], v[64];
	unsigned long n;
	int l;

#define RK(key) (snprintf(p, sizeof(p), CCD_PERSIST_ROOT "/%s/%u/%s", \
			  r->uuid, r->devid, key), \
		 l = ccd_xs_read(h, XBT_NULL, p, v, sizeof(v)))
	memset(&r->spec, 0, sizeof(r->spec));
	if (RK("domid") < 0 || ccd_parse_uint(v, (size_t)l, CCD_DOMID_MAX, &n))
		return -1;
	r->domid = (unsigned)n;
	if (RK(CCD_K_NETWORK) < 0 || !ccd_valid_network(v, (size_t)l))
		return -1;
	memcpy(r->spec.network, v, (size_t)l + 1);
	if (RK(CCD_K_MAC) < 0 || ccd_parse_mac(v, (size_t)l, r->spec.mac) ||
	    !ccd_mac_is_unicast(r->spec.mac))
		return -1;
	if (RK(CCD_K_MTU) < 0 || ccd_parse_uint(v, (size_t)l, CCD_MTU_MAX, &n) ||
	    !ccd_valid_mtu(n))
		return -1;
	r->spec.mtu = (unsigned)n;
	if (RK(CCD_K_ORDER) < 0 ||
	    ccd_parse_uint(v, (size_t)l, CCD_ORDER_MAX, &n) ||
	    !ccd_valid_order(n))
		return -1;
	r->spec.order = (unsigned)n;
	if (RK("name") < 0)
		snprintf(v, sizeof(v), "?");
	ccd_sanitize(v, strlen(v), r->name, sizeof(r->name));
#undef RK
	r->spec.devid = (int)r->devid;
	r->spec.has_mac = r->spec.has_order = 1;
	return 0;
}

static int apply(struct xs_handle *h, xs_transaction_t t,
		 const struct ccctl_ops *ops)
{
	const struct ccctl_op *o;

	if (ccctl_xs_apply(h, t, ops, &o) == 0)
		return 0;
	ccd_log(CCD_LOG_ERR, "re-attach: %s: %s", o->path, strerror(errno));
	return -1;
}

/* Is the MAC on r's network taken by any NIC dir right now? */
static int mac_taken(struct xs_handle *h, xs_transaction_t t,
		     const struct rec *r)
{
	char **ds, **ns, p[128], v[40], u[UUID_LEN + 1];
	unsigned nd, nn, i, j;
	unsigned long od;
	uint8_t mac[6];
	int l, taken = 0;

	ds = xs_directory(h, t, CCD_BACKEND_ROOT, &nd);
	for (i = 0; ds && i < nd && !taken; i++) {
		snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%.12s", ds[i]);
		ns = xs_directory(h, t, p, &nn);
		for (j = 0; ns && j < nn && !taken; j++) {
			snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%.12s/%.12s/%s",
				 ds[i], ns[j], CCD_K_NETWORK);
			l = ccd_xs_read(h, t, p, v, sizeof(v));
			if (l < 0 || strcmp(v, r->spec.network))
				continue;
			snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%.12s/%.12s/%s",
				 ds[i], ns[j], CCD_K_MAC);
			l = ccd_xs_read(h, t, p, v, sizeof(v));
			taken = l > 0 && !ccd_parse_mac(v, (size_t)l, mac) &&
				!memcmp(mac, r->spec.mac, 6);
			/* Held by another incarnation of this VM (the sender of
			 * a migration to this host): not in the way, it goes
			 * when that domain does.  Attaching now, while the
			 * receiver is still paused, is what lets the guest find
			 * its NIC at resume. */
			if (taken && !ccd_parse_uint(ds[i], strlen(ds[i]),
						     CCD_DOMID_MAX, &od) &&
			    !dom_uuid(h, t, (unsigned)od, u) &&
			    !strcmp(u, r->uuid))
				taken = 0;
		}
		free(ns);
	}
	free(ds);
	return taken;
}

#define SKIP 1

static int reattach_tx(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct rec *r = arg;
	struct ccctl_ops ops;
	char uuid[UUID_LEN + 1], p[128], buf[8];

	/* Still the same domain, the devid free, the MAC released by the
	 * previous incarnation (its dirs go when libxl tears it down). */
	if (dom_uuid(h, t, r->newdom, uuid) || strcmp(uuid, r->uuid))
		return SKIP;
	ccctl_backend_dir(p, sizeof(p), r->newdom, r->devid);
	if (ccd_xs_read(h, t, p, buf, sizeof(buf)) != -1)
		return SKIP;
	ccctl_frontend_dir(p, sizeof(p), r->newdom, r->devid);
	if (ccd_xs_read(h, t, p, buf, sizeof(buf)) != -1)
		return SKIP;
	if (mac_taken(h, t, r)) {
		r->mac_busy = 1;
		return SKIP;
	}
	ccctl_attach_ops(r->newdom, r->devid, &r->spec, &ops);
	ccctl_persist_ops(r->uuid, r->newdom, r->devid, r->name, &r->spec,
			  &ops);
	return apply(h, t, &ops);
}

static int forget_tx(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	char p[128];

	snprintf(p, sizeof(p), CCD_PERSIST_ROOT "/%s", (const char *)arg);
	if (!xs_rm(h, t, p) && errno != ENOENT)
		return -1;
	return 0;
}

static struct orphan *orphan_get(struct ccd_persist *ps, const char *uuid,
				 long long now)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->o[i].uuid, uuid))
			return &ps->o[i];
	if (ps->n == PERSIST_MAX)
		return NULL;
	snprintf(ps->o[ps->n].uuid, sizeof(ps->o[0].uuid), "%s", uuid);
	ps->o[ps->n].since_ms = now;
	return &ps->o[ps->n++];
}

static void orphan_drop(struct ccd_persist *ps, const char *uuid)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->o[i].uuid, uuid)) {
			ps->o[i] = ps->o[--ps->n];
			return;
		}
}

long long ccd_persist_pass(struct xs_handle *h, struct ccd_persist *ps,
			   const struct ccd_snap *snap, unsigned grace_s,
			   long long now)
{
	char **us, **ds, (*live)[UUID_LEN + 1] = NULL;
	unsigned nu, nd, i, j;
	long long deadline = 0;
	size_t k;

	us = xs_directory(h, XBT_NULL, CCD_PERSIST_ROOT, &nu);
	if (!us) {
		ps->n = 0;
		return 0;
	}
	if (snap->ndom)
		live = calloc(snap->ndom, sizeof(*live));
	for (k = 0; live && k < snap->ndom; k++)
		if (!snap->doms[k].alive || !snap->doms[k].domid ||
		    (!handle_uuid(snap->doms[k].uuid, live[k]) &&
		     dom_uuid(h, XBT_NULL, snap->doms[k].domid, live[k])))
			live[k][0] = '\0';
	for (i = 0; i < nu; i++) {
		const char *u = us[i];
		struct orphan *o;
		unsigned long devid;
		int found = -1;

		if (!valid_uuid(u)) {
			ccd_log_once(CCD_LOG_WARN, u,
				     "ignoring %s/%.40s: not a UUID",
				     CCD_PERSIST_ROOT, u);
			continue;
		}
		/* Two live domains with this UUID: a migration or restore
		 * into this host, sender and receiver.  The NICs belong to
		 * the receiver, the newer domid (domids grow until they wrap
		 * at 32752). */
		for (k = 0; live && k < snap->ndom; k++)
			if (!strcmp(live[k], u) &&
			    (found < 0 ||
			     snap->doms[k].domid > snap->doms[found].domid))
				found = (int)k;
		if (found < 0) {
			o = orphan_get(ps, u, now);
			if (!o)
				continue;
			if (now - o->since_ms < (long long)grace_s * 1000) {
				long long at = o->since_ms +
					       (long long)grace_s * 1000;

				if (!deadline || at < deadline)
					deadline = at;
				continue;
			}
			if (ccd_xs_transact(h, forget_tx, (void *)u) == 0)
				ccd_log(CCD_LOG_INFO,
					"forgot the NICs of domain %s: no domain had this UUID for %u s",
					u, grace_s);
			orphan_drop(ps, u);
			continue;
		}
		orphan_drop(ps, u);
		{
			char p[96];

			snprintf(p, sizeof(p), CCD_PERSIST_ROOT "/%s", u);
			ds = xs_directory(h, XBT_NULL, p, &nd);
		}
		for (j = 0; ds && j < nd; j++) {
			struct rec r;
			char m[18];
			int rc;

			memset(&r, 0, sizeof(r));
			if (ccd_parse_uint(ds[j], strlen(ds[j]), CCD_DEVID_MAX,
					   &devid))
				continue;
			snprintf(r.uuid, sizeof(r.uuid), "%s", u);
			r.devid = (unsigned)devid;
			r.newdom = snap->doms[found].domid;
			if (read_rec(h, &r)) {
				char key[128];

				snprintf(key, sizeof(key), "persist %s/%u", u,
					 r.devid);
				ccd_log_once(CCD_LOG_WARN, key,
					     "ignoring the bad reboot record %s/%s/%u",
					     CCD_PERSIST_ROOT, u, r.devid);
				continue;
			}
			if (r.domid == r.newdom)
				continue;       /* made for this incarnation */
			rc = ccd_xs_transact(h, reattach_tx, &r);
			ccd_mac_format(r.spec.mac, m);
			if (rc == 0) {
				ccd_log(CCD_LOG_INFO,
					"re-attached nic %u/%u (network %s, mac %s) of rebooted domain %s (was domain %u)",
					r.newdom, r.devid, r.spec.network, m,
					r.name, r.domid);
			} else if (rc < 0) {
				ccd_log(CCD_LOG_ERR,
					"re-attach of nic %u/%u failed (%s)",
					r.newdom, r.devid, strerror(errno));
			} else if (r.mac_busy) {
				/* the old incarnation's dirs are not gone yet */
				if (!deadline || now + 500 < deadline)
					deadline = now + 500;
			}
		}
		free(ds);
	}
	free(live);
	free(us);
	return deadline;
}
