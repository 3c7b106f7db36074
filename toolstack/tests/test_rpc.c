// SPDX-License-Identifier: GPL-2.0 OR MIT
/* test_rpc.c - `colorcomctl rpc` against the in-memory xenstore of
 * dom0lib/tests/fakexs.c, with the keys laid out as libccrpc and colorcomd's
 * broker write them (common/ccrpc_xs.h), plus what a hostile guest may add. */
#define TST_PREFIX "toolstack.rpc."
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <xenstore.h>

#include "ccctl.h"
#include "fakexs.h"
#include "tst.h"
#include "ccrun.h"

#define R3 "/local/domain/3/data/ccrpc"
#define R4 "/local/domain/4/data/ccrpc"
#define R5 "/local/domain/5/data/ccrpc"

/* gamma (3) serves rpctest; delta (4) is connected to it; eps (5) was refused. */
static void world(void)
{
	setup();
	fx_add_domain(5, "eps");
	fx_set(R3 "/service/rpctest/functions", "0:null,1:checksum,2:sum_list");
	fx_set(R3 "/service/rpctest/allow", "*");
	fx_set(R3 "/service/rpctest/state", "ready");
	fx_set(R4 "/connect/127-1/server", "gamma");
	fx_set(R4 "/connect/127-1/service", "rpctest");
	fx_set(R4 "/connect/127-1/arena-pages", "2051");
	fx_set(R4 "/connect/127-1/state", "request");
	fx_set(R4 "/connect/127-1/conn", R3 "/conn/4_127-1");
	fx_set(R3 "/conn/4_127-1/client-domid", "4");
	fx_set(R3 "/conn/4_127-1/service", "rpctest");
	fx_set(R3 "/conn/4_127-1/arena-pages", "2051");
	fx_set(R3 "/conn/4_127-1/arena-addr", "35184372088832");
	fx_set(R3 "/conn/4_127-1/client-state", "ready");
	fx_set(R3 "/conn/4_127-1/server-state", "connected");
	fx_set(R5 "/connect/9-1/server", "gamma");
	fx_set(R5 "/connect/9-1/service", "rpctest");
	fx_set(R5 "/connect/9-1/arena-pages", "1027");
	fx_set(R5 "/connect/9-1/state", "request");
	fx_set(R5 "/connect/9-1/error", "denied: not on a common colorcom network");
}

static int t_table(void)
{
	world();
	CHECK_INT(run("rpc", NULL), 0);
	CHECK_STR(err, "");
	CHECK_STR(out,
		  "Services\n"
		  "Domain Name             Service          State    Functions Allow\n"
		  "3      gamma            rpctest          ready    3         *\n"
		  "\n"
		  "Connections\n"
		  "Client Name             Server Name             Service          Id           Pages  State\n"
		  "4      delta            3      gamma            rpctest          127-1        2051   connected\n"
		  "5      eps              -      gamma            rpctest          9-1          1027   refused: denied: not on a common colorcom network\n");
	return 0;
}

static int t_json(void)
{
	world();
	CHECK_INT(run("rpc", "--json", NULL), 0);
	CHECK_STR(out,
		  "{\"services\": [\n"
		  "  {\"domid\": 3, \"name\": \"gamma\", \"service\": \"rpctest\", \"state\": \"ready\", "
		  "\"functions\": \"0:null,1:checksum,2:sum_list\", \"nfunctions\": 3, \"allow\": \"*\"}\n"
		  "],\n"
		  " \"connections\": [\n"
		  "  {\"client\": 4, \"client_name\": \"delta\", \"server\": 3, \"server_name\": \"gamma\", "
		  "\"service\": \"rpctest\", \"id\": \"127-1\", \"pages\": 2051, \"state\": \"connected\"},\n"
		  "  {\"client\": 5, \"client_name\": \"eps\", \"server\": null, \"server_name\": \"gamma\", "
		  "\"service\": \"rpctest\", \"id\": \"9-1\", \"pages\": 1027, "
		  "\"state\": \"refused: denied: not on a common colorcom network\"}\n"
		  "]}\n");
	return 0;
}

/* One domain: its services and every connection it is a side of. */
static int t_filter(void)
{
	world();
	CHECK_INT(run("rpc", "eps", NULL), 0);
	CHECK(!strstr(out, "3      gamma            rpctest          ready"));
	CHECK(strstr(out, "5      eps              -      gamma"));
	CHECK(!strstr(out, "127-1"));
	CHECK_INT(run("rpc", "--json", "gamma", NULL), 0);
	CHECK(strstr(out, "\"id\": \"127-1\""));
	CHECK(!strstr(out, "\"id\": \"9-1\""));
	CHECK_INT(run("rpc", "nosuch", NULL), 1);
	CHECK(strstr(err, "colorcomctl: rpc: "));
	CHECK_INT(run("rpc", "a", "b", NULL), 2);
	CHECK(strstr(err, "rpc: too many arguments"));
	return 0;
}

/* Nothing at all: both tables empty, valid JSON. */
static int t_empty(void)
{
	setup();
	CHECK_INT(run("rpc", "--json", NULL), 0);
	CHECK_STR(out, "{\"services\": [],\n \"connections\": []}\n");
	CHECK_INT(run("rpc", NULL), 0);
	CHECK(strstr(out, "Connections\nClient"));
	return 0;
}

/* What a guest writes is shown, never trusted: control characters sanitized in the
 * table and escaped in JSON, bad numbers shown as unknown, junk entries skipped,
 * setup states and server errors named. */
static int t_hostile(void)
{
	world();
	fx_set(R3 "/service/ev\x1b[2Jil/functions", "x:y,,");
	fx_set(R3 "/service/ev\x1b[2Jil/state", "re\"ady\n");
	fx_set(R3 "/conn/junk", "");
	fx_set(R3 "/conn/99999_1-1/service", "rpctest");	/* client domid out of range */
	fx_set(R3 "/conn/4_5-5/service", "rpctest");
	fx_set(R3 "/conn/4_5-5/arena-pages", "0100");	/* leading zero */
	fx_set(R3 "/conn/4_5-5/server-error", "setup failed: map the region (gntdev) (No space left on device)");
	fx_set(R3 "/conn/4_6-6/service", "rpctest");
	fx_set(R3 "/conn/4_6-6/arena-pages", "99999999");
	fx_set(R3 "/conn/4_7-7/service", "rpctest");
	fx_set(R3 "/conn/4_7-7/client-state", "closed");
	fx_set(R3 "/conn/4_7-7/server-state", "connected");
	CHECK_INT(run("rpc", NULL), 0);
	CHECK(strstr(out, "3      gamma            ev?[2Jil         re\"ady?  ?         *\n"));
	CHECK(strstr(out, "4      delta            3      gamma            rpctest          5-5          ?      "
			  "failed: setup failed: map the region (gntdev) (No space left on device)\n"));
	CHECK(strstr(out, "6-6          ?      setting up\n"));
	CHECK(strstr(out, "7-7          ?      closing\n"));
	CHECK(!strstr(out, "junk") && !strstr(out, "99999"));
	CHECK(!strchr(out, '\x1b'));
	CHECK_INT(run("rpc", "--json", NULL), 0);
	CHECK(strstr(out, "\"service\": \"ev\\u001b[2Jil\", \"state\": \"re\\\"ady\\u000a\", "
			  "\"functions\": \"x:y,,\", \"nfunctions\": null"));
	CHECK(strstr(out, "\"id\": \"5-5\", \"pages\": null"));
	return 0;
}

int main(void)
{
	ccd_log_hook = quiet;
	RUN(t_table);
	RUN(t_json);
	RUN(t_filter);
	RUN(t_empty);
	RUN(t_hostile);
	fx_reset();
	return tst_failed ? 1 : 0;
}
