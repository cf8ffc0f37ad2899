// SPDX-License-Identifier: GPL-2.0
/*
 * sanity: must always compile.  If it does not, the headers tree or its
 * compiler is broken, and every other probe's "no" would be a lie, so the
 * build stops instead of picking fallbacks.
 */
#include <linux/module.h>
#include <linux/blkdev.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/events.h>
#include <xen/grant_table.h>

int xbng_probe(void);
int xbng_probe(void)
{
	return 0;
}
