/* ccrpc-broker - LAB STAND-IN for the RPC broker until it lives in colorcomd: the
 * same policy code (broker.c), run as its own dom0 process. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <xenstore.h>
#include "broker.h"

int main(void)
{
	struct xs_handle *xs = xs_open(0);
	unsigned n;

	if (!xs || ccrpc_broker_watch(xs)) {
		perror("ccrpc-broker: xenstore");
		return 1;
	}
	for (;;) {
		ccrpc_broker_pass(xs, stderr);
		free(xs_read_watch(xs, &n));
		/* Coalesce a burst of events into one pass. */
		while (poll(&(struct pollfd){ .fd = xs_fileno(xs), .events = POLLIN }, 1, 20) > 0)
			free(xs_read_watch(xs, &n));
	}
}
