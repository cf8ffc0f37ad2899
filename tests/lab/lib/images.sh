# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Builds and caches the lab images.  Everything comes from Debian packages
# through apt; the cache folder is keyed by the versions that go into it, so
# a new kernel ABI, a new Xen or a new fio makes a new folder instead of a
# stale image.  Sourced by tests/lab/run; expects log() and die().
#
# Cache layout ($LAB_CACHE/<key>/):
#   xen             the hypervisor (gunzipped: a multiboot ELF QEMU boots)
#   vmlinuz         the Debian kernel, used as dom0 and domU kernel
#   dom0.cpio.zst   dom0 root: debootstrap minbase + Xen tools + modules
#   domu/           pieces of the domU initramfs (xen-blkfront.ko, fio)
#   complete        written last: a folder without it is rebuilt
#
# LAB_KERNEL picks the Debian kernel series that boots as dom0 and domU:
# 6.1 (bookworm's own, the default) or 6.12 (bookworm-security).  Xen 4.17
# and its userspace are bookworm's either way.

LAB_CACHE=${LAB_CACHE:-/var/cache/xen-blkback-ng-lab}
# Bump when the image recipe below changes in a way that matters.
LAB_IMAGE_RECIPE=4
LAB_KERNEL=${LAB_KERNEL:-6.1}

# apt-get update once per run, and only when a lookup needs it.
lab_apt_updated=0
apt_update_once() {
	[ "$lab_apt_updated" = 1 ] && return 0
	log "apt-get update"
	timeout 600 apt-get update -qq >/dev/null 2>&1 ||
		log "apt-get update reported errors (continuing with what it fetched)"
	lab_apt_updated=1
}

# The candidate version of a package, updating the lists once if unknown.
pkg_version() {
	local v
	v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		apt_update_once
		v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
	fi
	[ -n "$v" ] && [ "$v" != "(none)" ] || return 1
	echo "$v"
}

# Host tools the harness needs; installed only when missing.
ensure_host_tools() {
	local missing=() cmd pkg
	for pair in qemu-system-x86_64:qemu-system-x86 debootstrap:debootstrap \
		zstd:zstd xz:xz-utils cpio:cpio gcc:gcc make:make dpkg-source:dpkg-dev \
		flock:util-linux; do
		cmd=${pair%%:*}
		pkg=${pair#*:}
		command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
	done
	# busybox must be the static one: it becomes the domU's whole userland.
	if ! [ -x /bin/busybox ] || ! file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
		dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
	fi
	command -v file >/dev/null 2>&1 || missing+=(file)
	# Static fio links against these archives.
	[ -e /usr/lib/x86_64-linux-gnu/libz.a ] || missing+=(zlib1g-dev)
	[ -e /usr/lib/x86_64-linux-gnu/libaio.a ] || missing+=(libaio-dev)
	if [ "${#missing[@]}" -gt 0 ]; then
		apt_update_once
		log "installing host packages: ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq \
			--no-install-recommends "${missing[@]}" >/dev/null ||
			die "apt-get install ${missing[*]} failed"
	fi
}

# The meta package whose dependency names the current ABI of a series.
kernel_meta_pkg() { # SERIES
	case "$1" in
	6.1) echo linux-image-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	*) return 1 ;;
	esac
}

# The series (6.1, 6.12) of an ABI, or of a cache folder named r<N>-<ABI>-...
abi_series() {
	echo "$1" | sed -E 's/^(r[0-9]+-)?([0-9]+\.[0-9]+).*/\2/'
}

# The ABI the series' meta package names now, e.g. 6.1.0-57-amd64 or
# 6.12.117+deb12-amd64 (empty if apt does not know the package).
meta_abi() { # META_PACKAGE
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -1
}

# Sets ABI to the kernel ABI the lab boots: LAB_ABI if given (any ABI of the
# series LAB_KERNEL that the mirror still has, say the one before the
# current: LAB_ABI=6.1.0-56-amd64), else the one the series' meta package
# depends on today, so that a new ABI on the mirror is followed without a
# change here.  Not run in a command substitution, so that die ends the run
# with its report.
resolve_abi() {
	local abi meta
	meta=$(kernel_meta_pkg "$LAB_KERNEL") || die "LAB_KERNEL must be 6.1 or 6.12, not '$LAB_KERNEL'"
	abi=${LAB_ABI:-$(meta_abi "$meta")}
	if [ -z "$abi" ]; then
		apt_update_once
		abi=$(meta_abi "$meta")
	fi
	[ -n "$abi" ] || die "cannot resolve the kernel ABI from $meta"
	[ "$(abi_series "$abi")" = "$LAB_KERNEL" ] ||
		die "the kernel ABI $abi is not of the $LAB_KERNEL series (LAB_KERNEL)"
	# shellcheck disable=SC2034 # read by the scripts that source this file
	ABI=$abi
}

# Debian mirror URLs as this host's apt knows them (no host names in here).
apt_mirror_for() {
	# $1: suite, e.g. bookworm or bookworm-security
	apt-cache policy | awk -v s="$1/main" '$3 == s && $2 ~ /^http/ {print $2; exit}'
}

ensure_headers() {
	local abi=$1
	[ -e "/usr/src/linux-headers-$abi/Makefile" ] && return 0
	apt_update_once
	# 6.12's headers package depends on its kernel image: apt installs
	# both (the image is never booted on this host).  Another session's apt
	# may hold the dpkg lock for a while.
	log "installing linux-headers-$abi"
	DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq \
		-o DPkg::Lock::Timeout=600 \
		--no-install-recommends "linux-headers-$abi" >/dev/null ||
		die "apt-get install linux-headers-$abi failed"
}

# ------------------------------------------------------------------ QEMU
# Two TCG machines on two cores starve each other's guests into timeouts, so
# every QEMU of the lab, the hostile suite and the benchmark runs under one
# lock.  The lock is held on descriptor 7 until the process (and the QEMU it
# starts, which inherits the descriptor) ends.
LAB_QEMU_LOCK=${LAB_QEMU_LOCK:-/run/lock/xen-blkback-ng-qemu.lock}
# LAB_QEMU_LOCK_HELD=1: the caller holds the lock already, for several runs
# in a row (flock "$LAB_QEMU_LOCK" env LAB_QEMU_LOCK_HELD=1 ...).
qemu_slot() { # SECONDS: how long to wait for another run's QEMU
	[ "${LAB_QEMU_LOCK_HELD:-0}" = 1 ] && return 0
	exec 7>"$LAB_QEMU_LOCK" || die "cannot open $LAB_QEMU_LOCK"
	flock -n 7 && return 0
	log "another lab QEMU is running; waiting for it (up to $1 s)"
	flock -w "$1" 7 || die "another lab QEMU kept running for $1 s"
}

# Sets the array qemu to boot $LAB_IMG's Xen and dom0 with the initramfs
# RUNDIR/dom0-initrd, sharing RUNDIR/out with dom0 over 9p.  TCG only: KVM
# cannot run Xen on these machines, and -cpu max crashes dom0.
# LAB_XEN_ARGS adds to Xen's command line (say, a scheduler option).
# DOM0_KERNEL, if set, boots as dom0 instead of the image's kernel (the
# debug build); DOM0_ARGS adds to dom0's command line.
# LAB_CPU: QEMU's CPU model; with +npt QEMU emulates nested paging, so
# Xen has hardware-assisted paging and runs PVH guests (tests/lab/run sets
# it for the tests in PVH_TESTS).
# debug-threads names QEMU's threads on the host ("CPU 0/TCG", ...), so
# that the bench can tell where the host's two cores went.
lab_qemu_cmd() { # RUNDIR
	# shellcheck disable=SC2054,SC2034 # commas belong to QEMU options; the sourcing script runs it
	qemu=(qemu-system-x86_64 -accel tcg,thread=multi -cpu "${LAB_CPU:-qemu64,+svm}" -m 2560 -smp 2
		-name xbng-lab,debug-threads=on -no-reboot
		-kernel "$LAB_IMG/xen"
		-append "dom0_mem=1024M,max:1024M dom0_max_vcpus=2 console=com1 com1=115200,8n1 conring_size=4M${LAB_XEN_ARGS:+ $LAB_XEN_ARGS}"
		-initrd "${DOM0_KERNEL:-$LAB_IMG/vmlinuz} console=hvc0 earlyprintk=xen loglevel=4${DOM0_ARGS:+ $DOM0_ARGS},$1/dom0-initrd"
		-virtfs "local,path=$1/out,mount_tag=labout,security_model=none,id=labout")
}

# Sets LAB_IMG to the image folder for this ABI, building it if missing.
ensure_images() {
	local abi=$1 kver xver fver key
	kver=$(pkg_version "linux-image-$abi") || die "no package linux-image-$abi"
	xver=$(pkg_version xen-hypervisor-4.17-amd64) || die "no package xen-hypervisor-4.17-amd64"
	fver=$(pkg_version fio) || die "no package fio"
	key="r$LAB_IMAGE_RECIPE-$abi-k$kver-xen$xver-fio$fver"
	key=${key//[^A-Za-z0-9._+-]/_}
	LAB_IMG=$LAB_CACHE/$key
	mkdir -p "$LAB_CACHE"
	# One builder at a time; a second run waits for the first one's image.
	exec 8>"$LAB_CACHE/.lock"
	flock -w 1800 8 || die "timed out waiting for the image lock"
	if [ -e "$LAB_IMG/complete" ]; then
		image_in_use
		flock -u 8
		return 0
	fi
	log "building lab images in $LAB_IMG (first run for these package versions)"
	local t0=$SECONDS
	rm -rf "$LAB_IMG"
	mkdir -p "$LAB_IMG"
	build_kernel_and_xen "$abi" "$kver" "$xver" || die "kernel/Xen extraction failed"
	build_fio "$fver" || die "static fio build failed"
	build_dom0_root "$abi" "$xver" || die "dom0 root build failed"
	date -u +%FT%TZ >"$LAB_IMG/complete"
	image_in_use
	flock -u 8
	log "images built in $((SECONDS - t0)) s"
	# Keep the cache from growing without bound: of this kernel series,
	# keep this image and the newest other one (the previous ABI, which
	# LAB_ABI may ask for); the other series' images stay.
	local d series kept=0
	series=$(abi_series "$abi")
	for d in $(ls -dt "$LAB_CACHE"/r* 2>/dev/null); do
		[ "$d" = "$LAB_IMG" ] && continue
		[ "$(abi_series "${d##*/}")" = "$series" ] || continue
		if [ "$kept" = 0 ] && [ -e "$d/complete" ]; then
			kept=1
			continue
		fi
		# Not from under a run that still uses it.
		if (flock -n -x 3 && rm -rf "$d") 3<"$d/complete" 2>/dev/null; then
			log "dropped the older $series image ${d##*/}"
		elif [ -e "$d/complete" ]; then
			log "keeping the older $series image ${d##*/}: a run uses it"
		else
			rm -rf "$d"
		fi
	done
}

# This run uses $LAB_IMG until it exits: a shared lock on its complete
# file, which another run's clean-up above will not break.
image_in_use() {
	exec 9<"$LAB_IMG/complete" && flock -s 9
}

build_kernel_and_xen() {
	local abi=$1 kver=$2 xver=$3 work=$LAB_IMG/tmp-debs
	mkdir -p "$work/k" "$work/x"
	apt_update_once
	(cd "$work" && chown _apt . 2>/dev/null; timeout 900 apt-get download -qq "linux-image-$abi=$kver" \
		"xen-hypervisor-4.17-amd64=$xver") || return 1
	dpkg-deb -x "$work"/linux-image-*.deb "$work/k" || return 1
	dpkg-deb -x "$work"/xen-hypervisor-*.deb "$work/x" || return 1
	gunzip -c "$work/x/boot/xen-4.17-amd64.gz" >"$LAB_IMG/xen" || return 1
	cp "$work/k/boot/vmlinuz-$abi" "$LAB_IMG/vmlinuz" || return 1
	local kmods=$work/k/lib/modules fe
	[ -d "$kmods/$abi" ] || kmods=$work/k/usr/lib/modules
	[ -d "$kmods/$abi" ] || return 1
	# 6.12's package ships xz-compressed modules.  The domU's busybox insmod
	# and the hostile guest load plain .ko files, so every module is kept
	# plain (the image is zstd-packed as a whole); depmod in
	# build_dom0_root indexes the new names.
	find "$kmods/$abi" -name '*.ko.xz' -exec xz -d {} + || return 1
	# The domU needs only the frontend; keep its module with the image.
	mkdir -p "$LAB_IMG/domu"
	fe=$(find "$kmods/$abi" -name xen-blkfront.ko | head -1)
	[ -n "$fe" ] && cp "$fe" "$LAB_IMG/domu/" || return 1
	mv "$kmods" "$LAB_IMG/modules"
	rm -rf "$work"
}

# A static fio from Debian's own source: Debian's fio binary pulls in ~80 MB
# of shared libraries, too much for a domU initramfs.
build_fio() {
	local fver=$1 work=$LAB_IMG/tmp-fio src
	mkdir -p "$work"
	# apt-get source needs a deb-src entry; add one for the same mirror.
	if ! apt-get source --print-uris -qq "fio=$fver" >/dev/null 2>&1; then
		local m
		m=$(apt_mirror_for bookworm)
		[ -n "$m" ] || return 1
		# Same Signed-By as the host's own entry, or apt refuses the list.
		local kr=/usr/share/keyrings/debian-archive-keyring.gpg
		{
			echo "Types: deb-src"
			echo "URIs: $m"
			echo "Suites: bookworm"
			echo "Components: main"
			[ -e "$kr" ] && echo "Signed-By: $kr"
		} >/etc/apt/sources.list.d/xen-blkback-ng-lab-src.sources
		lab_apt_updated=0
		apt_update_once
	fi
	(cd "$work" && timeout 600 apt-get source -qq --download-only 2>/dev/null "fio=$fver" >/dev/null) || return 1
	(cd "$work" && dpkg-source -x --no-check ./fio_*.dsc src >/dev/null 2>&1) || return 1
	src=$work/src
	# Only what fio's verify and libaio engines need; nothing optional.
	(cd "$src" && ./configure --build-static --disable-native \
		--disable-rdma --disable-rbd --disable-http \
		--disable-numa --disable-pmem --disable-libnfs \
		>"$work/configure.log" 2>&1 &&
		make -j"$(nproc)" fio V=1 >"$work/make.log" 2>&1) || {
		tail -n 20 "$work/configure.log" "$work/make.log" >&2
		return 1
	}
	strip "$src/fio"
	cp "$src/fio" "$LAB_IMG/domu/fio"
	rm -rf "$work"
}

# dom0 root: debootstrap minbase, the Xen tools matching the hypervisor from
# bookworm-security, the kernel's modules, pruned and packed as initramfs.
build_dom0_root() {
	local abi=$1 xver=$2 root=$LAB_IMG/tmp-root m ms
	m=$(apt_mirror_for bookworm)
	ms=$(apt_mirror_for bookworm-security)
	[ -n "$m" ] || { echo "no bookworm mirror in apt-cache policy" >&2; return 1; }
	timeout 1200 debootstrap --variant=minbase \
		--include=kmod,busybox,procps,dmsetup,util-linux,coreutils \
		bookworm "$root" "$m" >"$LAB_IMG/debootstrap.log" 2>&1 || {
		tail -n 20 "$LAB_IMG/debootstrap.log" >&2
		return 1
	}
	{
		echo "deb $m bookworm main"
		echo "deb $m bookworm-updates main"
		[ -n "$ms" ] && echo "deb $ms bookworm-security main"
	} >"$root/etc/apt/sources.list"
	# No daemons may start inside the chroot.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod +x "$root/usr/sbin/policy-rc.d"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
	mount -t proc proc "$root/proc"
	local rc=0
	chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends xen-utils-4.17=$xver \
		xenstore-utils open-iscsi iproute2" >"$LAB_IMG/dom0-apt.log" 2>&1 || rc=1
	umount "$root/proc"
	[ "$rc" = 0 ] || { tail -n 20 "$LAB_IMG/dom0-apt.log" >&2; return 1; }
	rm -f "$root/usr/sbin/policy-rc.d"

	# Modules: the whole tree minus what a dom0 in QEMU never loads.
	mkdir -p "$root/lib/modules"
	cp -a "$LAB_IMG/modules/$abi" "$root/lib/modules/"
	local k=$root/lib/modules/$abi/kernel
	rm -rf "$k/drivers/gpu" "$k/drivers/media" "$k/drivers/net/wireless" \
		"$k/drivers/infiniband" "$k/drivers/staging" "$k/sound" \
		"$k/drivers/net/ethernet" "$k/drivers/iio" "$k/drivers/hid" \
		"$k/drivers/usb" "$k/drivers/bluetooth" "$k/net/bluetooth" \
		"$k/drivers/isdn" "$k/drivers/input" \
		"$k/net/wireless" "$k/net/mac80211" "$k/fs/ocfs2" "$k/fs/btrfs" \
		"$k/fs/xfs" "$k/fs/nfs" "$k/fs/nfsd" "$k/fs/ceph" "$k/fs/smb" \
		"$k/drivers/mtd" "$k/drivers/watchdog" "$k/drivers/hwmon"
	# Of SCSI, only what an iSCSI initiator needs: the lab's network
	# storage is LIO's target and open-iscsi over dom0's loopback.
	find "$k/drivers/scsi" -name '*.ko' ! -name scsi_mod.ko \
		! -name scsi_common.ko ! -name sd_mod.ko ! -name iscsi_tcp.ko \
		! -name libiscsi.ko ! -name libiscsi_tcp.ko \
		! -name scsi_transport_iscsi.ko -delete
	find "$k/drivers/scsi" -depth -type d -empty -delete
	chroot "$root" /sbin/depmod "$abi" || return 1
	rm -rf "$LAB_IMG/modules"

	# The domU kernel lives in dom0's tree; xl reads it from there.
	mkdir -p "$root/opt/domu"
	cp "$LAB_IMG/vmlinuz" "$root/opt/domu/vmlinuz"

	# Prune what a diskless dom0 never reads.
	rm -rf "$root"/usr/share/{doc,man,info,locale,i18n,zoneinfo,lintian,common-licenses} \
		"$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* \
		"$root"/usr/lib/x86_64-linux-gnu/gconv "$root"/usr/lib/xen-4.17/boot 2>/dev/null
	(cd "$root" && find . -xdev | LC_ALL=C sort | cpio -o -H newc --quiet) |
		zstd -q -T0 -10 >"$LAB_IMG/dom0.cpio.zst" || return 1
	rm -rf "$root"
}
