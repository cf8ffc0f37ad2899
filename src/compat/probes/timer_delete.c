// SPDX-License-Identifier: GPL-2.0
/*
 * timer_delete: the new name of del_timer().  Added in mainline 6.2
 * ("timers: Rename del_timer() to timer_delete()"), backported to 6.1.y
 * (Debian's 6.1.0-56 has it); del_timer() itself was removed in 6.15.
 * Probed apart from timer_delete_sync: 5.10.y got that one alone.
 * compat.h maps the new name to the old one when missing.
 */
#include <linux/timer.h>

int xbng_probe(struct timer_list *t);
int xbng_probe(struct timer_list *t)
{
	return timer_delete(t);
}
