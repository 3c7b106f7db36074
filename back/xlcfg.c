// SPDX-License-Identifier: GPL-2.0 OR MIT
/* xlcfg.c - the NICs a domain's xl config names, however the domain starts.
 *
 * xl ignores `colorcom = [...]`, and xl 4.17 keeps the raw config text of a
 * domain only after `xl config-update` (libxl userdata "xl"); what it keeps
 * on create is libxl's JSON, without the key (docs/admin.md, "A guest's life
 * cycle").  So when a domain appears, colorcomd reads the config it was made
 * from where it still exists:
 *   1. libxl userdata "xl" of the domain (libxl_userdata_retrieve);
 *   2. the command line of the `xl create` process that made it (it is
 *      there while the domain is built, and stays to watch the domain),
 *      read as xl reads it (xlargv.c), the file relative to that process's
 *      working directory, KEY=VALUE overrides applied as xl applies them;
 *      only root's processes count (xl needs privcmd; anyone may name a
 *      process xl);
 * and parses it with libxlutil (dom0lib/domcfg.c), as `colorcomctl create`
 * does.  Each good entry is attached in its own transaction, with its
 * reboot record, through the same code as `colorcomctl attach`; each bad or
 * refused one is logged and left in CCD_XLCFG_ROOT/D/error/N for
 * `colorcomctl list`.  The domain is never stopped for it.
 *
 * A domain whose UUID has reboot records (xl reboot, on_reboot, xl restore,
 * a localhost xl migrate) is persist.c's: it gets back the NICs it had.  The
 * one way to change them across a reboot is xl's: `xl config-update`, which
 * stores userdata "xl"; colorcomd sees the file appear (inotify), parses it
 * and replaces the domain's reboot records with its list, so the next boot
 * has the new NICs, as xl applies the rest of an updated config.
 *
 * Done domains are marked in xenstore (CCD_XLCFG_ROOT/D/source), so a
 * restarted colorcomd neither attaches twice nor re-adds a NIC the admin
 * detached.  The marks go with the domain.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxl.h>
#include <xenstore.h>

#include "ccd.h"

#define XLCFG_USERDATA_DIR "/var/lib/xen"    /* libxl's userdata files */
#define XLCFG_MAX_TEXT (1 << 20)            /* xl's own limit is larger */
#define XLCFG_MAX_ARGS 256
#define XLCFG_NAME_WAIT_MS 500
#define XLCFG_MAX_UD 256
#define XLCFG_UD_KEEP_MS 120000 /* a config-update outlives its domain this long */

/* The config-update text last seen for a domain.  Kept after the domain
 * dies: xl reboots it from this text, and a text without `uuid =` gives the
 * new domain a new UUID, so the reboot records cannot find it; the new
 * domain is then known by its creator, the same xl process (pid). */
struct xlcfg_ud {
	unsigned domid;
	unsigned long hash;
	int pid;                /* the domain's xl process, 0 unknown */
	char *text;             /* last update, NULL none */
	size_t len;
	long long gone_ms;      /* when the domain was first seen dead, 0 alive */
};

struct ccd_xlcfg {
	libxl_ctx *ctx;
	xentoollog_logger_stdiostream *lg;
	int ctx_tried;
	int ino;                /* inotify on XLCFG_USERDATA_DIR, or -1 */
	int ud_dirty;           /* look for config-updates in this pass */
	struct xlcfg_ud ud[XLCFG_MAX_UD];
	size_t nud;
};

struct ccd_xlcfg *ccd_xlcfg_new(void)
{
	struct ccd_xlcfg *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->ud_dirty = 1;        /* updates made while we were not running */
	x->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (x->ino >= 0 &&
	    inotify_add_watch(x->ino, XLCFG_USERDATA_DIR,
			      IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		/* No libxl dir (not a Xen host yet): creates still work. */
		close(x->ino);
		x->ino = -1;
	}
	return x;
}

void ccd_xlcfg_free(struct ccd_xlcfg *x)
{
	if (!x)
		return;
	if (x->ctx)
		libxl_ctx_free(x->ctx);
	if (x->lg)
		xtl_logger_destroy((xentoollog_logger *)x->lg);
	if (x->ino >= 0)
		close(x->ino);
	while (x->nud)
		free(x->ud[--x->nud].text);
	free(x);
}

int ccd_xlcfg_fd(const struct ccd_xlcfg *x)
{
	return x ? x->ino : -1;
}

int ccd_xlcfg_event(struct ccd_xlcfg *x)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int hit = 0;
	ssize_t n;

	while ((n = read(x->ino, buf, sizeof(buf))) > 0) {
		const char *p;

		for (p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;
			size_t l = ev->len ? strlen(ev->name) : 0;

			/* userdata-d.DOMID.UUID.xl */
			if (l > 3 && !strncmp(ev->name, "userdata-d.", 11) &&
			    !strcmp(ev->name + l - 3, ".xl"))
				hit = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (hit)
		x->ud_dirty = 1;
	return hit;
}

static libxl_ctx *xlcfg_ctx(struct ccd_xlcfg *x)
{
	if (x->ctx || x->ctx_tried)
		return x->ctx;
	x->ctx_tried = 1;
	x->lg = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
	if (!x->lg)
		return NULL;
	if (libxl_ctx_alloc(&x->ctx, LIBXL_VERSION, 0,
			    (xentoollog_logger *)x->lg)) {
		ccd_log(CCD_LOG_WARN, "libxl: no context (%s): xl config-update is not followed",
			strerror(errno));
		x->ctx = NULL;
	}
	return x->ctx;
}

/* The domain's userdata "xl" (malloc'd text), or NULL. */
static char *xlcfg_userdata(struct ccd_xlcfg *x, unsigned domid, size_t *len)
{
	libxl_ctx *ctx = xlcfg_ctx(x);
	uint8_t *data = NULL;
	int l = 0;

	if (!ctx || libxl_userdata_retrieve(ctx, domid, "xl", &data, &l) ||
	    !data || l <= 0) {
		free(data);
		return NULL;
	}
	*len = (size_t)l;
	return (char *)data;
}

/* The config-update of a dead domain whose xl process is pid, or NULL. */
static struct xlcfg_ud *xlcfg_ud_of_pid(struct ccd_xlcfg *x, int pid)
{
	size_t i;

	for (i = 0; pid > 0 && i < x->nud; i++)
		if (x->ud[i].pid == pid && x->ud[i].text && x->ud[i].gone_ms)
			return &x->ud[i];
	return NULL;
}

static void xlcfg_ud_drop(struct ccd_xlcfg *x, struct xlcfg_ud *u)
{
	free(u->text);
	*u = x->ud[--x->nud];
}

/* All of a file, at most XLCFG_MAX_TEXT bytes; NULL with errno. */
static char *xlcfg_slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	ssize_t r;
	size_t n = 0;

	if (fd < 0)
		return NULL;
	buf = malloc(XLCFG_MAX_TEXT + 1);
	if (!buf)
		goto out_fd;
	while (n < XLCFG_MAX_TEXT &&
	       (r = read(fd, buf + n, XLCFG_MAX_TEXT - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto out_buf;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
out_buf:
	free(buf);
out_fd:
	close(fd);
	return NULL;
}

/* The text and overrides of the `xl create` that made domain `name`; fills
 * cfg (parsed), pid and src.  With use_ud, an xl process that reboots a
 * dead domain from its kept config-update gives that text.  0 found, -1 not. */
static int xlcfg_from_proc(struct ccd_xlcfg *x, const char *name, int use_ud,
			   const struct ccd_conf *conf, const char *conf_path,
			   struct ccctl_domcfg *cfg, int *pid, char *src,
			   size_t srcsz, char *err, size_t errsz)
{
	static char cmd[65536];
	DIR *d = opendir("/proc");
	struct dirent *de;
	int found = -1;

	if (!d)
		return -1;
	while (found && (de = readdir(d))) {
		char p[64], *argv[XLCFG_MAX_ARGS + 1], *text, path[4200];
		struct ccd_xlargs a;
		struct stat st;
		size_t n, len;
		ssize_t r;
		int fd, argc = 0;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		/* Only root's xl makes domains (privcmd); anyone can run a
		 * process named xl and must not choose a domain's NICs. */
		snprintf(p, sizeof(p), "/proc/%.20s", de->d_name);
		if (stat(p, &st) || st.st_uid != 0)
			continue;
		snprintf(p, sizeof(p), "/proc/%.20s/cmdline", de->d_name);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, cmd, sizeof(cmd) - 1);
		close(fd);
		if (r <= 0)
			continue;
		n = (size_t)r;
		cmd[n] = '\0';
		for (size_t i = 0; i < n && argc < XLCFG_MAX_ARGS;
		     i += strlen(cmd + i) + 1)
			argv[argc++] = cmd + i;
		argv[argc] = NULL;
		if (ccd_xl_create_args(argc, argv, &a))
			continue;
		/* This xl rebooting its domain from a config-update: the
		 * text it uses, as xl parses it (no overrides). */
		{
			struct xlcfg_ud *u = use_ud ?
				xlcfg_ud_of_pid(x, atoi(de->d_name)) : NULL;

			if (u && ccctl_domcfg_parse("userdata xl", u->text,
						    u->len, NULL, 0, conf,
						    conf_path, cfg, err,
						    errsz) == 0 &&
			    !strcmp(cfg->name, name)) {
				snprintf(src, srcsz,
					 "xl config-update of domain %u (pid %s)",
					 u->domid, de->d_name);
				*pid = u->pid;
				xlcfg_ud_drop(x, u);
				found = 0;
				continue;
			}
		}
		if (a.config[0] == '/')
			snprintf(path, sizeof(path), "%s", a.config);
		else    /* relative to the xl process's working directory */
			snprintf(path, sizeof(path), "/proc/%.20s/cwd/%s",
				 de->d_name, a.config);
		if (!strcmp(a.config, "/dev/null")) {
			text = strdup("");
			len = 0;
		} else {
			text = xlcfg_slurp(path, &len);
		}
		if (!text)
			continue;
		/* The file may have been edited since; its name must still be
		 * the domain's, as xl would give it. */
		if (ccctl_domcfg_parse(a.config, text, len, (char **)a.over,
				       a.nover, conf, conf_path, cfg, err,
				       errsz) == 0 && !strcmp(cfg->name, name)) {
			snprintf(src, srcsz, "xl create %s (pid %s)", a.config,
				 de->d_name);
			*pid = atoi(de->d_name);
			found = 0;
		}
		free(text);
	}
	closedir(d);
	return found;
}

static int xlcfg_attach_tx(struct xs_handle *h, uint32_t t, void *arg)
{
	return ccctl_attach_write(h, t, arg);
}

struct xlcfg_mark {
	unsigned domid;
	int pid;
	const char *name, *source;
	char keys[CCD_DEVID_MAX + 2][16];       /* error/N, error/config */
	char msgs[CCD_DEVID_MAX + 2][CCCTL_ERRLEN];
	unsigned nerr;
};

/* The domain's mark, in one transaction: errors first, `source` last. */
static int xlcfg_mark_tx(struct xs_handle *h, uint32_t t, void *arg)
{
	struct xlcfg_mark *m = arg;
	char p[160];
	unsigned i;

	snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u", m->domid);
	if (!xs_rm(h, t, p) && errno != ENOENT)
		return -1;
	snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/name", m->domid);
	if (!xs_write(h, t, p, m->name, (unsigned)strlen(m->name)))
		return -1;
	for (i = 0; i < m->nerr; i++) {
		snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/error/%s", m->domid,
			 m->keys[i]);
		if (!xs_write(h, t, p, m->msgs[i], (unsigned)strlen(m->msgs[i])))
			return -1;
	}
	if (m->pid > 0) {
		char v[16];

		snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/xl-pid", m->domid);
		snprintf(v, sizeof(v), "%d", m->pid);
		if (!xs_write(h, t, p, v, (unsigned)strlen(v)))
			return -1;
	}
	snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/source", m->domid);
	return xs_write(h, t, p, m->source, (unsigned)strlen(m->source)) ? 0 : -1;
}

static void xlcfg_err(struct xlcfg_mark *m, const char *key, const char *msg)
{
	if (m->nerr >= CCD_DEVID_MAX + 2)
		return;
	snprintf(m->keys[m->nerr], sizeof(m->keys[0]), "%s", key);
	snprintf(m->msgs[m->nerr], sizeof(m->msgs[0]), "%s", msg);
	m->nerr++;
}

static int xlcfg_has_records(struct xs_handle *h, const char *uuid)
{
	char p[128];
	unsigned n = 0;
	char **d;

	snprintf(p, sizeof(p), CCD_PERSIST_ROOT "/%s", uuid);
	d = xs_directory(h, XBT_NULL, p, &n);
	free(d);
	return d != NULL;
}

/* "/vm/UUID" -> UUID; "" if not that. */
static void xlcfg_uuid(struct xs_handle *h, unsigned domid,
		       char uuid[CCCTL_UUID_LEN + 1])
{
	char p[64], buf[64];
	int l;

	uuid[0] = '\0';
	snprintf(p, sizeof(p), "/local/domain/%u/vm", domid);
	l = ccd_xs_read(h, XBT_NULL, p, buf, sizeof(buf));
	if (l == 4 + CCCTL_UUID_LEN && !strncmp(buf, "/vm/", 4))
		memcpy(uuid, buf + 4, CCCTL_UUID_LEN + 1);
}

/* A new domain: attach what its config names, then mark it done. */
static void xlcfg_new_domain(struct xs_handle *h, struct ccd_xlcfg *x,
			     unsigned domid, const char *name,
			     const char *uuid, const struct ccd_conf *conf,
			     const char *conf_path)
{
	static struct ccctl_domcfg cfg;
	struct xlcfg_mark m = { .domid = domid, .name = name };
	char src[320] = "none", err[CCCTL_ERRLEN] = "", k[16], msg[CCCTL_ERRLEN];
	unsigned i, ok = 0;
	size_t len = 0;
	char *text;
	int got = -1;

	text = xlcfg_userdata(x, domid, &len);
	if (text) {
		got = ccctl_domcfg_parse("userdata xl", text, len, NULL, 0, conf,
					 conf_path, &cfg, err, sizeof(err));
		snprintf(src, sizeof(src), "libxl userdata xl");
		free(text);
		if (got) {
			xlcfg_err(&m, "config", err);
			ccd_log(CCD_LOG_ERR, "domain %u (%s): its config: %s",
				domid, name, err);
		}
	} else if (xlcfg_from_proc(x, name, 1, conf, conf_path, &cfg, &m.pid,
				   src, sizeof(src), err, sizeof(err)) == 0) {
		got = 0;
	}
	/* Rebooted, restored, migrated here: it gets back what it had
	 * (persist.c), not what its file says now. */
	if (uuid[0] && xlcfg_has_records(h, uuid)) {
		m.source = "reboot records";
		goto mark;
	}
	m.source = src;
	if (got)
		goto mark;
	for (i = 0; i < cfg.n; i++) {
		struct ccctl_attach *c = &cfg.nic[i].at;
		int rc;

		snprintf(k, sizeof(k), "%u", i);
		if (cfg.nic[i].bad) {
			snprintf(msg, sizeof(msg), "colorcom[%u]: %s", i, c->err);
			xlcfg_err(&m, k, msg);
			ccd_log(CCD_LOG_ERR, "domain %u (%s): %s: not attached",
				domid, name, msg);
			continue;
		}
		c->domid = domid;
		snprintf(c->uuid, sizeof(c->uuid), "%s", uuid);
		rc = ccd_xs_transact(h, xlcfg_attach_tx, c);
		if (rc) {
			snprintf(msg, sizeof(msg), "colorcom[%u]: %s", i,
				 c->err[0] ? c->err : strerror(errno));
			xlcfg_err(&m, k, msg);
			ccd_log(CCD_LOG_ERR, "domain %u (%s): %s: not attached",
				domid, name, msg);
			continue;
		}
		ok++;
		{
			char mac[18];

			ccd_mac_format(c->spec.mac, mac);
			ccd_log(CCD_LOG_INFO,
				"attached nic %u/%u (network %s, mac %s) from the config of domain %s (%s)",
				domid, c->devid, c->spec.network, mac, name,
				src);
		}
	}
	if (cfg.n)
		ccd_log(m.nerr ? CCD_LOG_WARN : CCD_LOG_INFO,
			"domain %u (%s): %u of %u colorcom NICs of its config attached",
			domid, name, ok, cfg.n);
mark:
	if (ccd_xs_transact(h, xlcfg_mark_tx, &m))
		ccd_log(CCD_LOG_ERR, "domain %u: cannot write %s/%u: %s", domid,
			CCD_XLCFG_ROOT, domid, strerror(errno));
}

/* ---- xl config-update -> reboot records ---------------------------------------- */

static unsigned long xlcfg_hash(const char *s, size_t n)
{
	unsigned long h = 1469598103934665603ul;       /* FNV-1a */

	while (n--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ul;
	return h;
}

struct xlcfg_rec {
	const char *uuid;
	unsigned domid;
	struct ccctl_domcfg *cfg;
	const struct ccd_snap *snap;
};

/* Replace the domain's reboot records with the updated list. */
static int xlcfg_records_tx(struct xs_handle *h, uint32_t t, void *arg)
{
	struct xlcfg_rec *r = arg;
	const struct ccctl_op *o;
	struct ccctl_ops ops;
	char p[128];
	unsigned i;
	size_t k;

	snprintf(p, sizeof(p), CCD_PERSIST_ROOT "/%s", r->uuid);
	if (!xs_rm(h, t, p) && errno != ENOENT)
		return -1;
	for (i = 0; i < r->cfg->n; i++) {
		struct ccctl_attach *c = &r->cfg->nic[i].at;

		if (r->cfg->nic[i].bad)
			continue;
		if (!c->spec.has_mac) {
			/* The MAC the NIC has now if it stays, else the one
			 * an attach would try first. */
			ccctl_auto_mac(c->conf, r->cfg->name, c->spec.network,
				       c->devid, 0, c->spec.mac);
			for (k = 0; k < r->snap->nnic; k++) {
				const struct ccd_nic *n = &r->snap->nics[k];

				if (n->domid == r->domid && n->devid == c->devid &&
				    n->valid && !strcmp(n->network, c->spec.network))
					memcpy(c->spec.mac, n->mac, 6);
			}
			c->spec.has_mac = 1;
		}
		ops.n = 0;
		ccctl_persist_ops(r->uuid, r->domid, c->devid, r->cfg->name,
				  &c->spec, &ops);
		if (ccctl_xs_apply(h, t, &ops, &o))
			return -1;
	}
	return 0;
}

static struct xlcfg_ud *xlcfg_ud_get(struct ccd_xlcfg *x, unsigned domid)
{
	size_t i;

	for (i = 0; i < x->nud; i++)
		if (x->ud[i].domid == domid)
			return &x->ud[i];
	if (x->nud == XLCFG_MAX_UD)
		return NULL;
	memset(&x->ud[x->nud], 0, sizeof(x->ud[0]));
	x->ud[x->nud].domid = domid;
	return &x->ud[x->nud++];
}

static void xlcfg_update(struct xs_handle *h, struct ccd_xlcfg *x,
			 unsigned domid, const struct ccd_snap *snap,
			 const struct ccd_conf *conf, const char *conf_path)
{
	static struct ccctl_domcfg cfg;
	char uuid[CCCTL_UUID_LEN + 1], err[CCCTL_ERRLEN], msg[CCCTL_ERRLEN];
	struct xlcfg_rec r = { .uuid = uuid, .domid = domid, .cfg = &cfg,
			       .snap = snap };
	struct xlcfg_ud *u;
	unsigned long hash;
	size_t len = 0;
	char *text;
	unsigned i;

	text = xlcfg_userdata(x, domid, &len);
	if (!text)
		return;
	hash = xlcfg_hash(text, len);
	u = xlcfg_ud_get(x, domid);
	if (!u || u->hash == hash) {
		free(text);
		return;
	}
	u->hash = hash;
	xlcfg_uuid(h, domid, uuid);
	/* The xl that will reboot it: `xl create` daemonizes after the
	 * domain starts, so the pid of its mark is gone by now and the
	 * monitor is another process with the same command line. */
	{
		char p[96], v[320], nm[CCCTL_NAME_MAX + 2];
		int l;

		snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
		l = ccd_xs_read(h, XBT_NULL, p, nm, sizeof(nm));
		u->pid = 0;
		if (l > 0 && l <= CCCTL_NAME_MAX &&
		    xlcfg_from_proc(x, nm, 0, conf, conf_path, &cfg, &u->pid,
				    v, sizeof(v), err, sizeof(err)) == 0) {
			snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/xl-pid",
				 domid);
			snprintf(v, sizeof(v), "%d", u->pid);
			xs_write(h, XBT_NULL, p, v, (unsigned)strlen(v));
		}
	}
	if (ccctl_domcfg_parse("userdata xl", text, len, NULL, 0, conf,
			       conf_path, &cfg, err, sizeof(err))) {
		free(text);
		ccd_log(CCD_LOG_ERR, "domain %u: xl config-update: %s; its NICs stay as they are",
			domid, err);
		return;
	}
	free(u->text);
	u->text = text;
	u->len = len;
	if (!uuid[0])
		return;
	for (i = 0; i < cfg.n; i++)
		if (cfg.nic[i].bad) {
			snprintf(msg, sizeof(msg), "colorcom[%u]: %s", i,
				 cfg.nic[i].at.err);
			ccd_log(CCD_LOG_ERR, "domain %u (%s): xl config-update: %s: left out",
				domid, cfg.name, msg);
		}
	if (ccd_xs_transact(h, xlcfg_records_tx, &r))
		ccd_log(CCD_LOG_ERR, "domain %u: xl config-update: cannot write the reboot records: %s",
			domid, strerror(errno));
	else
		ccd_log(CCD_LOG_INFO, "domain %u (%s): xl config-update: %u colorcom NICs from its next reboot",
			domid, cfg.name, cfg.n - cfg.nbad);
}

/* ---- the pass -------------------------------------------------------------------- */

long long ccd_xlcfg_pass(struct xs_handle *h, struct ccd_xlcfg *x,
			 const struct ccd_snap *snap,
			 const struct ccd_conf *conf, const char *conf_path,
			 long long now_ms)
{
	char p[96], name[CCCTL_NAME_MAX + 2], uuid[CCCTL_UUID_LEN + 1], buf[8];
	long long deadline = 0;
	unsigned n = 0, i;
	char **ds;
	size_t k;

	/* Config-updates of dead domains wait for the reboot xl makes of
	 * them (xlcfg_from_proc), then go. */
	for (k = 0; k < x->nud;) {
		struct xlcfg_ud *u = &x->ud[k];

		if (ccd_snap_alive(snap, u->domid)) {
			k++;
			continue;
		}
		if (!u->gone_ms)
			u->gone_ms = now_ms;
		if (!u->text || now_ms - u->gone_ms > XLCFG_UD_KEEP_MS) {
			xlcfg_ud_drop(x, u);
			continue;
		}
		if (!deadline || u->gone_ms + XLCFG_UD_KEEP_MS < deadline)
			deadline = u->gone_ms + XLCFG_UD_KEEP_MS + 1;
		k++;
	}
	/* Marks of domains that are gone or dead. */
	ds = xs_directory(h, XBT_NULL, CCD_XLCFG_ROOT, &n);
	for (i = 0; ds && i < n; i++) {
		unsigned long d;

		if (!ccd_parse_uint(ds[i], strlen(ds[i]), CCD_DOMID_MAX, &d) &&
		    ccd_snap_alive(snap, (unsigned)d))
			continue;
		snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%.16s", ds[i]);
		xs_rm(h, XBT_NULL, p);
	}
	free(ds);
	for (k = 0; k < snap->ndom; k++) {
		unsigned d = snap->doms[k].domid;
		int l;

		if (!d || !snap->doms[k].alive)
			continue;
		snprintf(p, sizeof(p), CCD_XLCFG_ROOT "/%u/source", d);
		if (ccd_xs_read(h, XBT_NULL, p, buf, sizeof(buf)) != -1) {
			if (x->ud_dirty)
				xlcfg_update(h, x, d, snap, conf, conf_path);
			continue;
		}
		snprintf(p, sizeof(p), "/local/domain/%u/name", d);
		l = ccd_xs_read(h, XBT_NULL, p, name, sizeof(name));
		if (l == -1) {          /* libxl is still writing its tree */
			if (!deadline)
				deadline = now_ms + XLCFG_NAME_WAIT_MS;
			continue;
		}
		if (l < 1 || l > CCCTL_NAME_MAX)
			snprintf(name, sizeof(name), "domain-%u", d);
		xlcfg_uuid(h, d, uuid);
		xlcfg_new_domain(h, x, d, name, uuid, conf, conf_path);
		/* What it has now is no config-update. */
		{
			size_t len;
			char *t = xlcfg_userdata(x, d, &len);
			struct xlcfg_ud *u = t ? xlcfg_ud_get(x, d) : NULL;

			if (u)
				u->hash = xlcfg_hash(t, len);
			free(t);
		}
	}
	x->ud_dirty = 0;
	return deadline;
}
