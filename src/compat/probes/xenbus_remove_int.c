// SPDX-License-Identifier: GPL-2.0
/*
 * xenbus_remove_int: struct xenbus_driver.remove returns int, as before
 * mainline 6.2 (and before 6.1.162 in the 6.1 series).  Excludes
 * xenbus_remove_void.
 */
#include <xen/xenbus.h>

static int xbng_probe_remove(struct xenbus_device *dev)
{
	return 0;
}

extern struct xenbus_driver xbng_probe_driver;
struct xenbus_driver xbng_probe_driver = {
	.remove = xbng_probe_remove,
};
