/* SPDX-License-Identifier: MIT */
/*
 * ccxfer - tiny static TCP tool for the lab guests.
 *
 * busybox nc never half-closes on stdin EOF, so a receiver cannot tell the end of
 * a stream from a stall; ccxfer does shutdown(SHUT_WR) and waits for the peer.
 *
 *   ccxfer recv PORT            accept one connection, copy it to stdout
 *   ccxfer send HOST PORT       copy stdin to HOST:PORT, half-close, wait for close
 *   ccxfer sink PORT            accept one connection; print "<sha256> <bytes>"
 *   ccxfer source HOST PORT N   send N random bytes; print "<sha256> <bytes>"
 *
 * source/sink exist because in a PV guest under TCG every syscall is a trip
 * through Xen: a head|tee|sha256sum|nc pipeline moves 0.6 MB/s, far below the
 * network.  source draws its bytes from a xoshiro256** stream seeded by
 * getrandom() (random data, one syscall per 256 KiB) and both ends hash with
 * OpenSSL's SHA-256.
 *   ccxfer rr-server PORT       echo 1-byte requests forever (one client at a time)
 *   ccxfer rr HOST PORT SECONDS request/response loop; prints "tps N" and latencies
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CCX_BUF (256 * 1024)

static void ccx_die(const char *what)
{
	fprintf(stderr, "ccxfer: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int ccx_listen_accept(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, s, c;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		ccx_die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		ccx_die("bind");
	if (listen(s, 1) < 0)
		ccx_die("listen");
	c = accept(s, NULL, NULL);
	if (c < 0)
		ccx_die("accept");
	close(s);
	return c;
}

static int ccx_connect(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int i, s;

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "ccxfer: bad IPv4 address %s\n", host);
		exit(2);
	}
	/* The receiver may still be starting in another guest: retry for 20 s. */
	for (i = 0; i < 200; i++) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			ccx_die("socket");
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			return s;
		close(s);
		usleep(100000);
	}
	ccx_die("connect");
	return -1;
}

static long long ccx_copy(int in, int out)
{
	static char buf[CCX_BUF];
	long long total = 0;

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf)), off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ccx_die("read");
		if (n == 0)
			return total;
		while (off < n) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				ccx_die("write");
			off += w;
		}
		total += n;
	}
}

static void ccx_hex(EVP_MD_CTX *md, long long n)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0, i;

	EVP_DigestFinal_ex(md, d, &dl);
	for (i = 0; i < dl; i++)
		printf("%02x", d[i]);
	printf(" %lld\n", n);
}

static uint64_t ccx_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: fast, and seeded from getrandom(), so every run sends new bytes. */
static uint64_t ccx_next(uint64_t st[4])
{
	uint64_t r = ccx_rotl(st[1] * 5, 7) * 9, t = st[1] << 17;

	st[2] ^= st[0];
	st[3] ^= st[1];
	st[1] ^= st[2];
	st[0] ^= st[3];
	st[2] ^= t;
	st[3] = ccx_rotl(st[3], 45);
	return r;
}

static int ccx_source(const char *host, int port, long long bytes)
{
	static uint64_t buf[CCX_BUF / 8];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint64_t st[4];
	long long left = bytes;
	char c;
	int s;

	if (!md || getrandom(st, sizeof(st), 0) != sizeof(st))
		ccx_die("init");
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	s = ccx_connect(host, port);
	while (left > 0) {
		size_t i, n = left < CCX_BUF ? (size_t)left : CCX_BUF, off = 0;

		for (i = 0; i < (n + 7) / 8; i++)
			buf[i] = ccx_next(st);
		EVP_DigestUpdate(md, buf, n);
		while (off < n) {
			ssize_t w = write(s, (char *)buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				ccx_die("write");
			off += (size_t)w;
		}
		left -= (long long)n;
	}
	if (shutdown(s, SHUT_WR) < 0)
		ccx_die("shutdown");
	while (read(s, &c, 1) > 0)
		;
	ccx_hex(md, bytes);
	EVP_MD_CTX_free(md);
	return 0;
}

static int ccx_sink(int port)
{
	static char buf[CCX_BUF];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	long long total = 0;
	int s;

	if (!md)
		ccx_die("init");
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	s = ccx_listen_accept(port);
	for (;;) {
		ssize_t n = read(s, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ccx_die("read");
		if (n == 0)
			break;
		EVP_DigestUpdate(md, buf, (size_t)n);
		total += n;
	}
	close(s);
	ccx_hex(md, total);
	EVP_MD_CTX_free(md);
	return 0;
}

static double ccx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int ccx_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int s, one = 1;
	char c;

	if (argc == 3 && !strcmp(argv[1], "recv")) {
		long long n;

		s = ccx_listen_accept(atoi(argv[2]));
		n = ccx_copy(s, 1);
		fprintf(stderr, "ccxfer: received %lld bytes\n", n);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "send")) {
		long long n;

		s = ccx_connect(argv[2], atoi(argv[3]));
		n = ccx_copy(0, s);
		if (shutdown(s, SHUT_WR) < 0)
			ccx_die("shutdown");
		/* Wait for the receiver to close: the data is then known delivered. */
		while (read(s, &c, 1) > 0)
			;
		fprintf(stderr, "ccxfer: sent %lld bytes\n", n);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "sink"))
		return ccx_sink(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "source"))
		return ccx_source(argv[2], atoi(argv[3]), atoll(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "rr-server")) {
		for (;;) {
			s = ccx_listen_accept(atoi(argv[2]));
			setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			while (read(s, &c, 1) == 1)
				if (write(s, &c, 1) != 1)
					break;
			close(s);
		}
	}
	if (argc == 5 && !strcmp(argv[1], "rr")) {
		double secs = atof(argv[4]), t0, end, *lat;
		size_t n = 0, cap = 1 << 20;

		lat = malloc(cap * sizeof(*lat));
		if (!lat)
			ccx_die("malloc");
		s = ccx_connect(argv[2], atoi(argv[3]));
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		t0 = ccx_now();
		end = t0 + secs;
		for (;;) {
			double t = ccx_now();

			if (t >= end || n == cap)
				break;
			c = 'x';
			if (write(s, &c, 1) != 1 || read(s, &c, 1) != 1)
				ccx_die("rr");
			lat[n++] = ccx_now() - t;
		}
		qsort(lat, n, sizeof(*lat), ccx_cmp);
		printf("tps %.1f n %zu p50_us %.1f p99_us %.1f\n", n / (ccx_now() - t0), n,
		       n ? lat[n / 2] * 1e6 : 0, n ? lat[n * 99 / 100] * 1e6 : 0);
		return 0;
	}
	fprintf(stderr, "usage: ccxfer recv PORT | send HOST PORT | sink PORT | source HOST PORT BYTES | rr-server PORT | rr HOST PORT SECONDS\n");
	return 2;
}
