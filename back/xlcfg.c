/* xlcfg.c - attach the NICs a domain's xl config names (colorcom = [...]).
 *
 * Every path by which xl starts a domain (create, xendomains, restart on
 * reboot, restore, migrate-receive) stores the domain's config as libxl
 * userdata "xl" just before it unpauses the domain.  After each pass we look
 * at every live domain we have not handled yet: once it runs (a paused
 * domain may still be getting its NICs from `colorcomctl create`) we read
 * that config and attach each listed NIC in its own transaction, with the
 * checks of `colorcomctl attach` and the same reboot record.  A bad entry
 * gets a backend dir holding only `error` and state Closed (6), so
 * `colorcomctl list` shows it and colorcomd leaves it alone; the others
 * attach.
 *
 * No double attach: a devid whose dir exists (colorcomctl create, a daemon
 * restart) is skipped, and so is one with a reboot record for the domain's
 * UUID: after `xl reboot`/`xl restore` persist.c re-attaches those, at
 * @introduceDomain, i.e. before the restored guest resumes.
 *
 * Handled domains get a marker under CCD_XLCFG_ROOT (their UUID), removed
 * when the domain is gone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>
#include <libxl.h>
#include <libxl_utils.h>

#include "ccd.h"
#include "xlcfg.h"

#define UUID_LEN        36
#define RETRY_MS        250     /* userdata not there yet / still paused */
#define SLOW_AFTER_MS   10000   /* then (e.g. xl create -p, left paused) */
#define SLOW_RETRY_MS   5000
#define NOCFG_GIVEUP_MS 10000   /* running this long with no "xl" userdata */
#define PENDING_MAX     256

struct pending {
	unsigned domid;
	long long since_ms;
};

struct ccd_xlcfg_ctx {
	libxl_ctx *ctx;
	xentoollog_logger_stdiostream *logger;
	int unavailable;        /* libxl could not be opened: logged once */
	struct pending p[PENDING_MAX];
	size_t np;
};

struct ccd_xlcfg_ctx *ccd_xlcfg_new(void)
{
	return calloc(1, sizeof(struct ccd_xlcfg_ctx));
}

void ccd_xlcfg_free(struct ccd_xlcfg_ctx *x)
{
	if (!x)
		return;
	if (x->ctx)
		libxl_ctx_free(x->ctx);
	if (x->logger)
		xtl_logger_destroy((xentoollog_logger *)x->logger);
	free(x);
}

static int open_libxl(struct ccd_xlcfg_ctx *x)
{
	if (x->ctx)
		return 0;
	if (x->unavailable)
		return -1;
	/* libxl's own errors go to stderr (the journal under systemd). */
	x->logger = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
	if (!x->logger ||
	    libxl_ctx_alloc(&x->ctx, LIBXL_VERSION, 0,
			    (xentoollog_logger *)x->logger)) {
		ccd_log(CCD_LOG_WARN,
			"libxl unavailable: colorcom = [...] in xl configs is not applied");
		x->ctx = NULL;
		x->unavailable = 1;
		return -1;
	}
	return 0;
}

static int dom_uuid(struct xs_handle *h, xs_transaction_t t, unsigned d,
		    char uuid[UUID_LEN + 1])
{
	char p[64], buf[64];
	int l;

	snprintf(p, sizeof(p), "/local/domain/%u/vm", d);
	l = ccd_xs_read(h, t, p, buf, sizeof(buf));
	if (l != 4 + UUID_LEN || strncmp(buf, "/vm/", 4))
		return -1;
	memcpy(uuid, buf + 4, UUID_LEN + 1);
	return 0;
}

static int exists(struct xs_handle *h, xs_transaction_t t, const char *p)
{
	char buf[8];

	return ccd_xs_read(h, t, p, buf, sizeof(buf)) != -1;
}

/* Every NIC on `net` (any domain, any state): how many, and is `mac` one
 * of them.  colorcomctl attach's scan (toolstack/cmds.c) over the same
 * keys. */
static unsigned net_scan(struct xs_handle *h, xs_transaction_t t,
			 const char *net, const uint8_t *mac, int *found)
{
	char **ds, **ns, p[128], v[40];
	unsigned nd, nn, i, j, count = 0;
	uint8_t m[6];
	int l;

	*found = 0;
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
			count++;
			snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%.12s/%.12s/%s",
				 ds[i], ns[j], CCD_K_MAC);
			l = ccd_xs_read(h, t, p, v, sizeof(v));
			if (l > 0 && !ccd_parse_mac(v, (size_t)l, m) &&
			    !memcmp(m, mac, 6))
				*found = 1;
		}
		free(ns);
	}
	free(ds);
	return count;
}

struct job {
	unsigned domid;
	char uuid[UUID_LEN + 1];
	const char *name;
	struct ccd_xlnic *nic;
	const struct ccd_conf *conf;
	int skipped;            /* out: dir or record already there */
	char err[320];          /* out: refused */
};

#define REFUSED 1

static int attach_tx(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct job *j = arg;
	struct ccd_xlnic *c = j->nic;
	struct ccctl_ops ops;
	const struct ccctl_op *o;
	char p[160], uuid[UUID_LEN + 1], m[18];
	unsigned count = 0, i, max;
	int found = 0;

	j->skipped = 0;
	j->err[0] = '\0';
	if (dom_uuid(h, t, j->domid, uuid) || strcmp(uuid, j->uuid))
		return j->skipped = 1, REFUSED;         /* the domain went */
	ccctl_backend_dir(p, sizeof(p), j->domid, c->devid);
	if (exists(h, t, p))
		return j->skipped = 1, REFUSED;
	ccctl_frontend_dir(p, sizeof(p), j->domid, c->devid);
	if (exists(h, t, p))
		return j->skipped = 1, REFUSED;
	snprintf(p, sizeof(p), CCD_PERSIST_ROOT "/%s/%u", j->uuid, c->devid);
	if (exists(h, t, p))
		return j->skipped = 1, REFUSED;         /* persist.c's */

	if (c->spec.has_mac) {
		count = net_scan(h, t, c->spec.network, c->spec.mac, &found);
		if (found) {
			ccd_mac_format(c->spec.mac, m);
			snprintf(j->err, sizeof(j->err),
				 "MAC %s is already used on network %s", m,
				 c->spec.network);
			return REFUSED;
		}
	} else {
		/* Same name, network and devid: same MAC, unless taken. */
		for (i = 0; i < 256; i++) {
			ccctl_auto_mac(j->conf, j->name, c->spec.network,
				       c->devid, i, c->spec.mac);
			if (!ccd_mac_is_unicast(c->spec.mac))
				continue;
			count = net_scan(h, t, c->spec.network, c->spec.mac,
					 &found);
			if (!found)
				break;
		}
		if (i == 256) {
			snprintf(j->err, sizeof(j->err),
				 "no free MAC for network %s (give one with mac=)",
				 c->spec.network);
			return REFUSED;
		}
	}
	max = ccd_conf_max_peers(j->conf, c->spec.network);
	if (max && count >= max) {
		snprintf(j->err, sizeof(j->err),
			 "network %s is full (max-peers %u)", c->spec.network,
			 max);
		return REFUSED;
	}
	ccctl_attach_ops(j->domid, c->devid, &c->spec, &ops);
	ccctl_persist_ops(j->uuid, j->domid, c->devid, j->name, &c->spec, &ops);
	if (ccctl_xs_apply(h, t, &ops, &o) == 0)
		return 0;
	ccd_log(CCD_LOG_ERR, "xl config attach: %s: %s", o->path,
		strerror(errno));
	return -1;
}

/* The refusal, where `colorcomctl list` shows it: a backend dir with only
 * `frontend-id`, `error` and state Closed; no frontend, so the guest sees
 * nothing.  colorcomd leaves a Closed dir alone (rule 3); `colorcomctl
 * detach` or the domain's death removes it. */
static int error_tx(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct job *j = arg;
	struct xs_permissions perm = { .id = 0, .perms = XS_PERM_NONE };
	char p[160], v[240], e[200], uuid[UUID_LEN + 1];

	if (dom_uuid(h, t, j->domid, uuid) || strcmp(uuid, j->uuid))
		return REFUSED;
	ccctl_backend_dir(p, sizeof(p), j->domid, j->nic->devid);
	if (exists(h, t, p))
		return REFUSED;
	if (!xs_mkdir(h, t, p) || !xs_set_permissions(h, t, p, &perm, 1))
		return -1;
#define W(key, val) (snprintf(v, sizeof(v), "%s/%s", p, key), \
		     xs_write(h, t, v, val, (unsigned)strlen(val)))
	snprintf(uuid, sizeof(uuid), "%u", j->domid);
	/* colorcomctl reads at most 199 bytes of `error` */
	snprintf(e, sizeof(e), "%.190s", j->err);
	if (!W("frontend-id", uuid) || !W("error", e) ||
	    !W(CCD_K_STATE, "6"))
		return -1;
#undef W
	return 0;
}

static int marker_tx(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	const struct job *j = arg;
	char p[96];

	snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u", j->domid);
	return xs_write(h, t, p, j->uuid, UUID_LEN) ? 0 : -1;
}

static void apply(struct xs_handle *h, unsigned domid, const char *uuid,
		  struct ccd_xlcfg *cfg, const struct ccd_conf *conf)
{
	struct job j;
	unsigned i;
	char m[18];
	int rc;

	for (i = 0; i < cfg->n; i++) {
		struct ccd_xlnic *c = &cfg->nic[i];

		memset(&j, 0, sizeof(j));
		j.domid = domid;
		memcpy(j.uuid, uuid, UUID_LEN + 1);
		j.name = cfg->name[0] ? cfg->name : "?";
		j.nic = c;
		j.conf = conf;
		if (c->ok) {
			rc = ccd_xs_transact(h, attach_tx, &j);
			if (rc == 0) {
				ccd_mac_format(c->spec.mac, m);
				ccd_log(CCD_LOG_INFO,
					"attached nic %u/%u (network %s, mac %s) from the xl config of domain %s",
					domid, c->devid, c->spec.network, m,
					j.name);
				continue;
			}
			if (rc < 0 || j.skipped)
				continue;
		} else {
			snprintf(j.err, sizeof(j.err), "%s", c->err);
		}
		if (c->devid >= CCD_XLCFG_MAX) {
			ccd_log(CCD_LOG_ERR,
				"xl config of domain %u (%s): colorcom[%d]: %s",
				domid, j.name, c->index, j.err);
			continue;
		}
		{
			char msg[360];

			snprintf(msg, sizeof(msg), "colorcom[%d]: %s", c->index,
				 j.err);
			snprintf(j.err, sizeof(j.err), "%.300s", msg);
		}
		ccd_log(CCD_LOG_ERR, "xl config of domain %u (%s): nic %u not attached: %s",
			domid, j.name, c->devid, j.err);
		if (ccd_xs_transact(h, error_tx, &j) < 0)
			ccd_log(CCD_LOG_ERR, "writing the error of nic %u/%u: %s",
				domid, c->devid, strerror(errno));
	}
}

static struct pending *pending_get(struct ccd_xlcfg_ctx *x, unsigned d,
				   long long now)
{
	size_t i;

	for (i = 0; i < x->np; i++)
		if (x->p[i].domid == d)
			return &x->p[i];
	if (x->np == PENDING_MAX)
		return NULL;
	x->p[x->np].domid = d;
	x->p[x->np].since_ms = now;
	return &x->p[x->np++];
}

static void pending_drop(struct ccd_xlcfg_ctx *x, unsigned d)
{
	size_t i;

	for (i = 0; i < x->np; i++)
		if (x->p[i].domid == d) {
			x->p[i] = x->p[--x->np];
			return;
		}
}

/* One domain: 0 done (applied or nothing to apply), 1 try again later. */
static int one_domain(struct xs_handle *h, struct ccd_xlcfg_ctx *x,
		      unsigned d, const char *uuid, const struct ccd_conf *conf,
		      long long since, long long now)
{
	libxl_dominfo info;
	struct ccd_xlcfg cfg;
	uint8_t *data = NULL;
	int len = 0, rc, paused;
	char what[64];

	libxl_dominfo_init(&info);
	rc = libxl_domain_info(x->ctx, &info, d);
	paused = info.paused;
	libxl_dominfo_dispose(&info);
	if (rc) {
		/* gone or not ready: the scan decides */
		ccd_log(CCD_LOG_DEBUG, "xl config of domain %u: no domain info (%d)",
			d, rc);
		return 1;
	}
	if (paused) {
		ccd_log(CCD_LOG_DEBUG, "xl config of domain %u: paused, later", d);
		return 1;
	}
	rc = libxl_userdata_retrieve(x->ctx, d, "xl", &data, &len);
	if (rc) {
		ccd_log(CCD_LOG_DEBUG, "xl config of domain %u: libxl error %d",
			d, rc);
		return 1;
	}
	if (!data || len <= 0) {
		free(data);
		/* Not made by xl (or xl not done yet): give up after a while. */
		if (now - since < NOCFG_GIVEUP_MS)
			return 1;
		ccd_log(CCD_LOG_INFO, "domain %u has no xl config: no NICs from it", d);
		return 0;
	}
	ccd_log(CCD_LOG_DEBUG, "xl config of domain %u: %d bytes", d, len);
	snprintf(what, sizeof(what), "xl config of domain %u", d);
	rc = ccd_xlcfg_parse((const char *)data, (size_t)len, what, conf, &cfg);
	free(data);
	if (rc < 0)
		ccd_log(CCD_LOG_ERR, "%s", cfg.err);
	else if (rc == 0)
		apply(h, d, uuid, &cfg, conf);
	return 0;
}

static int forget_tx(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	char p[96];

	snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%s", (const char *)arg);
	if (!xs_rm(h, t, p) && errno != ENOENT)
		return -1;
	return 0;
}

long long ccd_xlcfg_pass(struct xs_handle *h, struct ccd_xlcfg_ctx *x,
			 const struct ccd_snap *snap,
			 const struct ccd_conf *conf, long long now)
{
	long long deadline = 0;
	char **ms, p[96], v[64], uuid[UUID_LEN + 1];
	unsigned nm, i;
	size_t k;

	if (open_libxl(x))
		return 0;
	/* Markers of domains that are gone. */
	ms = xs_directory(h, XBT_NULL, CCD_XLCFG_ROOT, &nm);
	for (i = 0; ms && i < nm; i++) {
		unsigned long d;

		if (ccd_parse_uint(ms[i], strlen(ms[i]), CCD_DOMID_MAX, &d) ||
		    !ccd_snap_alive(snap, (unsigned)d))
			ccd_xs_transact(h, forget_tx, ms[i]);
	}
	free(ms);

	for (k = 0; k < snap->ndom; k++) {
		const struct ccd_dom *dm = &snap->doms[k];
		struct pending *pd;
		struct job j;

		if (!dm->alive || !dm->domid)
			continue;
		if (dom_uuid(h, XBT_NULL, dm->domid, uuid))
			continue;
		snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u", dm->domid);
		if (ccd_xs_read(h, XBT_NULL, p, v, sizeof(v)) >= 0 &&
		    !strcmp(v, uuid))
			continue;       /* done for this incarnation */
		pd = pending_get(x, dm->domid, now);
		if (!pd)
			continue;
		if (one_domain(h, x, dm->domid, uuid, conf, pd->since_ms, now)) {
			long long at = now + (now - pd->since_ms < SLOW_AFTER_MS ?
					      RETRY_MS : SLOW_RETRY_MS);

			if (!deadline || at < deadline)
				deadline = at;
			continue;
		}
		memset(&j, 0, sizeof(j));
		j.domid = dm->domid;
		memcpy(j.uuid, uuid, sizeof(uuid));
		if (ccd_xs_transact(h, marker_tx, &j))
			ccd_log(CCD_LOG_ERR, "writing %s: %s", p, strerror(errno));
		pending_drop(x, dm->domid);
	}
	/* Pending domains no longer alive. */
	for (k = 0; k < x->np;)
		if (!ccd_snap_alive(snap, x->p[k].domid))
			x->p[k] = x->p[--x->np];
		else
			k++;
	return deadline;
}
