# SPDX-License-Identifier: GPL-2.0
#
# make matrix: build the module against every Debian kernel series reachable
# (5.10, 6.1, 6.12, 7.2, 7.3), each in its own cached debootstrap chroot, and
# cross-build it for bookworm's 6.1 on arm64 and armhf (armmp-lpae).
# MATRIX_KERNELS="6.1 7.3" picks a subset; MATRIX_KERNELS=ci is what CI runs.
.PHONY: matrix
matrix:
	tests/matrix/run
