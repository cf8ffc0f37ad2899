// SPDX-License-Identifier: GPL-2.0
/*
 * xenbus_read_driver_state_path: xenbus_read_driver_state(path), the form
 * from the beginning of xenbus up to at least 6.12.  Excludes
 * xenbus_read_driver_state_dev.
 */
#include <xen/xenbus.h>

enum xenbus_state xbng_probe(const struct xenbus_device *dev);
enum xenbus_state xbng_probe(const struct xenbus_device *dev)
{
	enum xenbus_state (*read)(const char *path) =
		xenbus_read_driver_state;

	return read(dev->otherend);
}
