// SPDX-License-Identifier: GPL-2.0
/*
 * "idle": squeeze, and also empty the pools of a ring that has taken nothing
 * for pool_idle_ms.  An idle disk then holds no idle pages, descriptors or
 * persistent grants at all, which is what matters when dom0 serves many
 * mostly idle disks (the same idea as tapdisk3's buffer cache decaying after
 * a few idle seconds).
 */
#include "policy.h"

static unsigned long xbng_idle_target(const struct xbng_pool_view *v)
{
	if (xbng_pool_idle_for(v, v->idle_ms))
		return 0;
	/* Otherwise exactly squeeze: empty during a pressure window. */
	return xbng_policy_squeeze.target(v);
}

const struct xbng_pool_policy xbng_policy_idle = {
	.name = "idle",
	.target = xbng_idle_target,
	.release_on_pressure = true,
};
