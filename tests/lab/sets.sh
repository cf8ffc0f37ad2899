# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Which tests run.  The default set (what make check runs, fault tests
# included) stays under ~18 minutes wall on a 2-core machine (warm image
# cache); LAB_SET=full adds the slow ones.  Tests named
# in NG_ONLY exist only for xen-blkback-ng: with LAB_BACKEND=stock they are
# not run and not counted.  LAB_SET=faults runs only the fault tests
# (dom0/faults.sh: failing backing devices, dom0 OOM), on either backend.
# LAB_SET=quick is the debug tier's share of make check (tests/debug/run):
# the data path, a reconnect, a detach under I/O and a pressure event, in
# about a quarter of an hour on the debug kernel, where the default set
# takes three quarters.

DEFAULT_TESTS="boot guest-boot integrity-loop integrity-brd integrity-dm geometry placement flush discard readonly cdrom resize hotplug save-restore attach-bad-target cgroup-io-max"
NG_DEFAULT_TESTS="pool-badname pool-static pool-squeeze pool-pressure-once pool-switch pool-adaptive pool-device-policy pool-idle-return pool-budget pool-budget-pages lifecycle held-pages-iscsi fault-nomem fault-nomem-detach trace debugfs install-path switch-from-stock"
FULL_TESTS="hotplug-20 many-disks two-guests guest-reboot guest-destroy migrate-local"
# Tests with a PVH guest: the run gives QEMU's CPU nested paging (+npt),
# without which Xen cannot run PVH.  Not in the default set: under TCG's
# emulated nested paging a PVH guest triple-faults now and then (run
# 20261207T174756Z-ng-kdebug: twice in five minutes, Xen's "Triple fault",
# RIP inside Xen), which would make make check fail at random.
PVH_TESTS="migrate-local"
NG_FULL_TESTS="held-pages-iscsi-long"
QUICK_TESTS="boot guest-boot integrity-loop save-restore"
NG_QUICK_TESTS="lifecycle pool-pressure-once"
FAULT_TESTS="fault-flakey fault-error fault-backing-gone fault-oom teardown-stalled"

# On the debug kernel (LAB_KERNEL=debug), after the set: the kernel's own
# fault injection confined to the backend, then the unload (dom0/debug.sh).
DEBUG_TESTS="debug-faultinject debug-unload"

lab_test_list() { # BACKEND SET
	local list="$DEFAULT_TESTS $FAULT_TESTS"
	if [ "$2" = faults ]; then
		echo "boot guest-boot $FAULT_TESTS"
		return
	fi
	if [ "$2" = quick ]; then
		list=$QUICK_TESTS
		[ "$1" = ng ] && list="$list $NG_QUICK_TESTS"
		echo "$list"
		return
	fi
	[ "$1" = ng ] && list="$list $NG_DEFAULT_TESTS"
	[ "$2" = full ] && list="$list $FULL_TESTS"
	[ "$1" = ng ] && [ "$2" = full ] && list="$list $NG_FULL_TESTS"
	echo "$list"
}
