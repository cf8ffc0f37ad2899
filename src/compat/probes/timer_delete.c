// SPDX-License-Identifier: GPL-2.0
/*
 * timer_delete: timer_delete() and timer_delete_sync().  Added in mainline
 * 6.2 as the new names (and backported to 6.1.y: Debian's 6.1.0-56 has
 * them); the old del_timer{,_sync}() were removed in 6.15.  compat.h maps
 * the new names to the old ones when missing.
 */
#include <linux/timer.h>

int xbng_probe(struct timer_list *t);
int xbng_probe(struct timer_list *t)
{
	return timer_delete(t) + timer_delete_sync(t);
}
