#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every test suite and prints one closing line "N passed, N failed"
# that counts every test of every suite.  A suite is an executable
# tests/<name>/run that prints "PASS name" / "FAIL name: reason" lines.
#
# CHECK_SUITES="unit lab" selects suites (default: all, in this order).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

suites=${CHECK_SUITES:-style unit fuzz matrix packaging lab hostile debug}

# The hostile-guest suite with every case, the 1000-cycle frontend flap
# included: about 16 minutes of QEMU on a 2-core machine.
export HOSTILE_SET=${HOSTILE_SET:-full}

# The compile matrix in make check builds 6.1, the newest kernel and the
# arm64 and armhf cross builds (CI's time budget); "make matrix" builds
# every series.
export MATRIX_KERNELS=${MATRIX_KERNELS:-ci}

# The debug tier (tests/debug) runs in make check when its kernel is
# cached, with its quick set: building the kernel, or the lab's default
# set on it (about 45 minutes), does not fit CI's time next to the rest.
export DEBUG_SET=${DEBUG_SET:-quick}

# make check-full (CHECK_FULL=1): the slow tier besides, what does not fit
# CI's time: the lab's full set, every series of the matrix, and the debug
# tier with its full sets, its kernel built if missing.
if [ "${CHECK_FULL:-0}" = 1 ]; then
	export LAB_SET=full
	export DEBUG_BUILD=yes DEBUG_SET=full
	[ "$MATRIX_KERNELS" = ci ] && MATRIX_KERNELS="5.10 6.1 6.12 7.2 7.3 arm64 armhf"
fi
passed=0
failed=0

for s in $suites; do
	runner=tests/$s/run
	if [ ! -x "$runner" ]; then
		echo "FAIL suite-$s: $runner missing"
		failed=$((failed + 1))
		continue
	fi
	echo "=== suite $s"
	log=$(mktemp)
	"$runner" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	rm -f "$log"
	# A suite that dies without reporting a failure still fails.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL suite-$s: exited $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
