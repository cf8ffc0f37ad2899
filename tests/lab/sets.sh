# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Which tests run.  The default set stays under ~12 minutes wall on a 2-core
# machine (warm image cache); LAB_SET=full adds the slow ones.  Tests named
# in NG_ONLY exist only for xen-blkback-ng: with LAB_BACKEND=stock they are
# not run and not counted.

DEFAULT_TESTS="boot guest-boot integrity-loop integrity-brd integrity-dm flush discard readonly resize hotplug"
NG_DEFAULT_TESTS="pool-badname pool-static pool-squeeze pool-switch pool-adaptive pool-device-policy lifecycle"
FULL_TESTS="hotplug-20 many-disks two-guests guest-reboot guest-destroy"

lab_test_list() { # BACKEND SET
	local list=$DEFAULT_TESTS
	[ "$1" = ng ] && list="$list $NG_DEFAULT_TESTS"
	[ "$2" = full ] && list="$list $FULL_TESTS"
	echo "$list"
}
