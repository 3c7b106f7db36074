// SPDX-License-Identifier: GPL-2.0 OR MIT
/* daemonize.c - go to the background without lying about start-up.
 *
 * daemon(3) forks first and lets the parent exit 0 at once, so a daemon that
 * cannot open xenstore or set its watches afterwards "started" as far as the
 * shell or an init script can tell.  Here the parent waits on a pipe until
 * the child says it is ready (exit 0) or failed (its exit status), and only
 * then exits with that status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ccd.h"

/* Parent: wait for the child's verdict and exit with it. */
static void __attribute__((noreturn)) wait_child(pid_t pid, int rfd)
{
	unsigned char st;
	ssize_t n;
	int ws;

	do
		n = read(rfd, &st, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		_exit(st);
	/* Closed without a word: the child died; report how. */
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			_exit(1);
	if (WIFEXITED(ws))
		_exit(WEXITSTATUS(ws) ? WEXITSTATUS(ws) : 1);
	fprintf(stderr, "colorcomd: died during start-up (signal %d)\n",
		WTERMSIG(ws));
	_exit(1);
}

int ccd_daemon_start(int *ready_fd)
{
	int p[2];
	pid_t pid;

	*ready_fd = -1;
	if (pipe2(p, O_CLOEXEC)) {
		fprintf(stderr, "colorcomd: pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "colorcomd: fork: %s\n", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		wait_child(pid, p[0]);
	}
	close(p[0]);
	if (setsid() < 0 || chdir("/")) {
		fprintf(stderr, "colorcomd: setsid: %s\n", strerror(errno));
		close(p[1]);
		return -1;
	}
	*ready_fd = p[1];
	return 0;
}

void ccd_daemon_done(int *ready_fd, int status)
{
	unsigned char st = (unsigned char)status;
	int null;

	if (*ready_fd < 0)
		return;
	if (status == 0) {
		/* From now on nobody reads our stderr: detach stdio first. */
		null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
	}
	if (write(*ready_fd, &st, 1) != 1) {
		/* the parent is gone: nobody left to tell */
	}
	close(*ready_fd);
	*ready_fd = -1;
}
