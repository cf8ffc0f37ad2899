// SPDX-License-Identifier: GPL-2.0
/*
 * xenbus_read_driver_state_dev: xenbus_read_driver_state(dev, path) takes
 * the xenbus device as well as the xenstore path.  Changed after 6.12
 * (which still has the path-only form); Debian's 7.2.13 and 7.3.4 have
 * the two-argument form.  The exact mainline release was not pinned down
 * here; the probe, not a version, decides.  Excludes
 * xenbus_read_driver_state_path.
 */
#include <xen/xenbus.h>

enum xenbus_state xbng_probe(const struct xenbus_device *dev);
enum xenbus_state xbng_probe(const struct xenbus_device *dev)
{
	enum xenbus_state (*read)(const struct xenbus_device *dev,
				  const char *path) =
		xenbus_read_driver_state;

	return read(dev, dev->otherend);
}
