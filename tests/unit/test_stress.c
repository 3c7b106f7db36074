// SPDX-License-Identifier: MIT
/*
 * test_stress.c - two-thread producer/consumer stress of common/ccring.c.
 *
 * 10^7 records (STRESS_RECORDS overrides) of random small sizes through an
 * order-6 ring, random batch sizes, random delays on both sides.  Each side
 * sleeps on a real eventfd and is woken only when the other side's
 * ccring_prod_push / ccring_cons_publish says a notification is due; nothing
 * else ever writes the eventfds (no timeouts, no polling).  A watchdog fails
 * the test if the consumer sleeps while published records are pending, if
 * the producer sleeps while the ring has the room it asked for, or if nothing
 * moves at all.  Each record carries its sequence number in the first 8
 * octets and a checksum of the frame in the metadata; the consumer checks
 * both and the full content, so loss, duplication, reordering and corruption
 * are all detected.
 */
#include <pthread.h>
#include <sys/eventfd.h>
#include <time.h>

#include "harness.h"

#define ORDER		6
#define MAXREC		64		/* frame sizes 8..MAXREC */
#define STALL_NS	5000000000ull	/* 5 s */

static struct tring *ring;
static int efd_cons, efd_prod;		/* wake the consumer / the producer */
static uint64_t nrecords;
static uint8_t pattern[1 << 16];

static uint64_t consumed, produced;		/* atomics */
static int cons_sleeping, prod_sleeping;	/* atomics */
static uint32_t prod_wait_need;			/* bytes the producer waits for */
static uint64_t notif_to_cons, notif_to_prod;
static int stop;
static char fail_msg[256];
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void fail(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&fail_lock);
	if (!fail_msg[0]) {
		va_start(ap, fmt);
		vsnprintf(fail_msg, sizeof(fail_msg), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&fail_lock);
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void ev_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		fail("eventfd write: %s", strerror(errno));
}

static void ev_wait(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

static uint32_t csum(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u, i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void random_delay(uint64_t *s)
{
	uint32_t r = rnd_below(s, 100000);

	if (r < 2) {
		usleep(1 + rnd_below(s, 300));
	} else if (r < 50) {
		volatile uint32_t k = rnd_below(s, 3000);

		while (k)
			k--;
	}
}

static void fill(uint8_t *buf, uint64_t i, uint32_t len)
{
	uint32_t off = (uint32_t)((i * 2654435761u) % (sizeof(pattern) - MAXREC));

	memcpy(buf, pattern + off, len);
	memcpy(buf, &i, len < 8 ? len : 8);
}

static void *producer(void *arg)
{
	struct ccring *p = &ring->prod;
	uint64_t s = 0xC0FFEE, i = 0;
	uint32_t batch = 0, batch_max = 1;
	uint8_t buf[MAXREC];

	(void)arg;
	while (i < nrecords && !__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		uint32_t len = 8 + rnd_below(&s, MAXREC - 7), c;
		struct ccring_meta m = { 0 };
		int rc = ccring_prod_space(p, len);

		if (rc < 0) {
			fail("producer: prod_space %d", rc);
			break;
		}
		if (rc == 0) {
			if (ccring_prod_push(p)) {
				__atomic_add_fetch(&notif_to_cons, 1, __ATOMIC_RELAXED);
				ev_signal(efd_cons);
			}
			batch = 0;
			rc = ccring_prod_want_space(p, len);
			if (rc < 0) {
				fail("producer: want_space %d", rc);
				break;
			}
			if (rc == 0) {
				__atomic_store_n(&prod_wait_need, ccring_rec_size(len), __ATOMIC_RELAXED);
				__atomic_store_n(&prod_sleeping, 1, __ATOMIC_SEQ_CST);
				ev_wait(efd_prod);
				__atomic_store_n(&prod_sleeping, 0, __ATOMIC_SEQ_CST);
			}
			continue;
		}
		fill(buf, i, len);
		c = csum(buf, len);
		m.hdr_len = (uint16_t)c;
		m.gso_size = (uint16_t)(c >> 16);
		ccring_prod_begin(p, len, &m);
		if (len > 20 && (i & 1)) {
			ccring_prod_copy(p, 0, buf, 20);
			ccring_prod_copy(p, 20, buf + 20, len - 20);
		} else {
			ccring_prod_copy(p, 0, buf, len);
		}
		ccring_prod_commit(p);
		i++;
		if (++batch >= batch_max) {
			if (ccring_prod_push(p)) {
				__atomic_add_fetch(&notif_to_cons, 1, __ATOMIC_RELAXED);
				ev_signal(efd_cons);
			}
			__atomic_store_n(&produced, i, __ATOMIC_RELAXED);
			batch = 0;
			batch_max = 1 + rnd_below(&s, 32);
			random_delay(&s);
		}
	}
	if (ccring_prod_push(p)) {
		__atomic_add_fetch(&notif_to_cons, 1, __ATOMIC_RELAXED);
		ev_signal(efd_cons);
	}
	__atomic_store_n(&produced, i, __ATOMIC_RELAXED);
	return NULL;
}

static void *consumer(void *arg)
{
	struct ccring *c = &ring->cons;
	uint64_t s = 0xBEEF, i = 0;
	uint32_t since_pub = 0, pub_every = 1;
	uint8_t buf[MAXREC], want[MAXREC];

	(void)arg;
	while (i < nrecords && !__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct ccring_meta m;
		uint32_t len;
		int rc = ccring_cons_peek(c, &m, &len);

		if (rc < 0) {
			fail("consumer: peek %d (%s) at record %llu", rc, ccring_strerror(rc),
			     (unsigned long long)i);
			break;
		}
		if (rc == 1) {
			uint64_t got = 0;

			if (len < 8 || len > MAXREC) {
				fail("record %llu: len %u", (unsigned long long)i, len);
				break;
			}
			ccring_cons_copy(c, 0, buf, len);
			memcpy(&got, buf, 8);
			if (got != i) {
				fail("record %llu: got sequence %llu (%s)", (unsigned long long)i,
				     (unsigned long long)got, got < i ? "duplicate" : "loss");
				break;
			}
			fill(want, i, len);
			if (csum(buf, len) != ((uint32_t)m.gso_size << 16 | m.hdr_len) ||
			    memcmp(buf, want, len)) {
				fail("record %llu: checksum/content mismatch", (unsigned long long)i);
				break;
			}
			ccring_cons_release(c);
			i++;
			__atomic_store_n(&consumed, i, __ATOMIC_RELAXED);
			if (++since_pub >= pub_every) {
				if (ccring_cons_publish(c)) {
					__atomic_add_fetch(&notif_to_prod, 1, __ATOMIC_RELAXED);
					ev_signal(efd_prod);
				}
				since_pub = 0;
				pub_every = 1 + rnd_below(&s, 64);
				random_delay(&s);
			}
			continue;
		}
		/* empty: publish, final check, sleep until notified */
		if (ccring_cons_publish(c)) {
			__atomic_add_fetch(&notif_to_prod, 1, __ATOMIC_RELAXED);
			ev_signal(efd_prod);
		}
		since_pub = 0;
		if (ccring_cons_final_check(c))
			continue;
		__atomic_store_n(&cons_sleeping, 1, __ATOMIC_SEQ_CST);
		ev_wait(efd_cons);
		__atomic_store_n(&cons_sleeping, 0, __ATOMIC_SEQ_CST);
	}
	if (ccring_cons_publish(c))
		ev_signal(efd_prod);
	return NULL;
}

static const char *t_stress(void)
{
	pthread_t tp, tc;
	uint64_t last_c = ~0ull, last_p = ~0ull, t_c = now_ns(), t_any = now_ns(), t0 = now_ns();
	uint32_t i;
	uint64_t sd = 77;
	const char *env = getenv("STRESS_RECORDS");

	nrecords = env ? strtoull(env, NULL, 0) : 10000000ull;
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(rnd_next(&sd) >> 56);
	ring = tring_new(ORDER);
	efd_cons = eventfd(0, EFD_CLOEXEC);
	efd_prod = eventfd(0, EFD_CLOEXEC);
	CHECK(efd_cons >= 0 && efd_prod >= 0, "eventfd: %s", strerror(errno));
	pthread_create(&tc, NULL, consumer, NULL);
	pthread_create(&tp, NULL, producer, NULL);

	/* watchdog */
	while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
		uint64_t c = __atomic_load_n(&consumed, __ATOMIC_RELAXED);
		uint64_t p = __atomic_load_n(&produced, __ATOMIC_RELAXED);
		uint32_t sprod = __atomic_load_n(&ring->ctrl->prod, __ATOMIC_RELAXED);
		uint32_t scons = __atomic_load_n(&ring->ctrl->cons, __ATOMIC_RELAXED);
		uint64_t t = now_ns();

		if (c >= nrecords)
			break;
		if (c != last_c || p != last_p)
			t_any = t;
		if (c != last_c)
			t_c = t;
		last_c = c;
		last_p = p;
		if (__atomic_load_n(&cons_sleeping, __ATOMIC_SEQ_CST) &&
		    sprod != scons && t - t_c > STALL_NS) {
			fail("consumer stall: asleep for 5 s with %u bytes published and pending "
			     "(lost notification) after %llu records", sprod - scons,
			     (unsigned long long)c);
			break;
		}
		if (__atomic_load_n(&prod_sleeping, __ATOMIC_SEQ_CST) && t - t_any > STALL_NS &&
		    ring->prod.size - (sprod - scons) >=
		    __atomic_load_n(&prod_wait_need, __ATOMIC_RELAXED) + ring->prod.size / 2) {
			fail("producer stall: asleep for 5 s although the ring has room");
			break;
		}
		if (t - t_any > 5 * STALL_NS) {
			fail("no progress for 25 s (%llu produced, %llu consumed)",
			     (unsigned long long)p, (unsigned long long)c);
			break;
		}
		usleep(20000);
	}
	/* wake both sides so they can see `stop` (harmless if they already exited) */
	ev_signal(efd_cons);
	ev_signal(efd_prod);
	pthread_join(tp, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	ev_signal(efd_cons);
	pthread_join(tc, NULL);
	if (fail_msg[0])
		return failf("%s", fail_msg);
	CHECK(consumed == nrecords && produced == nrecords, "consumed %llu of %llu",
	      (unsigned long long)consumed, (unsigned long long)nrecords);
	CHECK(ccring_cons_peek(&ring->cons, NULL, NULL) == 0, "records left over");
	if (getenv("V"))
		fprintf(stderr, "stress: %llu records in %.2f s, %llu notifications to the "
			"consumer, %llu to the producer\n", (unsigned long long)nrecords,
			(double)(now_ns() - t0) / 1e9, (unsigned long long)notif_to_cons,
			(unsigned long long)notif_to_prod);
	return NULL;
}

int main(void)
{
	run_test("stress-two-threads-eventfd", t_stress, 120);
	return t_failed;
}
