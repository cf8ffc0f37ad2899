// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of pool policies, and the arithmetic every policy shares.
 * Adding a policy: a new file defining its struct xbng_pool_policy, an
 * extern in policy.h and one line in xbng_policies[].
 */
#include "policy.h"

/* The first entry is listed first; the order is what users see in sysfs. */
static const struct xbng_pool_policy * const xbng_policies[] = {
	&xbng_policy_static,
	&xbng_policy_squeeze,
	&xbng_policy_idle,
	&xbng_policy_adaptive,
};

const struct xbng_pool_policy *xbng_policy_find(const char *name)
{
	size_t len, i;

	if (!name)
		return NULL;
	len = strlen(name);
	/* A sysfs write from echo ends in one newline; drop just that one. */
	if (len > 0 && name[len - 1] == '\n')
		len--;
	for (i = 0; i < ARRAY_SIZE(xbng_policies); i++) {
		const char *pname = xbng_policies[i]->name;

		if (strlen(pname) == len && !strncmp(pname, name, len))
			return xbng_policies[i];
	}
	return NULL;
}

int xbng_policy_list(char *buf, size_t len,
		     const struct xbng_pool_policy *active)
{
	size_t used = 0, i;
	int n;

	if (!buf || len == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(xbng_policies); i++) {
		const struct xbng_pool_policy *pol = xbng_policies[i];
		const char *sep = i ? " " : "";

		if (pol == active)
			n = snprintf(buf + used, len - used, "%s[%s]", sep,
				     pol->name);
		else
			n = snprintf(buf + used, len - used, "%s%s", sep,
				     pol->name);
		/*
		 * Count only what fitted (like scnprintf), so the return
		 * value is always a valid length for a sysfs show().
		 */
		if (n < 0)
			return (int)used;
		if ((size_t)n >= len - used)
			return (int)(len - 1);
		used += (size_t)n;
	}
	n = snprintf(buf + used, len - used, "\n");
	if (n < 0)
		return (int)used;
	if ((size_t)n >= len - used)
		return (int)(len - 1);
	return (int)(used + (size_t)n);
}

bool xbng_pool_in_squeeze(const struct xbng_pool_view *v)
{
	/*
	 * now < until, compared through the signed difference (as the
	 * kernel's time_before() does) so that a clock wrapping past 2^64
	 * still compares right.
	 */
	return (s64)(v->now_ms - v->squeeze_until_ms) < 0;
}

bool xbng_pool_idle_for(const struct xbng_pool_view *v, u64 ms)
{
	u64 since = v->now_ms - v->last_busy_ms;

	/*
	 * Unsigned difference: right across a wrap of the clock.  A negative
	 * signed difference means last_busy_ms was stamped after the caller
	 * read now_ms (a race, not an idle period): the ring is busy.
	 */
	if ((s64)since < 0)
		return false;
	return since >= ms;
}

unsigned long xbng_pool_target(const struct xbng_pool_policy *pol,
			       const struct xbng_pool_view *v)
{
	unsigned long target;

	if (v->pressure && pol->release_on_pressure)
		return 0;
	if (v->expire_ms && xbng_pool_idle_for(v, v->expire_ms))
		return 0;
	target = pol->target(v);
	return target < v->cap ? target : v->cap;
}

unsigned long xbng_pool_excess(const struct xbng_pool_policy *pol,
			       const struct xbng_pool_view *v)
{
	unsigned long target = xbng_pool_target(pol, v);

	return v->free > target ? v->free - target : 0;
}
