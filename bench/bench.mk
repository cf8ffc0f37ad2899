# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks against the stock xen-blkback (bench/run): one lab boot (and a
# second one for the budget phase), the two drivers alternating, dom0-direct
# as the limit.  Reports, never fails
# on a number; prints its results folder (results.md, results.png).
#
#   make bench                  full run (3 repetitions, ~90 min on 2 cores)
#   make bench BENCH_QUICK=1    short development run
#
# The directory bench/ exists, so the target must be phony.

.PHONY: bench bench-quick

bench:
	bench/run

bench-quick:
	BENCH_QUICK=1 bench/run
