// SPDX-License-Identifier: GPL-2.0
/*
 * "squeeze": the stock behaviour since 5.6.  A memory-pressure event empties
 * the pool and keeps it empty for buffer_squeeze_duration_ms; afterwards the
 * pool may grow back to max_buffer_pages.
 */
#include "policy.h"

static unsigned long xbng_squeeze_target(const struct xbng_pool_view *v)
{
	/*
	 * now < until, compared through the signed difference (as the
	 * kernel's time_before() does) so that a clock wrapping past 2^64
	 * still compares right.
	 */
	if ((s64)(v->now_ms - v->squeeze_until_ms) < 0)
		return 0;
	return v->cap;
}

const struct xbng_pool_policy xbng_policy_squeeze = {
	.name = "squeeze",
	.target = xbng_squeeze_target,
	.release_on_pressure = true,
};
