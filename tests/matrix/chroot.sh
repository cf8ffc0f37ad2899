#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Creates (once) the debootstrap chroot for one Debian suite and the kernel
# headers the matrix builds against inside it.  Each headers package pins
# its compiler (CC = x86_64-linux-gnu-gcc-NN), so each kernel is built in
# the release it was made for, never with the host's gcc.
#
#   tests/matrix/chroot.sh SUITE        SUITE: bullseye bookworm trixie sid
#
# Chroots live under $MATRIX_CACHE (default /var/cache/xen-blkback-ng-matrix);
# a finished one carries a .ready stamp, so an interrupted bootstrap is
# redone instead of half-used.
set -eu

suite=$1
cache=${MATRIX_CACHE:-/var/cache/xen-blkback-ng-matrix}
mirror=${MATRIX_MIRROR:-http://deb.debian.org/debian}
secmirror=${MATRIX_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
root=$cache/$suite
# Tools every build needs beside the headers: sparse for C=2, binutils for
# the symbol check, dwarves (pahole) for the BTF step of 6.12+ modules.
tools="sparse make binutils kmod dwarves"
# trixie's sparse 0.6.4 cannot parse the __typeof_unqual__ of 7.x headers.
# sid's can, and its binary needs nothing newer than trixie's libc; the
# package would drag in sid's gcc-16, so only the binary is taken, into
# /usr/local/bin, ahead of trixie's in PATH.
stamp=$tools
[ "$suite" = trixie ] && stamp="$tools sparse-from-sid"

sid_sparse() {
	rm -rf "$root/tmp/sparse"
	mkdir -p "$root/tmp/sparse/x"
	chmod 777 "$root/tmp/sparse"
	in_root sh -c "cd /tmp/sparse && apt-get download sparse/sid" >&2 &&
	dpkg-deb -x "$root"/tmp/sparse/sparse_*.deb "$root/tmp/sparse/x" &&
	install -m 755 "$root/tmp/sparse/x/usr/bin/sparse" "$root/usr/local/bin/sparse" &&
	in_root /usr/local/bin/sparse --version >&2
	rc=$?
	rm -rf "$root/tmp/sparse"
	return $rc
}

in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }

# Security, backports and (for one package) sid, each in its own sources
# file and pinned so that the base suite stays the default and nothing
# unrelated gets upgraded.
sources() {
	case $suite in
	bullseye | bookworm)
		# Debian's newest 5.10 and 6.1 kernels are only in -security.
		echo "deb $secmirror $suite-security main" >"$root/etc/apt/sources.list.d/security.list"
		;;
	trixie)
		echo "deb $mirror trixie-backports main" >"$root/etc/apt/sources.list.d/backports.list"
		echo "deb $mirror sid main" >"$root/etc/apt/sources.list.d/sid.list"
		printf 'Package: *\nPin: release n=sid\nPin-Priority: 1\n' >"$root/etc/apt/preferences.d/sid"
		;;
	esac

	# sid's Release file on the mirror can be past its Valid-Until date.
	echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99matrix"
	echo 'APT::Install-Recommends "false";' >>"$root/etc/apt/apt.conf.d/99matrix"
}

if [ -e "$root/.ready" ]; then
	# A chroot made before a tool was added gets it now.
	[ "$(cat "$root/.ready")" = "$stamp" ] && exit 0
	sources
	in_root apt-get update >&2 &&
	in_root apt-get install -y $tools >&2 &&
	{ [ "$suite" != trixie ] || sid_sparse; } &&
	in_root apt-get clean &&
	echo "$stamp" >"$root/.ready"
	exit
fi
[ "$(id -u)" -eq 0 ] || { echo "chroot.sh: must run as root" >&2; exit 1; }
command -v debootstrap >/dev/null || apt-get install -y debootstrap >&2

mkdir -p "$cache"
# A run killed before it unmounted may have left /proc mounted inside.
umount "$root/proc" 2>/dev/null || true
rm -rf --one-file-system "$root"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >&2

sources
in_root apt-get update >&2
# trixie's own headers are 6.12, which bookworm-security covers already;
# trixie is here for 7.3 from backports.
headers=linux-headers-amd64
[ "$suite" = trixie ] && headers=linux-headers-amd64/trixie-backports
in_root apt-get install -y "$headers" $tools >&2

case $suite in
bookworm)
	# 6.12 from bookworm-security: installing linux-headers-6.12-amd64
	# drags in a 200 MB kernel image.  The three .debs are unpacked aside
	# and their /usr copied in, which keeps every absolute path right
	# (/usr/src, /usr/lib/linux-kbuild-*) without touching the chroot's
	# merged /lib symlink.
	abi=$(in_root apt-cache depends linux-headers-6.12-amd64 |
	      sed -n 's/.*Depends: linux-headers-\(6\.12\.[^ ]*-amd64\)$/\1/p' | head -n1)
	[ -n "$abi" ] || { echo "chroot.sh: no 6.12 headers in bookworm-security" >&2; exit 1; }
	common=${abi%-amd64}-common
	kbuild=$(in_root apt-cache depends "linux-headers-$abi" |
		 sed -n 's/.*Depends: \(linux-kbuild-6\.12[^ ]*\)$/\1/p' | head -n1)
	rm -rf "$root/tmp/debs"
	mkdir -p "$root/tmp/debs/x"
	chmod 777 "$root/tmp/debs"
	in_root sh -c "cd /tmp/debs && apt-get download linux-headers-$abi linux-headers-$common $kbuild" >&2
	for d in "$root"/tmp/debs/*.deb; do
		dpkg-deb -x "$d" "$root/tmp/debs/x"
	done
	cp -a "$root/tmp/debs/x/usr/." "$root/usr/"
	rm -rf "$root/tmp/debs"
	;;
trixie)
	sid_sparse
	;;
esac

in_root apt-get clean
echo "$stamp" >"$root/.ready"
