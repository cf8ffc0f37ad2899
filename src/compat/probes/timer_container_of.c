// SPDX-License-Identifier: GPL-2.0
/*
 * timer_container_of: mainline 6.16 rename of from_timer() ("treewide,
 * timers: Rename from_timer() to timer_container_of()").  compat.h maps it
 * to from_timer() when missing.
 */
#include <linux/timer.h>

int xbng_probe(struct timer_list *t);

struct xbng_probe_s {
	int x;
	struct timer_list timer;
};

int xbng_probe(struct timer_list *t)
{
	struct xbng_probe_s *s = timer_container_of(s, t, timer);

	return s->x;
}
