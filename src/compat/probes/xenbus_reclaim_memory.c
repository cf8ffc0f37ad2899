// SPDX-License-Identifier: GPL-2.0
/*
 * xenbus_reclaim_memory: struct xenbus_driver.reclaim_memory, called by the
 * xen-backend shrinker in xenbus_probe_backend.c under memory pressure.
 * Mainline 5.6; backported to older stable trees in Dec 2024.  Optional:
 * without it the module's own shrinker is the only pressure signal.
 */
#include <xen/xenbus.h>

static void xbng_probe_reclaim(struct xenbus_device *dev)
{
}

extern struct xenbus_driver xbng_probe_driver;
struct xenbus_driver xbng_probe_driver = {
	.reclaim_memory = xbng_probe_reclaim,
};
