# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Fault tests (LAB_SET=faults): the backing device fails under a guest's
# verified I/O, or dom0 runs out of memory.  Sourced by driver.sh after
# tests.sh, like it; each t_fault-NAME asserts, besides its own checks:
#   - errors reach the guest as I/O errors, never as wrong data: the guest's
#     faultio counts each fio verify pass as ok, eio, bad or other, and bad
#     or other fails the test;
#   - nothing hangs: every wait has a bound, the guest's longest pass stays
#     under FAULT_MAX_PASS seconds, and dom0's hung-task detector runs with
#     a short timeout during the test (a hung-task report is a "Call Trace"
#     the driver fails the test on, like any BUG/WARNING/Oops);
#   - the guest verifies again once the fault is gone, and after the last
#     detach no grant of the guest is mapped and (ng) the pools are empty.
# Written for both backends: nothing here needs xen-blkback-ng except the
# pool checks that check_released makes in ng runs.

# A pass of a few MiB takes 1-5 s under TCG; one that takes this long is
# an I/O that hung and was rescued by a timeout somewhere.
FAULT_MAX_PASS=$((60 * ${LAB_TIME_SCALE:-1}))
# The hung-task detector's timeout during a fault test (Debian: 120 s).
FAULT_HUNG_SECS=$((30 * ${LAB_TIME_SCALE:-1}))

# Undo what a fault test changed in dom0, also when it fails or is killed.
fault_cleanup() {
	local p v
	[ -n "${FAULT_OLD_HUNG:-}" ] && echo "$FAULT_OLD_HUNG" >/proc/sys/kernel/hung_task_timeout_secs
	if [ -s /tmp/fault-oom-adj ]; then
		while read -r p v; do
			echo "$v" >"/proc/$p/oom_score_adj" 2>/dev/null
		done </tmp/fault-oom-adj
		rm -f /tmp/fault-oom-adj
	fi
	[ -n "${FAULT_OLD_DUMP:-}" ] && echo "$FAULT_OLD_DUMP" >/proc/sys/vm/oom_dump_tasks
	# The kernel's fault injection (debug kernel, dom0/debug.sh).
	fi_off
	# Policy, persistent grants, fault injection: as the module loaded.
	[ "$LAB_BACKEND" = ng ] && ng_params_restore
	if mountpoint -q /run/fault-fill; then
		umount /run/fault-fill
	fi
	# dom0's /tmp is RAM: the backing files go (a loop still bound to one
	# keeps its pages until the next test's prep unbinds it).
	rm -f /tmp/labf*.img
	return 0
}

# The disk of a fault test: a dm-linear device LABNAME over a loop device of
# MIB MiB, attached to g1 as xvdb (no-persistent: without persistent
# grants).  Sets FAULT_DM (its node), FAULT_LOOP, FAULT_TABLE (the linear
# table, to heal with) and FAULT_BASE (grants of g1 that dom0 mapped
# before).
fault_disk() { # LABNAME MIB [no-persistent]
	fault_backing "$@"
	attach g1 xvdb "$FAULT_DM"
}

# fault_disk without the attach, for a test that attaches it itself.
fault_backing() { # LABNAME MIB [no-persistent]
	prep
	trap fault_cleanup EXIT
	# After prep, which puts the module's parameters back.
	[ "${3:-}" = no-persistent ] && fault_no_persistent
	FAULT_OLD_HUNG=$(cat /proc/sys/kernel/hung_task_timeout_secs) ||
		fail "no hung-task detector in dom0's kernel"
	echo "$FAULT_HUNG_SECS" >/proc/sys/kernel/hung_task_timeout_secs
	FAULT_BASE=$(grants_mapped "$(xl domid g1)")
	FAULT_LOOP=$(mk_loop "$1" "$2") || fail "losetup failed"
	FAULT_TABLE="0 $(blockdev --getsz "$FAULT_LOOP") linear $FAULT_LOOP 0"
	FAULT_DM=$(mk_dm "$1" "$FAULT_TABLE") || fail "dmsetup create $1 failed"
}

# ng: every segment mapped for its request alone from the next attach on
# (no persistent grants); fault_cleanup restores the setting.
fault_no_persistent() { ng_set feature_persistent 0; }

# ng: the module must be a test build (make XBNG_FAULT_INJECT=y).
need_test_build() {
	[ -e "$NG_SYS/parameters/fault_page_alloc" ] ||
		fail "the module is not a test build (no fault_page_alloc parameter)"
}

# Replace the table of a live dm device: in-flight I/O drains at the
# suspend, the new table serves from the resume on.
dm_swap() { # NAME TABLE
	timeout 60 dmsetup suspend "$1" || fail "dmsetup suspend $1 failed or hung"
	# A device left suspended would hang every later test's I/O.
	dmsetup load "$1" --table "$2" || { dmsetup resume "$1"; fail "dmsetup load $1 '$2' failed"; }
	timeout 60 dmsetup resume "$1" || fail "dmsetup resume $1 failed or hung"
	say "$1 now: $(dmsetup table "$1")"
}

# Start the guest's faultio on xvdb (see guest/faultio) and wait for its
# first verified passes: the disk works before the fault.
fault_io() { # NAME MIB [FIO-ARGS...]
	gcmd g1 20 bgrun "$1" faultio xvdb "$@" >/dev/null || fail "cannot start faultio in the guest"
	wait_for 120 fault_reached "$1" ok 2 || fail "no verified pass before the fault: $(fault_counts "$1")"
}

# The guest's faultio counters, "n=.. ok=.. eio=.. bad=.. other=.. longest=..".
fault_counts() { # NAME
	gcmd g1 20 cat "/tmp/$1.cnt" 2>/dev/null | grep -m 1 '^n='
}

# FIELD's value in a counters line "n=.. ok=.. ...".
counter() { # LINE FIELD
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

fault_count() { # NAME FIELD
	counter "$(fault_counts "$1")" "$2"
}

fault_reached() { # NAME FIELD N
	local v
	v=$(fault_count "$1" "$2")
	[ "${v:-0}" -ge "$3" ]
}

# Stop faultio; it must end within the bound, with no pass that read back
# wrong data or failed for another reason than an I/O error, and no pass
# longer than FAULT_MAX_PASS.  Prints the final counters.
fault_stop() { # NAME
	local c longest
	gcmd g1 10 touch "/tmp/stop.$1" >/dev/null
	gcmd g1 $((FAULT_MAX_PASS + 30)) bgwait "$1" "$FAULT_MAX_PASS" >"$LAB_T/$1.out"
	case $? in
	0) ;;
	124) fail "faultio did not stop within $FAULT_MAX_PASS s (hung I/O?)" ;;
	*) fail "faultio: $(grep -m 1 '^n=' "$LAB_T/$1.out"); $(grep -m 1 -E 'verify|err=|error' "$LAB_T/$1.out")" ;;
	esac
	c=$(grep -m 1 '^n=' "$LAB_T/$1.out")
	say "faultio $1: $c"
	longest=$(counter "$c" longest)
	[ "${longest:-0}" -lt "$FAULT_MAX_PASS" ] || fail "a faultio pass took $longest s (hung I/O?)"
}

# The fault is gone: the guest's passes verify again, faultio ends clean,
# the guest's data reaches the backing device, and the disk detaches
# leaving no grant mapped and (ng) nothing in the pools.
fault_end() { # NAME LABNAME
	local o
	o=$(fault_count "$1" ok)
	wait_for 60 fault_reached "$1" ok $((o + 2)) ||
		fail "guest I/O does not verify after the fault: $(fault_counts "$1")"
	fault_stop "$1"
	cross_check g1 xvdb "$FAULT_DM" 8
	detach g1 xvdb
	dmsetup remove "$2" || fail "$2 still busy after detach"
	check_released g1 "$FAULT_BASE"
}

# Errors come and go with dm-flakey's up/down intervals; the guest counts
# I/O errors in the down intervals, verified passes in the up intervals, and
# verifies again once the device is healed (plain linear).
t_fault-flakey() {
	local o
	fault_disk labff 64
	fault_io ff 2
	# Up 8 s, down 4 s: an up interval holds a whole pass (1-5 s).
	dm_swap labff "${FAULT_TABLE/linear/flakey} 8 4"
	wait_for 60 fault_reached ff eio 2 || fail "no I/O error reached the guest in 60 s of flakey: $(fault_counts ff)"
	o=$(fault_count ff ok)
	wait_for 60 fault_reached ff ok $((o + 1)) ||
		fail "no verified pass in an up interval after the errors: $(fault_counts ff)"
	dm_swap labff "$FAULT_TABLE"
	fault_end ff labff
}

# The device turns into dm-error under I/O: every pass fails with an I/O
# error (none verifies against a disk that cannot store anything), then
# switched back to linear the guest verifies again.
t_fault-error() {
	local o e
	fault_disk labfe 64
	fault_io fe 2
	dm_swap labfe "0 $(blockdev --getsz "$FAULT_LOOP") error"
	wait_for 60 fault_reached fe eio 2 || fail "no I/O error reached the guest in 60 s of dm-error: $(fault_counts fe)"
	o=$(fault_count fe ok)
	e=$(fault_count fe eio)
	wait_for 60 fault_reached fe eio $((e + 3)) || fail "errors stopped while on dm-error: $(fault_counts fe)"
	[ "$(fault_count fe ok)" = "$o" ] || fail "a pass verified on dm-error: $(fault_counts fe)"
	dm_swap labfe "$FAULT_TABLE"
	fault_end fe labfe
}

# The backing goes away under I/O: the loop device is detached (it stays
# until its last user, the dm device, closes it) and the dm device is
# removed with --force --deferred (its table becomes "error" at once, the
# removal waits for the backend to close it).  The guest gets I/O errors,
# the disk detaches, and only then both devices disappear: the backend
# closed the device it was serving.  The guest then verifies on a new disk.
t_fault-backing-gone() {
	local lname
	fault_disk labfg 64
	lname=${FAULT_LOOP#/dev/}
	fault_io fg 2
	losetup -d "$FAULT_LOOP" || fail "losetup -d $FAULT_LOOP failed"
	[ "$(cat "/sys/block/$lname/loop/autoclear" 2>/dev/null)" = 1 ] ||
		fail "$FAULT_LOOP is not set to go at its last close"
	timeout 60 dmsetup remove --force --deferred labfg >"$LAB_T/dm-remove.log" 2>&1 ||
		fail "dmsetup remove --force --deferred failed: $(tail -n 1 "$LAB_T/dm-remove.log")"
	say "labfg: $(dmsetup info -c --noheadings -o name,attr,open labfg 2>&1), table: $(dmsetup table labfg 2>&1)"
	wait_for 60 fault_reached fg eio 2 || fail "no I/O error reached the guest after the removal: $(fault_counts fg)"
	fault_stop fg
	detach g1 xvdb
	wait_for 20 sh -c '! dmsetup info labfg >/dev/null 2>&1' ||
		fail "labfg still exists after the detach: the backend did not close it"
	wait_for 20 test ! -e "/sys/block/$lname/loop" ||
		fail "$FAULT_LOOP still bound after labfg went: $(losetup -a)"
	check_released g1 "$FAULT_BASE"
	FAULT_LOOP=$(mk_loop labfg2 16) || fail "losetup failed"
	attach g1 xvdb "$FAULT_LOOP"
	cross_check g1 xvdb "$FAULT_LOOP" 8
	detach g1 xvdb
}

# Keep the OOM killer off the lab; the hogs ask for it with oom_score_adj
# 1000.  xenstored, xenconsoled, xl and the parents of this test become
# unkillable (-1000); this test gets -999, which its children inherit: the
# last choice, but still a choice, for with nothing killable left the
# kernel panics.  The old values go back in fault_cleanup.
oom_protect() {
	local p pids
	pids=$(pidof xenstored xenconsoled xl)
	p=$(awk '{print $4}' /proc/$$/stat)
	while [ "$p" -gt 1 ]; do
		pids="$pids $p"
		p=$(awk '{print $4}' "/proc/$p/stat")
	done
	for p in $$ $pids; do
		echo "$p $(cat "/proc/$p/oom_score_adj")" >>/tmp/fault-oom-adj
	done
	for p in $pids; do
		echo -1000 >"/proc/$p/oom_score_adj"
	done
	echo -999 >/proc/$$/oom_score_adj
}

mem_mb() { echo $(($(mem_field "$1") / 1024)); }

# dom0 (1 GiB) at the edge of OOM under a guest's verified I/O: a tmpfs
# fill leaves ~FILL_LEFT MiB available, then memory hogs (tail /dev/zero,
# which keeps everything it reads) grow until the OOM killer kills them,
# one after the other for HOG_SECONDS (at most HOG_ROUNDS of them).  The
# OOM killer must kill the hogs and nothing else, the backend must keep
# answering (passes complete: ok or eio, never wrong data, none hangs), and
# once the memory is back the guest verifies again.  No I/O error reaches
# the guest either: a backend short of memory makes the ring wait (a guest
# filesystem that sees EIO remounts read-only).  In ng runs the pool
# policy is squeeze (the default, selected in case the module was loaded
# with another), which reacts to memory pressure: the pools must count
# pressure events, and emptying them from reclaim while the ring threads
# allocate must not deadlock.
t_fault-oom() {
	local avail fill left n0 n1 rc t0 rounds=0 killed victims pe0 pe1 io0 io1 pids0
	local FILL_LEFT=40 HOG_SECONDS=20 HOG_ROUNDS=10
	fault_disk labfo 96
	# The backing file fully allocated: guest writes need no new tmpfs
	# pages, so the pressure falls on the backend, not on the loop file.
	fallocate -l 96M /tmp/labfo.img || fail "fallocate failed"
	# The OOM killer's report dumps a stack; the driver must not count it.
	echo 'invoked oom-killer' >"$LAB_T/expected-reports"
	FAULT_OLD_DUMP=$(cat /proc/sys/vm/oom_dump_tasks)
	# The task list would flood the kernel log buffer at every kill.
	echo 0 >/proc/sys/vm/oom_dump_tasks
	oom_protect
	pids0=$(pidof xenstored xenconsoled | tr ' ' '\n' | sort | tr '\n' ' ')
	if [ "$LAB_BACKEND" = ng ]; then
		ng_set pool_policy squeeze || fail "cannot select squeeze"
		pe0=$(ng_pool pressure_events)
	fi
	fault_io fo 4 --bsrange=4k-1m --iodepth=32

	# MemAvailable counts reclaimable caches; MemFree may be less and is
	# what the fill surely gets without reclaim.
	avail=$(mem_mb MemAvailable)
	[ "$(mem_mb MemFree)" -lt "$avail" ] && avail=$(mem_mb MemFree)
	fill=$((avail - FILL_LEFT))
	[ "$fill" -gt 0 ] || fail "dom0 has only $avail MiB available, nothing to fill"
	mkdir -p /run/fault-fill
	mount -t tmpfs -o size=$((fill + 8))m fault-fill /run/fault-fill || fail "cannot mount the fill tmpfs"
	dd if=/dev/zero of=/run/fault-fill/fill bs=1M count="$fill" 2>"$LAB_T/fill.log" ||
		fail "filling $fill MiB failed: $(tail -n 1 "$LAB_T/fill.log")"
	left=$(mem_mb MemAvailable)
	say "MemAvailable/MemFree $avail MiB, filled $fill MiB, MemAvailable now $left MiB"

	# No console round trip while memory is short: xenconsoled may lose
	# output then.  Progress is read from the backend's own counters.  At
	# most HOG_ROUNDS kills: each one's report goes to the kernel log
	# buffer, which must still hold this test's other messages at the end.
	n0=$(fault_count fo n)
	io0=$(($(vbd_stat g1 xvdb rd_req) + $(vbd_stat g1 xvdb wr_req)))
	t0=$SECONDS
	while [ $((SECONDS - t0)) -lt "$HOG_SECONDS" ] && [ "$rounds" -lt "$HOG_ROUNDS" ]; do
		timeout 60 sh -c 'echo 1000 >/proc/self/oom_score_adj && exec tail /dev/zero'
		rc=$?
		rounds=$((rounds + 1))
		# 137: SIGKILL, the OOM killer's; 124: the hog lived 60 s.
		[ "$rc" = 137 ] || fail "hog $rounds ended with $rc, not killed by the OOM killer"
	done
	io1=$(($(vbd_stat g1 xvdb rd_req) + $(vbd_stat g1 xvdb wr_req)))
	umount /run/fault-fill || fail "cannot free the fill"
	say "$rounds hogs in $((SECONDS - t0)) s; MemAvailable now $(mem_mb MemAvailable) MiB; backend requests $io0 -> $io1"

	dmesg >"$LAB_T/oom-dmesg.log"
	killed=$(grep -c 'Killed process' "$LAB_T/oom-dmesg.log")
	victims=$(grep 'Killed process' "$LAB_T/oom-dmesg.log" | grep -v -c '(tail)')
	say "OOM kills: $killed, of something else than a hog: $victims; invoked by: $(sed -n 's/.*\] \(.*\) invoked oom-killer.*/\1/p' "$LAB_T/oom-dmesg.log" | sort | uniq -c | tr '\n' ' ')"
	[ "$killed" -ge "$rounds" ] || fail "$rounds hogs ended but the kernel logged $killed OOM kills"
	[ "$victims" = 0 ] || fail "the OOM killer killed $(grep 'Killed process' "$LAB_T/oom-dmesg.log" | grep -v -m 1 '(tail)')"
	[ "$(pidof xenstored xenconsoled | tr ' ' '\n' | sort | tr '\n' ' ')" = "$pids0" ] ||
		fail "xenstored/xenconsoled changed under OOM: $pids0 -> $(pidof xenstored xenconsoled)"
	[ "$io1" -gt "$io0" ] || fail "the backend served no request during the OOM phase ($io0 -> $io1)"

	if [ "$LAB_BACKEND" = ng ]; then
		pe1=$(ng_pool pressure_events)
		say "pool pressure events $pe0 -> $pe1"
		[ "$pe1" -gt "$pe0" ] || fail "the pools saw no memory pressure ($pe0 -> $pe1)"
	fi
	n1=$(fault_count fo n)
	[ "${n1:-0}" -gt "$n0" ] || fail "no guest pass completed during the OOM phase: $(fault_counts fo)"
	fault_end fo labfo
	[ "$(counter "$(grep -m 1 '^n=' "$LAB_T/fo.out")" eio)" = 0 ] ||
		fail "I/O errors reached the guest under memory pressure: $(grep -m 1 '^n=' "$LAB_T/fo.out")"
}

# ng, test build: every third page request of the device's rings fails as
# out of memory (fault_page_alloc) under the guest's verified I/O, with
# every segment mapped for its request alone (no persistent grants), so
# that every request asks for pages.  The rings wait and try again: no I/O
# error reaches the guest, every pass verifies, and the waits are counted
# (statistics/mem_waits).
t_fault-nomem() {
	local n w c
	need_test_build
	fault_disk labfn 64 no-persistent
	fault_io fn 2
	n=$(fault_count fn n)
	ng_set fault_page_alloc 3
	wait_for 120 fault_reached fn n $((n + 3)) ||
		fail "fewer than 3 passes in 120 s of failing page allocations: $(fault_counts fn)"
	ng_set fault_page_alloc 0
	c=$(fault_counts fn)
	w=$(vbd_stat g1 xvdb mem_waits)
	say "faultio fn while failing: $c; mem_waits $w, bad_req $(vbd_stat g1 xvdb bad_req)"
	[ "$(counter "$c" eio)" = 0 ] || fail "I/O errors reached the guest while page allocations failed: $c"
	[ "$w" -gt 0 ] || fail "no request waited for memory (mem_waits $w): the fault was not injected"
	fault_end fn labfn
}

# ng, test build: a disk whose ring waits for memory (every page request
# fails) is detached.  The waiting request was never started: it is
# answered with an error, the detach completes, and nothing is left in the
# pools or mapped.  One request at a time (dd, O_DIRECT): the guest's
# blkfront waits at the removal for every request it sent, and a ring that
# waits for memory takes no more than the one.
t_fault-nomem-detach() {
	local w
	need_test_build
	fault_disk labfd 32 no-persistent
	w=$(vbd_stat g1 xvdb mem_waits)
	ng_set fault_page_alloc 1
	gcmd g1 20 bgrun fdio dd if=/dev/zero of=/dev/xvdb bs=4k count=4096 oflag=direct >/dev/null ||
		fail "cannot start I/O on xvdb"
	wait_for 60 vbd_stat_above g1 xvdb mem_waits "$w" ||
		fail "no request waited for memory in 60 s"
	say "mem_waits $(vbd_stat g1 xvdb mem_waits), wr_req $(vbd_stat g1 xvdb wr_req): detaching"
	detach g1 xvdb
	ng_set fault_page_alloc 0
	dmsetup remove labfd || fail "labfd still busy after the detach"
	check_released g1 "$FAULT_BASE"
}

# Sum of the guest's in-flight requests on VDEV, as its block layer counts.
guest_inflight() { # VDEV
	gcmd g1 10 cat "/sys/block/$1/inflight" >/dev/null || return 1
	awk 'NF == 2 {print $1 + $2; exit}' "$LAB_T/gout"
}
guest_has_inflight() { [ "$(guest_inflight "$1")" -gt 0 ] 2>/dev/null; }

# A disk that stalls under I/O is detached: its dm device is suspended
# with --noflush, so the guest's requests stay in flight, and the toolstack
# detaches it.  While it stalls, the backend serves everything else at
# once: an unrelated disk attaches to another guest and verifies within
# TEARDOWN_ATTACH_MAX seconds (9-10 s on an idle lab host, 21 s with the
# host's cores busy; a blocked xenwatch fails the attach, libxl gives up
# after 10 s), and then every vbd's statistics (the new
# disk's, and the stalled one's while it is still there) read within a
# second: xenwatch, which runs every xenbus watch of dom0, and the locks
# sysfs readers take are not held by the stalled teardown.  (Another guest,
# for the stalled guest's own xenwatch waits for its disk's requests when
# the toolstack removes the disk: that is the guest kernel's, not dom0's.)
# Once the disk resumes, the stalled disk goes, nothing is left mapped or
# in the pools, and (ng) the module is unused and unloads.
TEARDOWN_ATTACH_MAX=45
t_teardown-stalled() {
	local l2 t0 t1 dt pid rc f
	need_guest g2 1 128
	clean_slate g2
	fault_disk labts 64
	# A suspended device left behind would hang every later test, and
	# g2's disk would count in every later pool check.
	trap 'dmsetup resume labts >/dev/null 2>&1; xl destroy g2 >/dev/null 2>&1; fault_cleanup' EXIT
	gcmd g1 20 bgrun tsio ioloop xvdb >/dev/null || fail "cannot start I/O on xvdb"
	writes_in_flight g1 xvdb ||
		fail "no write reached the backend in 60 s (wr_req $(vbd_stat g1 xvdb wr_req)); guest: $(gcmd g1 10 tail -n 5 /tmp/tsio.log | tr '\n' ' ')"
	timeout 60 dmsetup suspend --noflush labts || fail "dmsetup suspend --noflush labts failed"
	wait_for 30 guest_has_inflight xvdb || fail "no guest request in flight 30 s after the suspend"
	say "labts suspended with $(guest_inflight xvdb) guest requests in flight"
	timeout 120 xl block-detach g1 xvdb >"$LAB_T/detach-stalled.log" 2>&1 &
	pid=$!
	# The detach is under way: the frontend has left Connected.
	wait_for 30 sh -c "[ \"\$(xenstore-read /local/domain/$(xl domid g1)/device/vbd/$(vdev_devid xvdb)/state)\" != 4 ]" ||
		fail "the frontend of the stalled disk stayed Connected 30 s after block-detach"

	l2=$(mk_loop labts2 16) || fail "losetup failed"
	t0=${EPOCHREALTIME/./}
	attach g2 xvdb "$l2"
	t1=${EPOCHREALTIME/./}
	cross_check g2 xvdb "$l2" 4
	dt=$(((${EPOCHREALTIME/./} - t0) / 1000))
	say "during the stall, g2's xvdb attached in $(((t1 - t0) / 1000)) ms, and verified in $dt ms in all"
	[ "$dt" -lt $((TEARDOWN_ATTACH_MAX * 1000)) ] ||
		fail "attaching and verifying g2's xvdb took $dt ms during the stall"

	t0=${EPOCHREALTIME/./}
	for f in /sys/bus/xen-backend/devices/vbd-*/statistics/rd_req; do
		timeout 5 cat "$f" >/dev/null || fail "reading $f failed or blocked during the stall"
	done
	dt=$(((${EPOCHREALTIME/./} - t0) / 1000))
	say "every vbd's rd_req read in $dt ms during the stall"
	[ "$dt" -lt 1000 ] || fail "reading the statistics took $dt ms during the stall"
	dmsetup info -c --noheadings -o attr labts | grep -q s ||
		fail "labts was not suspended any more: the test did not run during the stall"

	timeout 60 dmsetup resume labts || fail "dmsetup resume labts failed"
	wait "$pid"
	rc=$?
	say "the stalled disk's block-detach exited $rc: $(tail -n 1 "$LAB_T/detach-stalled.log")"
	# libxl gives up on a backend that does not close within 10 s (it
	# stalls longer here): detach again once the disk moved.
	[ "$rc" = 0 ] || timeout 60 xl block-detach g1 xvdb >>"$LAB_T/detach-stalled.log" 2>&1 ||
		fail "xl block-detach xvdb failed after the resume: $(tail -n 1 "$LAB_T/detach-stalled.log")"
	wait_for 30 test ! -e "$(backend_dir g1 xvdb)" || fail "the stalled disk's backend is still there 30 s after the resume"
	detach g2 xvdb
	xl destroy g2
	dmsetup remove labts || fail "labts still busy after the detach"
	check_released g1 "$FAULT_BASE"
	if [ "$LAB_BACKEND" = ng ]; then
		wait_for 10 sh -c "[ \"\$(cat $NG_SYS/refcnt)\" = 0 ]" || fail "module refcnt $(cat "$NG_SYS/refcnt") with no disk"
		rmmod xen_blkback_ng 2>"$LAB_T/rmmod" || fail "rmmod refused after the stall: $(cat "$LAB_T/rmmod")"
		# shellcheck disable=SC2086
		insmod /lab/ko/xen-blkback-ng.ko ${LAB_NG_PARAMS:-} || fail "reload failed"
	fi
}
