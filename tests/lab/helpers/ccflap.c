// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ccflap - TEST-ONLY (lab, dom0): play a hostile guest that flaps its colorcom NIC
 * as fast as a kernel could, which a shell loop cannot (each xenstore-* process
 * costs about half a second under TCG).  Each round deletes the given link halves,
 * writes the NIC frontend state 3 (Initialised), pauses, writes 4 (Connected),
 * pauses.  Prints the rounds done.
 *
 *   ccflap STATE_PATH ROUNDS PAUSE_MS [HALF_PATH...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

static void ccflap_pause(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct xs_handle *xs;
	long rounds, pause_ms, n;
	int i;

	if (argc < 4) {
		fprintf(stderr, "usage: ccflap STATE_PATH ROUNDS PAUSE_MS [HALF_PATH...]\n");
		return 2;
	}
	rounds = strtol(argv[2], NULL, 10);
	pause_ms = strtol(argv[3], NULL, 10);
	if (rounds <= 0 || pause_ms < 0 || pause_ms > 60000) {
		fprintf(stderr, "ccflap: bad ROUNDS or PAUSE_MS\n");
		return 2;
	}
	xs = xs_open(0);
	if (!xs) {
		fprintf(stderr, "ccflap: xs_open: %s\n", strerror(errno));
		return 1;
	}
	for (n = 0; n < rounds; n++) {
		/* A half that is already gone is what a flapping guest finds too. */
		for (i = 4; i < argc; i++)
			xs_rm(xs, XBT_NULL, argv[i]);
		if (!xs_write(xs, XBT_NULL, argv[1], "3", 1))
			break;
		ccflap_pause(pause_ms);
		if (!xs_write(xs, XBT_NULL, argv[1], "4", 1))
			break;
		ccflap_pause(pause_ms);
	}
	xs_close(xs);
	printf("%ld\n", n);
	return n == rounds ? 0 : 1;
}
