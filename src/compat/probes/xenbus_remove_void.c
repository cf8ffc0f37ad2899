// SPDX-License-Identifier: GPL-2.0
/*
 * xenbus_remove_void: struct xenbus_driver.remove returns void.
 * Mainline 6.2 ("xen: make remove callback of xen driver void returned");
 * backported to 6.1.162, so Debian's 6.1.0-56 (6.1.192) has it while its
 * version still says 6.1.  Excludes xenbus_remove_int.
 */
#include <xen/xenbus.h>

static void xbng_probe_remove(struct xenbus_device *dev)
{
}

extern struct xenbus_driver xbng_probe_driver;
struct xenbus_driver xbng_probe_driver = {
	.remove = xbng_probe_remove,
};
