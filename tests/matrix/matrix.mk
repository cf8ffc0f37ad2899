# SPDX-License-Identifier: GPL-2.0
#
# make matrix: build the module against every Debian kernel series reachable
# (5.10, 6.1, 6.12, 7.2, 7.3), each in its own cached debootstrap chroot.
# MATRIX_KERNELS="6.1 7.3" picks a subset (what CI runs).
.PHONY: matrix
matrix:
	tests/matrix/run
