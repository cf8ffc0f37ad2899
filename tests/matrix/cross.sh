#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepares (once per ABI) a cross build of the module against Debian
# bookworm's own 6.1 headers of another architecture, and prints the
# headers directory to build against:
#
#   tests/matrix/cross.sh arm64    linux-headers-<ABI>-arm64, aarch64-linux-gnu-gcc-12
#   tests/matrix/cross.sh armhf    linux-headers-<ABI>-armmp-lpae (32-bit, the Xen
#                                  dom0 flavour), arm-linux-gnueabihf-gcc-12
#
# The foreign headers packages cannot be installed here (they depend on the
# foreign gcc-12 and kbuild), so their .debs are unpacked into a tree of
# their own under $MATRIX_CACHE/cross/<ABI>/, together with the amd64
# linux-kbuild-6.1 of the same version: the headers' scripts -> ../../lib/
# linux-kbuild-6.1/scripts symlinks then resolve inside that tree to
# host-executable fixdep and modpost of the kernel's exact version, whatever
# this host has installed, and the sparse binary of bookworm (no
# libllvm14 on the host for it).  The .debs come through a private apt
# state (sources, lists, no dpkg status) in $MATRIX_CACHE/cross/apt, so
# the host's dpkg architectures and sources stay as they are.  Only the
# cross compiler (and make, libelf1, libssl3 where missing) is installed
# on the host, from the host's apt.
#
# The ABI is the one bookworm's linux-image-amd64 depends on today (so a
# new ABI on the mirror is followed without a change here), or
# MATRIX_CROSS_ABI=6.1.0-NN.  Progress goes to stderr.
set -eu

k=$1
cache=${MATRIX_CACHE:-/var/cache/xen-blkback-ng-matrix}
mirror=${MATRIX_MIRROR:-http://deb.debian.org/debian}
secmirror=${MATRIX_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

case $k in
arm64) arch=arm64 flavour=arm64 cc=gcc-12-aarch64-linux-gnu ;;
armhf) arch=armhf flavour=armmp-lpae cc=gcc-12-arm-linux-gnueabihf ;;
*) echo "cross.sh: unknown cross build '$k' (arm64, armhf)" >&2; exit 1 ;;
esac

[ "$(id -u)" -eq 0 ] || { echo "cross.sh: must run as root" >&2; exit 1; }

# The cross compiler, from the host's apt; the kbuild binaries unpacked
# below need libelf1 and libssl3, which linux-kbuild-6.1 would have pulled in.
need=
for p in "$cc" make libelf1 libssl3; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
		need="$need $p"
done
if [ -n "$need" ]; then
	echo "cross.sh: installing$need" >&2
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need >&2 || {
		# The host's lists may predate the packages' current versions.
		apt-get update >&2
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need >&2
	}
fi

# A private apt state: bookworm and bookworm-security (every 6.1.0-NN but
# the newest is only there) for amd64 (kbuild, sparse) and both ARM
# architectures.  No dpkg status, so nothing installed here matters.
a=$cache/cross/apt
mkdir -p "$a/lists/partial" "$a/archives/partial" "$a/sources.list.d" "$a/preferences.d"
[ -e "$a/status" ] || : >"$a/status"
cat >"$a/sources.list" <<EOF
deb [arch=amd64,arm64,armhf] $mirror bookworm main
deb [arch=amd64,arm64,armhf] $secmirror bookworm-security main
EOF
cat >"$a/apt.conf" <<EOF
Dir::Etc::SourceList "$a/sources.list";
Dir::Etc::SourceParts "$a/sources.list.d";
Dir::Etc::Preferences "$a/preferences";
Dir::Etc::PreferencesParts "$a/preferences.d";
Dir::State::Lists "$a/lists";
Dir::State::status "$a/status";
Dir::Cache "$a";
Dir::Cache::Archives "$a/archives";
APT::Architecture "amd64";
APT::Architectures { "amd64"; "arm64"; "armhf"; };
Acquire::Languages "none";
APT::Sandbox::User "root";
EOF
# The host's apt.conf.d (proxies, validity) is read after APT_CONFIG: the
# binary package cache, which the host may turn off, is turned on from the
# command line, read last; it saves two seconds a query.
papt() {
	local tool=$1
	shift
	APT_CONFIG=$a/apt.conf "$tool" -o Dir::Cache::pkgcache=pkgcache.bin \
		-o Dir::Cache::srcpkgcache= "$@"
}

# Follows the mirror, as the lab does, at most hourly (each cross build
# calls this).  With lists already here a failed update (mirror
# unreachable) builds against what they say.
if [ -z "$(find "$a/.updated" -mmin -60 2>/dev/null)" ]; then
	if papt apt-get update -qq >&2; then
		touch "$a/.updated"
	else
		ls "$a"/lists/*_Packages* >/dev/null 2>&1 || exit 1
		echo "cross.sh: apt-get update failed, using the lists of an earlier run" >&2
	fi
fi

abi=${MATRIX_CROSS_ABI:-$(papt apt-cache depends linux-image-amd64 |
	sed -n 's/.*Depends: linux-image-\(6\.1\.0-[0-9]*\)-amd64$/\1/p' | head -n1)}
case $abi in
6.1.0-[0-9]*) ;;
*) echo "cross.sh: no 6.1.0-NN ABI from bookworm's linux-image-amd64 ('$abi')" >&2; exit 1 ;;
esac
hdr=linux-headers-$abi-$flavour
ver=$(papt apt-cache policy "$hdr:$arch" | sed -n 's/^ *Candidate: //p')
case $ver in
'' | '(none)') echo "cross.sh: $hdr:$arch is not on the mirror" >&2; exit 1 ;;
esac

tree=$cache/cross/$abi
kdir=$tree/usr/src/$hdr
if [ "$(cat "$tree/.ready-$k" 2>/dev/null)" != "$ver" ]; then
	debs=$cache/cross/debs
	mkdir -p "$debs"
	# The headers, their arch-independent common part, and the amd64
	# kbuild and sparse (not the foreign compiler they depend on).  One
	# sparse .deb only, the current one, is unpacked.
	rm -f "$debs"/sparse_*.deb
	(cd "$debs" && papt apt-get download -qq "$hdr:$arch" "linux-headers-$abi-common=$ver" \
		"linux-kbuild-6.1:amd64=$ver" sparse:amd64) >&2
	rm -rf "$kdir" "$tree/.ready-$k"
	mkdir -p "$tree"
	for d in "$debs/${hdr}_${ver}_$arch.deb" "$debs/linux-headers-$abi-common_${ver}_all.deb" \
		"$debs/linux-kbuild-6.1_${ver}_amd64.deb" "$debs"/sparse_*_amd64.deb; do
		dpkg-deb -x "$d" "$tree"
	done
	# The headers' Makefile includes the common part by its absolute path
	# under /usr/src; point it into this tree.
	sed -i "s|^include /usr/src/|include $tree/usr/src/|" "$kdir/Makefile"
	grep -q "^include $tree/" "$kdir/Makefile" ||
		{ echo "cross.sh: unexpected $kdir/Makefile" >&2; exit 1; }
	# fixdep and modpost must be the headers' own version.
	hv=$(dpkg-deb -f "$debs/${hdr}_${ver}_$arch.deb" Version)
	kv=$(dpkg-deb -f "$debs/linux-kbuild-6.1_${ver}_amd64.deb" Version)
	[ "$kv" = "$hv" ] || { echo "cross.sh: kbuild $kv is not the headers' $hv" >&2; exit 1; }
	for f in usr/lib/linux-kbuild-6.1/scripts/mod/modpost usr/bin/sparse; do
		[ -x "$tree/$f" ] || { echo "cross.sh: no $tree/$f" >&2; exit 1; }
	done
	# Older ABIs' trees and .debs are of no more use.
	find "$cache/cross" -mindepth 1 -maxdepth 1 -name '6.1.0-*' ! -name "$abi" \
		-exec rm -rf --one-file-system {} +
	find "$debs" -name 'linux-*.deb' ! -name "*_${ver}_*" -delete
	echo "$ver" >"$tree/.ready-$k"
fi

host=$(dpkg-query -W -f '${Version}' linux-kbuild-6.1 2>/dev/null || true)
echo "cross.sh: $hdr:$arch and linux-kbuild-6.1:amd64 $ver in $tree (the host's own linux-kbuild-6.1: ${host:-not installed}, not used)" >&2
echo "$kdir"
