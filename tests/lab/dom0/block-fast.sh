#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A minimal hotplug script for phy disks, used instead of Xen's
# /etc/xen/scripts/block: under TCG that bash script takes 10-40 s per disk
# and libxl kills it at 40 s on a loaded machine.  It does the part the
# backend driver depends on: physical-device (major:minor in hex) and
# hotplug-status.  LAB_HOTPLUG=xen in the environment of tests/lab/run
# selects Xen's own script again.
#   libxl calls: block-fast add|remove, with XENBUS_PATH set.
case "$1" in
add)
	p=$(xenstore-read "$XENBUS_PATH/params") || exit 1
	if [ ! -b "$p" ]; then
		xenstore-write "$XENBUS_PATH/hotplug-error" "$p is not a block device" \
			"$XENBUS_PATH/hotplug-status" error
		exit 1
	fi
	xenstore-write "$XENBUS_PATH/physical-device" "$(stat -L -c '%t:%T' "$p")" \
		"$XENBUS_PATH/physical-device-path" "$p" \
		"$XENBUS_PATH/hotplug-status" connected
	;;
remove) ;;
esac
exit 0
