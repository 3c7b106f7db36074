// SPDX-License-Identifier: GPL-2.0 OR MIT
/* xsutil.c - colorcomctl's xenstore access. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

#include "ccctl.h"

unsigned long ccctl_xs_opens;
static struct xs_handle *xsh;
static struct ccd_dom_ctx *dch;
static struct ccd_conf conf;
static int conf_state;          /* 0 not loaded, 1 ok, -1 error */
char ccctl_conf_err[CCCTL_ERRLEN];

const char *ccctl_conf_path(void)
{
	return ccctl_g.conf_path ? ccctl_g.conf_path : CCD_CONF_PATH;
}

const struct ccd_conf *ccctl_conf(void)
{
	if (!conf_state)
		conf_state = ccd_conf_load(ccctl_conf_path(), !ccctl_g.conf_path,
					   &conf, ccctl_conf_err,
					   sizeof(ccctl_conf_err)) ? -1 : 1;
	return conf_state > 0 ? &conf : NULL;
}

/* colorcomd's log calls (liveness, scan) speak for colorcomctl here: only
 * with -v. */
static void quiet_log(int prio, const char *msg)
{
	if (ccctl_g.verbose || prio <= CCD_LOG_ERR)
		ccctl_err("%s", msg);
}

struct ccd_dom_ctx *ccctl_dc(void)
{
	ccd_log_hook = quiet_log;
	if (!dch)
		dch = ccd_dom_open();
	return dch;
}

int ccctl_dom_usable(struct xs_handle *h, unsigned domid, char *err,
		     size_t errsz)
{
	char name[64];

	if (ccd_dom_alive(ccctl_dc(), domid))   /* alive or unknown */
		return 0;
	ccctl_dom_ident(h, domid, name, sizeof(name), NULL);
	snprintf(err, errsz, "domain %u (%s) is dying or has shut down",
		 domid, name);
	return -1;
}

static int valid_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != CCCTL_UUID_LEN)
		return 0;
	for (i = 0; i < CCCTL_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!strchr("0123456789abcdef", s[i]) || !s[i]) {
			return 0;
		}
	}
	return 1;
}

void ccctl_dom_ident(struct xs_handle *h, unsigned domid, char *name,
		     size_t namesz, char uuid[CCCTL_UUID_LEN + 1])
{
	char p[64], buf[128];
	int l;

	if (name) {
		snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
		l = ccctl_read(h, XBT_NULL, p, buf, sizeof(buf));
		if (l > 0)
			ccd_sanitize(buf, (size_t)l, name, namesz);
		else
			snprintf(name, namesz, "%u", domid);
	}
	if (!uuid)
		return;
	uuid[0] = '\0';
	if (!domid)
		return;
	/* libxl: /local/domain/D/vm = "/vm/UUID". */
	snprintf(p, sizeof(p), "/local/domain/%u/vm", domid);
	if (ccctl_read(h, XBT_NULL, p, buf, sizeof(buf)) == 4 + CCCTL_UUID_LEN &&
	    !strncmp(buf, "/vm/", 4) && valid_uuid(buf + 4))
		memcpy(uuid, buf + 4, CCCTL_UUID_LEN + 1);
}

int ccctl_dom_name_len(struct xs_handle *h, unsigned domid)
{
	char p[64];
	unsigned int len = 0;
	char *v;

	snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
	v = xs_read(h, XBT_NULL, p, &len);
	if (!v)
		return -1;
	free(v);
	return (int)len;
}

struct xs_handle *ccctl_xs_quiet(void)
{
	if (xsh)
		return xsh;
	ccctl_xs_opens++;
	xsh = xs_open(0);
	return xsh;
}

struct xs_handle *ccctl_xs(void)
{
	if (xsh)
		return xsh;
	if (!ccctl_xs_quiet())
		ccctl_err("cannot open xenstore: %s (is xenstored running, are you root in dom0?)",
			  strerror(errno));
	return xsh;
}

void ccctl_xs_close(void)
{
	ccd_dom_close(dch);
	dch = NULL;
	conf_state = 0;
	if (xsh)
		xs_close(xsh);
	xsh = NULL;
}

int ccctl_domid_arg(const char *arg, unsigned *domid)
{
	/* xl reads a domid with strtoul: leading zeros are fine ("007"). */
	while (arg[0] == '0' && arg[1] >= '0' && arg[1] <= '9')
		arg++;
	return ccctl_parse_domid(arg, domid);
}

int ccctl_domain(struct xs_handle *h, const char *arg, unsigned *domid,
		 char *err, size_t errsz)
{
	char p[64], name[128];
	char **ds;
	unsigned n, i;
	int found = -1;

	if (arg[0] >= '0' && arg[0] <= '9' &&
	    strspn(arg, "0123456789") == strlen(arg) &&
	    ccctl_domid_arg(arg, domid)) {
		snprintf(err, errsz, "bad domid '%.16s' (want 0..%u or a domain name)",
			 arg, CCD_DOMID_MAX);
		return -1;
	}
	if (ccctl_domid_arg(arg, domid) == 0) {
		snprintf(p, sizeof(p), "/local/domain/%u", *domid);
		if (ccctl_read(h, XBT_NULL, p, name, sizeof(name)) == -1) {
			snprintf(err, errsz, "unknown domain %u", *domid);
			return -1;
		}
		return 0;
	}
	ds = xs_directory(h, XBT_NULL, "/local/domain", &n);
	if (!ds) {
		snprintf(err, errsz, "cannot list /local/domain: %s",
			 strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned d;

		if (ccctl_parse_domid(ds[i], &d))
			continue;
		snprintf(p, sizeof(p), "/local/domain/%u/name", d);
		if (ccctl_read(h, XBT_NULL, p, name, sizeof(name)) < 0 ||
		    strcmp(name, arg))
			continue;
		if (found >= 0) {
			snprintf(err, errsz,
				 "domain name '%s' is ambiguous (domains %d and %u)",
				 arg, found, d);
			free(ds);
			return -1;
		}
		found = (int)d;
	}
	free(ds);
	if (found < 0) {
		char clean[64];

		ccd_sanitize(arg, strlen(arg), clean, sizeof(clean));
		snprintf(err, errsz, "unknown domain '%s'", clean);
		return -1;
	}
	*domid = (unsigned)found;
	return 0;
}

int ccctl_apply_ops(struct xs_handle *h, uint32_t t,
		    const struct ccctl_ops *ops)
{
	const struct ccctl_op *o;

	if (ccctl_xs_apply(h, t, ops, &o) == 0)
		return 0;
	ccctl_err("xenstore %s %s: %s",
		  o->kind == CCCTL_MKDIR ? "mkdir" :
		  o->kind == CCCTL_WRITE ? "write" : "rm",
		  o->path, strerror(errno));
	return -1;
}

int ccctl_transact(struct xs_handle *h, ccctl_tx_fn fn, void *arg)
{
	int tries, rc;

	for (tries = 0; tries < 100; tries++) {
		xs_transaction_t t = xs_transaction_start(h);

		if (t == XBT_NULL) {
			ccctl_err("cannot start a xenstore transaction: %s",
				  strerror(errno));
			return -1;
		}
		rc = fn(h, t, arg);
		if (rc) {
			xs_transaction_end(h, t, true);
			return rc;
		}
		if (xs_transaction_end(h, t, false))
			return 0;
		if (errno != EAGAIN) {
			ccctl_err("xenstore transaction failed: %s",
				  strerror(errno));
			return -1;
		}
		if (tries > 10)
			usleep(1000 * (unsigned)(tries - 10));
	}
	ccctl_err("xenstore transaction kept conflicting; giving up");
	return -1;
}

void ccctl_err(const char *fmt, ...)
{
	char raw[1024], msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* Arguments and file contents are echoed: no raw control bytes. */
	ccd_escape(raw, msg, sizeof(msg));
	fprintf(stderr, "colorcomctl: %s\n", msg);
}
