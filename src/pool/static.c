// SPDX-License-Identifier: GPL-2.0
/*
 * "static": the stock behaviour before 5.6.  Each pool keeps up to its cap
 * (max_buffer_pages free pages, a descriptor per ring slot,
 * max_persistent_grants) and ignores memory pressure.  For hosts where
 * pool pages cost dom0 nothing (ZONE_DEVICE grant pages, pages_cost_ram 0)
 * and the remapping work of giving them back is not worth it; elsewhere it
 * holds RAM under pressure that squeeze, the default, gives back.  Idle
 * descriptors still go after the idle period that every policy shares
 * (xbng_pool_target()).
 */
#include "policy.h"

static unsigned long xbng_static_target(const struct xbng_pool_view *v)
{
	return v->cap;
}

const struct xbng_pool_policy xbng_policy_static = {
	.name = "static",
	.target = xbng_static_target,
	.release_on_pressure = false,
};
