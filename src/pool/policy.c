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

/*
 * Whether @name, as written to sysfs, is @want: one trailing newline (from
 * echo) is dropped, anything else must match exactly.
 */
static bool name_is(const char *name, const char *want)
{
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '\n')
		len--;
	return strlen(want) == len && !strncmp(want, name, len);
}

const struct xbng_pool_policy *xbng_policy_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(xbng_policies); i++)
		if (name_is(name, xbng_policies[i]->name))
			return xbng_policies[i];
	return NULL;
}

int xbng_policy_choose(const char *name, const struct xbng_pool_policy **pol)
{
	*pol = xbng_policy_find(name);
	if (*pol || (name && name_is(name, XBNG_POLICY_DEFAULT_NAME)))
		return 0;
	return -EINVAL;
}

/*
 * Append @word (bracketed if @active) to @buf, which holds @*used bytes of
 * @len.  False once the buffer is full: then *used is len - 1.  Counts only
 * what fitted (like scnprintf), so the total is always a valid length for a
 * sysfs show().
 */
static bool list_add_word(char *buf, size_t len, size_t *used,
			  const char *word, bool active)
{
	const char *sep = *used ? " " : "";
	int n;

	if (active)
		n = snprintf(buf + *used, len - *used, "%s[%s]", sep, word);
	else
		n = snprintf(buf + *used, len - *used, "%s%s", sep, word);
	if (n < 0)
		return false;
	if ((size_t)n >= len - *used) {
		*used = len - 1;
		return false;
	}
	*used += (size_t)n;
	return true;
}

static int policy_list(char *buf, size_t len,
		       const struct xbng_pool_policy *active, bool choices)
{
	size_t used = 0, i;
	int n;

	if (!buf || len == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(xbng_policies); i++)
		if (!list_add_word(buf, len, &used, xbng_policies[i]->name,
				   xbng_policies[i] == active))
			return (int)used;
	if (choices && !list_add_word(buf, len, &used,
				      XBNG_POLICY_DEFAULT_NAME, !active))
		return (int)used;
	n = snprintf(buf + used, len - used, "\n");
	if (n < 0)
		return (int)used;
	if ((size_t)n >= len - used)
		return (int)(len - 1);
	return (int)(used + (size_t)n);
}

int xbng_policy_list(char *buf, size_t len,
		     const struct xbng_pool_policy *active)
{
	return policy_list(buf, len, active, false);
}

int xbng_policy_list_choices(char *buf, size_t len,
			     const struct xbng_pool_policy *pinned)
{
	return policy_list(buf, len, pinned, true);
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

unsigned int xbng_pgrant_min_idle_ms(const struct xbng_pool_view *v)
{
	if (v->pressure || xbng_pool_in_squeeze(v))
		return 0;
	return XBNG_PGRANT_RECENT_MS;
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
