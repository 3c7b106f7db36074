/* test_cmds.c - colorcomctl's commands against the in-memory xenstore of
 * back/tests/fakexs.c, and end to end with colorcomd's reconcile pass. */
#define TST_PREFIX "toolstack.cmds."
#include <fcntl.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <xenstore.h>

#include "ccctl.h"
#include "ccd.h"
#include "fakexs.h"
#include "tst.h"

int ccctl_main(int argc, char **argv);

static char out[8192], err[8192];

static void slurp(int fd, char *buf, size_t sz)
{
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sz - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* run("attach", "3", "network=...", NULL) -> exit code; out/err filled. */
static int run(const char *a0, ...)
{
	char *argv[16];
	int argc = 0, rc, o, e, so, se;
	char tmpo[] = "/tmp/ccctl-out-XXXXXX", tmpe[] = "/tmp/ccctl-err-XXXXXX";
	va_list ap;
	const char *s;

	argv[argc++] = (char *)"colorcomctl";
	va_start(ap, a0);
	for (s = a0; s && argc < 15; s = va_arg(ap, const char *))
		argv[argc++] = (char *)s;
	va_end(ap);
	argv[argc] = NULL;
	o = mkstemp(tmpo);
	e = mkstemp(tmpe);
	unlink(tmpo);
	unlink(tmpe);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(o, 1);
	dup2(e, 2);
	memset(&ccctl_g, 0, sizeof(ccctl_g));
	rc = ccctl_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(o, out, sizeof(out));
	slurp(e, err, sizeof(err));
	return rc;
}

static void quiet(int prio, const char *msg)
{
	(void)prio;
	(void)msg;
}

#define MAC1 "00:16:3e:00:00:01"
#define MAC2 "00:16:3e:00:00:02"
#define B3   "/local/domain/0/backend/colorcom/3/0"
#define F3   "/local/domain/3/device/colorcom/0"

static void setup(void)
{
	fx_reset();
	fx_add_domain(3, "gamma");
	fx_add_domain(4, "delta");
}

static int t_attach_writes_tree(void)
{
	setup();
	CHECK_INT(run("attach", "gamma", "network=blue,mac=00:16:3E:00:00:01,ring=512K,mtu=9000", NULL), 0);
	CHECK_STR(out, "attached colorcom NIC 3/0 (network blue, mac " MAC1 ")\n");
	CHECK_STR(err, "");
	CHECK_STR(fx_perms(F3), "n3,r0");
	CHECK_STR(fx_perms(B3), "n0,r3");
	CHECK_STR(fx_get(F3 "/backend"), B3);
	CHECK_STR(fx_get(F3 "/backend-id"), "0");
	CHECK_STR(fx_get(F3 "/state"), "1");
	CHECK_STR(fx_perms(F3 "/state"), "n3,r0");
	CHECK_STR(fx_get(B3 "/frontend"), F3);
	CHECK_STR(fx_get(B3 "/frontend-id"), "3");
	CHECK_STR(fx_get(B3 "/mac"), MAC1);
	CHECK_STR(fx_get(B3 "/network"), "blue");
	CHECK_STR(fx_get(B3 "/mtu"), "9000");
	CHECK_STR(fx_get(B3 "/ring-page-order"), "7");
	CHECK_STR(fx_get(B3 "/online"), "1");
	CHECK_STR(fx_get(B3 "/state"), "1");
	CHECK_STR(fx_perms(B3 "/mac"), "n0,r3");
	CHECK_INT(fx_commits, 1);      /* one transaction */
	CHECK_INT(fx_open_transactions(), 0);
	return 0;
}

static int t_attach_devids(void)
{
	setup();
	CHECK_INT(run("attach", "3", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_INT(run("attach", "3", "network=red", "mac=" MAC2, NULL), 0);
	CHECK_STR(out, "attached colorcom NIC 3/1 (network red, mac " MAC2 ")\n");
	CHECK_INT(run("attach", "3", "network=green,mac=00:16:3e:00:00:03,devid=1", NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: domain 3 already has colorcom NIC 1\n");
	CHECK_INT(run("attach", "3", "network=green,mac=00:16:3e:00:00:03,devid=9", NULL), 0);
	CHECK_STR(out, "attached colorcom NIC 3/9 (network green, mac 00:16:3e:00:00:03)\n");
	CHECK_INT(run("attach", "3", "network=green,mac=00:16:3e:00:00:04", NULL), 0);
	CHECK_STR(out, "attached colorcom NIC 3/2 (network green, mac 00:16:3e:00:00:04)\n");
	return 0;
}

static int t_attach_dup_mac(void)
{
	setup();
	CHECK_INT(run("attach", "3", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_INT(run("attach", "delta", "network=blue,mac=00:16:3E:00:00:01", NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: MAC " MAC1 " is already used on network blue by domain 3 devid 0\n");
	CHECK_STR(out, "");
	CHECK(!fx_exists("/local/domain/0/backend/colorcom/4"));
	CHECK(!fx_exists("/local/domain/4/device/colorcom"));
	CHECK_INT(run("attach", "delta", "network=red,mac=" MAC1, NULL), 0);
	return 0;
}

static int t_attach_unknown_domain(void)
{
	setup();
	CHECK_INT(run("attach", "7", "network=blue,mac=" MAC1, NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: unknown domain 7\n");
	CHECK_INT(run("attach", "nosuch", "network=blue,mac=" MAC1, NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: unknown domain 'nosuch'\n");
	CHECK_INT(run("attach", "32752", "network=blue,mac=" MAC1, NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: bad domid '32752' (want 0..32751 or a domain name)\n");
	CHECK_INT(run("attach", "007", "network=blue,mac=" MAC1, NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: bad domid '007' (want 0..32751 or a domain name)\n");
	CHECK_INT(fx_count_children("/local/domain/0/backend"), 0);
	return 0;
}

static int t_attach_no_xenstore(void)
{
	setup();
	fx_fail_open = 1;
	CHECK_INT(run("attach", "3", "network=blue,mac=" MAC1, NULL), 1);
	CHECK(strstr(err, "colorcomctl: cannot open xenstore: "));
	return 0;
}

static int t_dry_run_numeric_never_opens(void)
{
	unsigned long before;

	setup();
	fx_fail_open = 1;
	before = ccctl_xs_opens;
	CHECK_INT(run("-N", "attach", "3", "network=blue,mac=" MAC1, NULL), 0);
	CHECK(strstr(out, "\"op\": \"mkdir\", \"path\": \"" F3 "\", \"perms\": [\"n3\", \"r0\"]"));
	CHECK_INT(ccctl_xs_opens, before);
	CHECK_INT(fx_opens, 0);
	CHECK_INT(run("attach", "-N", "3", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_INT(run("-N", "detach", "3", "0", NULL), 0);
	CHECK(strstr(out, "\"value\": \"5\""));
	CHECK_INT(fx_opens, 0);
	/* Invalid SPECs fail before any xenstore access too. */
	CHECK_INT(run("attach", "nosuch", "network=blue,mac=01:00:00:00:00:01", NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: MAC 01:00:00:00:00:01 is multicast; a NIC needs a unicast MAC\n");
	CHECK_INT(fx_opens, 0);
	return 0;
}

static int t_dry_run_by_name_writes_nothing(void)
{
	unsigned long ops;

	setup();
	CHECK_INT(run("attach", "3", "network=blue,mac=" MAC1, NULL), 0);
	ops = fx_nops;
	CHECK_INT(run("-N", "attach", "gamma", "network=blue,mac=" MAC2, NULL), 0);
	CHECK(strstr(out, "\"devid\": 1,"));
	CHECK_INT(fx_nops, ops);
	CHECK(!fx_exists("/local/domain/0/backend/colorcom/3/1"));
	/* The dry run still checks duplicates. */
	CHECK_INT(run("-N", "attach", "delta", "network=blue,mac=" MAC1, NULL), 1);
	CHECK(strstr(err, "is already used on network blue"));
	return 0;
}

static int t_detach_no_wait(void)
{
	setup();
	CHECK_INT(run("attach", "3", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_INT(run("-v", "detach", "--no-wait", "gamma", "0", NULL), 0);
	CHECK_STR(out, "detach of colorcom NIC 3/0 requested\n");
	CHECK(strstr(err, "\"path\": \"" B3 "/state\", \"value\": \"5\""));
	CHECK_STR(fx_get(B3 "/online"), "0");
	CHECK_STR(fx_get(B3 "/state"), "5");
	return 0;
}

static int t_detach_timeout_removes(void)
{
	setup();
	CHECK_INT(run("attach", "3", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_INT(run("detach", "-t", "0", "3", MAC1, NULL), 0);
	CHECK(strstr(err, "colorcomctl: detach: warning: colorcomd did not finish within 0 s"));
	CHECK_STR(out, "detached colorcom NIC 3/0\n");
	CHECK(!fx_exists(B3));
	CHECK(!fx_exists(F3));
	return 0;
}

static int t_detach_missing(void)
{
	setup();
	CHECK_INT(run("detach", "3", "4", NULL), 1);
	CHECK_STR(err, "colorcomctl: detach: domain 3 has no colorcom NIC 4\n");
	CHECK_INT(run("detach", "3", MAC2, NULL), 1);
	CHECK_STR(err, "colorcomctl: detach: domain 3 has no colorcom NIC with MAC " MAC2 "\n");
	CHECK_INT(run("detach", "9", "0", NULL), 1);
	CHECK_STR(err, "colorcomctl: detach: unknown domain 9\n");
	CHECK_INT(run("detach", "3", NULL), 2);
	CHECK_INT(run("detach", "--bogus", "3", "0", NULL), 2);
	return 0;
}

static int t_usage_errors(void)
{
	setup();
	CHECK_INT(run("frobnicate", NULL), 2);
	CHECK_STR(err, "colorcomctl: unknown command 'frobnicate' (see colorcomctl help)\n");
	CHECK_INT(run("-x", "list", NULL), 2);
	CHECK_INT(run("attach", NULL), 2);
	CHECK_INT(run("help", NULL), 0);
	CHECK(strstr(out, "  attach    attach a colorcom NIC to a domain\n"));
	CHECK_INT(run("help", "detach", NULL), 0);
	CHECK(strstr(err, "usage: colorcomctl [-N] [-v] [-c FILE] detach"));
	CHECK_INT(run("help", "nope", NULL), 2);
	return 0;
}

/* colorcomd's pass, as the daemon would run it after each event. */
static int daemon_pass(long long now)
{
	struct ccd_snap snap;
	struct ccd_timers *tm = ccd_timers_new();
	struct ccd_dom_ctx *dc = ccd_dom_open();
	struct ccd_opts o = { .detach_timeout_ms = 10000, .relink_delay_ms = 1000 };
	struct xs_handle *h = xs_open(0);
	long long dl;
	int rc;

	ccd_snap_init(&snap);
	rc = ccd_reconcile(h, dc, tm, &o, &snap, now, &dl);
	ccd_snap_free(&snap);
	ccd_timers_free(tm);
	ccd_dom_close(dc);
	xs_close(h);
	return rc;
}

static int t_end_to_end_with_daemon(void)
{
	setup();
	ccd_log_hook = quiet;
	CHECK_INT(run("attach", "gamma", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_INT(run("attach", "delta", "network=blue,mac=" MAC2, NULL), 0);
	CHECK_INT(daemon_pass(1000), 0);
	fx_set(F3 "/state", "4");
	fx_set("/local/domain/4/device/colorcom/0/state", "4");
	CHECK_INT(daemon_pass(2000), 0);
	CHECK(fx_exists("/local/domain/3/device/cclink/1024/state"));   /* 0x400 */
	CHECK(fx_exists("/local/domain/4/backend/cclink/3/1024/state"));
	CHECK_INT(run("list", NULL), 0);
	CHECK_STR(out,
		  "Domain Name             Devid Network          MAC               Backend      Frontend     Links\n"
		  "3      gamma            0     blue             00:16:3e:00:00:01 Connected    Connected    1\n"
		  "4      delta            0     blue             00:16:3e:00:00:02 Connected    Connected    1\n");
	CHECK_INT(run("list", "delta", NULL), 0);
	CHECK(!strstr(out, "gamma"));
	CHECK_INT(run("detach", "--no-wait", "delta", "0", NULL), 0);
	CHECK_INT(daemon_pass(3000), 0);
	CHECK(!fx_exists("/local/domain/3/device/cclink/1024"));
	CHECK_INT(run("list", NULL), 0);
	CHECK(strstr(out, "4      delta            0     blue             00:16:3e:00:00:02 Closing      Connected    0\n"));
	CHECK(strstr(out, "gamma            0     blue             00:16:3e:00:00:01 Connected    Connected    0\n"));
	fx_set("/local/domain/4/device/colorcom/0/state", "6");
	CHECK_INT(daemon_pass(4000), 0);
	CHECK(!fx_exists("/local/domain/0/backend/colorcom/4"));
	ccd_log_hook = NULL;
	return 0;
}

static int t_list_shows_errors_sanitized(void)
{
	setup();
	CHECK_INT(run("attach", "gamma", "network=blue,mac=" MAC1, NULL), 0);
	fx_set(B3 "/state", "6");
	fx_set(B3 "/error", "bad\nthing");
	fx_set(F3 "/state", "x\x01");
	CHECK_INT(run("list", NULL), 0);
	CHECK(strstr(out, "Closed       ?            0  error: bad?thing\n"));
	return 0;
}

#define UUID3 "3e1c4a2b-0000-4000-8000-000000000003"
#define P3 "/local/domain/0/colorcom/persist/" UUID3 "/0"

static int t_attach_records_for_reboot(void)
{
	setup();
	fx_set("/local/domain/3/vm", "/vm/" UUID3);
	CHECK_INT(run("attach", "gamma", "network=blue,mac=" MAC1 ",ring=1M", NULL), 0);
	CHECK_INT(fx_commits, 1);
	CHECK_STR(fx_get(P3 "/name"), "gamma");
	CHECK_STR(fx_get(P3 "/domid"), "3");
	CHECK_STR(fx_get(P3 "/network"), "blue");
	CHECK_STR(fx_get(P3 "/mac"), MAC1);
	CHECK_STR(fx_get(P3 "/mtu"), "1500");
	CHECK_STR(fx_get(P3 "/ring-page-order"), "8");
	CHECK_STR(fx_perms(P3), "n0");
	/* A domain without a proper vm path gets no record. */
	fx_set("/local/domain/4/vm", "/vm/not-a-uuid");
	CHECK_INT(run("attach", "delta", "network=blue,mac=" MAC2, NULL), 0);
	CHECK_INT(fx_count_children("/local/domain/0/colorcom/persist"), 1);
	/* detach ends the record in the same transaction as online=0; the
	 * domain's directory goes with its last record */
	CHECK_INT(run("attach", "gamma", "network=red,mac=" MAC2, NULL), 0);
	CHECK_INT(run("detach", "--no-wait", "gamma", MAC1, NULL), 0);
	CHECK(!fx_exists(P3));
	CHECK_STR(fx_get(B3 "/online"), "0");
	CHECK(fx_exists("/local/domain/0/colorcom/persist/" UUID3 "/1"));
	CHECK_INT(run("detach", "--no-wait", "gamma", "1", NULL), 0);
	CHECK(!fx_exists("/local/domain/0/colorcom/persist/" UUID3));
	CHECK(fx_exists("/local/domain/0/colorcom/persist"));
	return 0;
}

static int t_attach_auto_mac(void)
{
	struct ccd_conf c;
	uint8_t m0[6], m1[6];
	char s0[18], s1[18], want[128];

	setup();
	ccd_conf_defaults(&c);
	ccctl_auto_mac(&c, "gamma", "blue", 0, 0, m0);
	ccctl_auto_mac(&c, "gamma", "blue", 0, 1, m1);
	ccd_mac_format(m0, s0);
	ccd_mac_format(m1, s1);
	/* delta already has gamma's first choice on blue: gamma gets the next */
	snprintf(want, sizeof(want), "network=blue,mac=%s", s0);
	CHECK_INT(run("attach", "delta", want, NULL), 0);
	CHECK_INT(run("attach", "gamma", "network=blue", NULL), 0);
	CHECK_STR(fx_get(B3 "/mac"), s1);
	/* on another network the first choice is free */
	CHECK_INT(run("attach", "gamma", NULL), 0);
	CHECK_STR(fx_get("/local/domain/0/backend/colorcom/3/1/network"), "default");
	CHECK(fx_get("/local/domain/0/backend/colorcom/3/1/mac"));
	return 0;
}

static int t_max_peers_and_conf(void)
{
	char path[] = "/tmp/ccctl-conf-XXXXXX";
	static const char conf[] = "ring = 512K\nnetwork.blue.max-peers = 1\n";
	int fd = mkstemp(path);
	char want[160];

	CHECK(fd >= 0 && write(fd, conf, sizeof(conf) - 1) > 0);
	close(fd);
	setup();
	CHECK_INT(run("-c", path, "attach", "gamma", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_STR(fx_get(B3 "/ring-page-order"), "7");    /* the default */
	fx_nops = 0;
	CHECK_INT(run("-c", path, "attach", "delta", "network=blue,mac=" MAC2, NULL), 1);
	snprintf(want, sizeof(want), "colorcomctl: attach: network blue is full (max-peers 1 in %s)\n", path);
	CHECK_STR(err, want);
	CHECK_INT(fx_nops, 0);
	CHECK(!fx_exists("/local/domain/0/backend/colorcom/4"));
	CHECK_INT(run("-c", path, "attach", "delta", "network=red,mac=" MAC2, NULL), 0);
	unlink(path);
	return 0;
}


/* ---- uplink ---------------------------------------------------------------- */

#define B0 "/local/domain/0/backend/colorcom/0/0"
#define F0 "/local/domain/0/device/colorcom/0"
#define L03F "/local/domain/0/device/cclink/768"          /* A 0, B 3: L = 3 << 8 */
#define L03B "/local/domain/3/backend/cclink/0/768"
#define L34F "/local/domain/3/device/cclink/1024"
#define L34B "/local/domain/4/backend/cclink/3/1024"

static int daemon_pass_conf(long long now, const struct ccd_conf *conf)
{
	struct ccd_snap snap;
	struct ccd_timers *tm = ccd_timers_new();
	struct ccd_dom_ctx *dc = ccd_dom_open();
	struct ccd_opts o = { .detach_timeout_ms = 10000, .relink_delay_ms = 1000,
			      .conf = conf };
	struct xs_handle *h = xs_open(0);
	long long dl;
	int rc;

	ccd_snap_init(&snap);
	rc = ccd_reconcile(h, dc, tm, &o, &snap, now, &dl);
	ccd_snap_free(&snap);
	ccd_timers_free(tm);
	ccd_dom_close(dc);
	xs_close(h);
	return rc;
}

static int t_uplink_end_to_end(void)
{
	char mac0[24], want[256];

	setup();
	ccd_log_hook = quiet;
	CHECK_INT(run("uplink", "blue", "on", NULL), 0);
	CHECK_STR(fx_get(B0 "/uplink"), "1");
	CHECK_STR(fx_get(B0 "/network"), "blue");
	CHECK_STR(fx_get(B0 "/frontend-id"), "0");
	CHECK_STR(fx_perms(F0), "n0");
	CHECK_STR(fx_perms(B0), "n0");
	CHECK_INT(fx_commits, 1);
	snprintf(mac0, sizeof(mac0), "%s", fx_get(B0 "/mac"));
	snprintf(want, sizeof(want),
		 "uplink of network blue: colorcom NIC 0/0, interface ccup-blue (mac %s)\n",
		 mac0);
	CHECK_STR(out, want);
	/* the dry run predicts the same MAC (same seed, devid 0) */
	CHECK_INT(run("-N", "uplink", "blue", "on", NULL), 0);
	CHECK(strstr(out, mac0));
	/* idempotent */
	fx_nops = 0;
	CHECK_INT(run("uplink", "blue", "on", NULL), 0);
	CHECK(strstr(out, "network blue already has an uplink: colorcom NIC 0/0, interface ccup-blue"));
	CHECK_INT(fx_nops, 0);

	/* two guests and the uplink on blue: the daemon links all three pairs
	 * and flags the guests' halves of their links to dom0, nothing else */
	CHECK_INT(run("attach", "gamma", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_INT(run("attach", "delta", "network=blue,mac=" MAC2, NULL), 0);
	CHECK_INT(daemon_pass(1000), 0);
	fx_set(F0 "/state", "4");
	fx_set(F3 "/state", "4");
	fx_set("/local/domain/4/device/colorcom/0/state", "4");
	CHECK_INT(daemon_pass(2000), 0);
	CHECK(fx_exists(L03F "/state") && fx_exists(L03B "/state"));
	CHECK(fx_exists(L34F "/state") && fx_exists(L34B "/state"));
	CHECK_STR(fx_get(L03B "/peer-uplink"), "1");
	CHECK_STR(fx_perms(L03B), "n3,r0");     /* the guest's own half */
	CHECK_STR(fx_get("/local/domain/4/backend/cclink/0/1024/peer-uplink"), "1");
	CHECK(!fx_exists(L03F "/peer-uplink"));
	CHECK(!fx_exists(L34F "/peer-uplink") && !fx_exists(L34B "/peer-uplink"));
	CHECK_STR(fx_get(L03F "/peer-mac"), MAC1);
	CHECK_STR(fx_get(L03B "/peer-mac"), mac0);
	CHECK_INT(run("uplink", "blue", NULL), 0);
	snprintf(want, sizeof(want),
		 "network blue: uplink colorcom NIC 0/0, interface ccup-blue, mac %s, backend Connected, frontend Connected\n",
		 mac0);
	CHECK_STR(out, want);

	/* a dry run of off finds the NIC, shows the detach, writes nothing */
	fx_nops = 0;
	CHECK_INT(run("-N", "uplink", "blue", "off", NULL), 0);
	CHECK(strstr(out, "\"command\": \"uplink\""));
	CHECK(strstr(out, "\"path\": \"" B0 "/online\", \"value\": \"0\""));
	CHECK_INT(fx_nops, 0);
	CHECK_STR(fx_get(B0 "/online"), "1");

	/* off: a detach of dom0's NIC; the guests' own link stays as it is */
	CHECK_INT(run("uplink", "--no-wait", "blue", "off", NULL), 0);
	CHECK_STR(out, "detach of colorcom NIC 0/0 requested\n");
	CHECK_STR(fx_get(B0 "/online"), "0");
	CHECK_STR(fx_get(B0 "/state"), "5");
	fx_nops = 0;
	CHECK_INT(daemon_pass(3000), 0);
	CHECK(!fx_exists(L03F) && !fx_exists(L03B));
	CHECK(fx_exists(L34F "/state") && fx_exists(L34B "/state"));
	fx_set(F0 "/state", "6");
	CHECK_INT(daemon_pass(4000), 0);
	CHECK(!fx_exists(B0) && !fx_exists(F0));
	CHECK(fx_exists(L34F "/state") && fx_exists(L34B "/state"));
	CHECK_INT(run("uplink", "blue", "off", NULL), 0);
	CHECK_STR(out, "network blue has no uplink\n");
	CHECK_INT(run("uplink", "blue", NULL), 0);
	CHECK_STR(out, "network blue: no uplink\n");
	ccd_log_hook = NULL;
	return 0;
}

static int t_uplink_refusals(void)
{
	char path[] = "/tmp/ccctl-conf-XXXXXX";
	static const char conf[] = "network.blue.uplink = off\nnetwork.red.uplink = on\n";
	int fd = mkstemp(path);
	char want[256];

	CHECK(fd >= 0 && write(fd, conf, sizeof(conf) - 1) > 0);
	close(fd);
	setup();
	ccd_log_hook = quiet;
	fx_nops = 0;
	/* colorcomd would undo it at once: refused, nothing written */
	CHECK_INT(run("-c", path, "uplink", "blue", "on", NULL), 1);
	snprintf(want, sizeof(want),
		 "colorcomctl: uplink: %s sets network.blue.uplink = off; change it there and reload colorcomd\n",
		 path);
	CHECK_STR(err, want);
	CHECK_INT(run("-c", path, "uplink", "red", "off", NULL), 1);
	CHECK(strstr(err, "sets network.red.uplink = on"));
	CHECK_INT(fx_nops, 0);
	CHECK_INT(run("-c", path, "uplink", "green", "on", NULL), 0);
	unlink(path);

	/* the interface name is cut to 15 characters: two long names clash */
	CHECK_INT(run("uplink", "abcdefghijkl", "on", NULL), 0);
	CHECK_STR(fx_get("/local/domain/0/backend/colorcom/0/1/network"), "abcdefghijkl");
	fx_nops = 0;
	CHECK_INT(run("uplink", "abcdefghijxx", "on", NULL), 1);
	CHECK_STR(err, "colorcomctl: uplink: interface name ccup-abcdefghij is already the uplink of network abcdefghijkl (names are cut to 15 characters)\n");
	CHECK_INT(fx_nops, 0);
	CHECK_INT(run("uplink", "blue", "on", "network=red", NULL), 1);
	CHECK_STR(err, "colorcomctl: uplink: 'network' is not for an uplink (known: mac, mtu, ring)\n");

	/* a guest's NIC flagged uplink (not something colorcomctl writes) is
	 * refused by the daemon */
	CHECK_INT(run("attach", "gamma", "network=blue,mac=" MAC1, NULL), 0);
	fx_set(B3 "/uplink", "1");
	CHECK_INT(daemon_pass(1000), 0);
	CHECK_STR(fx_get(B3 "/state"), "6");
	CHECK_STR(fx_get(B3 "/error"), "uplink on a NIC of domain 3 (only domain 0 can be an uplink)");
	ccd_log_hook = NULL;
	return 0;
}

static int t_uplink_from_daemon_conf(void)
{
	struct ccd_conf c;
	char e[128], mac[24];
	static const char on[] = "network.red.uplink = on\nring = 1M\n";
	static const char off[] = "network.red.uplink = off\n";

	setup();
	ccd_log_hook = quiet;
	CHECK_INT(run("attach", "gamma", "network=red,mac=" MAC1, NULL), 0);
	CHECK(ccd_conf_parse(on, sizeof(on) - 1, "t", &c, e, sizeof(e)) == 0);
	CHECK_INT(daemon_pass_conf(1000, &c), 0);
	CHECK_STR(fx_get(B0 "/uplink"), "1");
	CHECK_STR(fx_get(B0 "/network"), "red");
	CHECK_STR(fx_get(B0 "/ring-page-order"), "8");
	CHECK_STR(fx_get(F0 "/state"), "1");
	snprintf(mac, sizeof(mac), "%s", fx_get(B0 "/mac"));
	/* exactly what colorcomctl would have written */
	CHECK_INT(run("-N", "uplink", "red", "on", NULL), 0);
	CHECK(strstr(out, mac));
	/* present: nothing more on later passes */
	fx_nops = 0;
	CHECK_INT(daemon_pass_conf(2000, &c), 0);
	CHECK(!fx_exists("/local/domain/0/backend/colorcom/0/1"));
	/* off: asked to detach, then removed once dom0's driver let go */
	CHECK(ccd_conf_parse(off, sizeof(off) - 1, "t", &c, e, sizeof(e)) == 0);
	CHECK_INT(daemon_pass_conf(3000, &c), 0);
	CHECK_STR(fx_get(B0 "/online"), "0");
	CHECK_STR(fx_get(B0 "/state"), "5");
	CHECK_INT(daemon_pass_conf(4000, &c), 0);
	CHECK(!fx_exists(B0));
	CHECK(fx_exists(B3));           /* the guest's NIC is not touched */
	ccd_log_hook = NULL;
	return 0;
}

static int t_attach_dying_domain(void)
{
	setup();
	fx_xc_enabled = 1;
	fx_xc_set(3, 1, 0, 0, 0);
	fx_xc_set(4, 1, 1, 0, 0);       /* dying */
	fx_nops = 0;
	CHECK_INT(run("attach", "delta", "network=blue,mac=" MAC2, NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: domain 4 (delta) is dying or has shut down\n");
	CHECK_INT(fx_nops, 0);
	fx_xc_set(4, 1, 0, 1, 0);       /* shut down (poweroff) */
	CHECK_INT(run("attach", "4", "network=blue,mac=" MAC2, NULL), 1);
	CHECK_INT(fx_nops, 0);
	CHECK_INT(run("attach", "gamma", "network=blue,mac=" MAC1, NULL), 0);
	fx_xc_enabled = 0;
	return 0;
}

static int t_reports(void)
{
	setup();
	ccd_log_hook = quiet;
	fx_set("/local/domain/3/vm", "/vm/" UUID3);
	CHECK_INT(run("attach", "gamma", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_INT(run("attach", "delta", "network=blue,mac=" MAC2 ",ring=2M", NULL), 0);
	CHECK_INT(run("attach", "delta", "network=red,mac=" MAC2, NULL), 0);
	CHECK_INT(daemon_pass(1000), 0);
	fx_set(F3 "/state", "4");
	fx_set("/local/domain/4/device/colorcom/0/state", "4");
	CHECK_INT(daemon_pass(2000), 0);
	/* the guests' halves, as front/ would write them */
	fx_set("/local/domain/3/device/cclink/1024/state", "4");
	fx_set("/local/domain/4/backend/cclink/3/1024/state", "3");
	CHECK_INT(run("list", "--json", NULL), 0);
	CHECK(strstr(out, "{\"domid\": 3, \"name\": \"gamma\", \"devid\": 0, \"network\": \"blue\", \"mac\": \"" MAC1 "\", \"mtu\": 1500, \"ring\": 262144, \"backend\": \"Connected\", \"frontend\": \"Connected\", \"links\": 1, \"error\": null}"));
	CHECK(strstr(out, "\"devid\": 1, \"network\": \"red\""));
	CHECK(strstr(out, "\"frontend\": \"Initialising\""));
	CHECK_INT(run("channels", "--json", NULL), 0);
	CHECK(strstr(out, "\"network\": \"blue\", \"link\": 1024, \"state\": \"connecting\""));
	CHECK(strstr(out, "\"a\": {\"domid\": 3, \"name\": \"gamma\", \"devid\": 0, \"mac\": \"" MAC1 "\", \"state\": \"Connected\", \"ring\": 262144}"));
	CHECK(strstr(out, "\"b\": {\"domid\": 4, \"name\": \"delta\", \"devid\": 0, \"mac\": \"" MAC2 "\", \"state\": \"Initialised\", \"ring\": 2097152}"));
	fx_set("/local/domain/4/backend/cclink/3/1024/state", "4");
	CHECK_INT(run("channels", "blue", NULL), 0);
	CHECK(strstr(out, "blue             3/0          4/0          connected   Connected    Connected    256K  2M    "));
	CHECK_INT(run("channels", "red", "--json", NULL), 0);
	CHECK_STR(out, "[]\n");
	CHECK_INT(run("networks", "--json", NULL), 0);
	CHECK_STR(out, "[\n  {\"network\": \"blue\", \"nics\": 2, \"connected\": 2, \"channels\": 1, \"max_peers\": null},\n"
		  "  {\"network\": \"red\", \"nics\": 1, \"connected\": 0, \"channels\": 0, \"max_peers\": null}\n]\n");
	CHECK_INT(run("show", "gamma", NULL), 0);
	CHECK(strstr(out, "Domain:    3 (gamma)\nUUID:      " UUID3 "\n"));
	CHECK(strstr(out, "NIC 0:     network blue, mac " MAC1 ", mtu 1500, ring 256K, backend Connected, frontend Connected, 1 channel\n"));
	CHECK(strstr(out, "Reboot:    NICs 0 re-attached by colorcomd after a reboot\n"));
	CHECK(strstr(out, "blue             3/0          4/0          connected"));
	CHECK_INT(run("show", "nosuch", NULL), 1);
	CHECK_STR(err, "colorcomctl: show: unknown domain 'nosuch'\n");
	ccd_log_hook = NULL;
	return 0;
}

/* create: a stand-in xl that logs its arguments; the domain it "makes" is put
 * in the fake xenstore beforehand. */
static int t_create_flow(void)
{
	char dir[] = "/tmp/ccctl-create-XXXXXX", xl[96], cfg[96], logp[96];
	char buf[1024] = "", want[256];
	FILE *f;

	CHECK(mkdtemp(dir));
	snprintf(xl, sizeof(xl), "%s/xl", dir);
	snprintf(cfg, sizeof(cfg), "%s/vm1.cfg", dir);
	snprintf(logp, sizeof(logp), "%s/log", dir);
	f = fopen(xl, "w");
	CHECK(f);
	fprintf(f, "#!/bin/sh\necho \"$*\" >>%s\n", logp);
	fclose(f);
	chmod(xl, 0755);
	f = fopen(cfg, "w");
	CHECK(f);
	fprintf(f, "name = \"vm1\"\ncolorcom = [ 'network=blue,mac=" MAC1 "', 'network=red,ring=1M' ]\n");
	fclose(f);
	setenv("COLORCOMCTL_XL", xl, 1);

	setup();
	fx_add_domain(5, "vm1");
	fx_set("/local/domain/5/vm", "/vm/" UUID3);
	CHECK_INT(run("create", cfg, "-q", "memory=128", NULL), 0);
	{
		struct ccd_conf c;
		uint8_t m[6];
		char ms[18];

		/* the name from the config seeds the auto MAC, as in a dry run */
		ccd_conf_defaults(&c);
		ccctl_auto_mac(&c, "vm1", "red", 1, 0, m);
		ccd_mac_format(m, ms);
		snprintf(want, sizeof(want),
			 "attached colorcom NIC 5/0 (network blue, mac " MAC1 ")\n"
			 "attached colorcom NIC 5/1 (network red, mac %s)\n"
			 "created domain 5 (vm1)\n", ms);
		CHECK_STR(out, want);
	}
	CHECK_INT(fx_commits, 1);       /* both NICs, one transaction */
	CHECK_STR(fx_get("/local/domain/0/backend/colorcom/5/1/ring-page-order"), "8");
	CHECK_STR(fx_get("/local/domain/0/colorcom/persist/" UUID3 "/1/network"), "red");
	f = fopen(logp, "r");
	CHECK(f && fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	snprintf(want, sizeof(want), "create -p -q %s memory=128\nunpause 5\n", cfg);
	CHECK_STR(buf, want);
	unlink(logp);

	/* the blue MAC is taken now: the new domain is destroyed, nothing kept */
	fx_add_domain(6, "vm1b");
	f = fopen(cfg, "w");
	CHECK(f);
	fprintf(f, "name = \"vm1b\"\ncolorcom = [ 'network=red', 'network=blue,mac=" MAC1 "' ]\n");
	fclose(f);
	fx_commits = 0;
	CHECK_INT(run("create", cfg, NULL), 1);
	CHECK_STR(err, "colorcomctl: create: colorcom[1]: MAC " MAC1 " is already used on network blue by domain 5 devid 0; destroying domain 6\n");
	CHECK(!fx_exists("/local/domain/0/backend/colorcom/6"));
	CHECK_INT(fx_commits, 0);
	memset(buf, 0, sizeof(buf));
	f = fopen(logp, "r");
	CHECK(f && fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	snprintf(want, sizeof(want), "create -p %s\ndestroy 6\n", cfg);
	CHECK_STR(buf, want);

	/* xl fails: nothing attached */
	f = fopen(xl, "w");
	CHECK(f);
	fprintf(f, "#!/bin/sh\nexit 3\n");
	fclose(f);
	CHECK_INT(run("create", cfg, NULL), 1);
	CHECK_STR(err, "colorcomctl: create: xl create failed (exit status 3)\n");
	unlink(xl);
	unlink(cfg);
	unlink(logp);
	rmdir(dir);
	unsetenv("COLORCOMCTL_XL");
	return 0;
}

int main(void)
{
	RUN(t_attach_writes_tree);
	RUN(t_attach_devids);
	RUN(t_attach_dup_mac);
	RUN(t_attach_unknown_domain);
	RUN(t_attach_no_xenstore);
	RUN(t_dry_run_numeric_never_opens);
	RUN(t_dry_run_by_name_writes_nothing);
	RUN(t_detach_no_wait);
	RUN(t_detach_timeout_removes);
	RUN(t_detach_missing);
	RUN(t_usage_errors);
	RUN(t_end_to_end_with_daemon);
	RUN(t_list_shows_errors_sanitized);
	RUN(t_attach_records_for_reboot);
	RUN(t_attach_auto_mac);
	RUN(t_max_peers_and_conf);
	RUN(t_attach_dying_domain);
	RUN(t_reports);
	RUN(t_create_flow);
	RUN(t_uplink_end_to_end);
	RUN(t_uplink_refusals);
	RUN(t_uplink_from_daemon_conf);
	fx_reset();
	return tst_failed ? 1 : 0;
}
