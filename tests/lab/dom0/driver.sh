#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the selected tests one by one inside dom0, each in its own bash under
# a time limit, and prints "LABRESULT PASS name" / "LABRESULT FAIL name:
# reason" on the console, where tests/lab/run picks them up.  After every
# test, the new dom0 kernel messages and the new text of every guest console
# are scanned for kernel warnings: any hit fails that test.
set -u
# shellcheck source=/dev/null
. /lab/lib.sh
# shellcheck source=/dev/null
. /lab/tests.sh
# shellcheck source=/dev/null
. /lab/faults.sh
# shellcheck source=/dev/null
. /lab/netstore.sh
# shellcheck source=/dev/null
. /lab/debug.sh
# shellcheck source=/dev/null
. /lab/observe.sh
# shellcheck source=/dev/null
. /lab/admin.sh
# shellcheck source=/dev/null
. /lab/cgroup.sh

# On the debug kernel, KFENCE, SLUB debugging, lockdep, sleeping-in-atomic
# and DEBUG_LIST reports start with BUG or WARNING:; page poisoning's,
# UBSAN's and DEBUG_OBJECTS' with their own words.
BAD_LOG='BUG[: ]|WARNING:|Oops|Call Trace|list_del corruption|list_add corruption|memory corruption|general protection|kernel panic|UBSAN:|ODEBUG:'
# Xen's own log, read after each test (its boot messages apart; the grant
# table dumps of grants_mapped are kept apart too): a release build of Xen
# prints at run time only what went wrong.
XEN_BAD_LOG='[Ee]rror|[Ww]arning|BUG|Assertion|FATAL|[Pp]anic|[Cc]all [Tt]race|[Bb]ad |[Ll]eak'

# dom0's kernel messages of a test, less what the test said it provokes on
# purpose: each line of $LAB_T/expected-reports is a regex for the first
# line of a kernel report that dumps a stack (the OOM killer's "invoked
# oom-killer"); the "Call Trace:" line within 8 lines after such a line is
# dropped.  Everything else, even inside such a report, is still scanned.
scanned_dmesg() { # FILE
	local re=
	[ -s "$LAB_T/expected-reports" ] && re=$(paste -s -d '|' "$LAB_T/expected-reports")
	if [ -z "$re" ]; then
		cat "$1"
		return
	fi
	awk -v re="$re" '
		$0 ~ re { left = 8; print; next }
		left > 0 && /Call Trace:/ { left = 0; next }
		{ if (left > 0) left--; print }' "$1"
}

result() {
	echo "LABRESULT $*"
	echo "$*" >>"$OUT/results.txt"
}

mkdir -p "$OUT/tests" "$OUT/console"
dmesg >"$OUT/dom0-boot-dmesg.log"
dmesg -c >/dev/null
xl dmesg -c >"$OUT/xen-boot.log" 2>&1

say "tests: $LAB_TESTS"
LAB_T=$OUT/tests/_load
mkdir -p "$LAB_T"
export LAB_T
if [ "${LAB_DEBUG:-0}" = 1 ] && ! why=$(debug_kernel_check); then
	for t in $LAB_TESTS; do
		result "FAIL $t: not a debug kernel: $why"
	done
	result DONE
	exit 0
fi
if ! load_backend >"$OUT/load-backend.log" 2>&1; then
	why=$(tail -n 3 "$OUT/load-backend.log" | tr '\n' ' ')
	dmesg | tail -n 20 >>"$OUT/load-backend.log"
	for t in $LAB_TESTS; do
		result "FAIL $t: backend $BACKEND_MOD did not load: $why"
	done
	result DONE
	exit 0
fi

declare -A console_off
for t in $LAB_TESTS; do
	LAB_T=$OUT/tests/$t
	mkdir -p "$LAB_T"
	rm -f "$LAB_T/reason" "$LAB_T/expected-reports"
	# Where each guest console stands now: only text after this is scanned.
	console_off=()
	for f in "$CONSOLE_DIR"/guest-*.log; do
		[ -e "$f" ] && console_off[$f]=$(stat -c %s "$f")
	done
	limit=$(($(test_limit "$t") * ${LAB_TIME_SCALE:-1}))
	say "test $t (limit $limit s)"
	t0=$SECONDS
	LAB_T=$LAB_T timeout -k 10 "$limit" bash -c \
		'set -u; . /lab/lib.sh; . /lab/tests.sh; . /lab/faults.sh; . /lab/netstore.sh; . /lab/debug.sh; . /lab/observe.sh; . /lab/admin.sh; . /lab/cgroup.sh; cd /tmp; "t_$1"' _ "$t" \
		>"$LAB_T/log" 2>&1
	rc=$?
	dt=$((SECONDS - t0))
	reason=
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		reason="timed out after $limit s ($(tail -n 1 "$LAB_T/log"))"
	elif [ "$rc" != 0 ]; then
		if [ -s "$LAB_T/reason" ]; then
			reason=$(head -n 1 "$LAB_T/reason")
		else
			reason="exited $rc: $(tail -n 1 "$LAB_T/log")"
		fi
	fi
	# Kernel warnings anywhere fail the test, even one that passed.
	dmesg -c >"$LAB_T/dom0-dmesg.log"
	cat "$LAB_T/dom0-dmesg.log" >>"$OUT/dom0-dmesg.log"
	hit=$(scanned_dmesg "$LAB_T/dom0-dmesg.log" | grep -E -m 1 "$BAD_LOG")
	[ -n "$hit" ] && [ -z "$reason" ] && reason="dom0 kernel log: $hit"
	for f in "$CONSOLE_DIR"/guest-*.log; do
		[ -e "$f" ] || continue
		off=${console_off[$f]:-0}
		tail -c +$((off + 1)) "$f" | tr -d '\r' >"$LAB_T/console-$(basename "$f")"
		hit=$(grep -E -m 1 "$BAD_LOG" "$LAB_T/console-$(basename "$f")")
		[ -n "$hit" ] && [ -z "$reason" ] && reason="$(basename "$f" .log) kernel log: $hit"
		[ "$f" -ef "$OUT/console/$(basename "$f")" ] || cp "$f" "$OUT/console/"
	done
	# Leaks of the test: after its I/O and its detaches; after the last
	# test (the unload) old enough for kmemleak to see every one.
	if [ "${LAB_DEBUG:-0}" = 1 ]; then
		age=
		[ "$t" = "${LAB_TESTS##* }" ] && age=aged
		hit=$(kmemleak_scan $age)
		[ -n "$hit" ] && [ -z "$reason" ] && reason="kmemleak: $hit (see $LAB_T/kmemleak.log)"
	fi
	xl dmesg -c >>"$LAB_T/xen-dmesg.log" 2>/dev/null
	cat "$LAB_T/xen-dmesg.log" >>"$OUT/xen-dmesg.log"
	hit=$(grep -E -m 1 "$XEN_BAD_LOG" "$LAB_T/xen-dmesg.log")
	[ -n "$hit" ] && [ -z "$reason" ] && reason="Xen's log: $hit"
	if [ -z "$reason" ]; then
		result "PASS $t"
	else
		result "FAIL $t: $reason"
	fi
	say "test $t took $dt s"
	sync
done
result DONE
