// SPDX-License-Identifier: GPL-2.0 OR MIT
/* colorcomd's RPC broker policy (rpcbroker.c) against the in-memory xenstore of
 * dom0lib/tests/fakexs.c: what a guest writes is hostile input to dom0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>
#include "rpcbroker.h"
#include "fakexs.h"

static int fails;
#define CHECK(name, cond) do { if (cond) printf("PASS rpc/broker-%s\n", name); \
	else { printf("FAIL rpc/broker-%s: %s (line %d)\n", name, #cond, __LINE__); fails++; } } while (0)
#define STREQ(a, b) ((a) && (b) && !strcmp((a), (b)))
#define PFX(a, b) ((a) && !strncmp((a), (b), strlen(b)))

#define REQ "/local/domain/%u/data/ccrpc/connect/%s"
static char pbuf[256];
static const char *P(const char *fmt, unsigned d, const char *r, const char *k)
{
	int n = snprintf(pbuf, sizeof(pbuf), fmt, d, r);

	if (k)
		snprintf(pbuf + n, sizeof(pbuf) - (size_t)n, "/%s", k);
	return pbuf;
}

static void nic(unsigned d, const char *net)
{
	char p[96];

	snprintf(p, sizeof(p), "/local/domain/0/backend/colorcom/%u/0/network", d);
	fx_set(p, net);
}

static void request(unsigned c, const char *r, const char *server, const char *svc, const char *pages)
{
	fx_set(P(REQ, c, r, "server"), server);
	fx_set(P(REQ, c, r, "service"), svc);
	fx_set(P(REQ, c, r, "arena-pages"), pages);
	fx_set(P(REQ, c, r, "state"), "request");
}

static void setup(const char *allow)
{
	fx_reset();
	fx_add_domain(1, "srv");
	fx_add_domain(2, "cli");
	fx_add_domain(3, "other");
	fx_add_domain(4, "cli2");
	nic(1, "blue");
	nic(2, "blue");
	nic(3, "red");
	nic(4, "blue");
	fx_set("/local/domain/1/data/ccrpc/service/rpctest/state", "ready");
	fx_set("/local/domain/1/data/ccrpc/service/rpctest/allow", allow);
}

int main(void)
{
	struct xs_handle *xs;
	unsigned long ops;
	const char *D = "/local/domain/1/data/ccrpc/conn/2_5-1";

	setup("*");
	xs = xs_open(0);
	request(2, "5-1", "srv", "rpctest", "100");
	ccd_rpc_broker_pass(xs, NULL);
	CHECK("grants-same-network", STREQ(fx_get(P(REQ, 2, "5-1", "conn")), D));
	CHECK("server-domid", STREQ(fx_get(P(REQ, 2, "5-1", "server-domid")), "1"));
	CHECK("conn-dir-perms", STREQ(fx_perms(D), "n1,b2"));
	CHECK("conn-client-domid-readonly", STREQ(fx_get("/local/domain/1/data/ccrpc/conn/2_5-1/client-domid"), "2") &&
	      STREQ(fx_perms("/local/domain/1/data/ccrpc/conn/2_5-1/client-domid"), "n1,r2"));
	CHECK("conn-client-keys-precreated", STREQ(fx_perms("/local/domain/1/data/ccrpc/conn/2_5-1/dir-refs"), "n1,b2") &&
	      STREQ(fx_perms("/local/domain/1/data/ccrpc/conn/2_5-1/client-state"), "n1,b2"));
	ops = fx_nops;
	ccd_rpc_broker_pass(xs, NULL);
	CHECK("idempotent", fx_nops == ops);

	request(3, "7-1", "srv", "rpctest", "100");
	request(2, "5-2", "srv", "nosuch", "100");
	request(2, "5-3", "cli", "rpctest", "100");	/* itself */
	request(2, "5-4", "1", "rpctest", "0100");	/* leading zero */
	request(2, "5-5", "1", "rpctest", "99999999");	/* above the arena maximum */
	request(2, "abc", "1", "rpctest", "100");	/* id we do not produce */
	request(2, "5-6", "1", "rpc/test", "100");
	request(2, "5-7", "77", "rpctest", "100");	/* no such domain */
	fx_set(P(REQ, 2, "5-8", "state"), "request");	/* keys missing */
	ccd_rpc_broker_pass(xs, NULL);
	CHECK("other-network-denied", PFX(fx_get(P(REQ, 3, "7-1", "error")), "denied: not on a common colorcom network") &&
	      !fx_exists("/local/domain/1/data/ccrpc/conn/3_7-1"));
	CHECK("unknown-service", STREQ(fx_get(P(REQ, 2, "5-2", "error")), "no-service"));
	CHECK("self-refused", STREQ(fx_get(P(REQ, 2, "5-3", "error")), "no-service"));
	CHECK("bad-pages-refused", STREQ(fx_get(P(REQ, 2, "5-4", "error")), "invalid request") &&
	      STREQ(fx_get(P(REQ, 2, "5-5", "error")), "invalid request"));
	CHECK("bad-id-refused", STREQ(fx_get(P(REQ, 2, "abc", "error")), "invalid request id"));
	CHECK("bad-service-refused", STREQ(fx_get(P(REQ, 2, "5-6", "error")), "invalid request"));
	CHECK("no-domain-refused", STREQ(fx_get(P(REQ, 2, "5-7", "error")), "no-service"));
	CHECK("missing-keys-refused", STREQ(fx_get(P(REQ, 2, "5-8", "error")), "invalid request"));
	CHECK("only-one-conn", fx_count_children("/local/domain/1/data/ccrpc/conn") == 1);

	/* Allow list by name and by domid. */
	setup("cli,9");
	request(2, "1-1", "srv", "rpctest", "100");
	request(4, "1-1", "srv", "rpctest", "100");
	ccd_rpc_broker_pass(xs, NULL);
	CHECK("allow-by-name", fx_exists(P(REQ, 2, "1-1", "conn")));
	CHECK("allow-list-denied", PFX(fx_get(P(REQ, 4, "1-1", "error")), "denied: not in the service's allow list"));
	setup("4");
	request(4, "1-1", "srv", "rpctest", "100");
	request(2, "1-1", "srv", "rpctest", "100");
	ccd_rpc_broker_pass(xs, NULL);
	CHECK("allow-by-domid", fx_exists(P(REQ, 4, "1-1", "conn")) && fx_exists(P(REQ, 2, "1-1", "error")));

	/* Lifecycle: the request goes -> the conn dir goes; the conn dir goes -> the
	 * request goes. */
	setup("*");
	request(2, "5-1", "srv", "rpctest", "100");
	request(4, "5-1", "srv", "rpctest", "100");
	fx_force_eagain = 2;	/* commits conflict twice: retried */
	ccd_rpc_broker_pass(xs, NULL);
	CHECK("commit-retried", fx_exists(P(REQ, 2, "5-1", "conn")) && fx_exists(P(REQ, 4, "5-1", "conn")));
	fx_rm("/local/domain/2/data/ccrpc/connect/5-1");
	fx_rm("/local/domain/1/data/ccrpc/conn/4_5-1");
	ccd_rpc_broker_pass(xs, NULL);
	CHECK("closed-request-reaps-conn", !fx_exists(D));
	CHECK("gone-conn-reaps-request", !fx_exists("/local/domain/4/data/ccrpc/connect/5-1"));
	/* A conn dir with no request behind it (forged name, or a dead client). */
	fx_set("/local/domain/1/data/ccrpc/conn/9_1-1/client-domid", "9");
	fx_set("/local/domain/1/data/ccrpc/conn/junk", "");
	ccd_rpc_broker_pass(xs, NULL);
	CHECK("orphan-conn-reaped", !fx_exists("/local/domain/1/data/ccrpc/conn/9_1-1"));
	/* Detach: a connection whose guests no longer share a network is closed. */
	request(2, "6-1", "srv", "rpctest", "100");
	request(4, "6-1", "srv", "rpctest", "100");
	ccd_rpc_broker_pass(xs, NULL);
	fx_rm("/local/domain/0/backend/colorcom/4");
	ccd_rpc_broker_pass(xs, NULL);
	CHECK("detach-closes-conn", !fx_exists("/local/domain/1/data/ccrpc/conn/4_6-1") &&
	      fx_exists("/local/domain/1/data/ccrpc/conn/2_6-1"));
	CHECK("no-open-transactions", fx_open_transactions() == 0);
	xs_close(xs);
	return fails ? 1 : 0;
}
