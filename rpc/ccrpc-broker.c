/* ccrpc-broker - LAB STAND-IN for the RPC broker until it lives in colorcomd: the
 * same policy code (broker.c), run as its own dom0 process.  Passes run on every
 * xenstore event and at least every 500 ms, so a lost or refused watch only costs
 * latency. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>
#include "broker.h"

int main(void)
{
	struct xs_handle *xs = xs_open(0);
	unsigned n;
	int watching;

	if (!xs) {
		fprintf(stderr, "ccrpc-broker: xs_open: %s\n", strerror(errno));
		return 1;
	}
	watching = !ccrpc_broker_watch(xs);
	if (!watching)
		fprintf(stderr, "ccrpc-broker: xs_watch: %s (polling every 500 ms instead)\n", strerror(errno));
	for (;;) {
		ccrpc_broker_pass(xs, stderr);
		/* Coalesce a burst of events into one pass. */
		if (poll(&(struct pollfd){ .fd = watching ? xs_fileno(xs) : -1, .events = POLLIN }, 1, 500) > 0) {
			free(xs_read_watch(xs, &n));
			while (poll(&(struct pollfd){ .fd = xs_fileno(xs), .events = POLLIN }, 1, 20) > 0)
				free(xs_read_watch(xs, &n));
		}
	}
}
