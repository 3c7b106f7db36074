/* tst.h - minimal test harness: one "PASS name" / "FAIL name: reason" line
 * per test, exit status 1 if any failed. */
#ifndef TST_H
#define TST_H
#include <stdio.h>
#include <string.h>

#ifndef TST_PREFIX
#define TST_PREFIX ""
#endif

static char tst_why[4096];
static int tst_failed, tst_count;

#define CHECK(cond) do {                                                   \
		if (!(cond)) {                                             \
			snprintf(tst_why, sizeof(tst_why), "%s:%d: %s",    \
				 __FILE__, __LINE__, #cond);               \
			return 1;                                          \
		}                                                          \
	} while (0)
#define CHECK_STR(got, want) do {                                          \
		const char *g_ = (got), *w_ = (want);                      \
		if (!g_ || !w_ || strcmp(g_, w_)) {                        \
			snprintf(tst_why, sizeof(tst_why),                 \
				 "%s:%d: %s is '%.900s', want '%.900s'",   \
				 __FILE__, __LINE__, #got,                 \
				 g_ ? g_ : "(null)", w_ ? w_ : "(null)");  \
			return 1;                                          \
		}                                                          \
	} while (0)
#define CHECK_INT(got, want) do {                                          \
		long long g_ = (long long)(got), w_ = (long long)(want);   \
		if (g_ != w_) {                                            \
			snprintf(tst_why, sizeof(tst_why),                 \
				 "%s:%d: %s is %lld, want %lld", __FILE__,  \
				 __LINE__, #got, g_, w_);                  \
			return 1;                                          \
		}                                                          \
	} while (0)

#define RUN(fn) do {                                                       \
		tst_why[0] = '\0';                                         \
		tst_count++;                                               \
		if (fn()) {                                                \
			printf("FAIL %s%s: %s\n", TST_PREFIX, #fn + 2, tst_why);         \
			tst_failed++;                                      \
		} else {                                                   \
			printf("PASS %s%s\n", TST_PREFIX, #fn + 2);                      \
		}                                                          \
		fflush(stdout);                                            \
	} while (0)

#endif
