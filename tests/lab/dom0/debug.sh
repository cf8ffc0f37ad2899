# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The lab on the debug dom0 kernel (LAB_KERNEL=debug, tests/debug/):
# KFENCE, SLUB debugging, page poisoning, UBSAN, lockdep, DEBUG_OBJECTS and
# list debugging report into dom0's log, which driver.sh scans after every
# test as in any run.  driver.sh also has kmemleak scan after every test
# (its I/O and its detaches) with kmemleak_scan below; the last test of a
# lab run, t_debug-unload, unloads the module first.

DEBUGFS=/sys/kernel/debug
KMEMLEAK=$DEBUGFS/kmemleak

# A run is called "debug" only on a kernel whose checkers are on: a build
# that lost one of them in its config would pass everything silently.
debug_kernel_check() {
	mountpoint -q "$DEBUGFS" || mount -t debugfs debugfs "$DEBUGFS" || {
		echo "cannot mount debugfs"
		return 1
	}
	grep -q 'kfence: initialized' "$OUT/dom0-boot-dmesg.log" || {
		echo "$(uname -r) has no KFENCE (no 'kfence: initialized' at boot)"
		return 1
	}
	[ -e /proc/lockdep ] || { echo "$(uname -r) has no lockdep (/proc/lockdep)"; return 1; }
	[ -w "$KMEMLEAK" ] || { echo "$(uname -r) has no kmemleak ($KMEMLEAK)"; return 1; }
	grep -q 'kmemleak: Kernel memory leak detector disabled' "$OUT/dom0-boot-dmesg.log" && {
		echo "kmemleak disabled itself at boot"
		return 1
	}
	[ -d "$DEBUGFS/failslab" ] && [ -d "$DEBUGFS/fail_page_alloc" ] || {
		echo "$(uname -r) has no failslab or fail_page_alloc in debugfs"
		return 1
	}
	# What boot left behind is not the module's: forget it.
	echo clear >"$KMEMLEAK"
}

# Scan for leaks now; prints the first line of a new report (and keeps it
# all in $LAB_T/kmemleak.log), nothing if there is none.  A reported object
# is cleared, so the next scan reports only new ones.  kmemleak reports
# only objects older than 5 s: what a test leaked in its last seconds is
# reported after the next test; "aged" waits those 5 s first (the last
# scan of a run).
kmemleak_scan() { # [aged]
	local t
	[ "${1:-}" = aged ] && sleep 5
	echo scan >"$KMEMLEAK"
	t=$(cat "$KMEMLEAK")
	[ -n "$t" ] || return 0
	echo "$t" >>"$LAB_T/kmemleak.log"
	echo clear >"$KMEMLEAK"
	echo "$t" | grep -m 1 'unreferenced object'
}

# The last test of a debug run: with every guest gone, the module unloads
# and leaves nothing behind that kmemleak can find.
t_debug-unload() {
	local g leak
	for g in $(xl list | awk 'NR > 2 {print $1}'); do
		timeout 120 xl destroy "$g" || fail "xl destroy $g failed"
	done
	wait_for 30 sh -c '! ls /sys/bus/xen-backend/devices/ | grep -q ^vbd-' ||
		fail "vbd devices left after every guest was destroyed: $(ls /sys/bus/xen-backend/devices/)"
	clean_slate g1
	[ "$LAB_BACKEND" = ng ] && ng_check_drained
	rmmod "$BACKEND_MOD" || fail "rmmod $BACKEND_MOD failed"
	leak=$(kmemleak_scan aged)
	[ -z "$leak" ] || fail "kmemleak after rmmod: $leak (see $LAB_T/kmemleak.log)"
	say "$BACKEND_MOD unloaded, kmemleak clean"
}
