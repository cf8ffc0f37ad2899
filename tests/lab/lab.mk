# SPDX-License-Identifier: GPL-2.0
#
# The Xen lab (tests/lab/run): Xen 4.17 + Debian 6.1 (or 6.12) PV dom0 in QEMU (TCG),
# PV guests with the stock xen-blkfront.  LAB_BACKEND=stock runs the same
# tests against Debian's xen-blkback.
#
#   make lab        default test set (~12 min on 2 cores, warm image cache)
#   make lab-6.12   the same with Debian's 6.12 kernel (bookworm-security)
#                   as dom0 and domU; Xen 4.17 stays bookworm's
#   make lab-full   default + slow tests (20 hotplug cycles, 8 disks, ...)
#   make lab-faults failing backing devices and dom0 OOM under guest I/O
#   make lab-debug  the full set and the hostile suite with dom0 on the
#                   debug kernel (tests/debug/run: KFENCE, UBSAN, lockdep,
#                   kmemleak, fault injection), built and cached first
#                   LAB_KERNEL=debug runs any lab target on that kernel
#   make lab-shell  dom0 shell on this terminal, module loaded
#   make demo       first command for a newcomer: one disk, verified I/O,
#                   pool statistics around a memory-pressure event

.PHONY: lab lab-6.12 lab-full lab-faults lab-debug lab-shell demo

lab:
	tests/lab/run

lab-6.12:
	LAB_KERNEL=6.12 tests/lab/run

lab-full:
	LAB_SET=full tests/lab/run

lab-faults:
	LAB_SET=faults tests/lab/run

lab-debug:
	DEBUG_BUILD=yes DEBUG_SET=$${DEBUG_SET:-full} tests/debug/run

lab-shell:
	LAB_MODE=shell tests/lab/run

demo:
	LAB_MODE=demo tests/lab/run
