// SPDX-License-Identifier: GPL-2.0
/* Xenstore value parsers (src/core/xs_values.c), good and hostile input. */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "xs_values.h"

#define SENTINEL 0x5a5a5a5au

static int uint_of(const char *s, u32 max, u32 *out)
{
	*out = SENTINEL;
	return xbng_parse_uint(s, max, out);
}

/* A string of @n copies of @c followed by @tail, on the heap (ASan). */
static char *repeat(char c, size_t n, const char *tail)
{
	char *s = malloc(n + strlen(tail) + 1);

	CHECK(s);
	memset(s, c, n);
	strcpy(s + n, tail);
	return s;
}

TEST(uint_good)
{
	u32 v;

	CHECK_EQ(uint_of("0", UINT32_MAX, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(uint_of("42", UINT32_MAX, &v), 0);
	CHECK_EQ(v, 42);
	CHECK_EQ(uint_of("4294967295", UINT32_MAX, &v), 0);
	CHECK_EQ(v, 4294967295u);
	CHECK_EQ(uint_of("007", 7, &v), 0);
	CHECK_EQ(v, 7);
}

TEST(uint_max_bound)
{
	u32 v;

	CHECK_EQ(uint_of("4", 4, &v), 0);
	CHECK_EQ(v, 4);
	CHECK_EQ(uint_of("5", 4, &v), -ERANGE);
	CHECK_EQ(v, SENTINEL);
	CHECK_EQ(uint_of("0", 0, &v), 0);
	CHECK_EQ(uint_of("1", 0, &v), -ERANGE);
}

TEST(uint_hostile)
{
	static const char *const bad[] = {
		"", "-1", "+1", "1x", " 1", "1 ", "0x10", "1\n", "\n", "x",
		"1.0", "1e3", "١", "\t1", "1-", "--1", "0b1", "1,000",
	};
	unsigned int i;
	u32 v;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (uint_of(bad[i], UINT32_MAX, &v) != -EINVAL)
			xt_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
		CHECK_EQ(v, SENTINEL);
	}
	CHECK_EQ(uint_of(NULL, UINT32_MAX, &v), -EINVAL);
}

TEST(uint_just_above_32_bits)
{
	u32 v;

	CHECK_EQ(uint_of("4294967296", UINT32_MAX, &v), -ERANGE);
	CHECK_EQ(v, SENTINEL);
	CHECK_EQ(uint_of("18446744073709551616", UINT32_MAX, &v), -ERANGE);
	/* Wraps to 0 in 64 bits if accumulated naively. */
	CHECK_EQ(uint_of("18446744073709551616", 10, &v), -ERANGE);
	CHECK_EQ(uint_of("36893488147419103232", UINT32_MAX, &v), -ERANGE);
}

TEST(uint_very_long_digit_strings)
{
	char *s;
	u32 v;

	s = repeat('9', 100000, "");
	CHECK_EQ(uint_of(s, UINT32_MAX, &v), -ERANGE);
	free(s);
	s = repeat('0', 100000, "123");
	CHECK_EQ(uint_of(s, UINT32_MAX, &v), 0);
	CHECK_EQ(v, 123);
	free(s);
	/* Malformed beats too big, however long the digits go on. */
	s = repeat('9', 5000, "x");
	CHECK_EQ(uint_of(s, UINT32_MAX, &v), -EINVAL);
	free(s);
	s = repeat('1', 5000, "");
	CHECK_EQ(uint_of(s, UINT32_MAX, &v), -ERANGE);
	free(s);
}

static int pdev(const char *s, u32 *ma, u32 *mi)
{
	*ma = *mi = SENTINEL;
	return xbng_parse_physical_device(s, ma, mi);
}

TEST(physical_device_good)
{
	u32 ma, mi;

	CHECK_EQ(pdev("fe:0", &ma, &mi), 0);
	CHECK_EQ(ma, 0xfe);
	CHECK_EQ(mi, 0);
	CHECK_EQ(pdev("8:1", &ma, &mi), 0);
	CHECK_EQ(ma, 8);
	CHECK_EQ(mi, 1);
	CHECK_EQ(pdev("FD:1a", &ma, &mi), 0);
	CHECK_EQ(ma, 0xfd);
	CHECK_EQ(mi, 0x1a);
	CHECK_EQ(pdev("fff:fffff", &ma, &mi), 0);
	CHECK_EQ(ma, 0xfff);
	CHECK_EQ(mi, 0xfffff);
	CHECK_EQ(pdev("000000000000000000000ca:00000000000000010", &ma, &mi),
		 0);
	CHECK_EQ(ma, 0xca);
	CHECK_EQ(mi, 0x10);
}

TEST(physical_device_out_of_range)
{
	u32 ma, mi;

	CHECK_EQ(pdev("1000:0", &ma, &mi), -ERANGE);
	CHECK_EQ(pdev("0:100000", &ma, &mi), -ERANGE);
	CHECK_EQ(pdev("ffffffffffffffffffff:0", &ma, &mi), -ERANGE);
	CHECK_EQ(pdev("0:10000000000000000", &ma, &mi), -ERANGE);
	CHECK_EQ(ma, SENTINEL);
	CHECK_EQ(mi, SENTINEL);
}

TEST(physical_device_hostile)
{
	static const char *const bad[] = {
		"", ":", "fe", "fe:", ":0", "0xfe:0", "fe:0x0", "fe:0:0",
		" fe:0", "fe :0", "fe: 0", "fe:0\n", "-1:0", "fe:-1", "g:0",
		"fe::0", "fe;0", "+fe:0", "ffffffffffffffffffff:0z",
	};
	unsigned int i;
	u32 ma, mi;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (pdev(bad[i], &ma, &mi) != -EINVAL)
			xt_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
		CHECK_EQ(ma, SENTINEL);
		CHECK_EQ(mi, SENTINEL);
	}
	CHECK_EQ(pdev(NULL, &ma, &mi), -EINVAL);
}

TEST(protocol_values)
{
	enum xbng_abi abi;

	abi = XBNG_ABI_COUNT;
	CHECK_EQ(xbng_parse_protocol(NULL, XBNG_ABI_X86_64, &abi), 0);
	CHECK_EQ(abi, XBNG_ABI_X86_64);
	abi = XBNG_ABI_COUNT;
	CHECK_EQ(xbng_parse_protocol("", XBNG_ABI_X86_32, &abi), 0);
	CHECK_EQ(abi, XBNG_ABI_X86_32);
	CHECK_EQ(xbng_parse_protocol("native", XBNG_ABI_X86_64, &abi), 0);
	CHECK_EQ(abi, XBNG_ABI_X86_64);
	CHECK_EQ(xbng_parse_protocol("x86_32-abi", XBNG_ABI_X86_64, &abi), 0);
	CHECK_EQ(abi, XBNG_ABI_X86_32);
	CHECK_EQ(xbng_parse_protocol("x86_64-abi", XBNG_ABI_X86_64, &abi), 0);
	CHECK_EQ(abi, XBNG_ABI_X86_64);
}

TEST(protocol_hostile)
{
	static const char *const bad[] = {
		"x86_32-abi\n", "x86_32-ab", "x86_32-abix", "X86_32-ABI",
		" x86_64-abi", "arm-abi", "native ", "nativ", "x86_16-abi",
	};
	enum xbng_abi abi = XBNG_ABI_X86_64;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (xbng_parse_protocol(bad[i], XBNG_ABI_X86_64, &abi) !=
		    -EINVAL)
			xt_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
	}
	/* A bogus native ABI from the caller is refused, not used. */
	CHECK_EQ(xbng_parse_protocol(NULL, XBNG_ABI_COUNT, &abi), -EINVAL);
}

TEST(mode_values)
{
	bool w = false;

	CHECK_EQ(xbng_parse_mode("w", &w), 0);
	CHECK(w);
	CHECK_EQ(xbng_parse_mode("r", &w), 0);
	CHECK(!w);
	CHECK_EQ(xbng_parse_mode("w!", &w), 0);
	CHECK(w);
	CHECK_EQ(xbng_parse_mode("", &w), -EINVAL);
	CHECK_EQ(xbng_parse_mode(NULL, &w), -EINVAL);
	CHECK_EQ(xbng_parse_mode("x", &w), -EINVAL);
	CHECK_EQ(xbng_parse_mode("W", &w), -EINVAL);
	CHECK_EQ(xbng_parse_mode(" w", &w), -EINVAL);
	CHECK(w);	/* untouched by the failures */
}

TEST(ring_pages_values)
{
	unsigned int n = 0, o;

	/* ring-ref only: one page, whatever the (unused) order says. */
	CHECK_EQ(xbng_ring_pages(false, 99, 0, &n), 0);
	CHECK_EQ(n, 1);
	for (o = 0; o <= 4; o++) {
		CHECK_EQ(xbng_ring_pages(true, o, 4, &n), 0);
		CHECK_EQ(n, 1u << o);
	}
	n = 7;
	CHECK_EQ(xbng_ring_pages(true, 5, 4, &n), -EINVAL);
	CHECK_EQ(xbng_ring_pages(true, 1, 0, &n), -EINVAL);
	CHECK_EQ(xbng_ring_pages(true, UINT32_MAX, 4, &n), -EINVAL);
	/* No undefined shift even with a silly maximum. */
	CHECK_EQ(xbng_ring_pages(true, 32, UINT32_MAX, &n), -EINVAL);
	CHECK_EQ(xbng_ring_pages(true, 200, UINT32_MAX, &n), -EINVAL);
	CHECK_EQ(n, 7);
	CHECK_EQ(xbng_ring_pages(true, 31, UINT32_MAX, &n), 0);
	CHECK_EQ(n, 1u << 31);
}

TEST(nr_queues_values)
{
	unsigned int n = 0;

	CHECK_EQ(xbng_nr_queues(false, 0, 4, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(xbng_nr_queues(false, 99, 4, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(xbng_nr_queues(true, 1, 4, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(xbng_nr_queues(true, 4, 4, &n), 0);
	CHECK_EQ(n, 4);
	n = 9;
	CHECK_EQ(xbng_nr_queues(true, 0, 4, &n), -EINVAL);
	CHECK_EQ(xbng_nr_queues(true, 5, 4, &n), -EINVAL);
	CHECK_EQ(xbng_nr_queues(true, UINT32_MAX, 4, &n), -EINVAL);
	CHECK_EQ(xbng_nr_queues(true, 1, 0, &n), -EINVAL);
	CHECK_EQ(n, 9);
}

TEST(ring_ref_key_values)
{
	char buf[32];

	CHECK_EQ(xbng_ring_ref_key(false, 0, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "ring-ref");
	CHECK_EQ(xbng_ring_ref_key(true, 0, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "ring-ref0");
	CHECK_EQ(xbng_ring_ref_key(true, 15, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "ring-ref15");
	CHECK_EQ(xbng_ring_ref_key(true, 4294967295u, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "ring-ref4294967295");
}

TEST(ring_ref_key_buffer_too_small)
{
	char buf[16];

	/* "ring-ref" + NUL is 9 bytes; "ring-ref15" + NUL is 11. */
	CHECK_EQ(xbng_ring_ref_key(false, 0, buf, 9), 0);
	CHECK_EQ(xbng_ring_ref_key(false, 0, buf, 8), -ENOSPC);
	CHECK_EQ(xbng_ring_ref_key(true, 15, buf, 11), 0);
	CHECK_EQ(xbng_ring_ref_key(true, 15, buf, 10), -ENOSPC);
	CHECK_EQ(xbng_ring_ref_key(true, 1, buf, 0), -ENOSPC);
	CHECK_EQ(xbng_ring_ref_key(true, 1, NULL, 0), -ENOSPC);
}

/*
 * The connect path's reading of the ring layout and the ring references
 * (xbng_ring_layout() and xbng_ring_refs_read(), as xenbus.c calls them),
 * against a frontend directory held in a table.
 */
struct fake_dir {
	const char *key[8];
	const char *val[8];
	char asked[8][16];	/* keys read, in order */
	unsigned int nr_asked;
};

static int fake_read(const void *ctx, const char *key, u32 *val)
{
	struct fake_dir *d = (struct fake_dir *)ctx;
	unsigned int i;

	if (d->nr_asked < 8)
		snprintf(d->asked[d->nr_asked++], sizeof(d->asked[0]), "%s", key);
	for (i = 0; i < 8 && d->key[i]; i++)
		if (!strcmp(d->key[i], key))
			return xbng_parse_uint(d->val[i], UINT32_MAX, val);
	return -ENOENT;
}

TEST(layout_order0_reads_ring_ref0)
{
	/*
	 * ring-page-order 0 means the ring-ref%u keys, as the stock backend
	 * has read it since 2021; a stale "ring-ref" (a bootloader's, an
	 * earlier frontend's) must not be used.
	 */
	struct fake_dir d = { .key = { "ring-ref", "ring-ref0" }, .val = { "77", "42" } };
	struct xbng_ring_layout lay;
	u32 grefs[16] = { 0 };
	char key[16];

	CHECK_EQ(xbng_ring_layout("0", NULL, 4, 4, &lay), 0);
	CHECK_EQ(lay.nr_pages, 1);
	CHECK_EQ(lay.nr_queues, 1);
	CHECK(lay.multi_ref);
	CHECK_EQ(xbng_ring_refs_read(&lay, fake_read, &d, grefs, key, sizeof(key)), 0);
	CHECK_EQ(grefs[0], 42);
	CHECK_EQ(d.nr_asked, 1);
	CHECK_STR(d.asked[0], "ring-ref0");
}

TEST(layout_without_order_reads_ring_ref)
{
	struct fake_dir d = { .key = { "ring-ref", "ring-ref0" }, .val = { "77", "42" } };
	struct xbng_ring_layout lay;
	u32 grefs[16] = { 0 };
	char key[16];

	CHECK_EQ(xbng_ring_layout(NULL, NULL, 4, 4, &lay), 0);
	CHECK(!lay.multi_ref);
	CHECK_EQ(xbng_ring_refs_read(&lay, fake_read, &d, grefs, key, sizeof(key)), 0);
	CHECK_EQ(grefs[0], 77);
	CHECK_STR(d.asked[0], "ring-ref");
}

TEST(layout_order2_reads_four_refs)
{
	struct fake_dir d = { .key = { "ring-ref0", "ring-ref1", "ring-ref2", "ring-ref3" },
			      .val = { "10", "11", "12", "13" } };
	struct xbng_ring_layout lay;
	u32 grefs[16] = { 0 };
	char key[16];

	CHECK_EQ(xbng_ring_layout("2", "3", 4, 4, &lay), 0);
	CHECK_EQ(lay.nr_pages, 4);
	CHECK_EQ(lay.nr_queues, 3);
	CHECK_EQ(xbng_ring_refs_read(&lay, fake_read, &d, grefs, key, sizeof(key)), 0);
	CHECK_EQ(grefs[0], 10);
	CHECK_EQ(grefs[3], 13);
	/* A missing page names its key. */
	d.key[3] = NULL;
	CHECK_EQ(xbng_ring_refs_read(&lay, fake_read, &d, grefs, key, sizeof(key)), -ENOENT);
	CHECK_STR(key, "ring-ref3");
}

TEST(layout_not_a_number_is_absent)
{
	struct xbng_ring_layout lay;

	/* As the stock backend reads them: one page, one queue, said. */
	CHECK_EQ(xbng_ring_layout("bogus", "", 4, 4, &lay), 0);
	CHECK_EQ(lay.nr_pages, 1);
	CHECK_EQ(lay.nr_queues, 1);
	CHECK(!lay.multi_ref);
	CHECK(lay.order_ignored);
	CHECK(lay.queues_ignored);
	CHECK_EQ(xbng_ring_layout("-1", "0x2", 4, 4, &lay), 0);
	CHECK(lay.order_ignored && lay.queues_ignored && !lay.multi_ref);
	CHECK_EQ(xbng_ring_layout("1", "2", 4, 4, &lay), 0);
	CHECK(!lay.order_ignored && !lay.queues_ignored);
}

TEST(layout_out_of_range_is_refused)
{
	struct xbng_ring_layout lay = { .nr_pages = 7 };

	CHECK_EQ(xbng_ring_layout("5", NULL, 4, 4, &lay), -EINVAL);
	CHECK_EQ(xbng_ring_layout("4294967295", NULL, 4, 4, &lay), -EINVAL);
	CHECK_EQ(xbng_ring_layout("4294967296", NULL, 4, 4, &lay), -EINVAL);
	CHECK_EQ(xbng_ring_layout(NULL, "0", 4, 4, &lay), -EINVAL);
	CHECK_EQ(xbng_ring_layout(NULL, "5", 4, 4, &lay), -EINVAL);
	CHECK_EQ(xbng_ring_layout(NULL, "99999999999", 4, 4, &lay), -EINVAL);
	CHECK_EQ(lay.nr_pages, 7);	/* untouched */
}

TEST(cgroup_expand)
{
	char out[32];

	CHECK_EQ(xbng_cgroup_expand("xen/dom%d", 7, "web", out, sizeof(out)), 0);
	CHECK(!strcmp(out, "xen/dom7"));
	CHECK_EQ(xbng_cgroup_expand("xen.slice/%n-%d", 4294967295u, "web1", out,
				     sizeof(out)), 0);
	CHECK(!strcmp(out, "xen.slice/web1-4294967295"));
	CHECK_EQ(xbng_cgroup_expand("a%%b", 1, NULL, out, sizeof(out)), 0);
	CHECK(!strcmp(out, "a%b"));
	CHECK_EQ(xbng_cgroup_expand("", 1, NULL, out, sizeof(out)), 0);
	CHECK(!strcmp(out, ""));
}

TEST(cgroup_expand_hostile)
{
	static const char *const bad_names[] = { "", ".", "..", "a/b", "/", "../x" };
	static const char *const bad_templates[] = { "%", "x%", "%x", "%D", "%%%" };
	char out[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_names); i++)
		CHECK_EQ(xbng_cgroup_expand("xen/%n", 1, bad_names[i], out,
					    sizeof(out)), -EINVAL);
	CHECK_EQ(xbng_cgroup_expand("xen/%n", 1, NULL, out, sizeof(out)), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad_templates); i++)
		CHECK_EQ(xbng_cgroup_expand(bad_templates[i], 1, "n", out,
					    sizeof(out)), -EINVAL);
	/* Exactly full (15 bytes and the NUL) fits; one more does not. */
	CHECK_EQ(xbng_cgroup_expand("123456789012345", 1, NULL, out, 16), 0);
	CHECK_EQ(xbng_cgroup_expand("1234567890123456", 1, NULL, out, 16), -ENOSPC);
	CHECK_EQ(xbng_cgroup_expand("12345678901234%d", 10, NULL, out, 16), -ENOSPC);
	CHECK_EQ(xbng_cgroup_expand("", 1, NULL, out, 0), -ENOSPC);
	CHECK_EQ(xbng_cgroup_expand("a", 1, NULL, out, 0), -ENOSPC);
}
