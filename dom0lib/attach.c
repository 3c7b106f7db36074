// SPDX-License-Identifier: GPL-2.0 OR MIT
/* attach.c - one colorcom NIC attach: SPEC with the configured defaults, the
 * network's policy (MAC clash, auto MAC, max-peers, MTU) and the writes, all
 * inside the caller's xenstore transaction.  colorcomctl (`attach`, `create`,
 * `uplink`) and colorcomd (NICs from a domain's xl config, xlcfg.c) attach
 * through this one path, so both refuse the same things the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "ccdom0.h"

int ccctl_read(struct xs_handle *h, uint32_t t, const char *path, char *buf,
	       size_t bufsz)
{
	unsigned int len = 0;
	char *v = xs_read(h, t, path, &len);

	if (!v)
		return -1;
	if (len >= bufsz || memchr(v, '\0', len)) {
		free(v);
		if (bufsz)
			buf[0] = '\0';
		return -2;
	}
	memcpy(buf, v, len);
	buf[len] = '\0';
	free(v);
	return (int)len;
}

static int nic_exists(struct xs_handle *h, uint32_t t, unsigned d, unsigned n)
{
	char p[96], buf[8];

	ccctl_backend_dir(p, sizeof(p), d, n);
	if (ccctl_read(h, t, p, buf, sizeof(buf)) != -1)
		return 1;
	ccctl_frontend_dir(p, sizeof(p), d, n);
	return ccctl_read(h, t, p, buf, sizeof(buf)) != -1;
}

/* Backend key of NIC (d, n) into buf; -1 if missing. */
int ccctl_nic_key(struct xs_handle *h, uint32_t t, unsigned d, unsigned n,
		  const char *key, char *buf, size_t sz)
{
	char p[128];

	snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%u/%u/%s", d, n, key);
	return ccctl_read(h, t, p, buf, sz);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* Numeric entries of a directory, sorted; returns count (<= max). */
unsigned ccctl_list_ids(struct xs_handle *h, uint32_t t, const char *path,
			 unsigned long maxid, unsigned *out, unsigned max)
{
	unsigned n = 0, i, k = 0;
	char **d = xs_directory(h, t, path, &n);
	unsigned long v;

	for (i = 0; d && i < n && k < max; i++)
		if (!ccd_parse_uint(d[i], strlen(d[i]), maxid, &v))
			out[k++] = (unsigned)v;
	free(d);
	qsort(out, k, sizeof(*out), cmp_uint);
	return k;
}

/* Every NIC of network `net` (any domain, any state): count them, and find
 * the one with `mac` (if mac is not NULL).  Returns the count. */
static unsigned net_scan(struct xs_handle *h, uint32_t t, const char *net,
			 const uint8_t *mac, unsigned *user_dom,
			 unsigned *user_dev, int *found)
{
	unsigned doms[4096], nd, i, j, devs[64], nn, count = 0;
	char p[96], buf[64];
	uint8_t m[6];

	*found = 0;
	nd = ccctl_list_ids(h, t, CCD_BACKEND_ROOT, CCD_DOMID_MAX, doms, 4096);
	for (i = 0; i < nd; i++) {
		snprintf(p, sizeof(p), CCD_BACKEND_ROOT "/%u", doms[i]);
		nn = ccctl_list_ids(h, t, p, 0xFFFF, devs, 64);
		for (j = 0; j < nn; j++) {
			int l;

			l = ccctl_nic_key(h, t, doms[i], devs[j], CCD_K_NETWORK, buf,
				    sizeof(buf));
			if (l < 0 || strcmp(buf, net))
				continue;
			count++;
			if (!mac || *found)
				continue;
			l = ccctl_nic_key(h, t, doms[i], devs[j], CCD_K_MAC, buf,
				    sizeof(buf));
			if (l < 0 || ccd_parse_mac(buf, (size_t)l, m) ||
			    memcmp(m, mac, 6))
				continue;
			*found = 1;
			*user_dom = doms[i];
			*user_dev = devs[j];
		}
	}
	return count;
}

/* The NIC of pend[] (NICs of this command that a dry run did not write)
 * on c's network with c's MAC, or -1. */
static int pending_user(const struct ccctl_attach *c,
			const struct ccctl_attach *pend, unsigned npend)
{
	unsigned j;

	for (j = 0; j < npend; j++)
		if (!strcmp(pend[j].spec.network, c->spec.network) &&
		    !memcmp(pend[j].spec.mac, c->spec.mac, 6))
			return (int)j;
	return -1;
}

int ccctl_attach_net(struct xs_handle *h, uint32_t t, struct ccctl_attach *c,
		     const struct ccctl_attach *pend, unsigned npend)
{
	unsigned i, ud = 0, un = 0, count = 0, max;
	char buf[64];
	int found, j;

	if (c->spec.has_mac) {
		count = net_scan(h, t, c->spec.network, c->spec.mac, &ud, &un,
				 &found);
		if (!found && (j = pending_user(c, pend, npend)) >= 0) {
			ccd_mac_format(c->spec.mac, buf);
			snprintf(c->err, sizeof(c->err),
				 "MAC %s is already used on network %s by colorcom[%d]",
				 buf, c->spec.network, j);
			return 1;
		}
		if (found) {
			ccd_mac_format(c->spec.mac, buf);
			snprintf(c->err, sizeof(c->err),
				 "MAC %s is already used on network %s by domain %u devid %u",
				 buf, c->spec.network, ud, un);
			return 1;
		}
	} else {
		/* Same name, network and devid: same MAC, unless taken. */
		for (i = 0; i < 256; i++) {
			ccctl_auto_mac(c->conf, c->seed, c->spec.network,
				       c->devid, i, c->spec.mac);
			if (!ccd_mac_is_unicast(c->spec.mac))
				continue;
			count = net_scan(h, t, c->spec.network, c->spec.mac,
					 &ud, &un, &found);
			if (!found && pending_user(c, pend, npend) < 0)
				break;
		}
		if (i == 256) {
			snprintf(c->err, sizeof(c->err),
				 "no free MAC for network %s (give one with mac=)",
				 c->spec.network);
			return 1;
		}
	}
	for (j = 0; j < (int)npend; j++)
		count += !strcmp(pend[j].spec.network, c->spec.network);
	max = ccd_conf_max_peers(c->conf, c->spec.network);
	if (max && count >= max) {
		snprintf(c->err, sizeof(c->err),
			 "network %s is full (max-peers %u in %s)",
			 c->spec.network, max, c->conf_path);
		return 1;
	}
	return 0;
}

/* Choose the devid and (auto) MAC, enforce per-network policy, and write
 * the NIC plus its persistence record: all inside transaction t. */
int ccctl_attach_write(struct xs_handle *h, uint32_t t, struct ccctl_attach *c)
{
	const struct ccctl_op *o;
	struct ccctl_ops ops;
	unsigned i;
	char p[96], buf[64];
	int rc;

	snprintf(p, sizeof(p), "/local/domain/%u", c->domid);
	if (ccctl_read(h, t, p, buf, sizeof(buf)) == -1) {
		snprintf(c->err, sizeof(c->err), "unknown domain %u", c->domid);
		return 1;
	}
	if (c->spec.devid >= 0) {
		c->devid = (unsigned)c->spec.devid;
		if (nic_exists(h, t, c->domid, c->devid)) {
			snprintf(c->err, sizeof(c->err),
				 "domain %u already has colorcom NIC %u",
				 c->domid, c->devid);
			return 1;
		}
	} else {
		for (i = 0; i <= CCD_DEVID_MAX; i++)
			if (!nic_exists(h, t, c->domid, i))
				break;
		if (i > CCD_DEVID_MAX) {
			snprintf(c->err, sizeof(c->err),
				 "domain %u has no free devid (0..%u all used)",
				 c->domid, CCD_DEVID_MAX);
			return 1;
		}
		c->devid = i;
	}

	if ((rc = ccctl_attach_net(h, t, c, NULL, 0)))
		return rc;
	if (c->dry_run)
		return 0;
	ccctl_attach_ops(c->domid, c->devid, &c->spec, &ops);
	if (c->uuid[0])
		ccctl_persist_ops(c->uuid, c->domid, c->devid, c->seed,
				  &c->spec, &ops);
	if (ccctl_xs_apply(h, t, &ops, &o) == 0)
		return 0;
	snprintf(c->err, sizeof(c->err), "xenstore %s %s: %s",
		 o->kind == CCCTL_MKDIR ? "mkdir" :
		 o->kind == CCCTL_WRITE ? "write" : "rm", o->path,
		 strerror(errno));
	return -1;
}

int ccctl_attach_prepare_conf(struct ccctl_attach *c, const char *spec,
			      const struct ccd_conf *conf,
			      const char *conf_path, char *err, size_t errsz)
{
	unsigned net_mtu;

	c->conf = conf;
	c->conf_path = conf_path;
	if (ccctl_parse_spec(spec, &c->spec, err, errsz))
		return -1;
	if (!c->spec.has_order)
		c->spec.order = conf->order;
	net_mtu = ccd_conf_mtu(conf, c->spec.network);
	if (net_mtu && !c->spec.has_mtu)
		c->spec.mtu = net_mtu;
	else if (net_mtu && c->spec.mtu != net_mtu)
		return snprintf(err, errsz,
				"mtu %u is not network %s's mtu %u (network.%s.mtu in %s)",
				c->spec.mtu, c->spec.network, net_mtu,
				c->spec.network, c->conf_path), -1;
	return 0;
}
