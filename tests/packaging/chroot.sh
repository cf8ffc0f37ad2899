#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Creates (once) the bookworm chroot the packaging tests install the .deb
# into: dkms, openssl (so DKMS signs), ccache (the test puts it in front of
# the compiler, so that repeated runs rebuild quickly), headers for two kernel ABIs
# installed, and the .debs of a third ABI's headers downloaded into apt's
# cache so that installing it later needs no network.
#
#   tests/packaging/chroot.sh ROOT
#
# A finished chroot carries a .ready stamp; an interrupted bootstrap is
# redone instead of half-used.  ABIs: PKG_ABIS (the two installed) and
# PKG_ABI3 (the one the test installs); the defaults are in tests/packaging/run.
set -eu

root=$1
mirror=${PKG_MIRROR:-http://deb.debian.org/debian}
secmirror=${PKG_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
abis=${PKG_ABIS:?}
abi3=${PKG_ABI3:?}

in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }

# A chroot made for other ABIs (the mirror moved on) is made anew.
want="$abis + $abi3"
if [ -e "$root/.ready" ] && [ "$(cat "$root/.ready")" != "$want" ]; then
	echo "chroot.sh: $root was made for '$(cat "$root/.ready")', not '$want': remaking it" >&2
	rm -f "$root/.ready"
fi
if [ -e "$root/.ready" ]; then
	# A chroot made before ccache was added gets it (the .debs are cached).
	[ -x "$root/usr/bin/ccache" ] || in_root apt-get install -y ccache >&2
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "chroot.sh: must run as root" >&2; exit 1; }
command -v debootstrap >/dev/null || apt-get install -y debootstrap >&2

# A killed run may have left its /proc mounted in the old root.
if mountpoint -q "$root/proc" 2>/dev/null; then umount "$root/proc"; fi
rm -rf "$root"
mkdir -p "$(dirname "$root")"
debootstrap --variant=minbase bookworm "$root" "$mirror" >&2

# Every 6.1.0-NN ABI but the newest is only in bookworm-security.
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $secmirror bookworm-security main
EOF
cat >"$root/etc/apt/apt.conf.d/99packaging" <<'EOF'
APT::Install-Recommends "false";
Binary::apt::APT::Keep-Downloaded-Packages "true";
EOF
# No daemon may start inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

in_root apt-get update >&2
headers=
for a in $abis; do headers="$headers linux-headers-$a"; done
# shellcheck disable=SC2086
in_root apt-get install -y dkms openssl kmod ccache $headers >&2
in_root apt-get install -y --download-only "linux-headers-$abi3" >&2
echo "$want" >"$root/.ready"
