// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of xenstore values.  Deliberately stricter than the sscanf()-based
 * parsing of the stock backend: a value is exactly the digits, with no sign,
 * no blanks, no base prefix and nothing trailing, because anything lenient
 * is a second meaning a hostile frontend could play with.  The parsers use
 * only what both the kernel and libc provide, so the fuzzers run this code.
 */
#include "xs_values.h"

/* Linux dev_t: 12-bit major, 20-bit minor (MINORBITS). */
#define XBNG_MAJOR_MAX	0xfffu
#define XBNG_MINOR_MAX	0xfffffu

/* Value of digit @c in @base (10 or 16), or -1. */
static int xbng_digit(char c, unsigned int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parse the digits of @s up to the first @stop character (which may be the
 * NUL) into a number <= @max.  *@end is left at the stop character.  Any
 * other character, or no digit at all, is -EINVAL; a well-formed number
 * above @max is -ERANGE.  The value saturates once above @max, so a digit
 * string of any length cannot overflow, and the whole string is still
 * scanned so that "99999999999x" is -EINVAL and not -ERANGE.
 */
static int xbng_parse_digits(const char *s, unsigned int base, char stop,
			     u32 max, u32 *out, const char **end)
{
	u64 val = 0;
	bool too_big = false;
	const char *p;
	int d;

	for (p = s; *p != stop; p++) {
		d = xbng_digit(*p, base);
		if (d < 0)
			return -EINVAL;
		if (too_big)
			continue;
		/* val <= max < 2^32 here, so this fits in 64 bits. */
		val = val * base + (unsigned int)d;
		if (val > max)
			too_big = true;
	}
	if (p == s)
		return -EINVAL;
	*end = p;
	if (too_big)
		return -ERANGE;
	*out = (u32)val;
	return 0;
}

int xbng_parse_uint(const char *s, u32 max, u32 *out)
{
	const char *end;

	if (!s)
		return -EINVAL;
	return xbng_parse_digits(s, 10, '\0', max, out, &end);
}

int xbng_parse_physical_device(const char *s, u32 *major, u32 *minor)
{
	const char *end;
	u32 ma, mi;
	int err, err2;

	if (!s)
		return -EINVAL;
	/* Without a ':' the major's scan meets the NUL, a non-digit. */
	err = xbng_parse_digits(s, 16, ':', XBNG_MAJOR_MAX, &ma, &end);
	if (err == -EINVAL)
		return err;
	err2 = xbng_parse_digits(end + 1, 16, '\0', XBNG_MINOR_MAX, &mi, &end);
	/* A malformed value outranks an oversized one, as in parse_uint. */
	if (err2 == -EINVAL)
		return err2;
	if (err || err2)
		return -ERANGE;
	*major = ma;
	*minor = mi;
	return 0;
}

int xbng_parse_protocol(const char *s, enum xbng_abi native,
			enum xbng_abi *abi)
{
	if ((unsigned int)native >= XBNG_ABI_COUNT)
		return -EINVAL;
	/* Frontends that predate the key write nothing: their own ABI. */
	if (!s || !*s || !strcmp(s, "native"))
		*abi = native;
	else if (!strcmp(s, "x86_32-abi"))
		*abi = XBNG_ABI_X86_32;
	else if (!strcmp(s, "x86_64-abi"))
		*abi = XBNG_ABI_X86_64;
	else
		return -EINVAL;
	return 0;
}

int xbng_parse_mode(const char *s, bool *writable)
{
	if (!s)
		return -EINVAL;
	/*
	 * The hotplug script writes "w" or "r"; old toolstacks wrote "w!" for
	 * a writable disk shared on purpose.  Anything else is refused rather
	 * than guessed, so a typo never turns a disk writable.
	 */
	if (s[0] == 'w')
		*writable = true;
	else if (s[0] == 'r')
		*writable = false;
	else
		return -EINVAL;
	return 0;
}

int xbng_ring_pages(bool have_order, u32 order, u32 max_order,
		    unsigned int *nr_pages)
{
	/* No ring-page-order: the single-page "ring-ref" protocol. */
	if (!have_order) {
		*nr_pages = 1;
		return 0;
	}
	/* The second test keeps the shift defined whatever max_order is. */
	if (order > max_order || order >= 32)
		return -EINVAL;
	*nr_pages = 1u << order;
	return 0;
}

int xbng_nr_queues(bool present, u32 requested, u32 max_queues,
		   unsigned int *nr_queues)
{
	/* Frontends without multi-queue support write nothing. */
	if (!present) {
		*nr_queues = 1;
		return 0;
	}
	if (requested == 0 || requested > max_queues)
		return -EINVAL;
	*nr_queues = requested;
	return 0;
}

int xbng_ring_ref_key(bool multi_ref, unsigned int i, char *buf, size_t len)
{
	int n;

	if (!buf || len == 0)
		return -ENOSPC;
	if (multi_ref)
		n = snprintf(buf, len, "ring-ref%u", i);
	else
		n = snprintf(buf, len, "ring-ref");
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}

/*
 * An optional number from the frontend: *@present is false when @s is
 * absent or not a number (*@ignored then tells which), true with its value
 * otherwise; -ERANGE for a number that does not fit in 32 bits.
 */
static int xbng_optional_uint(const char *s, bool *present, bool *ignored,
			      u32 *val)
{
	int err;

	*present = false;
	*ignored = false;
	*val = 0;
	if (!s)
		return 0;
	err = xbng_parse_uint(s, U32_MAX, val);
	if (err == -EINVAL) {
		*ignored = true;
		return 0;
	}
	*present = !err;
	return err;
}

int xbng_ring_layout(const char *order, const char *queues, u32 max_order,
		     u32 max_queues, struct xbng_ring_layout *lay)
{
	struct xbng_ring_layout l;
	bool have_order, have_queues;
	u32 o, q;
	int err;

	err = xbng_optional_uint(order, &have_order, &l.order_ignored, &o);
	if (!err)
		err = xbng_ring_pages(have_order, o, max_order, &l.nr_pages);
	if (err)
		return -EINVAL;
	err = xbng_optional_uint(queues, &have_queues, &l.queues_ignored, &q);
	if (!err)
		err = xbng_nr_queues(have_queues, q, max_queues, &l.nr_queues);
	if (err)
		return -EINVAL;
	l.multi_ref = have_order;
	*lay = l;
	return 0;
}

int xbng_ring_refs_read(const struct xbng_ring_layout *lay,
			xbng_xs_u32_reader read, const void *ctx, u32 *grefs,
			char *key, size_t key_len)
{
	unsigned int i;
	int err;

	for (i = 0; i < lay->nr_pages; i++) {
		err = xbng_ring_ref_key(lay->multi_ref, i, key, key_len);
		if (!err)
			err = read(ctx, key, &grefs[i]);
		if (err)
			return err;
	}
	return 0;
}

static bool xbng_cgroup_name_ok(const char *name)
{
	return name && *name && strcmp(name, ".") && strcmp(name, "..") &&
	       !strchr(name, '/');
}

int xbng_cgroup_expand(const char *tmpl, u32 domid, const char *name,
		       char *out, size_t len)
{
	size_t n = 0, add;
	char id[12];
	const char *s;

	for (s = tmpl; *s; s++) {
		const char *piece = s;

		add = 1;
		if (*s == '%') {
			switch (*++s) {
			case 'd':
				snprintf(id, sizeof(id), "%u", domid);
				piece = id;
				add = strlen(id);
				break;
			case 'n':
				if (!xbng_cgroup_name_ok(name))
					return -EINVAL;
				piece = name;
				add = strlen(name);
				break;
			case '%':
				break;
			default:
				return -EINVAL;
			}
		}
		if (add >= len - n)
			return -ENOSPC;
		memcpy(out + n, piece, add);
		n += add;
	}
	if (!len)
		return -ENOSPC;
	out[n] = '\0';
	return 0;
}
