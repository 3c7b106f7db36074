/* ccrun.h - run colorcomctl's main() in-process with its output captured,
 * over the fake xenstore of dom0lib/tests/fakexs.c: shared by test_cmds.c
 * and tests/dom0/test_e2e.c.  Include after ccctl.h, fakexs.h and tst.h. */
#ifndef CCRUN_H
#define CCRUN_H
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

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

#endif
