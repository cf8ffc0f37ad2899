// SPDX-License-Identifier: GPL-2.0
/*
 * "idle": squeeze, and also empty the pool of a ring that has taken no page
 * for pool_idle_ms.  An idle disk then holds no free pages at all, which is
 * what matters when dom0 serves many mostly idle disks (the same idea as
 * tapdisk3's buffer cache decaying after a few idle seconds).
 */
#include "policy.h"

static bool xbng_idle_for(const struct xbng_pool_view *v)
{
	u64 since = v->now_ms - v->last_busy_ms;

	/*
	 * Unsigned difference: right across a wrap of the clock.  A negative
	 * signed difference means last_busy_ms was stamped after the caller
	 * read now_ms (a race, not an idle period): the ring is busy.  An
	 * idle_ms of 0 means a ring counts as idle as soon as it is not busy.
	 */
	if ((s64)since < 0)
		return false;
	return since >= v->idle_ms;
}

static unsigned long xbng_idle_target(const struct xbng_pool_view *v)
{
	if (xbng_idle_for(v))
		return 0;
	/* Otherwise exactly squeeze: empty during a pressure window. */
	return xbng_policy_squeeze.target(v);
}

const struct xbng_pool_policy xbng_policy_idle = {
	.name = "idle",
	.target = xbng_idle_target,
	.release_on_pressure = true,
};
