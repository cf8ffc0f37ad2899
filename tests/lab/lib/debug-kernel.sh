# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The lab's debug dom0 kernel (LAB_KERNEL=debug): Debian's linux-source of
# the same version as the lab's 6.1 kernel with tests/debug/patches/*,
# Debian's config of that kernel trimmed by localmodconfig to
# tests/debug/modules, plus the checkers of tests/debug/kernel.config
# (KFENCE, UBSAN, lockdep, DEBUG_OBJECTS, kmemleak, fault injection).  Only
# dom0 boots it; the guests keep Debian's kernel.  Sourced after images.sh;
# expects log() and die().
#
# Built once per source version and config, cached in
# $LAB_CACHE/debug-<ABI>-k<version>-<hash of the config files and patches>/:
#   vmlinuz           booted as dom0
#   modules.cpio.zst  usr/lib/modules/<release>/, appended to dom0's initramfs
#   build/            the configured, built tree modules build against
#   release           its uname -r
#   build-seconds     how long the build took
#   complete          written last: a folder without it is rebuilt

debug_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../debug" && pwd)
# Bump when the recipe below changes in a way that matters.
DEBUG_KERNEL_RECIPE=1

# LAB_KERNEL=debug: the 6.1 series' images, headers and guests, with the
# debug build as dom0.  Sets LAB_DEBUG (1 or 0); call before resolve_abi.
debug_kernel_wanted() {
	LAB_DEBUG=0
	if [ "${LAB_KERNEL:-6.1}" = debug ]; then
		LAB_DEBUG=1
		LAB_KERNEL=6.1
	fi
}

# After ensure_images, in a debug run: the kernel dom0 boots (DOM0_KERNEL,
# DOM0_ARGS) and the tree the module builds against (KDIR).
debug_kernel_use() { # ABI
	local why
	ensure_debug_kernel "$1"
	why=$(debug_config_on "$DEBUG_IMG/config" 2>&1) || die "$DEBUG_IMG is not a debug kernel: $why"
	DOM0_KERNEL=$DEBUG_IMG/vmlinuz
	# Room for the checkers' reports between two reads of the log;
	# freed pages poisoned and checked when allocated again.
	DOM0_ARGS="log_buf_len=16M page_poison=1"
	KDIR=$DEBUG_IMG/build
	log "dom0 kernel: $DEBUG_KREL (debug build, $DEBUG_IMG)"
}

# Sets DEBUG_IMG to the cache folder of the debug kernel for ABI: named by
# the source version and a hash of the recipe.
debug_kernel_folder() { # ABI
	local kver key
	kver=$(pkg_version "linux-image-$1") || die "no package linux-image-$1"
	key=$({
		echo "$DEBUG_KERNEL_RECIPE"
		cat "$debug_dir/kernel.config" "$debug_dir/modules" "$debug_dir"/patches/*.patch
	} | sha256sum | cut -c 1-12)
	DEBUG_IMG=$LAB_CACHE/debug-$1-k$kver-$key
	DEBUG_IMG=${DEBUG_IMG//[^A-Za-z0-9._+\/-]/_}
}

# Whether the debug kernel for ABI is built already.
debug_kernel_cached() { # ABI
	debug_kernel_folder "$1"
	[ -e "$DEBUG_IMG/complete" ]
}

# Sets DEBUG_IMG and DEBUG_KREL for the lab's 6.1 ABI, building the kernel
# if the cache does not have it.
ensure_debug_kernel() { # ABI
	local abi=$1 kver t0
	kver=$(pkg_version "linux-image-$abi") || die "no package linux-image-$abi"
	debug_kernel_folder "$abi"
	mkdir -p "$LAB_CACHE"
	exec 6>"$LAB_CACHE/.debug-lock"
	flock -w 7200 6 || die "timed out waiting for another debug kernel build"
	if ! [ -e "$DEBUG_IMG/complete" ]; then
		# The build reads Debian's config from the headers package.
		ensure_headers "$abi"
		ensure_kernel_build_tools
		log "building the debug dom0 kernel in $DEBUG_IMG (once per source and config)"
		t0=$SECONDS
		rm -rf "$DEBUG_IMG"
		mkdir -p "$DEBUG_IMG"
		build_debug_kernel "$abi" "$kver" >"$DEBUG_IMG/build.log" 2>&1 || {
			tail -n 30 "$DEBUG_IMG/build.log" >&2
			die "the debug kernel did not build (see $DEBUG_IMG/build.log)"
		}
		echo "$((SECONDS - t0))" >"$DEBUG_IMG/build-seconds"
		date -u +%FT%TZ >"$DEBUG_IMG/complete"
		log "debug kernel built in $((SECONDS - t0)) s"
		# One debug kernel is kept: the others are of older sources or
		# configs.
		local d
		for d in "$LAB_CACHE"/debug-*; do
			[ "$d" = "$DEBUG_IMG" ] || rm -rf "$d"
		done
	fi
	flock -u 6
	exec 6>&-
	DEBUG_KREL=$(cat "$DEBUG_IMG/release")
}

ensure_kernel_build_tools() {
	local missing=() pair
	for pair in flex:flex bison:bison bc:bc depmod:kmod; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin command -v "${pair%%:*}" >/dev/null 2>&1 ||
			missing+=("${pair#*:}")
	done
	[ -e /usr/include/libelf.h ] || missing+=(libelf-dev)
	[ -e /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
	[ "${#missing[@]}" = 0 ] && return 0
	apt_update_once
	log "installing kernel build tools: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq \
		-o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
}

build_debug_kernel() { # ABI VERSION
	local abi=$1 kver=$2 d=$DEBUG_IMG src=$DEBUG_IMG/build series krel
	series=$(abi_series "$abi")
	mkdir -p "$d/dl"
	(cd "$d/dl" && chown _apt . 2>/dev/null
	timeout 1800 apt-get download -qq "linux-source-$series=$kver") || return 1
	dpkg-deb --fsys-tarfile "$d"/dl/linux-source-"$series"_*.deb |
		tar -xO "./usr/src/linux-source-$series.tar.xz" | tar -xJ -C "$d" || return 1
	mv "$d/linux-source-$series" "$src" || return 1
	rm -rf "$d/dl"

	# Fixes to the kernel itself that the checkers need (each patch
	# says why).
	local p
	for p in "$debug_dir"/patches/*.patch; do
		[ -e "$p" ] || continue
		patch -d "$src" -p1 --no-backup-if-mismatch <"$p" || return 1
	done

	# 6.1 still forbids the stack-trace filter on x86_64, a restriction
	# from before the ORC unwinder this config uses; without the filter
	# failslab and fail_page_alloc cannot be confined to the module.  The
	# fault tests check that the injected failures stay inside it.
	sed -i '/^config FAULT_INJECTION_STACKTRACE_FILTER$/,/^config /{/depends on !X86_64/d}' \
		"$src/lib/Kconfig.debug" || return 1

	cp "/usr/src/linux-headers-$abi/.config" "$src/.config" || return 1
	grep -v '^#' "$debug_dir/modules" | awk 'NF { print $1, 0, 0 }' >"$d/lsmod"
	(
		cd "$src" || exit 1
		make olddefconfig &&
			yes '' | make LSMOD="$d/lsmod" localmodconfig &&
			scripts/kconfig/merge_config.sh -m .config "$debug_dir/kernel.config" &&
			make olddefconfig
	) || return 1
	debug_config_check "$src/.config" || return 1
	cp "$src/.config" "$d/config"

	make -C "$src" -j"$(nproc)" bzImage modules || return 1
	debug_kernel_pack "$d"
}

# The built tree in DIR/build into what a run uses: vmlinuz, release and
# modules.cpio.zst.  Also by hand, after a rebuild in the kept tree.
debug_kernel_pack() { # DIR
	local d=$1 src=$1/build krel
	make -C "$src" modules_install INSTALL_MOD_PATH="$d/root" INSTALL_MOD_STRIP=1 \
		DEPMOD="$(PATH=$PATH:/sbin:/usr/sbin command -v depmod)" || return 1
	krel=$(make -s -C "$src" kernelrelease) || return 1
	echo "$krel" >"$d/release"
	cp "$src/arch/x86/boot/bzImage" "$d/vmlinuz" || return 1
	# dom0's root has merged /usr: its /lib is a link to usr/lib.
	mkdir -p "$d/root/usr/lib"
	mv "$d/root/lib/modules" "$d/root/usr/lib/modules" || return 1
	rm -rf "$d/root/lib" "$d/root/usr/lib/modules/$krel/build" "$d/root/usr/lib/modules/$krel/source"
	(cd "$d/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
		zstd -q -T0 -10 >"$d/modules.cpio.zst" || return 1
	rm -rf "$d/root"
	# The objects stay (about 2 GB): a change of a few options rebuilds
	# in minutes from them instead of half an hour.
}

# The checkers without which a run is not called a debug run; prints the
# ones a config lacks.
debug_config_on() { # .config
	local opt bad=0
	for opt in CONFIG_KFENCE CONFIG_PROVE_LOCKING CONFIG_DEBUG_KMEMLEAK; do
		grep -qx "$opt=y" "$1" 2>/dev/null || { echo "$opt is off" >&2; bad=1; }
	done
	return "$bad"
}

# Every option of kernel.config as the fragment asks: merge_config and
# olddefconfig drop an option whose dependencies are missing, silently.
debug_config_check() { # .config
	local line opt bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$1" || { echo "debug config: $line did not stick" >&2; bad=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			if grep -qE "^$opt=[ym]" "$1"; then
				echo "debug config: $opt is still on" >&2
				bad=1
			fi ;;
		esac
	done <"$debug_dir/kernel.config"
	return "$bad"
}
