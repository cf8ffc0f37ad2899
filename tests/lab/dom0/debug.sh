# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The lab on the debug dom0 kernel (LAB_KERNEL=debug, tests/debug/):
# KFENCE, SLUB debugging, page poisoning, UBSAN, lockdep, DEBUG_OBJECTS and
# list debugging report into dom0's log, which driver.sh scans after every
# test as in any run.  driver.sh also has kmemleak scan after every test
# (its I/O and its detaches) with kmemleak_scan below; the last test of a
# lab run, t_debug-unload, unloads the module first.  t_debug-faultinject
# drives the kernel's own fault injection, confined to the module's code,
# through connect, I/O and teardown.

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

# ------------------------------------------------- kernel fault injection
# failslab and fail_page_alloc fail an allocation only when a return address
# on its stack lies in [require-start, require-end): here the module's
# core (text and data; only text appears on a stack), read from
# /proc/modules.  Sleeping allocations are failed too (ignore-gfp-wait N):
# most of the module's allocations may sleep.  "times" counts down from
# FI_TIMES with every failure injected: the counter the table reports.
FI_TIMES=100000000
FI_ATTRS="failslab fail_page_alloc"

# The text of kernel function NAME as "START END" (hex), from /proc/kallsyms:
# from its address to the next higher one.  Two passes instead of a sort:
# sort(1) sizes its buffer by dom0's memory and ran the debug kernel's dom0
# out of it (run 20261207T172908Z-ng-kdebug).  The addresses have 16 hex
# digits, so comparing them as strings orders them.
ktext_range() { # NAME
	awk -v f="$1" '
		NR == FNR { if ($3 == f && s == "") s = $1 ""; next }
		s != "" && ($1 "") > s && (e == "" || ($1 "") < e) { e = $1 "" }
		END { if (e != "") print "0x" s, "0x" e }' /proc/kallsyms /proc/kallsyms
}

fi_setup() {
	local base size a
	read -r size base < <(awk -v m="$BACKEND_MOD" '$1 == m {print $2, $6}' /proc/modules)
	[ -n "${base:-}" ] && [ "$base" != 0x0000000000000000 ] ||
		fail "no load address for $BACKEND_MOD in /proc/modules"
	# Kernel addresses do not fit bash's signed arithmetic: printf
	# writes the sum's bits back as an unsigned hex number.
	FI_START=$base
	FI_END=$(printf '0x%x' $((base + size)))
	# Not failed: the /proc entries Linux makes for an IRQ when the
	# module binds an event channel.  Linux makes them best-effort, and
	# WARNs when it removes the IRQ and one is missing (remove_proc_entry:
	# "name 'effective_affinity'", run 20261207T165922Z-ng-kdebug): a
	# report about Linux, not about the module.
	read -r FI_REJECT_START FI_REJECT_END < <(ktext_range register_irq_proc)
	[ -n "${FI_REJECT_END:-}" ] || fail "register_irq_proc not in /proc/kallsyms"
	for a in $FI_ATTRS; do
		echo 0 >"$DEBUGFS/$a/probability"
		echo 1 >"$DEBUGFS/$a/interval"
		echo "$FI_TIMES" >"$DEBUGFS/$a/times"
		echo 0 >"$DEBUGFS/$a/space"
		echo 0 >"$DEBUGFS/$a/verbose"
		echo N >"$DEBUGFS/$a/task-filter"
		echo 32 >"$DEBUGFS/$a/stacktrace-depth"
		echo "$FI_START" >"$DEBUGFS/$a/require-start"
		echo "$FI_END" >"$DEBUGFS/$a/require-end"
		echo "$FI_REJECT_START" >"$DEBUGFS/$a/reject-start"
		echo "$FI_REJECT_END" >"$DEBUGFS/$a/reject-end"
		echo N >"$DEBUGFS/$a/ignore-gfp-wait"
	done
	echo N >"$DEBUGFS/fail_page_alloc/ignore-gfp-highmem"
	echo 0 >"$DEBUGFS/fail_page_alloc/min-order"
	echo N >"$DEBUGFS/failslab/cache-filter"
}

fi_set() { # PERCENT
	local a
	for a in $FI_ATTRS; do echo "$1" >"$DEBUGFS/$a/probability"; done
}

fi_off() {
	local a
	for a in $FI_ATTRS; do
		[ -e "$DEBUGFS/$a/probability" ] && echo 0 >"$DEBUGFS/$a/probability"
	done
	return 0
}

# Failures injected so far by ATTR.
fi_count() { echo $((FI_TIMES - $(cat "$DEBUGFS/$1/times"))); }
fi_counts() { echo "failslab=$(fi_count failslab) fail_page_alloc=$(fi_count fail_page_alloc)"; }

# One row of the table the run's log carries: phase, probability, failures
# injected during it (each attribute) and what the guest saw.
fi_row() { # PHASE PERCENT SLAB0 PAGE0 GUEST_SAW
	local s p
	s=$(($(fi_count failslab) - $3))
	p=$(($(fi_count fail_page_alloc) - $4))
	echo "$1 $2% failslab=$s fail_page_alloc=$p guest=$5" >>"$LAB_T/fi-table.txt"
	say "fault injection: $1 at $2%: failslab $s, fail_page_alloc $p, guest: $5"
}

# Run CMD... with injection at PERCENT: all the way for 1% and 10%; for
# the burst (100%), one second from the moment the backend device exists
# (the toolstack takes longer than that before the backend does anything),
# then the command finishes clean.
fi_during() { # PERCENT CMD...
	local pct=$1 pid rc
	shift
	if [ "$pct" = 100 ]; then
		"$@" &
		pid=$!
		wait_for 60 test -e "$(backend_dir g1 xvdb)"
		fi_set 100
		# A burst of one second is the case itself, not a wait.
		sleep 1
		fi_off
		wait "$pid"
		rc=$?
	else
		fi_set "$pct"
		"$@"
		rc=$?
	fi
	fi_off
	return "$rc"
}

# Attach under injection.  The backend may fail to connect (it then closes
# the device and says why in xenstore): that is the protocol's answer to a
# connect it cannot serve, so a failed attach passes if the detach is clean
# and the same disk attaches once the injection stops.  Sets FI_HOW to
# "connected" or "refused".
fi_attach() { # PERCENT
	if fi_during "$1" timeout 90 xl block-attach g1 \
		"$(disk_script)format=raw,vdev=xvdb,access=rw,target=$FAULT_DM" \
		>"$LAB_T/attach.log" 2>&1 && gcmd_q g1 60 waitdev xvdb 50; then
		FI_HOW=connected
		return 0
	fi
	timeout 90 xl block-detach g1 xvdb >/dev/null 2>&1 || timeout 60 xl block-detach -f g1 xvdb >/dev/null 2>&1
	wait_for 30 test ! -e "$(backend_dir g1 xvdb)" || fail "a connect that failed under injection left $(backend_dir g1 xvdb)"
	attach g1 xvdb "$FAULT_DM"
	FI_HOW=refused
}

# The phases of one probability: connect, verified I/O, teardown.  The
# guest may see an I/O error only where the backend cannot wait: with the
# module's pools it always can (it waits for memory, mem_waits), so every
# error and every pass that read back wrong data fails the test.
fi_round() { # PERCENT PASSES|burst
	local s0 p0 e0 o
	s0=$(fi_count failslab)
	p0=$(fi_count fail_page_alloc)
	fi_attach "$1"
	fi_row connect "$1" "$s0" "$p0" "$FI_HOW"

	fault_io inj 2
	s0=$(fi_count failslab)
	p0=$(fi_count fail_page_alloc)
	e0=$(fault_count inj eio)
	o=$(fault_count inj ok)
	fi_set "$1"
	if [ "$2" = burst ]; then
		# A burst of one second is the case itself, not a wait.
		sleep 1
	else
		# I/O goes on under injection: the backend waits, the guest
		# verifies.
		wait_for 180 fault_reached inj ok $((o + $2)) ||
			{ fi_off; fail "fewer than $2 verified passes in 180 s at $1%: $(fault_counts inj)"; }
	fi
	fi_off
	fi_row io "$1" "$s0" "$p0" "$(($(fault_count inj eio) - e0)) I/O errors"
	[ "$(fault_count inj eio)" = "$e0" ] ||
		fail "the guest saw I/O errors while allocations failed at $1%: $(fault_counts inj)"
	o=$(fault_count inj ok)
	wait_for 120 fault_reached inj ok $((o + 1)) || fail "no verified pass after $1% injection: $(fault_counts inj)"
	fault_stop inj

	# The backend writes its states again until xenstore takes them:
	# the detach completes under injection.
	s0=$(fi_count failslab)
	p0=$(fi_count fail_page_alloc)
	fi_during "$1" timeout 90 xl block-detach g1 xvdb >"$LAB_T/detach.log" 2>&1 ||
		fail "xl block-detach under $1% injection failed: $(tail -n 1 "$LAB_T/detach.log")"
	wait_for 30 test ! -e "$(backend_dir g1 xvdb)" ||
		fail "backend still there 30 s after a detach under $1% injection"
	gcmd_q g1 40 waitgone xvdb 30 || fail "guest still has xvdb after a detach under $1% injection"
	fi_row teardown "$1" "$s0" "$p0" detached
	check_released g1 "$FAULT_BASE"
	gcmd_q g1 10 rm -f /tmp/inj.cnt
}

t_debug-faultinject() {
	[ -d "$DEBUGFS/failslab" ] || fail "no failslab: not the debug kernel"
	fault_backing labfi 64
	fi_setup
	: >"$LAB_T/fi-table.txt"
	fi_round 1 4
	fi_round 10 4
	fi_round 100 burst
	# Confined: dom0 went on allocating everywhere else meanwhile.  No
	# page allocation is required to fail: with unpopulated-alloc (the
	# lab's kernels) the pools' pages come from gnttab_alloc_pages()'s own
	# reserve, not the page allocator; the test build's fault_page_alloc
	# (fault-nomem) fails those.
	[ "$(fi_count failslab)" -gt 0 ] || fail "no failslab failure was injected in the module: $(fi_counts)"
	attach g1 xvdb "$FAULT_DM"
	cross_check g1 xvdb "$FAULT_DM" 8
	detach g1 xvdb
	dmsetup remove labfi || fail "labfi still busy after detach"
	check_released g1 "$FAULT_BASE"
	# A teardown whose unwatch could not be allocated leaves xenstore a
	# stale watch (Linux: "Failed to release watch"); the attaches after
	# it must have connected, moving the module's watch if its address
	# came back (run 20261207T185709Z-ng-kdebug: once, at 10%).
	say "unwatches failed: $(dmesg | grep -c 'Failed to release watch .*/physical-device'), module watch moved: $(dmesg | grep -c 'stale watch')"
	say "injected in total: $(fi_counts)"
	cat "$LAB_T/fi-table.txt"
}
