// SPDX-License-Identifier: GPL-2.0 OR MIT
/* test_cmds.c - colorcomctl's commands against the in-memory xenstore of
 * dom0lib/tests/fakexs.c.  The same commands end to end with colorcomd's
 * reconcile pass: tests/dom0/test_e2e.c. */
#define TST_PREFIX "toolstack.cmds."
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <xenstore.h>

#include "ccctl.h"
#include "fakexs.h"
#include "tst.h"
#include "ccrun.h"

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
	CHECK_STR(err, "colorcomctl: attach: unknown domain 7\n");    /* as xl reads it */
	CHECK_INT(run("attach", "0032752", "network=blue,mac=" MAC1, NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: bad domid '0032752' (want 0..32751 or a domain name)\n");
	CHECK_INT(fx_count_children("/local/domain/0/backend"), 0);
	fx_add_domain(9, "a123456789b123456789c123456789d123456789e123456789f123456789g1234");
	CHECK_INT(run("attach", "9", "network=blue,mac=" MAC1, NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: domain 9's name is longer than 63 characters (colorcomctl does not cut names)\n");
	CHECK_INT(fx_count_children("/local/domain/0/backend"), 0);
	CHECK_INT(run("attach", "003", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_STR(out, "attached colorcom NIC 3/0 (network blue, mac " MAC1 ")\n");
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

static int t_dry_run_numeric_without_xenstore(void)
{
	setup();
	fx_fail_open = 1;
	CHECK_INT(run("-N", "attach", "3", "network=blue,mac=" MAC1, NULL), 0);
	CHECK(strstr(out, "\"op\": \"mkdir\", \"path\": \"" F3 "\", \"perms\": [\"n3\", \"r0\"]"));
	CHECK_STR(err, "colorcomctl: attach: note: no xenstore here, so the dry run checks no devid or MAC clash\n");
	CHECK_INT(fx_opens, 0);
	CHECK_INT(run("attach", "-N", "3", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_INT(run("-N", "detach", "3", "0", NULL), 0);
	CHECK(strstr(out, "\"value\": \"5\""));
	CHECK_INT(fx_opens, 0);
	/* Invalid SPECs fail before any xenstore access too. */
	fx_fail_open = 0;
	CHECK_INT(run("attach", "nosuch", "network=blue,mac=01:00:00:00:00:01", NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: MAC 01:00:00:00:00:01 is multicast; a NIC needs a unicast MAC\n");
	CHECK_INT(fx_opens, 0);
	return 0;
}

/* With xenstore, a numeric dry run refuses what the real run would. */
static int t_dry_run_numeric_checks(void)
{
	unsigned long ops;

	setup();
	CHECK_INT(run("attach", "3", "network=blue,mac=" MAC1, NULL), 0);
	ops = fx_nops;
	CHECK_INT(run("-N", "attach", "4", "network=blue,mac=" MAC1, NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: MAC " MAC1 " is already used on network blue by domain 3 devid 0\n");
	CHECK_INT(run("-N", "attach", "4", "network=red,mac=" MAC1, NULL), 0);
	CHECK_STR(err, "");
	CHECK_INT(run("-N", "attach", "3", "network=red,mac=" MAC2, NULL), 0);
	CHECK(strstr(out, "\"devid\": 1,"));          /* 0 is taken */
	CHECK_INT(run("-N", "attach", "9", "network=red", NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: unknown domain 9\n");
	CHECK_INT(fx_nops, ops);
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
	CHECK(strstr(out, "usage: colorcomctl [-N] [-v] [-c FILE] detach"));
	CHECK_STR(err, "");                     /* asked for: stdout */
	CHECK_INT(run("help", "nope", NULL), 2);
	/* every command takes --help (stdout, 0) and names a bad option */
	CHECK_INT(run("attach", "--help", NULL), 0);
	CHECK(!strncmp(out, "usage: colorcomctl [-N] [-v] [-c FILE] attach DOMAIN", 52));
	CHECK_STR(err, "");
	CHECK_INT(run("attach", "--bogus", "3", NULL), 2);
	CHECK(!strncmp(err, "colorcomctl: attach: unknown option '--bogus'\n", 46));
	CHECK_INT(run("attach", "-Nx", "3", NULL), 2);
	CHECK(!strncmp(err, "colorcomctl: attach: unknown option '-x'\n", 41));
	CHECK_INT(run("detach", "-t", NULL), 2);
	CHECK(!strncmp(err, "colorcomctl: detach: option '-t' needs a value\n", 47));
	CHECK_INT(run("detach", "--timeout", NULL), 2);
	CHECK(!strncmp(err, "colorcomctl: detach: option '--timeout' needs a value\n", 54));
	CHECK_INT(run("show", "--json", "x", NULL), 2);
	CHECK(!strncmp(err, "colorcomctl: show: no --json here", 33));
	CHECK_INT(run("show", NULL), 2);
	CHECK(!strncmp(err, "colorcomctl: show: need one DOMAIN\n", 35));
	CHECK_INT(run("--version", NULL), 0);
	CHECK(!strncmp(out, "colorcomctl ", 12) && out[12] >= '0' && out[12] <= '9');
	CHECK_INT(run("-q", "list", NULL), 2);
	CHECK_STR(err, "colorcomctl: unknown option '-q' (see colorcomctl help)\n");
	/* what the user typed is echoed with its control bytes escaped */
	CHECK_INT(run("attach", "3", "network=\033[2J", NULL), 1);
	CHECK_STR(err, "colorcomctl: attach: bad network name '\\x1b[2J' (want [a-z0-9][a-z0-9_-]{0,31})\n");
	CHECK_INT(run("detach", "3", "\a", NULL), 1);
	CHECK(strstr(err, "'\\x07'"));
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
	ccd_conf_host_seed(&c, NULL);	/* as colorcomctl loads it */
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

static int t_network_mtu(void)
{
	char path[] = "/tmp/ccctl-conf-XXXXXX";
	static const char conf[] = "network.blue.mtu = 9000\n";
	int fd = mkstemp(path);
	char want[200];

	CHECK(fd >= 0 && write(fd, conf, sizeof(conf) - 1) > 0);
	close(fd);
	setup();
	/* no mtu=: the network's */
	CHECK_INT(run("-c", path, "attach", "gamma", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_STR(fx_get(B3 "/mtu"), "9000");
	/* the same, spelled out */
	CHECK_INT(run("-c", path, "attach", "delta", "network=blue,mtu=9000,mac=" MAC2, NULL), 0);
	CHECK_STR(fx_get("/local/domain/0/backend/colorcom/4/0/mtu"), "9000");
	/* another one: refused before anything is written */
	fx_nops = 0;
	CHECK_INT(run("-c", path, "attach", "gamma", "network=blue,mtu=1500", NULL), 1);
	snprintf(want, sizeof(want), "colorcomctl: attach: mtu 1500 is not network blue's mtu 9000 (network.blue.mtu in %s)\n", path);
	CHECK_STR(err, want);
	CHECK_INT(fx_nops, 0);
	/* a network without the key: 1500 unless told */
	CHECK_INT(run("-c", path, "attach", "gamma", "network=red", NULL), 0);
	CHECK_STR(fx_get("/local/domain/0/backend/colorcom/3/1/mtu"), "1500");
	unlink(path);
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


static int put_file(const char *path, const char *text);

/* What colorcomd does for a new domain (back/xlcfg.c), as create waits for
 * it: NICs 0..n-1 with their MACs, then the mark with `source` last. */
static void fake_colorcomd(unsigned domid, unsigned n, const char *const *macs)
{
	char p[128];
	unsigned i;

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "/local/domain/0/backend/colorcom/%u/%u/mac",
			 domid, i);
		fx_set(p, macs[i]);
	}
	snprintf(p, sizeof(p), "/local/domain/0/colorcom/config/%u/source", domid);
	fx_set(p, "xl create (test)");
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
	{
		const char *macs[] = { MAC1, "00:16:3e:77:00:01" };

		fake_colorcomd(5, 2, macs);
	}
	fx_commits = 0;
	CHECK_INT(run("create", cfg, "-q", "memory=128", NULL), 0);
	/* the NICs are colorcomd's: create reports them, writes nothing */
	CHECK_STR(out, "attached colorcom NIC 5/0 (network blue, mac " MAC1 ")\n"
		  "attached colorcom NIC 5/1 (network red, mac 00:16:3e:77:00:01)\n"
		  "created domain 5 (vm1)\n");
	CHECK_INT(fx_commits, 0);
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
	{
		const char *macs[] = { "00:16:3e:77:00:02" };

		fake_colorcomd(6, 1, macs);
		fx_set("/local/domain/0/colorcom/config/6/error/1",
		       "colorcom[1]: MAC " MAC1 " is already used on network blue by domain 5 devid 0");
	}
	CHECK_INT(run("create", cfg, NULL), 1);
	CHECK_STR(err, "colorcomctl: create: colorcom[1]: MAC " MAC1 " is already used on network blue by domain 5 devid 0\n"
		  "colorcomctl: create: destroying domain 6\n");
	CHECK_INT(fx_commits, 0);
	memset(buf, 0, sizeof(buf));
	f = fopen(logp, "r");
	CHECK(f && fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	snprintf(want, sizeof(want), "create -p %s\ndestroy 6\n", cfg);
	CHECK_STR(buf, want);

	/* colorcomd never reads it (not running): destroyed after the wait */
	fx_add_domain(7, "vm1c");
	CHECK(put_file(cfg, "name = \"vm1c\"\ncolorcom = [ 'network=red' ]\n") == 0);
	setenv("COLORCOMCTL_CREATE_WAIT_S", "1", 1);
	CHECK_INT(run("create", cfg, NULL), 1);
	CHECK_STR(err, "colorcomctl: create: colorcomd did not read domain 7's config within 1 s (is it running? systemctl status colorcomd)\n"
		  "colorcomctl: create: destroying domain 7\n");
	/* it read it, yet NIC 0 is missing: not unpaused either */
	fx_set("/local/domain/0/colorcom/config/7/source", "none");
	CHECK_INT(run("create", cfg, NULL), 1);
	CHECK(strstr(err, "colorcom[0]: colorcomd (config from none) attached no NIC 7/0\n"));
	unsetenv("COLORCOMCTL_CREATE_WAIT_S");

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

static int slurp_file(const char *path, char *buf, size_t sz)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return -1;
	n = fread(buf, 1, sz - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	return 0;
}

static int put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* create's options as xl takes them, the dry run's truth, and what is
 * refused before xl runs. */
static int t_create_options(void)
{
	char dir[] = "/tmp/ccctl-create-XXXXXX", xl[96], cfg[96], logp[96];
	char buf[1024], want[512], longname[80];

	CHECK(mkdtemp(dir));
	snprintf(xl, sizeof(xl), "%s/xl", dir);
	snprintf(cfg, sizeof(cfg), "%s/vm1.cfg", dir);
	snprintf(logp, sizeof(logp), "%s/log", dir);
	snprintf(want, sizeof(want), "#!/bin/sh\necho \"$*\" >>%s\n", logp);
	CHECK(put_file(xl, want) == 0);
	chmod(xl, 0755);
	CHECK(put_file(cfg, "name = \"vm1\"\ncolorcom = [ 'network=blue, mac=" MAC1 "', 'network=blue' ]\n") == 0);
	setenv("COLORCOMCTL_XL", xl, 1);
	setup();
	fx_add_domain(5, "vm1");

	/* bundled flags; -p is ours (kept paused), -d goes to xl */
	{
		const char *macs[] = { MAC1, "00:16:3e:77:00:05" };

		fake_colorcomd(5, 2, macs);
	}
	CHECK_INT(run("create", "-dp", cfg, NULL), 0);
	CHECK(strstr(out, "created domain 5 (vm1), paused\n"));
	CHECK(slurp_file(logp, buf, sizeof(buf)) == 0);
	snprintf(want, sizeof(want), "create -p -d %s\n", cfg);
	CHECK_STR(buf, want);
	fx_rm("/local/domain/0/backend/colorcom/5");
	fx_rm("/local/domain/5/device");
	/* -qfFILE, --defconfig=FILE, --defconfig FILE */
	{
		const char *macs[] = { MAC1, "00:16:3e:77:00:05" };

		fake_colorcomd(5, 2, macs);
	}
	CHECK_INT(run("create", "-qf", cfg, NULL), 0);
	CHECK(slurp_file(logp, buf, sizeof(buf)) == 0);
	snprintf(want, sizeof(want), "create -p -q %s\nunpause 5\n", cfg);
	CHECK_STR(buf, want);
	fx_rm("/local/domain/0/backend/colorcom/5");
	fx_rm("/local/domain/5/device");
	snprintf(want, sizeof(want), "--defconfig=%s", cfg);
	{
		const char *macs[] = { MAC1, "00:16:3e:77:00:05" };

		fake_colorcomd(5, 2, macs);
	}
	CHECK_INT(run("create", want, NULL), 0);
	fx_rm("/local/domain/0/backend/colorcom/5");
	fx_rm("/local/domain/5/device");
	CHECK_INT(run("create", "--defconfig", cfg, "-N", NULL), 0);
	CHECK(strstr(out, "\"unpause\": true\n"));
	CHECK(slurp_file(logp, buf, sizeof(buf)) == 0);
	snprintf(want, sizeof(want), "create -p %s\nunpause 5\n", cfg);
	CHECK_STR(buf, want);           /* the dry run ran no xl */

	/* the dry run of -p says it stays paused */
	CHECK_INT(run("-N", "create", "-p", cfg, NULL), 0);
	CHECK(strstr(out, "\"unpause\": false\n"));
	/* ... and refuses a MAC the real run would (domain 3 has it) */
	fx_rm("/local/domain/0/backend/colorcom/5");
	fx_rm("/local/domain/5/device");
	CHECK_INT(run("attach", "gamma", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_INT(run("-N", "create", cfg, NULL), 1);
	CHECK_STR(err, "colorcomctl: create: colorcom[0]: MAC " MAC1 " is already used on network blue by domain 3 devid 0\n");
	/* max-peers counts the config's earlier NICs as the real run does */
	{
		char cp[128];

		snprintf(cp, sizeof(cp), "%s/c.conf", dir);
		CHECK(put_file(cp, "network.red.max-peers = 1\n") == 0);
		CHECK(put_file(cfg, "name = \"vm1\"\ncolorcom = [ 'network=red', 'network=red' ]\n") == 0);
		CHECK_INT(run("-N", "-c", cp, "create", cfg, NULL), 1);
		snprintf(want, sizeof(want), "colorcomctl: create: colorcom[1]: network red is full (max-peers 1 in %s)\n", cp);
		CHECK_STR(err, want);
		unlink(cp);
	}
	CHECK(slurp_file(logp, buf, sizeof(buf)) == -1);       /* no xl */

	/* refused before xl runs */
	CHECK_INT(run("create", dir, NULL), 1);
	snprintf(want, sizeof(want), "colorcomctl: create: %s: Is a directory\n", dir);
	CHECK_STR(err, want);
	memset(longname, 'a', 64);
	longname[64] = '\0';
	snprintf(want, sizeof(want), "name = \"%s\"\n", longname);
	CHECK(put_file(cfg, want) == 0);
	CHECK_INT(run("create", cfg, NULL), 1);
	snprintf(want, sizeof(want), "colorcomctl: create: %s: name is 64 characters long (at most 63)\n", cfg);
	CHECK_STR(err, want);
	CHECK_INT(run("create", "-c", cfg, NULL), 2);
	CHECK_STR(err, "colorcomctl: create: xl option '-c' is not supported here (attach the console with xl console)\n");
	CHECK_INT(run("create", "-dV", cfg, NULL), 2);
	CHECK_INT(run("create", "-x", cfg, NULL), 2);
	CHECK(strstr(err, "unknown option '-x'"));
	CHECK(slurp_file(logp, buf, sizeof(buf)) == -1);       /* no xl */

	/* xl made it, but under no name we find: destroyed, not left paused */
	CHECK(put_file(cfg, "name = \"ghost\"\n") == 0);
	CHECK_INT(run("create", cfg, NULL), 1);
	CHECK_STR(err, "colorcomctl: create: cannot find the domain xl made ('ghost': unknown domain 'ghost'); destroying it\n");
	CHECK(slurp_file(logp, buf, sizeof(buf)) == 0);
	snprintf(want, sizeof(want), "create -p %s\ndestroy ghost\n", cfg);
	CHECK_STR(buf, want);

	unlink(xl);
	unlink(cfg);
	rmdir(dir);
	unsetenv("COLORCOMCTL_XL");
	return 0;
}

/* list shows the config entries colorcomd could not attach (xlcfg.c). */
static int t_list_config_errors(void)
{
	setup();
	fx_set("/local/domain/0/colorcom/config/9/name", "vmx");
	fx_set("/local/domain/0/colorcom/config/9/source", "xl create /etc/xen/vmx.cfg (pid 7)");
	fx_set("/local/domain/0/colorcom/config/9/error/1", "colorcom[1]: unknown key 'netwrk'");
	CHECK_INT(run("list", NULL), 0);
	CHECK(strstr(out, "9      vmx              -     -                -                 -            -            0  error: colorcom[1]: unknown key 'netwrk'\n"));
	CHECK_INT(run("list", "--json", NULL), 0);
	CHECK(strstr(out, "{\"domid\": 9, \"name\": \"vmx\", \"devid\": null, \"config\": true, \"error\": \"colorcom[1]: unknown key 'netwrk'\"}"));
	CHECK_INT(run("list", "3", NULL), 0);
	CHECK(!strstr(out, "vmx"));
	return 0;
}

/* uplink on --wait: returns once the interface exists, fails after -t. */
static int t_uplink_wait(void)
{
	char dir[] = "/tmp/ccctl-sysfs-XXXXXX", ifp[96];

	CHECK(mkdtemp(dir));
	setenv("COLORCOMCTL_SYSFS_NET", dir, 1);
	setup();
	CHECK_INT(run("uplink", "-t", "0", "blue", "on", "--wait", NULL), 1);
	CHECK(strstr(out, "uplink of network blue: colorcom NIC 0/0, interface ccup-blue"));
	CHECK_STR(err, "colorcomctl: uplink: interface ccup-blue did not appear within 0 s (is colorcom.ko loaded in dom0? modprobe colorcom)\n");
	CHECK_STR(fx_get("/local/domain/0/backend/colorcom/0/0/uplink"), "1");
	snprintf(ifp, sizeof(ifp), "%s/ccup-blue", dir);
	CHECK(mkdir(ifp, 0755) == 0);
	CHECK_INT(run("uplink", "--wait", "-t", "0", "blue", "on", NULL), 0);
	CHECK(strstr(out, "network blue already has an uplink"));
	CHECK_STR(err, "");
	CHECK_INT(run("uplink", "-t", "0", "red", "on", NULL), 0);    /* no --wait */
	rmdir(ifp);
	rmdir(dir);
	unsetenv("COLORCOMCTL_SYSFS_NET");
	return 0;
}

/* What only colorcomd knows comes from its status file: per link the
 * re-creations and the back-off left (a link in back-off has no half, only
 * its line), per NIC its flaps and back-off. */
static int t_links_show_backoff(void)
{
	char path[] = "/tmp/ccctl-status-XXXXXX", buf[256];
	long long now = (long long)time(NULL);
	int fd = mkstemp(path), n;

	CHECK(fd >= 0);
	setup();
	CHECK_INT(run("attach", "gamma", "network=blue,mac=" MAC1, NULL), 0);
	CHECK_INT(run("attach", "delta", "network=blue,mac=" MAC2, NULL), 0);
	n = snprintf(buf, sizeof(buf), "3 1024 -1 -1 100 3 %lld\nnic 3 0 5 %lld\n",
		     now + 30, now + 20);
	CHECK(write(fd, buf, (size_t)n) == n);
	close(fd);
	setenv("COLORCOMCTL_STATUS", path, 1);
	CHECK_INT(run("links", NULL), 0);
	CHECK(strstr(out, "Re-created Back-off\n"));
	CHECK(strstr(out, "blue             3/0          4/0          backoff     -            -            -     -     1970-01-01T00:01:40Z 3          "));
	CHECK(strstr(out, "s\n"));
	CHECK_INT(run("links", "--json", NULL), 0);
	CHECK(strstr(out, "\"state\": \"backoff\""));
	CHECK(strstr(out, "\"recreated\": 3, \"backoff_s\": "));
	CHECK_INT(run("networks", NULL), 0);
	CHECK(strstr(out, "blue             2     0         0        -\n"));
	CHECK_INT(run("list", NULL), 0);
	CHECK(strstr(out, "  flaps: 5  back-off: "));
	CHECK_INT(run("list", "--json", NULL), 0);
	CHECK(strstr(out, "\"flaps\": 5, \"backoff_s\": "));
	CHECK(strstr(out, "\"flaps\": 0, \"backoff_s\": 0}"));
	/* the link is back: its halves in xenstore, the count kept, no wait */
	fx_set("/local/domain/3/device/cclink/1024/state", "4");
	fx_set("/local/domain/4/backend/cclink/3/1024/state", "4");
	fd = open(path, O_WRONLY | O_TRUNC);
	n = snprintf(buf, sizeof(buf), "3 1024 4 4 100 3 0\n");
	CHECK(fd >= 0 && write(fd, buf, (size_t)n) == n);
	close(fd);
	CHECK_INT(run("links", NULL), 0);
	CHECK(strstr(out, "connected   Connected    Connected"));
	CHECK(strstr(out, "1970-01-01T00:01:40Z 3          -\n"));
	CHECK_INT(run("list", NULL), 0);
	CHECK(!strstr(out, "flaps"));
	unsetenv("COLORCOMCTL_STATUS");
	unlink(path);
	return 0;
}

int main(void)
{
	RUN(t_attach_writes_tree);
	RUN(t_attach_devids);
	RUN(t_attach_dup_mac);
	RUN(t_attach_unknown_domain);
	RUN(t_attach_no_xenstore);
	RUN(t_dry_run_numeric_without_xenstore);
	RUN(t_dry_run_numeric_checks);
	RUN(t_dry_run_by_name_writes_nothing);
	RUN(t_detach_no_wait);
	RUN(t_detach_timeout_removes);
	RUN(t_detach_missing);
	RUN(t_usage_errors);
	RUN(t_list_shows_errors_sanitized);
	RUN(t_links_show_backoff);
	RUN(t_attach_records_for_reboot);
	RUN(t_attach_auto_mac);
	RUN(t_max_peers_and_conf);
	RUN(t_network_mtu);
	RUN(t_attach_dying_domain);
	RUN(t_create_flow);
	RUN(t_create_options);
	RUN(t_list_config_errors);
	RUN(t_uplink_refusals);
	RUN(t_uplink_wait);
	fx_reset();
	return tst_failed ? 1 : 0;
}
