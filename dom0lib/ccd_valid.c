// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ccd_valid.c - pure validation helpers (see ccdom0.h). */
#include <stdio.h>
#include <string.h>

#include "ccdom0.h"

int ccd_parse_uint(const char *s, size_t len, unsigned long max,
		   unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!s || len == 0 || len > 10)
		return -1;
	if (s[0] == '0' && len > 1)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* Value of one hex digit, -1 if c is none (MACs, prefixes, seeds). */
int ccd_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ccd_parse_mac(const char *s, size_t len, uint8_t mac[6])
{
	int i;

	if (!s || len != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		int hi = ccd_hexval(s[3 * i]), lo = ccd_hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		if (i < 5 && s[3 * i + 2] != ':')
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int ccd_mac_is_unicast(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

void ccd_mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

int ccd_valid_network(const char *s, size_t len)
{
	size_t i;

	if (!s || len == 0 || len > CCD_NET_MAXLEN)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 (i > 0 && (c == '_' || c == '-'));

		if (!ok)
			return 0;
	}
	return 1;
}

int ccd_valid_mtu(unsigned long mtu)
{
	return mtu >= CCD_MTU_MIN && mtu <= CCD_MTU_MAX;
}

int ccd_valid_order(unsigned long order)
{
	return order >= CCD_ORDER_MIN && order <= CCD_ORDER_MAX;
}

int ccd_parse_state(const char *s, size_t len)
{
	unsigned long v;

	if (ccd_parse_uint(s, len, CCD_XS_MAX, &v))
		return -1;
	return (int)v;
}

const char *ccd_state_name(int state)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured",
	};

	if (state < 0 || state > CCD_XS_MAX)
		return "?";
	return names[state];
}

unsigned ccd_link_id(unsigned b, unsigned na, unsigned nb)
{
	return (b << 8) | ((na & 0xFu) << 4) | (nb & 0xFu);
}

void ccd_link_decode(unsigned l, unsigned *b, unsigned *na, unsigned *nb)
{
	*b = l >> 8;
	*na = (l >> 4) & 0xFu;
	*nb = l & 0xFu;
}

void ccd_sanitize(const char *s, size_t len, char *out, size_t outsz)
{
	size_t i, n = 0;

	if (!outsz)
		return;
	for (i = 0; s && i < len && n + 1 < outsz; i++)
		out[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[n] = '\0';
}

void ccd_uplink_ifname(const char *net, char out[CCD_IFNAMSIZ])
{
	snprintf(out, CCD_IFNAMSIZ, CCD_UPLINK_PREFIX "%.*s",
		 CCD_IFNAMSIZ - 1 - (int)(sizeof(CCD_UPLINK_PREFIX) - 1), net);
}

void ccd_escape(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (!outsz)
		return;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f) {
			if (o + 4 >= outsz)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		} else {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
}
