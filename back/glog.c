// SPDX-License-Identifier: GPL-2.0 OR MIT
/* glog.c - log lines a guest can cause, bounded per domain.
 *
 * Garbage in a guest's nodes is reported once per (node, value) like
 * ccd_log_once(), but a guest that writes a new value on every pass, or
 * thousands of junk entries, would still fill the log at its own rate.  So
 * the reports about each guest's tree (the domain is the key's
 * /local/domain/D/ prefix) also take a token: a burst of 20, then one per
 * 5 s; the ones refused are counted and said with the next one let through.
 * Reports about dom0's own tree (written by the toolstack) are not limited.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ccd.h"

#define GLOG_BURST      20
#define GLOG_REFILL_MS  5000
#define GLOG_SLOTS      4096

static unsigned long seen[GLOG_SLOTS];
static size_t nseen;
static struct ccd_rl *glog_rl;
static unsigned long glog_round;

static unsigned long fnv(const char *s)
{
	unsigned long h = 1469598103934665603ul;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ul;
	return h ? h : 1;
}

/* 1 if key was reported already, else remembers it and returns 0.  When
 * the table is half full it starts over (a repeat now and then is fine;
 * the per-domain budget still holds). */
static int seen_before(const char *key)
{
	unsigned long h = fnv(key);
	size_t i = h % GLOG_SLOTS, probes;

	for (probes = 0; probes < GLOG_SLOTS; probes++) {
		if (seen[i] == h)
			return 1;
		if (!seen[i])
			break;
		i = (i + 1) % GLOG_SLOTS;
	}
	if (nseen >= GLOG_SLOTS / 2) {
		memset(seen, 0, sizeof(seen));
		nseen = 0;
		i = h % GLOG_SLOTS;
	}
	seen[i] = h;
	nseen++;
	return 0;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long (*ccd_glog_clock)(void) = mono_ms;

void ccd_glog(int prio, const char *key, const char *fmt, ...)
{
	long d = ccd_rl_path_domain(key);
	unsigned long held = 0;
	char msg[900];
	va_list ap;

	if (seen_before(key))
		return;
	if (d > 0) {
		if (!glog_rl)
			glog_rl = ccd_rl_new(GLOG_BURST, GLOG_REFILL_MS);
		if (glog_rl && ccd_rl_take(glog_rl, (unsigned long)d,
					   ccd_glog_clock(), ++glog_round))
			return;         /* counted by ccd_rl_take */
		if (glog_rl)
			held = ccd_rl_denied(glog_rl, (unsigned long)d);
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (held)
		ccd_log(prio, "%s (and %lu more reports about domain %ld, rate-limited)",
			msg, held, d);
	else
		ccd_log(prio, "%s", msg);
}

void ccd_glog_reset(void)
{
	memset(seen, 0, sizeof(seen));
	nseen = 0;
	ccd_rl_free(glog_rl);
	glog_rl = NULL;
}
