// SPDX-License-Identifier: GPL-2.0 OR MIT
/* fakexs.c - see fakexs.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>
#include <xenstore.h>

#include "fakexs.h"

#define MAXPERMS 8
#define MAXTX 16

struct fnode {
	char *path;
	char *val;
	unsigned len;
	struct xs_permissions p[MAXPERMS];
	unsigned np;
};

struct fstore {
	struct fnode *n;
	size_t cnt, cap;
};

struct fpaths {                 /* paths changed (watch events to fire) */
	char **p;
	int *rm;
	size_t n, cap;
};

static struct fstore live;
static unsigned long live_gen;
static struct {
	int used;
	unsigned long gen;
	struct fstore st;
	struct fpaths ev;       /* fired at commit */
} txs[MAXTX];

/* ---- watches (only with fx_watch_events) ----------------------------------- */
int fx_watch_events;
static struct {
	char *path, *token;
} *fw;
static size_t nfw, capfw;
static struct {
	char **ev;              /* [path, token] pairs, queued */
	size_t n, head, cap;
} fq;

static void paths_add(struct fpaths *f, const char *path, int rm)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->p = realloc(f->p, f->cap * sizeof(*f->p));
		f->rm = realloc(f->rm, f->cap * sizeof(*f->rm));
	}
	f->p[f->n] = strdup(path);
	f->rm[f->n++] = rm;
}

static void paths_free(struct fpaths *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->p[i]);
	free(f->p);
	free(f->rm);
	memset(f, 0, sizeof(*f));
}

static void queue_event(const char *path, const char *token)
{
	if (fq.n == fq.cap) {
		fq.cap = fq.cap ? fq.cap * 2 : 64;
		fq.ev = realloc(fq.ev, fq.cap * 2 * sizeof(char *));
	}
	fq.ev[2 * fq.n] = strdup(path);
	fq.ev[2 * fq.n + 1] = strdup(token);
	fq.n++;
}

static int under(const char *p, const char *dir)
{
	size_t l = strlen(dir);

	return !strncmp(p, dir, l) && (p[l] == '/' || !p[l]);
}

/* As xenstored: a change of path fires every watch on it or an ancestor;
 * a removal also fires the watches below it, with their own paths. */
void fx_fire(const char *path, int removal)
{
	size_t i;

	if (!fx_watch_events)
		return;
	for (i = 0; i < nfw; i++) {
		if (under(path, fw[i].path))
			queue_event(path, fw[i].token);
		else if (removal && path[0] == '/' && under(fw[i].path, path))
			queue_event(fw[i].path, fw[i].token);
	}
}

static void changed(xs_transaction_t t, const char *path, int rm)
{
	if (!fx_watch_events)
		return;
	if (t == XBT_NULL)
		fx_fire(path, rm);
	else if (t <= MAXTX)
		paths_add(&txs[t - 1].ev, path, rm);
}

unsigned long fx_nops, fx_commits, fx_aborts, fx_opens;
int fx_force_eagain, fx_fail_open, fx_xc_enabled;

static void st_free(struct fstore *s)
{
	size_t i;

	for (i = 0; i < s->cnt; i++) {
		free(s->n[i].path);
		free(s->n[i].val);
	}
	free(s->n);
	memset(s, 0, sizeof(*s));
}

static void st_copy(struct fstore *d, const struct fstore *s)
{
	size_t i;

	d->cnt = d->cap = s->cnt;
	d->n = calloc(s->cnt ? s->cnt : 1, sizeof(*d->n));
	for (i = 0; i < s->cnt; i++) {
		d->n[i] = s->n[i];
		d->n[i].path = strdup(s->n[i].path);
		d->n[i].val = malloc(s->n[i].len + 1);
		memcpy(d->n[i].val, s->n[i].val, s->n[i].len + 1);
	}
}

static struct fnode *st_find(struct fstore *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->cnt; i++)
		if (!strcmp(s->n[i].path, path))
			return &s->n[i];
	return NULL;
}

static int parent_of(const char *path, char *out, size_t sz)
{
	const char *sl = strrchr(path, '/');

	if (!sl || !strcmp(path, "/"))
		return -1;
	if (sl == path)
		snprintf(out, sz, "/");
	else
		snprintf(out, sz, "%.*s", (int)(sl - path), path);
	return 0;
}

static int valid_path(const char *p)
{
	size_t l = strlen(p);

	return p[0] == '/' && (l == 1 || p[l - 1] != '/') && !strstr(p, "//") &&
	       l < 3072;
}

static struct fnode *st_create(struct fstore *s, const char *path)
{
	struct fnode *n = st_find(s, path), *par;
	char pp[3072];

	if (n)
		return n;
	if (parent_of(path, pp, sizeof(pp)))
		return NULL;
	par = st_create(s, pp);
	if (s->cnt == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->n = realloc(s->n, s->cap * sizeof(*s->n));
		par = st_find(s, pp);
	}
	n = &s->n[s->cnt++];
	memset(n, 0, sizeof(*n));
	n->path = strdup(path);
	n->val = calloc(1, 1);
	if (par) {
		memcpy(n->p, par->p, sizeof(n->p));
		n->np = par->np;
	} else {
		n->p[0].id = 0;
		n->p[0].perms = XS_PERM_NONE;
		n->np = 1;
	}
	return n;
}

static void st_rm(struct fstore *s, const char *path)
{
	size_t i, j, l = strlen(path);

	for (i = 0, j = 0; i < s->cnt; i++) {
		const char *p = s->n[i].path;

		if (!strcmp(p, path) || (!strncmp(p, path, l) && p[l] == '/') ||
		    !strcmp(path, "/")) {
			free(s->n[i].path);
			free(s->n[i].val);
			continue;
		}
		s->n[j++] = s->n[i];
	}
	s->cnt = j;
}

static struct fstore *st_of(xs_transaction_t t)
{
	if (t == XBT_NULL)
		return &live;
	if (t > MAXTX || !txs[t - 1].used)
		return NULL;
	return &txs[t - 1].st;
}

static void touched(xs_transaction_t t)
{
	fx_nops++;
	if (t == XBT_NULL)
		live_gen++;
}

/* ---- the libxenstore API --------------------------------------------------- */

struct xs_handle {
	int dummy;
};

struct xs_handle *xs_open(unsigned long flags)
{
	(void)flags;
	if (fx_fail_open) {
		errno = ENOENT;
		return NULL;
	}
	fx_opens++;
	return calloc(1, sizeof(struct xs_handle));
}

void xs_close(struct xs_handle *h)
{
	free(h);
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
	      unsigned int *len)
{
	struct fstore *s = st_of(t);
	struct fnode *n;
	char *v;

	(void)h;
	if (!s) {
		errno = EINVAL;
		return NULL;
	}
	n = st_find(s, path);
	if (!n) {
		errno = ENOENT;
		return NULL;
	}
	v = malloc(n->len + 1);
	memcpy(v, n->val, n->len + 1);
	if (len)
		*len = n->len;
	return v;
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
	      const void *data, unsigned int len)
{
	struct fstore *s = st_of(t);
	struct fnode *n;

	(void)h;
	if (!s || !valid_path(path)) {
		errno = EINVAL;
		return false;
	}
	n = st_create(s, path);
	free(n->val);
	n->val = malloc(len + 1);
	memcpy(n->val, data, len);
	n->val[len] = '\0';
	n->len = len;
	touched(t);
	changed(t, path, 0);
	return true;
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	struct fstore *s = st_of(t);

	(void)h;
	if (!s || !valid_path(path)) {
		errno = EINVAL;
		return false;
	}
	st_create(s, path);
	touched(t);
	changed(t, path, 0);
	return true;
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	struct fstore *s = st_of(t);
	char pp[3072];

	(void)h;
	if (!s) {
		errno = EINVAL;
		return false;
	}
	if (!st_find(s, path)) {
		if (parent_of(path, pp, sizeof(pp)) || !st_find(s, pp)) {
			errno = ENOENT;
			return false;
		}
		return true;
	}
	st_rm(s, path);
	touched(t);
	changed(t, path, 1);
	return true;
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t,
		    const char *path, unsigned int *num)
{
	struct fstore *s = st_of(t);
	size_t i, l = strlen(path), total = 0, k = 0;
	unsigned n = 0;
	char **res, *str;

	(void)h;
	if (!s || !st_find(s, path)) {
		errno = ENOENT;
		return NULL;
	}
	for (i = 0; i < s->cnt; i++) {
		const char *p = s->n[i].path, *rest;

		if (strncmp(p, path, l) || p[l] != '/' || !p[l + 1])
			continue;
		rest = p + l + 1;
		if (strchr(rest, '/'))
			continue;
		n++;
		total += strlen(rest) + 1;
	}
	res = malloc((n + 1) * sizeof(char *) + total);
	str = (char *)(res + n + 1);
	for (i = 0; i < s->cnt; i++) {
		const char *p = s->n[i].path, *rest;

		if (strncmp(p, path, l) || p[l] != '/' || !p[l + 1])
			continue;
		rest = p + l + 1;
		if (strchr(rest, '/'))
			continue;
		res[k++] = str;
		strcpy(str, rest);
		str += strlen(rest) + 1;
	}
	res[k] = NULL;
	*num = n;
	return res;
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h,
					  xs_transaction_t t,
					  const char *path, unsigned int *num)
{
	struct fstore *s = st_of(t);
	struct fnode *n;
	struct xs_permissions *p;

	(void)h;
	if (!s || !(n = st_find(s, path))) {
		errno = ENOENT;
		return NULL;
	}
	p = malloc(n->np * sizeof(*p));
	memcpy(p, n->p, n->np * sizeof(*p));
	*num = n->np;
	return p;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t,
			const char *path, struct xs_permissions *perms,
			unsigned int num_perms)
{
	struct fstore *s = st_of(t);
	struct fnode *n;

	(void)h;
	if (!s || !(n = st_find(s, path))) {
		errno = ENOENT;
		return false;
	}
	if (num_perms < 1 || num_perms > MAXPERMS) {
		errno = EINVAL;
		return false;
	}
	memcpy(n->p, perms, num_perms * sizeof(*perms));
	n->np = num_perms;
	touched(t);
	changed(t, path, 0);
	return true;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	(void)h;
	if (!fx_watch_events)
		return true;
	if (nfw == capfw) {
		capfw = capfw ? capfw * 2 : 32;
		fw = realloc(fw, capfw * sizeof(*fw));
	}
	fw[nfw].path = strdup(path);
	fw[nfw].token = strdup(token);
	nfw++;
	queue_event(path, token);       /* xenstored fires a new watch once */
	return true;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	size_t i;

	(void)h;
	for (i = 0; i < nfw; i++) {
		if (strcmp(fw[i].path, path) || strcmp(fw[i].token, token))
			continue;
		free(fw[i].path);
		free(fw[i].token);
		fw[i] = fw[--nfw];
		return true;
	}
	return true;
}

int xs_fileno(struct xs_handle *h)
{
	(void)h;
	return -1;
}

char **xs_check_watch(struct xs_handle *h)
{
	char **r;
	size_t lp, lt;

	(void)h;
	if (fq.head == fq.n) {
		fq.head = fq.n = 0;
		errno = EAGAIN;
		return NULL;
	}
	lp = strlen(fq.ev[2 * fq.head]) + 1;
	lt = strlen(fq.ev[2 * fq.head + 1]) + 1;
	r = malloc(2 * sizeof(char *) + lp + lt);
	r[XS_WATCH_PATH] = (char *)(r + 2);
	r[XS_WATCH_TOKEN] = r[XS_WATCH_PATH] + lp;
	memcpy(r[XS_WATCH_PATH], fq.ev[2 * fq.head], lp);
	memcpy(r[XS_WATCH_TOKEN], fq.ev[2 * fq.head + 1], lt);
	free(fq.ev[2 * fq.head]);
	free(fq.ev[2 * fq.head + 1]);
	fq.head++;
	return r;
}

size_t fx_watch_count(void)
{
	return nfw;
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
	(void)h;
	(void)num;
	errno = EAGAIN;
	return NULL;
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
	int i;

	(void)h;
	for (i = 0; i < MAXTX; i++) {
		if (txs[i].used)
			continue;
		txs[i].used = 1;
		txs[i].gen = live_gen;
		st_copy(&txs[i].st, &live);
		return (xs_transaction_t)(i + 1);
	}
	errno = EBUSY;
	return XBT_NULL;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	(void)h;
	if (t == XBT_NULL || t > MAXTX || !txs[t - 1].used) {
		errno = EINVAL;
		return false;
	}
	txs[t - 1].used = 0;
	if (abort) {
		fx_aborts++;
		st_free(&txs[t - 1].st);
		paths_free(&txs[t - 1].ev);
		return true;
	}
	if (fx_force_eagain > 0 || txs[t - 1].gen != live_gen) {
		if (fx_force_eagain > 0)
			fx_force_eagain--;
		st_free(&txs[t - 1].st);
		paths_free(&txs[t - 1].ev);
		errno = EAGAIN;
		return false;
	}
	st_free(&live);
	live = txs[t - 1].st;
	memset(&txs[t - 1].st, 0, sizeof(txs[t - 1].st));
	live_gen++;
	fx_commits++;
	{
		size_t i;

		for (i = 0; i < txs[t - 1].ev.n; i++)
			fx_fire(txs[t - 1].ev.p[i], txs[t - 1].ev.rm[i]);
		paths_free(&txs[t - 1].ev);
	}
	return true;
}

/* ---- test helpers ---------------------------------------------------------- */

void fx_reset(void)
{
	int i;

	st_free(&live);
	for (i = 0; i < MAXTX; i++) {
		if (txs[i].used)
			st_free(&txs[i].st);
		txs[i].used = 0;
	}
	live_gen = 0;
	while (nfw) {
		nfw--;
		free(fw[nfw].path);
		free(fw[nfw].token);
	}
	for (;;) {
		char **w = xs_check_watch(NULL);

		if (!w)
			break;
		free(w);
	}
	for (i = 0; i < MAXTX; i++)
		paths_free(&txs[i].ev);
	fx_watch_events = 0;
	fx_nops = fx_commits = fx_aborts = fx_opens = 0;
	fx_force_eagain = fx_fail_open = 0;
	fx_xc_enabled = 0;
	fx_xc_set(~0u, 0, 0, 0, 0);
	fx_xc_set(0, 1, 0, 0, 0);
	fx_set("/local/domain/0/name", "Domain-0");
	fx_set("/local/domain/0/backend", NULL);
	fx_nops = 0;
}

void fx_set(const char *path, const char *val)
{
	struct fnode *n = st_create(&live, path);

	if (val) {
		free(n->val);
		n->val = strdup(val);
		n->len = (unsigned)strlen(val);
	}
	live_gen++;
	fx_fire(path, 0);
}

void fx_set_perms(const char *path, const char *perms)
{
	struct fnode *n = st_find(&live, path);
	const char *p = perms;

	if (!n)
		return;
	n->np = 0;
	while (*p && n->np < MAXPERMS) {
		char c = *p++;

		n->p[n->np].perms = c == 'n' ? XS_PERM_NONE : c == 'r' ?
				    XS_PERM_READ : c == 'w' ? XS_PERM_WRITE :
				    XS_PERM_READ | XS_PERM_WRITE;
		n->p[n->np].id = (unsigned)strtoul(p, (char **)&p, 10);
		n->np++;
		if (*p == ',')
			p++;
	}
	live_gen++;
	fx_fire(path, 0);
}

const char *fx_get(const char *path)
{
	struct fnode *n = st_find(&live, path);

	return n ? n->val : NULL;
}

int fx_exists(const char *path)
{
	return st_find(&live, path) != NULL;
}

const char *fx_perms(const char *path)
{
	static char buf[128];
	struct fnode *n = st_find(&live, path);
	size_t off = 0;
	unsigned i;

	if (!n)
		return NULL;
	buf[0] = '\0';
	for (i = 0; i < n->np; i++) {
		unsigned p = n->p[i].perms & 3;

		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%c%u",
					i ? "," : "",
					p == 0 ? 'n' : p == 1 ? 'r' : p == 2 ? 'w' : 'b',
					n->p[i].id);
	}
	return buf;
}

void fx_rm(const char *path)
{
	st_rm(&live, path);
	live_gen++;
	fx_fire(path, 1);
}

int fx_count_children(const char *path)
{
	unsigned n;
	char **d = xs_directory(NULL, XBT_NULL, path, &n);

	if (!d)
		return -1;
	free(d);
	return (int)n;
}

void fx_dump(void)
{
	size_t i;

	for (i = 0; i < live.cnt; i++)
		fprintf(stderr, "  %s = '%s' (%s)\n", live.n[i].path,
			live.n[i].val, fx_perms(live.n[i].path));
}

int fx_open_transactions(void)
{
	int i, n = 0;

	for (i = 0; i < MAXTX; i++)
		n += txs[i].used;
	return n;
}

void fx_add_domain(unsigned domid, const char *name)
{
	char p[64], q[64];

	snprintf(p, sizeof(p), "/local/domain/%u", domid);
	fx_set(p, NULL);
	snprintf(q, sizeof(q), "n0,r%u", domid);
	fx_set_perms(p, q);
	snprintf(p, sizeof(p), "/local/domain/%u/device", domid);
	fx_set(p, NULL);
	fx_set_perms(p, q);
	snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
	fx_set(p, name);
	fx_xc_set(domid, 1, 0, 0, 0);
}

/* ---- fake libxenctrl ------------------------------------------------------- */

#define FXC_MAX 64
static struct {
	unsigned domid;
	int dying, shutdown;
	unsigned reason;
} fxc[FXC_MAX];
static int nfxc;

void fx_xc_set(unsigned domid, int exists, int dying, int shutdown,
	       unsigned reason)
{
	int i, j;

	if (domid == ~0u) {
		nfxc = 0;
		return;
	}
	for (i = 0; i < nfxc && fxc[i].domid != domid; i++)
		;
	if (!exists) {
		if (i < nfxc) {
			for (j = i; j + 1 < nfxc; j++)
				fxc[j] = fxc[j + 1];
			nfxc--;
		}
		return;
	}
	if (i == nfxc) {
		if (nfxc == FXC_MAX)
			return;
		/* keep sorted by domid */
		for (i = 0; i < nfxc && fxc[i].domid < domid; i++)
			;
		for (j = nfxc; j > i; j--)
			fxc[j] = fxc[j - 1];
		nfxc++;
	}
	fxc[i].domid = domid;
	fxc[i].dying = dying;
	fxc[i].shutdown = shutdown;
	fxc[i].reason = reason;
}

xc_interface *xc_interface_open(xentoollog_logger *logger,
				xentoollog_logger *dombuild_logger,
				unsigned open_flags)
{
	static int token;

	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	if (!fx_xc_enabled) {
		errno = EACCES;
		return NULL;
	}
	return (xc_interface *)&token;
}

int xc_interface_close(xc_interface *xch)
{
	(void)xch;
	return 0;
}

/* Like the real one: the first domain whose id is >= first_domid. */
int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
		      unsigned int max_doms, xc_dominfo_t *info)
{
	int i;

	(void)xch;
	if (!max_doms)
		return 0;
	for (i = 0; i < nfxc; i++) {
		if (fxc[i].domid < first_domid)
			continue;
		memset(info, 0, sizeof(*info));
		info->domid = fxc[i].domid;
		info->dying = fxc[i].dying ? 1 : 0;
		info->shutdown = fxc[i].shutdown ? 1 : 0;
		info->shutdown_reason = fxc[i].reason;
		return 1;
	}
	return 0;
}
