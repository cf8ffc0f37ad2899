// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: every xenstore value parser, and the pool policy name
 * lookup, on an arbitrary NUL-terminated string held in a heap buffer of
 * exactly its length + 1 (ASan catches a read past the NUL).  Results are
 * compared with independent, simple-minded references.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_values.h"
#include "../../src/pool/policy.h"

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

/* Digits only; value by u64 accumulation, clamped once past 2^32. */
static int ref_uint(const char *s, size_t len, u32 max, u32 *out)
{
	u64 v = 0;
	size_t i;

	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
	for (i = 0; i < len; i++) {
		v = v * 10 + (u64)(s[i] - '0');
		if (v > 0xffffffffull)
			v = 0x100000000ull;
	}
	if (v > max)
		return -ERANGE;
	*out = (u32)v;
	return 0;
}

/* Hex digits only; value by strtoull on at most 16 significant digits. */
static int ref_hex(const char *s, size_t len, u32 max, u32 *out)
{
	char buf[17];
	u64 v;
	size_t i;

	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
	while (len > 1 && *s == '0') {
		s++;
		len--;
	}
	if (len > 16)
		return -ERANGE;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtoull(buf, NULL, 16);
	if (v > max)
		return -ERANGE;
	*out = (u32)v;
	return 0;
}

static int ref_pdev(const char *s, u32 *ma, u32 *mi)
{
	const char *colon = strchr(s, ':');
	int e1, e2;

	if (!colon)
		return -EINVAL;
	e1 = ref_hex(s, (size_t)(colon - s), 0xfff, ma);
	e2 = ref_hex(colon + 1, strlen(colon + 1), 0xfffff, mi);
	if (e1 == -EINVAL || e2 == -EINVAL)
		return -EINVAL;
	return e1 ? e1 : e2;
}

static void check_uint(const char *s, u32 max)
{
	u32 got = 1, want = 2;
	int eg, ew;

	eg = xbng_parse_uint(s, max, &got);
	ew = ref_uint(s, strlen(s), max, &want);
	ASSERT(eg == ew);
	ASSERT(eg || got == want);
	ASSERT(!eg || got == 1);
}

static void check_policy(const char *s)
{
	const struct xbng_pool_policy *p = xbng_policy_find(s);
	static const char *const names[] = {
		"static", "squeeze", "idle", "adaptive",
	};
	const size_t nr = ARRAY_SIZE(names);
	const struct xbng_pool_policy *chosen;
	char buf[64];
	size_t i;
	int e, n;

	for (i = 0; i < nr; i++) {
		snprintf(buf, sizeof(buf), "%s\n", names[i]);
		if (!strcmp(s, names[i]) || !strcmp(s, buf))
			break;
	}
	e = xbng_policy_choose(s, &chosen);
	if (i == nr) {
		ASSERT(!p);
		if (!strcmp(s, "default") || !strcmp(s, "default\n"))
			ASSERT(!e && !chosen);
		else
			ASSERT(e == -EINVAL);
		return;
	}
	ASSERT(p && !strcmp(p->name, names[i]));
	ASSERT(!e && chosen == p);
	n = xbng_policy_list(buf, sizeof(buf), p);
	ASSERT(n > 0 && (size_t)n == strlen(buf));
	n = xbng_policy_list_choices(buf, sizeof(buf), p);
	ASSERT(n > 0 && (size_t)n == strlen(buf) && strstr(buf, "default"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = strnlen((const char *)data, size);
	enum xbng_abi abi;
	u32 ma = 1, mi = 1, rma = 2, rmi = 2, v;
	unsigned int n;
	char key[12];
	bool w;
	char cg[24];
	char *s;
	int e, r;

	s = malloc(len + 1);
	if (!s)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';

	check_uint(s, 0xffffffffu);
	check_uint(s, 4);
	check_uint(s, 0);
	if (size >= 4) {
		memcpy(&v, data + size - 4, 4);
		check_uint(s, v);
	}

	e = xbng_parse_physical_device(s, &ma, &mi);
	r = ref_pdev(s, &rma, &rmi);
	ASSERT(e == r);
	ASSERT(e || (ma == rma && mi == rmi));

	e = xbng_parse_protocol(s, XBNG_ABI_X86_64, &abi);
	if (!*s || !strcmp(s, "native") || !strcmp(s, "x86_64-abi"))
		ASSERT(!e && abi == XBNG_ABI_X86_64);
	else if (!strcmp(s, "x86_32-abi"))
		ASSERT(!e && abi == XBNG_ABI_X86_32);
	else
		ASSERT(e == -EINVAL);

	/* The input as a template and as the domain's name, into 24 bytes. */
	e = xbng_cgroup_expand(s, 7, s, cg, sizeof(cg));
	ASSERT(e == 0 || e == -EINVAL || e == -ENOSPC);
	ASSERT(e || strlen(cg) < sizeof(cg));

	e = xbng_parse_mode(s, &w);
	if (s[0] == 'w' || s[0] == 'r')
		ASSERT(!e && w == (s[0] == 'w'));
	else
		ASSERT(e == -EINVAL);

	check_policy(s);

	/* The numeric helpers, with numbers taken from the same bytes. */
	if (size >= 8) {
		u32 a, b;

		memcpy(&a, data, 4);
		memcpy(&b, data + 4, 4);
		e = xbng_ring_pages(true, a, b, &n);
		ASSERT(e ? (a > b || a >= 32) : n == 1u << a);
		e = xbng_nr_queues(true, a, b, &n);
		ASSERT(e ? (a == 0 || a > b) : n == a);
		e = xbng_ring_ref_key(a & 1, b, key, (size_t)(data[0] % 13));
		if (!e)
			ASSERT(strlen(key) < (size_t)(data[0] % 13) &&
			       !strncmp(key, "ring-ref", 8));
		ASSERT(xbng_ring_slots((enum xbng_abi)(a & 1), b) <=
		       (b ? (u64)b * 4096 / 108 : 0));
	}
	free(s);
	return 0;
}
