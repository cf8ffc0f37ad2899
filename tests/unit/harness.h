/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal test harness: TEST(name) { ... } registers a case; CHECK*()
 * fail it with a reason.  Every case runs in its own child process, so a
 * sanitizer abort or a crash fails that case only and the run goes on.
 */
#ifndef XBNG_TEST_HARNESS_H
#define XBNG_TEST_HARNESS_H

struct xt_case {
	const char *name;
	void (*fn)(void);
	struct xt_case *next;
};

void xt_register(struct xt_case *c);
void xt_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

#define TEST(n)								\
	static void xt_fn_##n(void);					\
	static struct xt_case xt_case_##n = { #n, xt_fn_##n, 0 };	\
	__attribute__((constructor)) static void xt_reg_##n(void)	\
	{								\
		xt_register(&xt_case_##n);				\
	}								\
	static void xt_fn_##n(void)

#define CHECK(c)							\
	do {								\
		if (!(c))						\
			xt_fail(__FILE__, __LINE__, "%s", #c);		\
	} while (0)

/* Compares as 64-bit unsigned; prints both values in hex and decimal. */
#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long xt_a = (unsigned long long)(a);	\
		unsigned long long xt_b = (unsigned long long)(b);	\
		if (xt_a != xt_b)					\
			xt_fail(__FILE__, __LINE__,			\
				"%s == %s: 0x%llx (%lld) != 0x%llx (%lld)", \
				#a, #b, xt_a, (long long)xt_a, xt_b,	\
				(long long)xt_b);			\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *xt_sa = (a), *xt_sb = (b);			\
		if (strcmp(xt_sa, xt_sb))				\
			xt_fail(__FILE__, __LINE__, "%s: \"%s\" != \"%s\"", \
				#a, xt_sa, xt_sb);			\
	} while (0)

#endif /* XBNG_TEST_HARNESS_H */
