// SPDX-License-Identifier: GPL-2.0 OR MIT
/* test_e2e.c - colorcomctl and colorcomd together over the in-memory xenstore
 * of dom0lib/tests/fakexs.c: the CLI's writes, the daemon's reconcile pass
 * after each, and the CLI's reports of what the daemon made.  Neither tool's
 * own tests link the other; this one links both. */
#define TST_PREFIX "dom0.e2e."
#include <stdlib.h>
#include <xenstore.h>

#include "ccctl.h"
#include "ccd.h"
#include "fakexs.h"
#include "tst.h"
#include "ccrun.h"

#define UUID3 "3e1c4a2b-0000-4000-8000-000000000003"

/* colorcomd's pass, as the daemon runs it after each event. */
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

static int daemon_pass(long long now)
{
	return daemon_pass_conf(now, NULL);
}

#define B0 "/local/domain/0/backend/colorcom/0/0"
#define F0 "/local/domain/0/device/colorcom/0"
#define L03F "/local/domain/0/device/cclink/768"          /* A 0, B 3: L = 3 << 8 */
#define L03B "/local/domain/3/backend/cclink/0/768"
#define L34F "/local/domain/3/device/cclink/1024"
#define L34B "/local/domain/4/backend/cclink/3/1024"


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
	CHECK_STR(fx_perms(L03B), "n0,b3,r0");  /* dom0's node, the guest's to write */
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
	/* as colorcomd loads it: both tools mix in the same host seed */
	ccd_conf_host_seed(&c, NULL);
	CHECK_INT(c.mac_seed_from, CCD_SEED_MACHINE_ID);
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
	ccd_conf_host_seed(&c, NULL);
	CHECK_INT(daemon_pass_conf(3000, &c), 0);
	CHECK_STR(fx_get(B0 "/online"), "0");
	CHECK_STR(fx_get(B0 "/state"), "5");
	CHECK_INT(daemon_pass_conf(4000, &c), 0);
	CHECK(!fx_exists(B0));
	CHECK(fx_exists(B3));           /* the guest's NIC is not touched */
	ccd_log_hook = NULL;
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
	CHECK(strstr(out, "{\"domid\": 3, \"name\": \"gamma\", \"devid\": 0, \"network\": \"blue\", \"mac\": \"" MAC1 "\", \"mtu\": 1500, \"ring\": 262144, \"backend\": \"Connected\", \"frontend\": \"Connected\", \"links\": 1, \"error\": null, \"flaps\": 0, \"backoff_s\": 0}"));
	CHECK(strstr(out, "\"devid\": 1, \"network\": \"red\""));
	CHECK(strstr(out, "\"frontend\": \"Initialising\""));
	CHECK_INT(run("links", "--json", NULL), 0);
	CHECK(strstr(out, "\"network\": \"blue\", \"link\": 1024, \"state\": \"connecting\""));
	CHECK(strstr(out, "\"a\": {\"domid\": 3, \"name\": \"gamma\", \"devid\": 0, \"mac\": \"" MAC1 "\", \"state\": \"Connected\", \"ring\": 262144}"));
	CHECK(strstr(out, "\"b\": {\"domid\": 4, \"name\": \"delta\", \"devid\": 0, \"mac\": \"" MAC2 "\", \"state\": \"Initialised\", \"ring\": 2097152}"));
	fx_set("/local/domain/4/backend/cclink/3/1024/state", "4");
	CHECK_INT(run("links", "blue", NULL), 0);
	CHECK(strstr(out, "blue             3/0          4/0          connected   Connected    Connected    256K  2M    "));
	CHECK_INT(run("channels", "red", "--json", NULL), 0);   /* the old name */
	CHECK_STR(out, "[]\n");
	CHECK_INT(run("networks", "--json", NULL), 0);
	CHECK_STR(out, "[\n  {\"network\": \"blue\", \"nics\": 2, \"connected\": 2, \"links\": 1, \"max_peers\": null},\n"
		  "  {\"network\": \"red\", \"nics\": 1, \"connected\": 0, \"links\": 0, \"max_peers\": null}\n]\n");
	CHECK_INT(run("show", "gamma", NULL), 0);
	CHECK(strstr(out, "Domain:    3 (gamma)\nUUID:      " UUID3 "\n"));
	CHECK(strstr(out, "NIC 0:     network blue, mac " MAC1 ", mtu 1500, ring 256K, backend Connected, frontend Connected, 1 link\n"));
	CHECK(strstr(out, "Reboot:    NICs 0 re-attached by colorcomd after a reboot\n"));
	CHECK(strstr(out, "blue             3/0          4/0          connected"));
	CHECK_INT(run("show", "nosuch", NULL), 1);
	CHECK_STR(err, "colorcomctl: show: unknown domain 'nosuch'\n");
	ccd_log_hook = NULL;
	return 0;
}

static int t_uplink_guest_refused(void)
{
	setup();
	ccd_log_hook = quiet;
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

int main(void)
{
	RUN(t_end_to_end_with_daemon);
	RUN(t_reports);
	RUN(t_uplink_end_to_end);
	RUN(t_uplink_guest_refused);
	RUN(t_uplink_from_daemon_conf);
	fx_reset();
	return tst_failed ? 1 : 0;
}
