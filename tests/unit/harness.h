/* SPDX-License-Identifier: MIT */
/*
 * harness.h - tiny test harness for the ccring unit tests.
 *
 * Each test runs in a forked child (so a crash, an ASan/UBSan report or a
 * timeout is attributed to that test) and the parent prints exactly one line:
 * "PASS name" or "FAIL name: reason".  A test function returns NULL on success
 * or a reason string.
 *
 * Rings are allocated with guard pages: the control page and every data page
 * is its own mapping with a PROT_NONE page on each side, so any access outside
 * the ring area faults.  The page list is deliberately not contiguous.
 */
#ifndef CCRING_TEST_HARNESS_H
#define CCRING_TEST_HARNESS_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/ccring.h"

#define PG CCRING_PAGE_SIZE

static char t_reason[512];

__attribute__((format(printf, 1, 2)))
static __attribute__((unused)) const char *failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t_reason, sizeof(t_reason), fmt, ap);
	va_end(ap);
	return t_reason;
}

#define CHECK(cond, ...)				\
	do {						\
		if (!(cond))				\
			return failf(__VA_ARGS__);	\
	} while (0)

/* One page with a PROT_NONE guard page before and after it. */
static __attribute__((unused)) uint8_t *guarded_page(void)
{
	uint8_t *p = mmap(NULL, 3 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	if (mprotect(p + PG, PG, PROT_READ | PROT_WRITE)) {
		perror("mprotect");
		exit(2);
	}
	return p + PG;
}

static __attribute__((unused)) void guarded_free(void *p)
{
	munmap((uint8_t *)p - PG, 3 * PG);
}

struct tring {
	uint32_t order, npages;
	struct ccring_ctrl *ctrl;
	uint8_t **pages;
	struct ccring prod, cons;
};

/* Allocate a guarded ring, init the control page, attach both endpoints. */
static __attribute__((unused)) struct tring *tring_new(uint32_t order)
{
	struct tring *t = calloc(1, sizeof(*t));
	uint32_t i;

	t->order = order;
	t->npages = 1u << order;
	t->ctrl = (struct ccring_ctrl *)guarded_page();
	t->pages = calloc(t->npages, sizeof(*t->pages));
	/* Allocate in reverse so consecutive ring pages are at decreasing addresses. */
	for (i = t->npages; i-- > 0;)
		t->pages[i] = guarded_page();
	ccring_ctrl_init(t->ctrl, order);
	if (ccring_attach(&t->prod, t->ctrl, t->pages, order) ||
	    ccring_attach(&t->cons, t->ctrl, t->pages, order)) {
		fprintf(stderr, "attach failed\n");
		exit(2);
	}
	return t;
}

static __attribute__((unused)) void tring_free(struct tring *t)
{
	uint32_t i;

	for (i = 0; i < t->npages; i++)
		guarded_free(t->pages[i]);
	guarded_free(t->ctrl);
	free(t->pages);
	free(t);
}

/* Move both endpoints (and the shared indices) to byte index idx, ring empty. */
static __attribute__((unused)) void tring_set_index(struct tring *t, uint32_t idx)
{
	t->prod.prod = t->prod.pushed = t->prod.peer_idx = idx;
	t->cons.cons = t->cons.released = t->cons.peer_idx = idx;
	t->ctrl->prod = t->ctrl->cons = idx;
	t->ctrl->prod_event = idx + 1;
	t->ctrl->cons_event = idx;
}

static __attribute__((unused)) void tring_protect_data(struct tring *t, int prot)
{
	uint32_t i;

	for (i = 0; i < t->npages; i++)
		mprotect(t->pages[i], PG, prot);
}

/* Deterministic PRNG (xorshift64*). */
static __attribute__((unused)) inline uint64_t rnd_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static __attribute__((unused)) inline uint32_t rnd_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)((rnd_next(s) >> 32) * n >> 32);
}

static int t_failed;

/* Run fn in a child with a timeout; print exactly one PASS/FAIL line. */
static __attribute__((unused)) void run_test(const char *name, const char *(*fn)(void), unsigned timeout_s)
{
	int pfd[2], st;
	pid_t pid;
	char buf[sizeof(t_reason)];
	ssize_t n;

	fflush(stdout);
	if (pipe(pfd)) {
		perror("pipe");
		exit(2);
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		const char *why;

		close(pfd[0]);
		alarm(timeout_s);
		why = fn();
		if (why) {
			if (write(pfd[1], why, strlen(why)) < 0)
				_exit(3);
			_exit(1);
		}
		_exit(0);
	}
	close(pfd[1]);
	n = 0;
	for (;;) {
		ssize_t k = read(pfd[0], buf + n, sizeof(buf) - 1 - (size_t)n);

		if (k > 0) {
			n += k;
			if ((size_t)n < sizeof(buf) - 1)
				continue;
		} else if (k < 0 && errno == EINTR) {
			continue;
		}
		break;
	}
	buf[n] = 0;
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		printf("PASS %s\n", name);
	} else {
		t_failed = 1;
		if (n)
			printf("FAIL %s: %s\n", name, buf);
		else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
			printf("FAIL %s: timeout after %u s\n", name, timeout_s);
		else if (WIFSIGNALED(st))
			printf("FAIL %s: killed by signal %d\n", name, WTERMSIG(st));
		else
			printf("FAIL %s: exit status %d (sanitizer report on stderr?)\n",
			       name, WEXITSTATUS(st));
	}
	fflush(stdout);
}

#endif
