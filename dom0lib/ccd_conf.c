// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ccd_conf.c - colorcomd.conf and ring sizes (see ccdom0.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccdom0.h"

#define ERR(...) (snprintf(err, errsz, __VA_ARGS__), -1)
#define CONF_MAXSIZE (256 * 1024)

int ccd_parse_ring(const char *v, unsigned *order, char *err, size_t errsz)
{
	size_t len = strlen(v), dl = 0;
	unsigned long n, mult = 1, bytes;
	const char *suf;
	unsigned o;

	while (dl < len && v[dl] >= '0' && v[dl] <= '9')
		dl++;
	suf = v + dl;
	if (ccd_parse_uint(v, dl, 0xFFFFFFFFul, &n))
		goto bad;
	if (!*suf) {
		if (n <= 31) {          /* an order, not a size */
			if (!ccd_valid_order(n))
				return ERR("ring order %lu is out of range (want %lu..%lu)",
					   n, CCD_ORDER_MIN, CCD_ORDER_MAX);
			*order = (unsigned)n;
			return 0;
		}
	} else if (!strcmp(suf, "K") || !strcmp(suf, "k") ||
		   !strcmp(suf, "KiB")) {
		mult = 1024;
	} else if (!strcmp(suf, "M") || !strcmp(suf, "m") ||
		   !strcmp(suf, "MiB")) {
		mult = 1024 * 1024;
	} else {
		goto bad;
	}
	if (n > 0xFFFFFFFFul / mult)
		return ERR("ring size '%s' is out of range (want 256K..2M)", v);
	bytes = n * mult;
	if (!bytes || (bytes & (bytes - 1)))
		return ERR("ring size '%s' is not a power of two (want 256K, 512K, 1M or 2M)",
			   v);
	for (o = CCD_ORDER_MIN; o <= CCD_ORDER_MAX; o++)
		if (bytes == 4096ul << o) {
			*order = o;
			return 0;
		}
	return ERR("ring size '%s' is out of range (want 256K..2M)", v);
bad:
	return ERR("bad ring '%s' (want an order %lu..%lu or a size 256K, 512K, 1M or 2M)",
		   v, CCD_ORDER_MIN, CCD_ORDER_MAX);
}

int ccd_parse_mac_prefix(const char *v, uint8_t prefix[5], unsigned *len,
			 char *err, size_t errsz)
{
	size_t l = strlen(v), i;
	unsigned n;

	/* 2 hex digits per octet, ':' between: 2, 5, 8, 11 or 14 chars. */
	if (l < 2 || l > 14 || (l + 1) % 3)
		goto bad;
	n = (unsigned)((l + 1) / 3);
	for (i = 0; i < n; i++) {
		int hi = ccd_hexval(v[3 * i]), lo = ccd_hexval(v[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i + 1 < n && v[3 * i + 2] != ':'))
			goto bad;
		prefix[i] = (uint8_t)(hi << 4 | lo);
	}
	if (prefix[0] & 1)
		return ERR("MAC prefix '%s' is multicast (the first octet must be even)",
			   v);
	*len = n;
	return 0;
bad:
	return ERR("bad MAC prefix '%s' (want 1 to 5 octets, e.g. 00:16:3e)", v);
}

void ccd_conf_defaults(struct ccd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->order = CCD_ORDER_DEFAULT;
	/* Xen's OUI, as xl uses for vifs. */
	c->mac_prefix[0] = 0x00;
	c->mac_prefix[1] = 0x16;
	c->mac_prefix[2] = 0x3e;
	c->mac_prefix_len = 3;
	c->reboot_grace_s = CCD_REBOOT_GRACE_S;
	c->relink_backoff_s = CCD_RELINK_BACKOFF_S;
}

unsigned ccd_conf_max_peers(const struct ccd_conf *c, const char *network)
{
	unsigned i;

	for (i = 0; i < c->nnet; i++)
		if (!strcmp(c->nets[i].name, network))
			return c->nets[i].max_peers;
	return 0;
}

unsigned ccd_conf_mtu(const struct ccd_conf *c, const char *network)
{
	unsigned i;

	for (i = 0; i < c->nnet; i++)
		if (!strcmp(c->nets[i].name, network))
			return c->nets[i].mtu;
	return 0;
}

int ccd_conf_uplink(const struct ccd_conf *c, const char *network)
{
	unsigned i;

	for (i = 0; i < c->nnet; i++)
		if (!strcmp(c->nets[i].name, network))
			return c->nets[i].uplink;
	return CCD_UPLINK_UNSET;
}

static int valid_seed(const char *s, size_t len)
{
	size_t i;

	if (len < CCD_MAC_SEED_MINLEN || len > CCD_MAC_SEED_MAXLEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

void ccd_conf_host_seed(struct ccd_conf *c, const char *path)
{
	char buf[64];
	size_t n, i;
	FILE *f;

	if (c->mac_seed_from == CCD_SEED_CONF)
		return;
	c->mac_seed[0] = '\0';
	c->mac_seed_from = CCD_SEED_NONE;
	if (!path)
		path = getenv(CCD_MACHINE_ID_ENV);
	if (!path || !*path)
		path = CCD_MACHINE_ID_PATH;
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	/* machine-id(5): 32 lower-case hex digits and a newline. */
	if (n < 32 || (n > 32 && buf[32] != '\n'))
		return;
	for (i = 0; i < 32; i++)
		if (ccd_hexval(buf[i]) < 0)
			return;
	memcpy(c->mac_seed, buf, 32);
	c->mac_seed[32] = '\0';
	c->mac_seed_from = CCD_SEED_MACHINE_ID;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* One `key = value` line; -1 with the reason (no file:line) in err. */
static int conf_line(struct ccd_conf *c, unsigned *seen, char *key,
		     char *val, char *err, size_t errsz)
{
	static const char *const keys[] = { "ring", "mac-prefix",
					    "reboot-grace", "mac-seed",
					    "relink-backoff" };
	unsigned long n;
	unsigned k;

	if (!strncmp(key, "network.", 8)) {
		char *name = key + 8, *dot = strrchr(name, '.');
		struct ccd_conf_net *net = NULL;
		int is_uplink, is_mtu;

		if (!dot || (strcmp(dot, ".max-peers") && strcmp(dot, ".uplink") &&
			     strcmp(dot, ".mtu")))
			return ERR("unknown key '%s' (known: network.NAME.max-peers, network.NAME.uplink, network.NAME.mtu)",
				   key);
		is_uplink = !strcmp(dot, ".uplink");
		is_mtu = !strcmp(dot, ".mtu");
		*dot = '\0';
		if (!ccd_valid_network(name, strlen(name)))
			return ERR("bad network name '%s' (want [a-z0-9][a-z0-9_-]{0,31})",
				   name);
		/* One entry per network, whichever of its keys came first. */
		for (k = 0; k < c->nnet; k++)
			if (!strcmp(c->nets[k].name, name))
				net = &c->nets[k];
		if (net && (is_mtu ? net->mtu != 0 :
			    is_uplink ? net->uplink != CCD_UPLINK_UNSET :
					net->max_peers_set))
			return ERR("duplicate key 'network.%s.%s'", name,
				   is_mtu ? "mtu" :
				   is_uplink ? "uplink" : "max-peers");
		if (!net && c->nnet >= CCD_CONF_MAXNETS)
			return ERR("too many networks (at most %d)",
				   CCD_CONF_MAXNETS);
		if (is_mtu) {
			if (ccd_parse_uint(val, strlen(val), CCD_MTU_MAX, &n) ||
			    !ccd_valid_mtu(n))
				return ERR("bad mtu '%s' (want %lu..%lu)", val,
					   CCD_MTU_MIN, CCD_MTU_MAX);
		} else if (is_uplink) {
			if (strcmp(val, "on") && strcmp(val, "off"))
				return ERR("bad uplink '%s' (want on or off)",
					   val);
		} else if (ccd_parse_uint(val, strlen(val), CCD_MAX_PEERS_MAX,
					  &n)) {
			return ERR("bad max-peers '%s' (want 0..%lu)", val,
				   CCD_MAX_PEERS_MAX);
		}
		if (!net) {
			net = &c->nets[c->nnet++];
			snprintf(net->name, sizeof(net->name), "%s", name);
			net->uplink = CCD_UPLINK_UNSET;
		}
		if (is_mtu) {
			net->mtu = (unsigned)n;
		} else if (is_uplink) {
			net->uplink = !strcmp(val, "on") ? CCD_UPLINK_ON :
							   CCD_UPLINK_OFF;
		} else {
			net->max_peers = (unsigned)n;
			net->max_peers_set = 1;
		}
		return 0;
	}
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (!strcmp(key, keys[k]))
			break;
	if (k == sizeof(keys) / sizeof(keys[0]))
		return ERR("unknown key '%s' (known: ring, mac-prefix, mac-seed, reboot-grace, relink-backoff, network.NAME.max-peers, network.NAME.uplink, network.NAME.mtu)",
			   key);
	if (*seen & (1u << k))
		return ERR("duplicate key '%s'", key);
	*seen |= 1u << k;
	switch (k) {
	case 0:
		return ccd_parse_ring(val, &c->order, err, errsz);
	case 1:
		return ccd_parse_mac_prefix(val, c->mac_prefix,
					    &c->mac_prefix_len, err, errsz);
	case 3:
		if (!valid_seed(val, strlen(val)))
			return ERR("bad mac-seed (want %d..%d of [A-Za-z0-9_-], e.g. from: od -An -tx1 -N16 /dev/urandom | tr -d ' \\n')",
				   CCD_MAC_SEED_MINLEN, CCD_MAC_SEED_MAXLEN);
		snprintf(c->mac_seed, sizeof(c->mac_seed), "%s", val);
		c->mac_seed_from = CCD_SEED_CONF;
		return 0;
	case 4:
		if (ccd_parse_uint(val, strlen(val), CCD_RELINK_BACKOFF_MAX, &n))
			return ERR("bad relink-backoff '%s' (want 0..%lu seconds)",
				   val, CCD_RELINK_BACKOFF_MAX);
		c->relink_backoff_s = (unsigned)n;
		return 0;
	default:
		if (ccd_parse_uint(val, strlen(val), 86400, &n))
			return ERR("bad reboot-grace '%s' (want 0..86400 seconds)",
				   val);
		c->reboot_grace_s = (unsigned)n;
		return 0;
	}
}

int ccd_conf_parse(const char *text, size_t len, const char *fname,
		   struct ccd_conf *c, char *err, size_t errsz)
{
	char line[512], why[256];
	unsigned lineno = 0, seen = 0;
	size_t pos = 0;

	ccd_conf_defaults(c);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *s, *eq, *hash;

		lineno++;
		if (l >= sizeof(line)) {
			snprintf(err, errsz, "%s:%u: line too long", fname, lineno);
			goto fail;
		}
		memcpy(line, text + pos, l);
		line[l] = '\0';
		pos += l + 1;
		if (memchr(line, '\0', l)) {
			snprintf(err, errsz, "%s:%u: NUL byte in line", fname,
				 lineno);
			goto fail;
		}
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		s = trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq || eq == s) {
			snprintf(err, errsz, "%s:%u: expected 'key = value'",
				 fname, lineno);
			goto fail;
		}
		*eq = '\0';
		if (conf_line(c, &seen, trim(s), trim(eq + 1), why,
			      sizeof(why))) {
			snprintf(err, errsz, "%s:%u: %s", fname, lineno, why);
			goto fail;
		}
	}
	return 0;
fail:
	ccd_conf_defaults(c);
	return -1;
}

int ccd_conf_reload(const char *path, struct ccd_conf *cur, const char **used,
		    char *err, size_t errsz)
{
	struct ccd_conf nc;

	*used = path ? path : CCD_CONF_PATH;
	/* the default file may be missing (defaults), a -c file may not */
	if (ccd_conf_load(*used, !path, &nc, err, errsz))
		return -1;
	*cur = nc;
	return 0;
}

int ccd_conf_load(const char *path, int missing_ok, struct ccd_conf *c,
		  char *err, size_t errsz)
{
	char *buf;
	size_t n;
	FILE *f;
	int rc;

	ccd_conf_defaults(c);
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT && missing_ok) {
			ccd_conf_host_seed(c, NULL);
			return 0;
		}
		return ERR("%s: %s", path, strerror(errno));
	}
	buf = malloc(CONF_MAXSIZE + 1);
	if (!buf) {
		fclose(f);
		return ERR("%s: out of memory", path);
	}
	n = fread(buf, 1, CONF_MAXSIZE + 1, f);
	if (ferror(f)) {
		rc = ERR("%s: %s", path, strerror(errno));
		goto out_free;
	}
	if (n > CONF_MAXSIZE) {
		rc = ERR("%s: larger than %d bytes", path, CONF_MAXSIZE);
		goto out_free;
	}
	rc = ccd_conf_parse(buf, n, path, c, err, errsz);
	if (!rc)
		ccd_conf_host_seed(c, NULL);
out_free:
	free(buf);
	fclose(f);
	return rc;
}

int ccd_chan_parse(const char *line, struct ccd_chan *c)
{
	long long since, wait = 0;
	unsigned long rec = 0;
	unsigned a, l;
	int fs, bs, n = 0, m = 0;

	if (sscanf(line, "%u %u %d %d %lld%n", &a, &l, &fs, &bs, &since,
		   &n) != 5)
		return -1;
	if (line[n] == ' ' &&
	    (sscanf(line + n, " %lu %lld%n", &rec, &wait, &m) != 2 || wait < 0))
		return -1;
	n += m;
	if ((line[n] && line[n] != '\n') ||
	    a > CCD_DOMID_MAX || l > CCD_LINK_ID_MAX || fs < -1 ||
	    fs > CCD_XS_MAX || bs < -1 || bs > CCD_XS_MAX || since < 0)
		return -1;
	c->a = a;
	c->l = l;
	c->fstate = fs;
	c->bstate = bs;
	c->since = since;
	c->recreated = rec;
	c->wait_until = wait;
	return 0;
}

int ccd_nicwait_parse(const char *line, struct ccd_nicwait *w)
{
	unsigned long flaps;
	long long wait;
	unsigned d, n;
	int end = 0;

	if (sscanf(line, "nic %u %u %lu %lld%n", &d, &n, &flaps, &wait,
		   &end) != 4 || (line[end] && line[end] != '\n') ||
	    d > CCD_DOMID_MAX || n > CCD_DEVID_MAX || wait < 0)
		return -1;
	w->domid = d;
	w->devid = n;
	w->flaps = flaps;
	w->wait_until = wait;
	return 0;
}
