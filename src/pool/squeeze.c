// SPDX-License-Identifier: GPL-2.0
/*
 * "squeeze", the default: the stock behaviour since 5.6, and more.  A
 * memory-pressure event empties the pools and keeps them empty for
 * buffer_squeeze_duration_ms; afterwards they may grow back to their caps.
 * The stock driver empties only its free pages; descriptors and idle
 * persistent grants hold dom0 memory too, and go with them.
 */
#include "policy.h"

static unsigned long xbng_squeeze_target(const struct xbng_pool_view *v)
{
	return xbng_pool_in_squeeze(v) ? 0 : v->cap;
}

const struct xbng_pool_policy xbng_policy_squeeze = {
	.name = "squeeze",
	.target = xbng_squeeze_target,
	.release_on_pressure = true,
};
