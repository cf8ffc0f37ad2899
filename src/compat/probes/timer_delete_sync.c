// SPDX-License-Identifier: GPL-2.0
/*
 * timer_delete_sync: the new name of del_timer_sync().  Added in mainline
 * 6.2 with timer_delete(), but stable trees took it separately: Debian's
 * 5.10.262 has timer_delete_sync() and no timer_delete().  del_timer_sync()
 * was removed in 6.15.  compat.h maps the new name to the old one when
 * missing.
 */
#include <linux/timer.h>

int xbng_probe(struct timer_list *t);
int xbng_probe(struct timer_list *t)
{
	return timer_delete_sync(t);
}
