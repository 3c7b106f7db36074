// SPDX-License-Identifier: GPL-2.0 OR MIT
/* main.c - colorcomd: arguments, signals, the watch loop.
 *
 * Level-triggered on a kept snapshot: a watch event names what changed (a
 * NIC, a link half, the domain list: watch.c), a pass re-reads only that and
 * decides on the whole snapshot, so an event costs the same however many
 * links exist.  A full re-scan at start, every PERIODIC_MS, on SIGHUP and
 * after a failed pass keeps the snapshot honest; the daemon still holds no
 * state that xenstore does not (except a detach timer, whose loss on restart
 * only delays a removal).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "ccd.h"

#define PERIODIC_MS     60000   /* full re-scan */
#define RETRY_MS        1000    /* after a failed pass */
/* The periodic full scan waits for a quiet moment (no watch event for
 * QUIET_MS), so that it does not delay an attach in progress, but never
 * longer than DEFER_MAX_MS. */
#define QUIET_MS        1000
#define DEFER_MAX_MS    60000
#define PERSIST_AGAIN_MS 2000   /* reboot records after a domain event */
#define WATCH_BACKEND   "ccd-backend"
#define WATCH_DOMAIN    "ccd-domain"
/* Passes one guest can cause: a burst of 10, then one per 200 ms (ratelimit.c). */
#define PASS_BURST      10
#define PASS_REFILL_MS  200

struct ccd_ctx {
	struct xs_handle *xsh;
	struct ccd_dom_ctx *dc;
	struct ccd_timers *timers;
	struct ccd_opts opts;
	struct ccd_snap snap;
	struct ccd_conf conf;
	const char *conf_path;
	struct ccd_persist *persist;
	struct ccd_xlcfg *xlcfg;        /* NICs from domains' xl configs */
	int xlcfg_wake;                 /* an xl config-update was stored */
	struct ccd_status *status;
	struct ccd_watches watches;     /* guest-written paths we watch */
	struct ccd_dirty dirty;         /* what events named since the last pass */
	int timer_wake;                 /* this pass is a deadline's */
	long long last_full;            /* when the last full scan was */
	long long last_event;           /* when the last watch event came */
	long long deadline_ms;
	struct ccd_rl *rl;      /* passes caused by each guest */
	long long rl_wake;      /* a pass a guest was refused, due then */
	unsigned long round;
};

static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

long long ccd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One pass over what c->dirty names (everything when it says full), then
 * what depends on it: reboot records, link times, the RPC broker, watches. */
static int reconcile(struct ccd_ctx *c)
{
	struct ccd_dirty *dr = &c->dirty;
	long long dl, cpu0 = cpu_us();
	unsigned long reads0 = ccd_xs_reads;
	int full = dr->full || !c->snap.ndom, rc;
	size_t ntgt = dr->n;

	rc = ccd_reconcile_dirty(c->xsh, c->dc, c->timers, &c->opts, &c->snap,
				 dr, ccd_now_ms(), &c->deadline_ms);
	if (full)
		c->last_full = ccd_now_ms();
	if (!c->snap.ndom)      /* the scan failed: nothing to go on */
		goto out;
	/* Reboot records matter when domains come and go; their own
	 * deadline (a re-attach waiting for the old dirs) wakes us too. */
	if (full || dr->doms || c->timer_wake || c->xlcfg_wake) {
		/* Before the reboot records: a new domain whose UUID has
		 * none gets its config's NICs, one that has is left to them. */
		if (c->xlcfg) {
			dl = ccd_xlcfg_pass(c->xsh, c->xlcfg, &c->snap, &c->conf,
					    c->conf_path ? c->conf_path :
					    CCD_CONF_PATH, ccd_now_ms());
			if (dl && (!c->deadline_ms || dl < c->deadline_ms))
				c->deadline_ms = dl;
		}
		c->xlcfg_wake = 0;
		dl = ccd_persist_pass(c->xsh, c->persist, &c->snap,
				      c->conf.reboot_grace_s, ccd_now_ms());
		/* A domain's arrival is also looked at a little later, in
		 * case libxl was still writing its tree. */
		if (dr->doms && (!dl || dl > ccd_now_ms() + PERSIST_AGAIN_MS))
			dl = ccd_now_ms() + PERSIST_AGAIN_MS;
		if (dl && (!c->deadline_ms || dl < c->deadline_ms))
			c->deadline_ms = dl;
	}
	if (c->status)
		ccd_status_update(c->xsh, c->status, &c->snap, ccd_now_unix());
	/* The broker needs the networks (NIC dirs), the domains and the
	 * guests' requests, never the link halves. */
	if (full || dr->doms || dr->rpc || ntgt)
		ccd_rpc_pass(c->xsh);	/* libccrpc's broker (rpc.c) */
	ccd_watches_sync(c->xsh, &c->watches, &c->snap);
	ccd_log(CCD_LOG_DEBUG, "pass %s: %zu targets, %lu xenstore reads, %lld us cpu",
		full ? "full" : "incremental", ntgt, ccd_xs_reads - reads0,
		cpu_us() - cpu0);
out:
	ccd_dirty_clear(dr);
	c->timer_wake = 0;
	if (rc) {               /* after an error the retry reads it all */
		dr->full = 1;
		if (!c->deadline_ms)
			c->deadline_ms = ccd_now_ms() + RETRY_MS;
	}
	return rc;
}

/* When the periodic full scan is due: PERIODIC_MS after the last one,
 * later while events keep coming (up to DEFER_MAX_MS). */
static long long full_due(const struct ccd_ctx *c, long long now)
{
	long long due = c->last_full + PERIODIC_MS;

	if (now >= due && now < due + DEFER_MAX_MS && c->last_event &&
	    now - c->last_event < QUIET_MS)
		due = c->last_event + QUIET_MS;
	return due;
}

/* SIGHUP: a bad file keeps the settings we run with. */
static void reload_conf(struct ccd_ctx *c)
{
	const char *path;
	char err[512];

	if (ccd_conf_reload(c->conf_path, &c->conf, &path, err, sizeof(err)))
		ccd_log(CCD_LOG_ERR, "%s; keeping the previous settings", err);
	else
		ccd_log(CCD_LOG_INFO, "reloaded %s (relink-backoff %u s)", path,
			c->conf.relink_backoff_s);
	ccd_backoff_set(c->opts.backoff, c->opts.relink_delay_ms,
			c->conf.relink_backoff_s * 1000LL);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: colorcomd [-f] [-v] [--once] [-c FILE] [-s FILE] [-p PIDFILE] [-t SECONDS]\n"
		"       colorcomd --check [-c FILE]\n"
		"  -c, --config FILE    settings (default " CCD_CONF_PATH ",\n"
		"                       which may be missing)\n"
		"  -s, --status FILE    link times for colorcomctl\n"
		"                       (default " CCD_STATUS_PATH ")\n"
		"  -f, --foreground     stay in the foreground, log to stderr\n"
		"  -v, --verbose        log debug messages too\n"
		"  -1, --once           one reconcile pass, then exit\n"
		"  -p, --pidfile FILE   write the daemon's pid to FILE\n"
		"  -t, --detach-timeout SECONDS  wait for a detached NIC's\n"
		"                       frontend to close (default 10)\n"
		"      --check          validate the configuration and exit\n"
		"                       (0 valid, 2 not; touches no xenstore)\n"
		"  -h, --help           this text\n"
		"      --version        print the version\n"
		"      --guest-owned-links  make new link halves the guests' nodes, as\n"
		"                       before 0.2 (costs each guest ~14 xenstore entries\n"
		"                       per peer; for tests of xenstore quotas only)\n"
		"Exit status: 0 stopped by a signal, 1 failed to start or run,\n"
		"2 bad arguments or configuration.\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "once", no_argument, NULL, '1' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "detach-timeout", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "status", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "check", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "guest-owned-links", no_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 },
	};
	struct ccd_ctx c;
	const char *pidfile = NULL, *status_path = CCD_STATUS_PATH;
	char err[512];
	int foreground = 0, once = 0, check = 0, opt, rc = 1, ready = -1;
	int pid_written = 0;
	unsigned long secs;
	struct sigaction sa;
	sigset_t block, orig;

	memset(&c, 0, sizeof(c));
	c.opts.detach_timeout_ms = 10000;
	c.opts.relink_delay_ms = 1000;
	c.opts.broken_hold_ms = 60000;
	while ((opt = getopt_long(argc, argv, "fv1p:t:c:s:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			foreground = 1;
			break;
		case 'v':
			ccd_verbose = 1;
			break;
		case '1':
			once = 1;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 't':
			if (ccd_parse_uint(optarg, strlen(optarg), 3600, &secs)) {
				ccd_escape(optarg, err, sizeof(err));
				fprintf(stderr, "colorcomd: bad timeout '%s' (0..3600)\n",
					err);
				return 2;
			}
			c.opts.detach_timeout_ms = (long long)secs * 1000;
			break;
		case 'c':
			c.conf_path = optarg;
			break;
		case 's':
			status_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'C':
			check = 1;
			break;
		case 'V':
			printf("colorcomd %s\n", ccd_version);
			return 0;
		case 'G':
			ccd_link_guest_owned = 1;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* Before daemonizing: a bad file is the admin's to see at once. */
	if (ccd_conf_load(c.conf_path ? c.conf_path : CCD_CONF_PATH,
			  !c.conf_path, &c.conf, err, sizeof(err))) {
		char esc[2048];

		ccd_escape(err, esc, sizeof(esc));
		fprintf(stderr, "colorcomd: %s\n", esc);
		return 2;
	}
	c.opts.conf = &c.conf;
	if (check) {
		printf("colorcomd: %s: configuration OK\n",
		       c.conf_path ? c.conf_path :
		       access(CCD_CONF_PATH, F_OK) ? "no " CCD_CONF_PATH " (defaults)" :
		       CCD_CONF_PATH);
		return 0;
	}

	/* Before going to the background, so that a failure is the exit
	 * status the admin sees (and the stale pidfile is not written). */
	c.xsh = xs_open(0);
	if (!c.xsh) {
		fprintf(stderr, "colorcomd: cannot open xenstore: %s (is xenstored running, are we root in dom0?)\n",
			strerror(errno));
		return 1;
	}
	if (!foreground && !once && ccd_daemon_start(&ready)) {
		xs_close(c.xsh);
		return 1;
	}
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		pid_written = f != NULL;
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
			ccd_log(CCD_LOG_ERR, "cannot write %s: %s", pidfile,
				strerror(errno));
			goto out;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &orig);

	ccd_snap_init(&c.snap);
	c.timers = ccd_timers_new();
	c.persist = ccd_persist_new();
	c.xlcfg = ccd_xlcfg_new();
	c.status = ccd_status_new(status_path);
	c.opts.backoff = ccd_backoff_new(c.opts.relink_delay_ms,
					 c.conf.relink_backoff_s * 1000LL);
	ccd_status_set_backoff(c.status, c.opts.backoff);
	c.rl = ccd_rl_new(PASS_BURST, PASS_REFILL_MS);
	c.dc = ccd_dom_open();
	if (!c.timers || !c.dc || !c.persist || !c.xlcfg || !c.status || !c.opts.backoff || !c.rl) {
		ccd_log(CCD_LOG_ERR, "out of memory");
		goto out;
	}

	ccd_dirty_init(&c.dirty);
	c.dirty.full = 1;
	if (once) {
		rc = reconcile(&c) ? 1 : 0;
		goto out;
	}

	if (!xs_watch(c.xsh, CCD_BACKEND_ROOT, WATCH_BACKEND) ||
	    !xs_watch(c.xsh, "@releaseDomain", WATCH_DOMAIN) ||
	    !xs_watch(c.xsh, "@introduceDomain", WATCH_DOMAIN)) {
		ccd_log(CCD_LOG_ERR, "cannot set watches: %s", strerror(errno));
		goto out;
	}
	/* Started: the parent exits 0, we log to syslog from now on. */
	if (ready >= 0) {
		openlog("colorcomd", LOG_PID, LOG_DAEMON);
		ccd_use_syslog = 1;
		ccd_daemon_done(&ready, 0);
	}
	ccd_log(CCD_LOG_INFO, "started (detach timeout %lld s, config %s%s, MAC seed %s)",
		c.opts.detach_timeout_ms / 1000,
		c.conf_path ? c.conf_path : CCD_CONF_PATH,
		c.conf_path || !access(CCD_CONF_PATH, F_OK) ? "" : ", absent: defaults",
		c.conf.mac_seed_from == CCD_SEED_CONF ? "mac-seed" :
		c.conf.mac_seed_from == CCD_SEED_MACHINE_ID ? CCD_MACHINE_ID_PATH :
		"none");
	if (c.conf.mac_seed_from == CCD_SEED_NONE)
		ccd_log(CCD_LOG_WARN, "no mac-seed and no usable " CCD_MACHINE_ID_PATH
			": auto MACs are the same as on any other such host");

	{
		int need = 1;
		struct pollfd pfds[2] = {
			{ .fd = xs_fileno(c.xsh), .events = POLLIN },
			/* libxl's userdata dir: xl config-update (xlcfg.c) */
			{ .fd = ccd_xlcfg_fd(c.xlcfg), .events = POLLIN },
		};
		struct pollfd *pfd = &pfds[0];
		nfds_t npfd = pfds[1].fd >= 0 ? 2 : 1;

		while (!got_stop) {
			long long now, wake;
			struct timespec ts;
			int r, perr;

			if (need) {
				need = 0;
				c.rl_wake = 0;  /* this pass sees it all */
				reconcile(&c);
			}
			now = ccd_now_ms();
			wake = full_due(&c, now);
			if (c.deadline_ms && c.deadline_ms < wake)
				wake = c.deadline_ms;
			if (c.rl_wake && c.rl_wake < wake)
				wake = c.rl_wake;
			if (wake < now)
				wake = now;
			ts.tv_sec = (wake - now) / 1000;
			ts.tv_nsec = ((wake - now) % 1000) * 1000000;
			r = ppoll(pfds, npfd, &ts, &orig);
			/* reload_conf() below may change errno. */
			perr = errno;
			/* A SIGHUP is handled inside ppoll, which may still
			 * return the watch fd as ready rather than EINTR: look
			 * every time, or the reload waits for the next signal. */
			if (got_hup) {
				got_hup = 0;
				reload_conf(&c);
				c.dirty.full = 1;
				need = 1;
			}
			if (r < 0) {
				if (perr != EINTR) {
					ccd_log(CCD_LOG_ERR, "poll: %s", strerror(perr));
					break;
				}
				continue;
			}
			if (r == 0) {
				now = ccd_now_ms();
				if (now >= full_due(&c, now))
					c.dirty.full = 1;
				if (c.deadline_ms && now >= c.deadline_ms)
					c.timer_wake = 1;
				need = 1;
				continue;
			}
			if (npfd > 1 && (pfds[1].revents & POLLIN) &&
			    ccd_xlcfg_event(c.xlcfg)) {
				c.xlcfg_wake = 1;
				need = 1;
			}
			if (!(pfd->revents & POLLIN) &&
			    !(pfd->revents & (POLLERR | POLLHUP | POLLNVAL)))
				continue;
			if (pfd->revents & (POLLERR | POLLHUP | POLLNVAL)) {
				ccd_log(CCD_LOG_ERR, "xenstore connection lost");
				break;
			}
			for (c.round++;;) {
				char **w = xs_check_watch(c.xsh);
				long d;
				long long t;

				if (!w)
					break;
				ccd_log(CCD_LOG_DEBUG, "watch %s fired (%s)",
					w[XS_WATCH_PATH], w[XS_WATCH_TOKEN]);
				c.last_event = ccd_now_ms();
				/* Remembered whether or not it may cause a
				 * pass now: a refused guest's change is read
				 * by the pass its budget allows. */
				ccd_dirty_path(&c.dirty, w[XS_WATCH_PATH]);
				/* A guest's node: that guest's budget. */
				d = ccd_rl_path_domain(w[XS_WATCH_PATH]);
				t = d < 0 ? 0 : ccd_rl_take(c.rl, (unsigned long)d,
							    ccd_now_ms(), c.round);
				free(w);
				if (!t)
					need = 1;
				else if (!c.rl_wake || t < c.rl_wake)
					c.rl_wake = t;
			}
			if (errno != EAGAIN && !need) {
				ccd_log(CCD_LOG_ERR, "reading watches: %s",
					strerror(errno));
				break;
			}
		}
		if (got_stop) {
			ccd_log(CCD_LOG_INFO, "stopping (links left in place)");
			rc = 0;
		}
	}
out:
	ccd_watches_free(&c.watches);
	ccd_dirty_free(&c.dirty);
	ccd_snap_free(&c.snap);
	ccd_timers_free(c.timers);
	ccd_backoff_free(c.opts.backoff);
	ccd_rl_free(c.rl);
	ccd_persist_free(c.persist);
	ccd_xlcfg_free(c.xlcfg);
	ccd_status_free(c.status);
	ccd_dom_close(c.dc);
	if (c.xsh)
		xs_close(c.xsh);
	/* Every exit, failed or not: a pidfile must never outlive us. */
	if (pid_written)
		unlink(pidfile);
	ccd_daemon_done(&ready, rc ? rc : 1);
	return rc;
}
