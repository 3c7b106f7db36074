/* log.c - one-line log messages to stderr (foreground) or syslog. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "ccdom0.h"

int ccd_verbose;
int ccd_use_syslog;
void (*ccd_log_hook)(int prio, const char *msg);

static void vlog(int prio, const char *fmt, va_list ap)
{
	static const char *const tag[8] = {
		"emerg", "alert", "crit", "error", "warning", "notice", "info",
		"debug",
	};
	char msg[1024];

	if (prio >= CCD_LOG_DEBUG && !ccd_verbose && !ccd_log_hook)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (ccd_log_hook) {
		ccd_log_hook(prio, msg);
		return;
	}
	if (ccd_use_syslog) {
		syslog(prio, "%s", msg);
		return;
	}
	if (prio <= CCD_LOG_WARN)
		fprintf(stderr, "colorcomd: %s: %s\n", tag[prio & 7], msg);
	else
		fprintf(stderr, "colorcomd: %s\n", msg);
	fflush(stderr);
}

void ccd_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

/* A bounded set of already-reported keys, so that a guest writing garbage
 * does not flood the log on every pass.  When full it is simply cleared. */
#define ONCE_SLOTS 4096
static unsigned long once_hash[ONCE_SLOTS];
static size_t once_used;

static unsigned long fnv(const char *s)
{
	unsigned long h = 1469598103934665603ul;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ul;
	return h ? h : 1;
}

void ccd_log_once(int prio, const char *key, const char *fmt, ...)
{
	unsigned long h = fnv(key);
	size_t i = h % ONCE_SLOTS, probes;
	va_list ap;

	for (probes = 0; probes < ONCE_SLOTS; probes++) {
		if (once_hash[i] == h)
			return;
		if (!once_hash[i])
			break;
		i = (i + 1) % ONCE_SLOTS;
	}
	if (once_used >= ONCE_SLOTS / 2) {
		memset(once_hash, 0, sizeof(once_hash));
		once_used = 0;
		i = h % ONCE_SLOTS;
	}
	once_hash[i] = h;
	once_used++;
	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}
