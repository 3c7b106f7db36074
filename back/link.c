// SPDX-License-Identifier: GPL-2.0 OR MIT
/* link.c - carry out a plan: NIC backend states, NIC removal, cclink halves.
 *
 * Each action is one xenstore transaction (EAGAIN retried by
 * ccd_xs_transact) that first re-checks what the plan assumed; when the
 * world moved on, the action is skipped and the next pass decides again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "ccd.h"

#define SKIP 1  /* precondition failed: abort the transaction quietly */

static int exists(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	char buf[8];
	int r = ccd_xs_read(h, t, path, buf, sizeof(buf));

	return r != -1;
}

static int rd_state(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	char buf[16];
	int len = ccd_xs_read(h, t, path, buf, sizeof(buf));

	if (len == -1)
		return -1;
	if (len < 0)
		return -2;
	return ccd_parse_state(buf, (size_t)len) < 0 ? -2 :
	       ccd_parse_state(buf, (size_t)len);
}

/* dir/key = val; key NULL: dir is the whole path. */
static int wr(struct xs_handle *h, xs_transaction_t t, const char *dir,
	      const char *key, const char *val)
{
	char p[256];

	if (key)
		snprintf(p, sizeof(p), "%s/%s", dir, key);
	else
		snprintf(p, sizeof(p), "%s", dir);
	if (!xs_write(h, t, p, val, (unsigned)strlen(val))) {
		ccd_log(CCD_LOG_ERR, "write %s: %s", p, strerror(errno));
		return -1;
	}
	return 0;
}

static int wr_uint(struct xs_handle *h, xs_transaction_t t, const char *dir,
		   const char *key, unsigned v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	return wr(h, t, dir, key, buf);
}

static int rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	if (!xs_rm(h, t, path) && errno != ENOENT) {
		ccd_log(CCD_LOG_ERR, "rm %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Remove dir if it exists and has no children. */
static int rm_if_empty(struct xs_handle *h, xs_transaction_t t,
		       const char *path)
{
	unsigned n = 0;
	char **d = xs_directory(h, t, path, &n);

	if (!d)
		return 0;
	free(d);
	return n ? 0 : rm(h, t, path);
}

static int mkdir_perms(struct xs_handle *h, xs_transaction_t t,
		       const char *path, unsigned owner, int reader)
{
	struct xs_permissions p[2];
	unsigned np = 1;

	p[0].id = owner;
	p[0].perms = XS_PERM_NONE;
	if (reader >= 0 && (unsigned)reader != owner) {
		p[1].id = (unsigned)reader;
		p[1].perms = XS_PERM_READ;
		np = 2;
	}
	if (!xs_mkdir(h, t, path)) {
		ccd_log(CCD_LOG_ERR, "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	if (!xs_set_permissions(h, t, path, p, np)) {
		ccd_log(CCD_LOG_ERR, "set perms %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A link half: dom0's node, guest `rw` (its xenbus driver writes `state`,
 * the ring keys and `broken`, and removes its half on suspend), peer `r`.
 * xenstored charges a node to its owner, so the halves cost the guests none
 * of their entry quota, however many peers they have (docs/architecture.md,
 * "xenstore footprint").  ccd_link_guest_owned: the layout before, the guest
 * owning its half (`colorcomd --guest-owned-links`, for the xs-quota
 * scenario's control only). */
int ccd_link_guest_owned;

static int mkdir_half(struct xs_handle *h, xs_transaction_t t,
		      const char *path, unsigned guest, unsigned peer)
{
	struct xs_permissions p[3] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = guest, .perms = XS_PERM_READ | XS_PERM_WRITE },
		{ .id = peer, .perms = XS_PERM_READ },
	};

	if (ccd_link_guest_owned)
		return mkdir_perms(h, t, path, guest, (int)peer);
	if (!xs_mkdir(h, t, path)) {
		ccd_log(CCD_LOG_ERR, "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	if (!xs_set_permissions(h, t, path, p, 3)) {
		ccd_log(CCD_LOG_ERR, "set perms %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The keys the guest's driver writes into its half, made empty here so that
 * its writes change dom0's nodes instead of creating its own (a node is
 * owned by the unprivileged domain that creates it).  Empty reads like
 * missing to the peer, which reads them only after this side's state says
 * they are written.  `broken` is left out: its presence is the signal. */
static int guest_keys(struct xs_handle *h, xs_transaction_t t,
		      const char *dir, int front)
{
	static const char *const keys[] = {
		CCD_K_TX_RING_REF, CCD_K_FEATURE_CSUM, CCD_K_FEATURE_GSO4,
		CCD_K_FEATURE_GSO6,
	};
	size_t i;

	if (ccd_link_guest_owned)
		return 0;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (wr(h, t, dir, keys[i], ""))
			return -1;
	return front ? wr(h, t, dir, CCD_K_EVENT_CHANNEL, "") : 0;
}

static void nic_dir(char *buf, size_t sz, unsigned d, unsigned n)
{
	snprintf(buf, sz, CCD_BACKEND_ROOT "/%u/%u", d, n);
}

static void front_nic_dir(char *buf, size_t sz, unsigned d, unsigned n)
{
	snprintf(buf, sz, "/local/domain/%u/device/%s/%u", d, CCD_NIC_TYPE, n);
}

static void link_front_dir(char *buf, size_t sz, unsigned a, unsigned l)
{
	snprintf(buf, sz, "/local/domain/%u/device/%s/%u", a, CCD_LINK_TYPE, l);
}

static void link_back_dir(char *buf, size_t sz, unsigned b, unsigned a,
			  unsigned l)
{
	snprintf(buf, sz, "/local/domain/%u/backend/%s/%u/%u", b, CCD_LINK_TYPE,
		 a, l);
}

/* ---- NIC actions --------------------------------------------------------- */

static int tx_nic_state(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	const struct ccd_act *a = arg;
	char dir[96], p[128], buf[16];

	nic_dir(dir, sizeof(dir), a->domid, a->devid);
	if (!exists(h, t, dir))
		return SKIP;
	snprintf(p, sizeof(p), "%s/%s", dir, CCD_K_STATE);
	if (rd_state(h, t, p) != a->from)
		return SKIP;
	if (a->kind == CCD_ACT_NIC_ERROR) {
		if (wr(h, t, dir, CCD_K_ERROR, a->reason))
			return -1;
		return wr_uint(h, t, dir, CCD_K_STATE, CCD_XS_CLOSED);
	}
	snprintf(buf, sizeof(buf), "%d", a->to);
	return wr(h, t, dir, CCD_K_STATE, buf);
}

static int tx_nic_remove(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	const struct ccd_act *a = arg;
	char dir[96];

	nic_dir(dir, sizeof(dir), a->domid, a->devid);
	if (!exists(h, t, dir))
		return SKIP;
	if (rm(h, t, dir))
		return -1;
	snprintf(dir, sizeof(dir), CCD_BACKEND_ROOT "/%u", a->domid);
	return rm_if_empty(h, t, dir);
}

/* The frontend dir is the guest's: removed after the transaction, so that
 * a guest writing into it in a loop cannot make its own detach conflict
 * for ever.  Once the backend dir is gone nothing brings the NIC back. */
static void nic_remove_front(struct xs_handle *h, const struct ccd_act *a)
{
	char dir[96];

	front_nic_dir(dir, sizeof(dir), a->domid, a->devid);
	rm(h, XBT_NULL, dir);
}

/* ---- link actions -------------------------------------------------------- */

static int tx_link_remove(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	const struct ccd_act *a = arg;
	char p[128];

	if (a->have_front) {
		link_front_dir(p, sizeof(p), a->a, a->l);
		if (rm(h, t, p))
			return -1;
	}
	if (a->have_back) {
		link_back_dir(p, sizeof(p), a->b, a->a, a->l);
		if (rm(h, t, p))
			return -1;
		snprintf(p, sizeof(p), "/local/domain/%u/backend/%s/%u", a->b,
			 CCD_LINK_TYPE, a->a);
		if (rm_if_empty(h, t, p))
			return -1;
	}
	return 0;
}

/* Is NIC (d, n) still Connected and online on dom0's side?  Only dom0's
 * nodes are read inside a transaction: a guest rewriting its own nodes in a
 * loop would otherwise make every transaction that read them conflict. */
static int nic_connected(struct xs_handle *h, xs_transaction_t t, unsigned d,
			 unsigned n)
{
	char dir[96], p[128], buf[8];
	int len;

	nic_dir(dir, sizeof(dir), d, n);
	snprintf(p, sizeof(p), "%s/%s", dir, CCD_K_STATE);
	if (rd_state(h, t, p) != CCD_XS_CONNECTED)
		return 0;
	snprintf(p, sizeof(p), "%s/%s", dir, CCD_K_ONLINE);
	len = ccd_xs_read(h, t, p, buf, sizeof(buf));
	return len == -1 || (len == 1 && buf[0] == '1');
}

/* The guest's side, read outside any transaction, just before it. */
static int front_connected(struct xs_handle *h, unsigned d, unsigned n)
{
	char dir[96], p[128];

	front_nic_dir(dir, sizeof(dir), d, n);
	snprintf(p, sizeof(p), "%s/%s", dir, CCD_K_STATE);
	return rd_state(h, XBT_NULL, p) == CCD_XS_CONNECTED;
}

/* Parent directories of the backend half: dom0's, readable by B, as libxl
 * makes device parents; only the link dir itself is B's (so B cannot add
 * entries beside it, nor remove the parents).  An existing
 * /local/domain/B/backend (a driver domain's) keeps its permissions; our
 * own parents left B-owned by an older colorcomd are taken back. */
static int back_parents(struct xs_handle *h, xs_transaction_t t, unsigned b,
			unsigned a)
{
	struct xs_permissions want[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = b, .perms = XS_PERM_READ },
	};
	char p[128];
	int i;

	for (i = 0; i < 3; i++) {
		struct xs_permissions *cur;
		unsigned n = 0;

		if (i == 0)
			snprintf(p, sizeof(p), "/local/domain/%u/backend", b);
		else if (i == 1)
			snprintf(p, sizeof(p), "/local/domain/%u/backend/%s", b,
				 CCD_LINK_TYPE);
		else
			snprintf(p, sizeof(p), "/local/domain/%u/backend/%s/%u",
				 b, CCD_LINK_TYPE, a);
		if (!exists(h, t, p)) {
			if (mkdir_perms(h, t, p, 0, (int)b))
				return -1;
			continue;
		}
		if (i == 0)
			continue;
		cur = xs_get_permissions(h, t, p, &n);
		if (cur && n == 2 && cur[0].id == 0 &&
		    cur[0].perms == XS_PERM_NONE && cur[1].id == b &&
		    cur[1].perms == XS_PERM_READ) {
			free(cur);
			continue;
		}
		free(cur);
		if (!xs_set_permissions(h, t, p, want, 2)) {
			ccd_log(CCD_LOG_ERR, "set perms %s: %s", p,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int tx_link_create(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	const struct ccd_act *a = arg;
	const struct ccd_nic *x = a->nic_a, *y = a->nic_b;
	char fd[128], bd[128], mac[18];

	if (!nic_connected(h, t, x->domid, x->devid) ||
	    !nic_connected(h, t, y->domid, y->devid))
		return SKIP;
	link_front_dir(fd, sizeof(fd), a->a, a->l);
	link_back_dir(bd, sizeof(bd), a->b, a->a, a->l);
	if (exists(h, t, fd) || exists(h, t, bd))
		return SKIP;

	/* Directories with their final permissions first, so that every key
	 * inherits them; then the keys; `state` last. */
	if (back_parents(h, t, a->b, a->a) ||
	    mkdir_half(h, t, fd, a->a, a->b) ||
	    mkdir_half(h, t, bd, a->b, a->a))
		return -1;

	ccd_mac_format(y->mac, mac);
	if (wr(h, t, fd, CCD_K_BACKEND, bd) ||
	    wr_uint(h, t, fd, CCD_K_BACKEND_ID, a->b) ||
	    wr_uint(h, t, fd, CCD_K_NIC, x->devid) ||
	    wr(h, t, fd, CCD_K_PEER_MAC, mac) ||
	    wr(h, t, fd, CCD_K_NETWORK, x->network) ||
	    wr_uint(h, t, fd, CCD_K_ORDER, x->order))
		return -1;
	ccd_mac_format(x->mac, mac);
	if (wr(h, t, bd, CCD_K_FRONTEND, fd) ||
	    wr_uint(h, t, bd, CCD_K_FRONTEND_ID, a->a) ||
	    wr_uint(h, t, bd, CCD_K_NIC, y->devid) ||
	    wr(h, t, bd, CCD_K_PEER_MAC, mac) ||
	    wr(h, t, bd, CCD_K_NETWORK, y->network) ||
	    wr_uint(h, t, bd, CCD_K_ORDER, y->order))
		return -1;
	/* The flag goes into the half of the uplink's PEER: that guest reads
	 * it from its own half, which the uplink side cannot write. */
	if ((x->uplink && wr(h, t, bd, CCD_K_PEER_UPLINK, "1")) ||
	    (y->uplink && wr(h, t, fd, CCD_K_PEER_UPLINK, "1")))
		return -1;
	if (guest_keys(h, t, fd, 1) || guest_keys(h, t, bd, 0))
		return -1;
	if (wr_uint(h, t, fd, CCD_K_STATE, CCD_XS_INITIALISING) ||
	    wr_uint(h, t, bd, CCD_K_STATE, CCD_XS_INITIALISING))
		return -1;
	return 0;
}

/* ---- uplink actions (colorcomd.conf network.NAME.uplink) ---------------- */

/* Scan every NIC backend dir: is `mac` used on `net`, and does dom0 already
 * have an uplink NIC there (*uplink_devid, else -1)? */
static int net_check(struct xs_handle *h, xs_transaction_t t, const char *net,
		     const uint8_t *mac, int *uplink_devid)
{
	char **ds, **ns, p[160], v[40];
	unsigned nd, nn, i, j;
	uint8_t m[6];
	int l, taken = 0;

	*uplink_devid = -1;
	ds = xs_directory(h, t, CCD_BACKEND_ROOT, &nd);
	for (i = 0; ds && i < nd; i++) {
		snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%.12s", ds[i]);
		ns = xs_directory(h, t, p, &nn);
		for (j = 0; ns && j < nn; j++) {
			snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%.12s/%.12s/%s",
				 ds[i], ns[j], CCD_K_NETWORK);
			l = ccd_xs_read(h, t, p, v, sizeof(v));
			if (l < 0 || strcmp(v, net))
				continue;
			snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%.12s/%.12s/%s",
				 ds[i], ns[j], CCD_K_MAC);
			l = ccd_xs_read(h, t, p, v, sizeof(v));
			if (mac && l > 0 && !ccd_parse_mac(v, (size_t)l, m) &&
			    !memcmp(m, mac, 6))
				taken = 1;
			snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%.12s/%.12s/%s",
				 ds[i], ns[j], CCD_K_UPLINK);
			if (!strcmp(ds[i], "0") &&
			    ccd_xs_read(h, t, p, v, sizeof(v)) == 1 &&
			    v[0] == '1')
				*uplink_devid = atoi(ns[j]);
		}
		free(ns);
	}
	free(ds);
	return taken;
}

static int apply_ops(struct xs_handle *h, xs_transaction_t t,
		     const struct ccctl_ops *ops)
{
	unsigned i, j;

	for (i = 0; i < ops->n; i++) {
		const struct ccctl_op *o = &ops->op[i];
		struct xs_permissions xp[2];

		if (o->kind == CCCTL_WRITE) {
			if (wr(h, t, o->path, NULL, o->value))
				return -1;
			continue;
		}
		if (o->kind == CCCTL_RM) {
			if (rm(h, t, o->path))
				return -1;
			continue;
		}
		if (!xs_mkdir(h, t, o->path)) {
			ccd_log(CCD_LOG_ERR, "mkdir %s: %s", o->path,
				strerror(errno));
			return -1;
		}
		for (j = 0; j < o->nperms; j++) {
			xp[j].id = o->perms[j].id;
			xp[j].perms = o->perms[j].mode == 'r' ? XS_PERM_READ :
								XS_PERM_NONE;
		}
		if (o->nperms &&
		    !xs_set_permissions(h, t, o->path, xp, o->nperms)) {
			ccd_log(CCD_LOG_ERR, "set perms %s: %s", o->path,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Exactly what `colorcomctl uplink NET on` writes (spec.c's attach list with
 * `uplink` = 1): the first free devid of dom0, the auto MAC of
 * CCCTL_UPLINK_SEED, the configured ring. */
static int tx_uplink_attach(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct ccd_act *a = arg;
	struct ccctl_spec spec;
	struct ccctl_ops ops;
	char p[96];
	unsigned devid, i;
	int up;

	net_check(h, t, a->network, NULL, &up);
	if (up >= 0)
		return SKIP;
	for (devid = 0; devid <= CCD_DEVID_MAX; devid++) {
		ccctl_backend_dir(p, sizeof(p), 0, devid);
		if (exists(h, t, p))
			continue;
		ccctl_frontend_dir(p, sizeof(p), 0, devid);
		if (!exists(h, t, p))
			break;
	}
	if (devid > CCD_DEVID_MAX) {
		snprintf(a->reason, sizeof(a->reason),
			 "network %s: domain 0 has no free devid", a->network);
		errno = ENOSPC;
		return -1;
	}
	memset(&spec, 0, sizeof(spec));
	snprintf(spec.network, sizeof(spec.network), "%s", a->network);
	spec.mtu = ccd_conf_mtu(a->conf, a->network);
	if (!spec.mtu)
		spec.mtu = CCD_MTU_DEFAULT;
	spec.order = a->conf->order;
	spec.devid = (int)devid;
	spec.uplink = 1;
	for (i = 0; i < 256; i++) {
		ccctl_auto_mac(a->conf, CCCTL_UPLINK_SEED, a->network, devid, i,
			       spec.mac);
		if (ccd_mac_is_unicast(spec.mac) &&
		    !net_check(h, t, a->network, spec.mac, &up))
			break;
	}
	if (i == 256) {
		errno = EEXIST;
		return -1;
	}
	a->devid = devid;
	ccctl_attach_ops(0, devid, &spec, &ops);
	return apply_ops(h, t, &ops);
}

/* online=0 + state=5, like `colorcomctl detach` (rule 2 does the rest). */
static int tx_uplink_detach(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	const struct ccd_act *a = arg;
	char dir[96], p[128], buf[8];

	nic_dir(dir, sizeof(dir), 0, a->devid);
	snprintf(p, sizeof(p), "%s/%s", dir, CCD_K_UPLINK);
	if (ccd_xs_read(h, t, p, buf, sizeof(buf)) != 1 || buf[0] != '1')
		return SKIP;
	if (wr(h, t, dir, CCD_K_ONLINE, "0"))
		return -1;
	return wr_uint(h, t, dir, CCD_K_STATE, CCD_XS_CLOSING);
}

/* ---- dispatcher ---------------------------------------------------------- */

static void describe(const struct ccd_act *a, char *buf, size_t sz)
{
	switch (a->kind) {
	case CCD_ACT_NIC_STATE:
		snprintf(buf, sz, "nic %u/%u %s -> %s (%s)", a->domid, a->devid,
			 ccd_state_name(a->from), ccd_state_name(a->to),
			 a->reason);
		break;
	case CCD_ACT_NIC_ERROR:
		snprintf(buf, sz, "nic %u/%u invalid, -> Closed: %s", a->domid,
			 a->devid, a->reason);
		break;
	case CCD_ACT_NIC_REMOVE:
		snprintf(buf, sz, "nic %u/%u removed (%s)", a->domid, a->devid,
			 a->reason);
		break;
	case CCD_ACT_LINK_REMOVE:
		snprintf(buf, sz, "link %u<->%u (L=0x%x) removed%s: %s", a->a,
			 a->b, a->l,
			 a->have_front && a->have_back ? "" :
			 a->have_front ? " (front half)" : " (back half)",
			 a->reason);
		break;
	case CCD_ACT_LINK_CREATE:
		if (a->recreated)
			snprintf(buf, sz,
				 "link %u<->%u on %s created (L=0x%x), re-created after %lu failures",
				 a->a, a->b, a->reason, a->l, a->recreated);
		else
			snprintf(buf, sz, "link %u<->%u on %s created (L=0x%x)",
				 a->a, a->b, a->reason, a->l);
		break;
	case CCD_ACT_UPLINK_ATTACH:
		snprintf(buf, sz, "uplink of network %s attached to domain 0 (%s)",
			 a->network, a->reason);
		break;
	case CCD_ACT_UPLINK_DETACH:
		snprintf(buf, sz, "uplink nic 0/%u of network %s detached (%s)",
			 a->devid, a->network, a->reason);
		break;
	}
}

int ccd_plan_apply(struct xs_handle *h, const struct ccd_plan *p)
{
	size_t i;
	int fails = 0;

	for (i = 0; i < p->nact; i++) {
		struct ccd_act *a = &p->acts[i];
		char what[400];
		ccd_tx_fn fn = NULL;
		int rc;

		switch (a->kind) {
		case CCD_ACT_NIC_STATE:
		case CCD_ACT_NIC_ERROR:
			fn = tx_nic_state;
			break;
		case CCD_ACT_NIC_REMOVE:
			fn = tx_nic_remove;
			break;
		case CCD_ACT_LINK_REMOVE:
			fn = tx_link_remove;
			break;
		case CCD_ACT_LINK_CREATE:
			fn = tx_link_create;
			/* The guests' frontend states, outside the
			 * transaction (see nic_connected). */
			if (!front_connected(h, a->nic_a->domid,
					     a->nic_a->devid) ||
			    !front_connected(h, a->nic_b->domid,
					     a->nic_b->devid))
				fn = NULL;
			break;
		case CCD_ACT_UPLINK_ATTACH:
			fn = tx_uplink_attach;
			break;
		case CCD_ACT_UPLINK_DETACH:
			fn = tx_uplink_detach;
			break;
		}
		rc = fn ? ccd_xs_transact(h, fn, a) : 1;
		a->rc = rc;
		if (rc == 0 && a->kind == CCD_ACT_NIC_REMOVE && a->rm_front)
			nic_remove_front(h, a);
		describe(a, what, sizeof(what));
		if (rc == 0) {
			ccd_log(CCD_LOG_INFO, "%s", what);
		} else if (rc > 0) {
			ccd_log(CCD_LOG_DEBUG, "skipped, xenstore changed: %s",
				what);
		} else {
			ccd_log(CCD_LOG_ERR, "failed (%s): %s", strerror(errno),
				what);
			fails++;
		}
	}
	return fails;
}
