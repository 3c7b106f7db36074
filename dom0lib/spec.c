// SPDX-License-Identifier: GPL-2.0 OR MIT
/* spec.c - pure parsing and the xenstore write lists of an attach or detach
 * (colorcomctl writes them, colorcomd re-attaches with them).
 * Builds and is tested without xenstore (dom0lib/tests/test_spec.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccdom0.h"

#define ERR(...) (snprintf(err, errsz, __VA_ARGS__), -1)

int ccctl_parse_domid(const char *s, unsigned *domid)
{
	unsigned long v;

	if (ccd_parse_uint(s, strlen(s), CCD_DOMID_MAX, &v))
		return -1;
	*domid = (unsigned)v;
	return 0;
}

int ccctl_parse_ring(const char *v, unsigned *order, char *err, size_t errsz)
{
	return ccd_parse_ring(v, order, err, errsz);
}

static int parse_mac(const char *v, uint8_t mac[6], char *err, size_t errsz)
{
	char m[18];

	if (ccd_parse_mac(v, strlen(v), mac))
		return ERR("malformed MAC '%s' (want xx:xx:xx:xx:xx:xx)", v);
	ccd_mac_format(mac, m);
	if (mac[0] & 1)
		return ERR("MAC %s is multicast; a NIC needs a unicast MAC", m);
	if (!ccd_mac_is_unicast(mac))
		return ERR("MAC %s is not a usable unicast address", m);
	return 0;
}

int ccctl_parse_spec(const char *spec, struct ccctl_spec *out, char *err,
		     size_t errsz)
{
	static const char *const keys[] = { "network", "mac", "mtu", "ring",
					    "devid" };
	unsigned seen = 0;
	const char *p = spec;
	char item[256];

	memset(out, 0, sizeof(*out));
	snprintf(out->network, sizeof(out->network), "%s", CCCTL_DEFAULT_NET);
	out->mtu = CCD_MTU_DEFAULT;
	out->order = CCD_ORDER_DEFAULT;
	out->devid = -1;
	if (!*spec)
		return 0;
	for (;; p = strchr(p, ',') + 1) {
		const char *comma, *eq, *v;
		size_t len;
		unsigned long n;
		unsigned k;

		/* As xl's vif parser: blanks after a comma are skipped and an
		 * empty item is no item ("a, b", "a,,b", "a,").  Blanks
		 * before a comma go too. */
		while (*p == ' ' || *p == '\t')
			p++;
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (!len) {
			if (!comma)
				break;
			continue;
		}
		if (len >= sizeof(item))
			return ERR("SPEC item too long");
		memcpy(item, p, len);
		item[len] = '\0';
		eq = strchr(item, '=');
		if (!eq || eq == item)
			return ERR("malformed SPEC item '%s' (want key=value)", item);
		item[eq - item] = '\0';
		v = eq + 1;
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!strcmp(item, keys[k]))
				break;
		if (k == sizeof(keys) / sizeof(keys[0]))
			return ERR("unknown key '%s' in SPEC (known: network, mac, mtu, ring, devid)",
				   item);
		if (seen & (1u << k))
			return ERR("duplicate key '%s' in SPEC", item);
		seen |= 1u << k;
		switch (k) {
		case 0:
			if (!ccd_valid_network(v, strlen(v)))
				return ERR("bad network name '%s' (want [a-z0-9][a-z0-9_-]{0,31})",
					   v);
			snprintf(out->network, sizeof(out->network), "%s", v);
			break;
		case 1:
			if (parse_mac(v, out->mac, err, errsz))
				return -1;
			break;
		case 2:
			if (ccd_parse_uint(v, strlen(v), CCD_MTU_MAX, &n) ||
			    !ccd_valid_mtu(n))
				return ERR("bad mtu '%s' (want %lu..%lu)", v,
					   CCD_MTU_MIN, CCD_MTU_MAX);
			out->mtu = (unsigned)n;
			out->has_mtu = 1;
			break;
		case 3:
			if (ccctl_parse_ring(v, &out->order, err, errsz))
				return -1;
			break;
		case 4:
			if (ccd_parse_uint(v, strlen(v), CCD_DEVID_MAX, &n))
				return ERR("bad devid '%s' (want 0..%u)", v,
					   CCD_DEVID_MAX);
			out->devid = (int)n;
			break;
		}
		if (!comma)
			break;
	}
	out->has_mac = !!(seen & 2);
	out->has_order = !!(seen & 8);
	return 0;
}

int ccctl_parse_target(const char *s, struct ccctl_target *t, char *err,
		       size_t errsz)
{
	unsigned long n;

	memset(t, 0, sizeof(*t));
	if (s[0] >= '0' && s[0] <= '9' && !strchr(s, ':')) {
		if (ccd_parse_uint(s, strlen(s), CCD_DEVID_MAX, &n))
			return ERR("bad devid '%s' (want 0..%u or a MAC)", s,
				   CCD_DEVID_MAX);
		t->devid = (int)n;
		return 0;
	}
	t->devid = -1;
	if (ccd_parse_mac(s, strlen(s), t->mac))
		return ERR("malformed MAC '%s' (want a devid 0..%u or xx:xx:xx:xx:xx:xx)",
			   s, CCD_DEVID_MAX);
	return 0;
}

/* ---- write lists ----------------------------------------------------------- */

const char *ccctl_domstr(unsigned domid, char buf[16])
{
	if (domid == CCCTL_DOMID_NEW)
		return "$DOMID";
	snprintf(buf, 16, "%u", domid);
	return buf;
}

void ccctl_backend_dir(char *buf, size_t sz, unsigned domid, unsigned devid)
{
	char d[16];

	snprintf(buf, sz, CCD_BACKEND_ROOT "/%s/%u", ccctl_domstr(domid, d),
		 devid);
}

void ccctl_frontend_dir(char *buf, size_t sz, unsigned domid, unsigned devid)
{
	char d[16];

	snprintf(buf, sz, "/local/domain/%s/device/%s/%u",
		 ccctl_domstr(domid, d), CCD_NIC_TYPE, devid);
}

void ccctl_persist_dir(char *buf, size_t sz, const char *uuid, unsigned devid)
{
	snprintf(buf, sz, CCD_PERSIST_ROOT "/%s/%u", uuid, devid);
}

/* FNV-1a, to spread the auto-assigned octets. */
static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void ccctl_auto_mac(const struct ccd_conf *c, const char *seed,
		    const char *network, unsigned devid, unsigned attempt,
		    uint8_t mac[6])
{
	char buf[256];
	uint64_t h;
	unsigned i;

	/* Without a host seed: the hash input of the releases before it. */
	if (c->mac_seed[0])
		snprintf(buf, sizeof(buf), "%s/%s/%s/%u/%u", c->mac_seed, seed,
			 network, devid, attempt);
	else
		snprintf(buf, sizeof(buf), "%s/%s/%u/%u", seed, network, devid,
			 attempt);
	h = (uint64_t)fnv1a(buf) << 32;
	buf[0] ^= 0x55;         /* a second, independent hash for octets 5+ */
	h |= fnv1a(buf);
	memcpy(mac, c->mac_prefix, c->mac_prefix_len);
	for (i = c->mac_prefix_len; i < 6; i++, h >>= 8)
		mac[i] = (uint8_t)h;
}

static struct ccctl_op *add(struct ccctl_ops *ops, enum ccctl_op_kind k,
			    const char *dir, const char *key, const char *val)
{
	struct ccctl_op *o = &ops->op[ops->n++];

	memset(o, 0, sizeof(*o));
	o->kind = k;
	if (key)
		snprintf(o->path, sizeof(o->path), "%s/%s", dir, key);
	else
		snprintf(o->path, sizeof(o->path), "%s", dir);
	if (val)
		snprintf(o->value, sizeof(o->value), "%s", val);
	return o;
}

/* owner gets 'n' (owner implies full access), reader 'r'. */
static void perms(struct ccctl_op *o, unsigned owner, unsigned reader)
{
	o->perms[0].id = owner;
	o->perms[0].mode = 'n';
	o->nperms = 1;
	if (reader != owner) {
		o->perms[1].id = reader;
		o->perms[1].mode = 'r';
		o->nperms = 2;
	}
}

void ccctl_attach_ops(unsigned domid, unsigned devid,
		      const struct ccctl_spec *s, struct ccctl_ops *ops)
{
	char fd[96], bd[96], v[32];
	struct ccctl_op *o;
	unsigned i, first;

	ops->n = 0;
	ccctl_frontend_dir(fd, sizeof(fd), domid, devid);
	ccctl_backend_dir(bd, sizeof(bd), domid, devid);

	perms(add(ops, CCCTL_MKDIR, fd, NULL, NULL), domid, 0);
	perms(add(ops, CCCTL_MKDIR, bd, NULL, NULL), 0, domid);
	first = ops->n;

	add(ops, CCCTL_WRITE, fd, CCD_K_BACKEND, bd);
	add(ops, CCCTL_WRITE, fd, CCD_K_BACKEND_ID, "0");
	add(ops, CCCTL_WRITE, bd, CCD_K_FRONTEND, fd);
	add(ops, CCCTL_WRITE, bd, CCD_K_FRONTEND_ID, ccctl_domstr(domid, v));
	ccd_mac_format(s->mac, v);
	add(ops, CCCTL_WRITE, bd, CCD_K_MAC, v);
	add(ops, CCCTL_WRITE, bd, CCD_K_NETWORK, s->network);
	snprintf(v, sizeof(v), "%u", s->mtu);
	add(ops, CCCTL_WRITE, bd, CCD_K_MTU, v);
	snprintf(v, sizeof(v), "%u", s->order);
	add(ops, CCCTL_WRITE, bd, CCD_K_ORDER, v);
	if (s->uplink)
		add(ops, CCCTL_WRITE, bd, CCD_K_UPLINK, "1");
	add(ops, CCCTL_WRITE, bd, CCD_K_ONLINE, "1");
	add(ops, CCCTL_WRITE, bd, CCD_K_STATE, "1");
	add(ops, CCCTL_WRITE, fd, CCD_K_STATE, "1");

	/* Keys inherit their directory's permissions: show them. */
	for (i = first; i < ops->n; i++) {
		o = &ops->op[i];
		if (!strncmp(o->path, fd, strlen(fd)))
			perms(o, domid, 0);
		else
			perms(o, 0, domid);
	}
}

void ccctl_persist_ops(const char *uuid, unsigned domid, unsigned devid,
		       const char *name, const struct ccctl_spec *s,
		       struct ccctl_ops *ops)
{
	char pd[96], v[32];
	unsigned i, first;

	ccctl_persist_dir(pd, sizeof(pd), uuid, devid);
	first = ops->n;
	add(ops, CCCTL_MKDIR, pd, NULL, NULL);
	add(ops, CCCTL_WRITE, pd, "name", name);
	/* which incarnation the NICs were made for: colorcomd re-attaches
	 * only to a domain with the same UUID and a different domid. */
	add(ops, CCCTL_WRITE, pd, "domid", ccctl_domstr(domid, v));
	add(ops, CCCTL_WRITE, pd, CCD_K_NETWORK, s->network);
	ccd_mac_format(s->mac, v);
	add(ops, CCCTL_WRITE, pd, CCD_K_MAC, v);
	snprintf(v, sizeof(v), "%u", s->mtu);
	add(ops, CCCTL_WRITE, pd, CCD_K_MTU, v);
	snprintf(v, sizeof(v), "%u", s->order);
	add(ops, CCCTL_WRITE, pd, CCD_K_ORDER, v);
	/* dom0 only: the record names other domains' NICs. */
	for (i = first; i < ops->n; i++)
		perms(&ops->op[i], 0, 0);
}

void ccctl_detach_ops(unsigned domid, unsigned devid, struct ccctl_ops *ops)
{
	char bd[96];

	ops->n = 0;
	ccctl_backend_dir(bd, sizeof(bd), domid, devid);
	perms(add(ops, CCCTL_WRITE, bd, CCD_K_ONLINE, "0"), 0, domid);
	perms(add(ops, CCCTL_WRITE, bd, CCD_K_STATE, "5"), 0, domid);
}

void ccctl_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void ccctl_ops_json(FILE *f, const char *cmd, unsigned domid, unsigned devid,
		    const struct ccctl_ops *ops)
{
	unsigned i, j;
	char d[16];

	fprintf(f, "{\n  \"command\": ");
	ccctl_json_str(f, cmd);
	if (domid == CCCTL_DOMID_NEW)
		fprintf(f, ",\n  \"domid\": null");
	else
		fprintf(f, ",\n  \"domid\": %u", domid);
	fprintf(f, ",\n  \"devid\": %u,\n  \"transaction\": [\n", devid);
	for (i = 0; i < ops->n; i++) {
		const struct ccctl_op *o = &ops->op[i];

		fprintf(f, "    {\"op\": \"%s\", \"path\": ",
			o->kind == CCCTL_MKDIR ? "mkdir" :
			o->kind == CCCTL_WRITE ? "write" : "rm");
		ccctl_json_str(f, o->path);
		if (o->kind == CCCTL_WRITE) {
			fprintf(f, ", \"value\": ");
			ccctl_json_str(f, o->value);
		}
		if (o->nperms) {
			fprintf(f, ", \"perms\": [");
			for (j = 0; j < o->nperms; j++)
				fprintf(f, "%s\"%c%s\"", j ? ", " : "",
					o->perms[j].mode,
					ccctl_domstr(o->perms[j].id, d));
			fprintf(f, "]");
		}
		fprintf(f, "}%s\n", i + 1 < ops->n ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}
