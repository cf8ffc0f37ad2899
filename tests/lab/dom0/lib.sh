# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# dom0 helpers for the lab tests: the backend under test, guests and their
# console agent, disks, grant counting and log checks.  A test calls
# fail "reason" to stop with a FAIL; anything else that returns non-zero
# from a test function fails it too, with a generic reason.

# shellcheck source=/dev/null
. /lab/config

OUT=${OUT:-/out}
mountpoint -q "$OUT" 2>/dev/null || { OUT=/tmp/out; mkdir -p "$OUT"; }
CONSOLE_DIR=/var/log/xen/console
# Guest kernel messages after which a guest command will not complete.
GUEST_FATAL='disabled for further use|blocked for more than|Kernel panic|BUG:|Oops'

if [ "$LAB_BACKEND" = ng ]; then
	BACKEND_MOD=xen_blkback_ng
else
	BACKEND_MOD=xen_blkback
fi
NG_SYS=/sys/module/xen_blkback_ng

say() { echo "lab-dom0: $*"; }

# Stop the current test with a reason (the driver reads $LAB_T/reason).
fail() {
	echo "$*" >"${LAB_T:-/tmp}/reason"
	say "FAIL: $*"
	diag >"${LAB_T:-/tmp}/diag.txt" 2>&1
	exit 1
}

# State worth having when a test fails: domains, disks, xenstore, and
# whether each guest's agent still answers.
diag() {
	local g
	xl list
	for g in $(xl list | awk 'NR > 2 {print $1}'); do
		echo "== $g (domid $(xl domid "$g"))"
		xl block-list "$g"
		xenstore-ls -f "/local/domain/$(xl domid "$g")/device" 2>/dev/null | grep -E 'state|queues|ring-page'
		gcmd "$g" 15 'echo agent-alive; cat /proc/partitions' 2>&1
	done
	xenstore-ls -f /local/domain/0/backend/vbd 2>/dev/null
	ls -l /sys/bus/xen-backend/devices/
	losetup -a
}

# A /proc/meminfo field, in kB.
mem_field() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }

# Poll until a command succeeds: wait_for SECONDS CMD...  The limit is kept
# to the microsecond ($SECONDS counts whole seconds, so a limit measured
# with it could stretch by up to one).  Like every test's time limit and
# gcmd's, it stretches by LAB_TIME_SCALE on the slower debug kernel.
wait_for() {
	local end=$((${EPOCHREALTIME/./} + $1 * ${LAB_TIME_SCALE:-1} * 1000000))
	shift
	until "$@"; do
		[ "${EPOCHREALTIME/./}" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# The stock driver must never claim the vbd devices in ng runs.
lab_block_stock() {
	printf 'blacklist xen_blkback\ninstall xen_blkback /bin/false\n' \
		>/etc/modprobe.d/lab-ng.conf
}

load_backend() {
	if [ "$LAB_BACKEND" = ng ]; then
		lab_block_stock
		[ -e /lab/ko/xen-blkback-ng.ko ] || { say "no /lab/ko/xen-blkback-ng.ko"; return 1; }
		# shellcheck disable=SC2086 # LAB_NG_PARAMS is a list of key=value
		insmod /lab/ko/xen-blkback-ng.ko ${LAB_NG_PARAMS:-} || return 1
		# What it loaded with: every test starts from it (prep).
		ng_params_save >"$NG_PARAMS0"
	else
		modprobe xen-blkback || return 1
	fi
	check_backend_binding
}

# The module that owns the vbd driver is the one under test, and in ng runs
# the stock module is not loaded.
check_backend_binding() {
	local m
	if [ "$LAB_BACKEND" = ng ] && [ -e /sys/module/xen_blkback ]; then
		echo "stock xen_blkback is loaded in an ng run"
		return 1
	fi
	m=$(readlink /sys/bus/xen-backend/drivers/vbd/module 2>/dev/null)
	case "$m" in
	*/"$BACKEND_MOD") return 0 ;;
	esac
	echo "vbd driver module is '${m:-none}', expected $BACKEND_MOD"
	return 1
}

# Which backend is loaded: ng, stock or none.  The bench and the demo
# switch between the two in one boot (use_drv).
cur_drv() {
	if [ -e /sys/module/xen_blkback_ng ]; then
		echo ng
	elif [ -e /sys/module/xen_blkback ]; then
		echo stock
	else
		echo none
	fi
}

# lib.sh's attach checks the module that owns 'vbd' against these.
sync_drv_vars() {
	LAB_BACKEND=$(cur_drv)
	# shellcheck disable=SC2034 # read by lib.sh's check_backend_binding
	if [ "$LAB_BACKEND" = ng ]; then BACKEND_MOD=xen_blkback_ng; else BACKEND_MOD=xen_blkback; fi
}

# Unload whatever backend is loaded; true once none is.  A device just
# detached may still be going away: callers poll it (wait_for).
backend_unloaded() {
	case $(cur_drv) in
	ng) rmmod xen_blkback_ng 2>/dev/null ;;
	stock) rmmod xen_blkback 2>/dev/null ;;
	esac
	[ "$(cur_drv)" = none ]
}

# use_drv ng|stock [param=value...]: unload whatever backend is loaded and
# load this one with these parameters (the stock names are the same).
use_drv() {
	local want=$1
	shift
	wait_for 10 backend_unloaded || { say "cannot unload $(cur_drv)"; return 1; }
	# The lab blacklists the stock driver in ng runs; here both take turns.
	rm -f /etc/modprobe.d/lab-ng.conf
	if [ "$want" = ng ]; then
		insmod /lab/ko/xen-blkback-ng.ko "$@" || return 1
	else
		modprobe xen-blkback "$@" || return 1
	fi
	sync_drv_vars
	check_backend_binding
}

# ---------------------------------------------------------------- guests

# guest_create NAME VCPUS MEMORY_MB [TYPE]: a guest running the console
# agent, PV unless TYPE says pvh.
guest_create() {
	local name=$1 vcpus=${2:-2} mem=${3:-256} type=${4:-pv} log
	log=$CONSOLE_DIR/guest-$name.log
	xl destroy "$name" >/dev/null 2>&1
	cat >"/tmp/$name.cfg" <<-EOF
		name = "$name"
		type = "$type"
		kernel = "/opt/domu/vmlinuz"
		ramdisk = "/opt/domu/initrd.gz"
		extra = "console=hvc0 loglevel=4"
		memory = $mem
		vcpus = $vcpus
		on_poweroff = "destroy"
		on_reboot = "restart"
		on_crash = "preserve"
	EOF
	local off
	off=$(stat -c %s "$log" 2>/dev/null || echo 0)
	timeout 120 xl create "/tmp/$name.cfg" >"$LAB_T/xl-create-$name.log" 2>&1 ||
		fail "xl create $name failed: $(tail -n 2 "$LAB_T/xl-create-$name.log" | tr '\n' ' ')"
	wait_for 180 log_has_since "$log" "$off" '^@@READY' ||
		fail "guest $name: agent not ready within 180 s"
}

log_has_since() { # FILE OFFSET REGEX
	tail -c +$(($2 + 1)) "$1" 2>/dev/null | tr -d '\r' | grep -q -E "$3"
}

guest_running() { xl domid "$1" >/dev/null 2>&1; }

# A guest that answers; recreated if it died in an earlier test.
need_guest() { # NAME [VCPUS [MEMORY_MB [TYPE]]]
	local name=$1 vcpus=${2:-2} mem=${3:-256} type=${4:-pv}
	if guest_running "$name" && gcmd_q "$name" 20 true; then
		return 0
	fi
	guest_create "$name" "$vcpus" "$mem" "$type"
}

# Load GUEST's xen-blkfront again with PARAM=VALUE... (none: its defaults).
# Only while the guest has no disk attached.
guest_blkfront() { # GUEST [PARAM=VALUE...]
	local g=$1
	shift
	gcmd "$g" 60 "rmmod xen_blkfront; insmod /lib/xen-blkfront.ko $*" >/dev/null
}

# gcmd NAME SECONDS CMD...: run CMD in the guest; its output is printed
# (and kept in $LAB_T/gout); returns its exit status, 124 on timeout.
gcmd() {
	local name=$1 limit=$(($2 * ${LAB_TIME_SCALE:-1})) log domid tty off id t0 rc
	shift 2
	log=$CONSOLE_DIR/guest-$name.log
	domid=$(xl domid "$name" 2>/dev/null) || { echo "guest $name not running"; return 125; }
	tty=$(xenstore-read "/local/domain/$domid/console/tty") || return 125
	id=g$RANDOM$RANDOM
	off=$(stat -c %s "$log" 2>/dev/null || echo 0)
	printf '%s %s\n' "$id" "$*" >"$tty"
	t0=$SECONDS
	until log_has_since "$log" "$off" "^@@END $id "; do
		if [ $((SECONDS - t0)) -ge "$limit" ]; then
			echo "guest command timed out after $limit s: $*"
			tail -c +$((off + 1)) "$log" | tr -d '\r' | tee "$LAB_T/gout" | tail -n 20
			return 124
		fi
		# A frontend that gave up on its disk never answers: stop now
		# rather than at the time limit.
		if log_has_since "$log" "$off" "$GUEST_FATAL"; then
			echo "guest kernel reported a failure during: $*"
			tail -c +$((off + 1)) "$log" | tr -d '\r' | tee "$LAB_T/gout" |
				grep -E -m 3 "$GUEST_FATAL"
			return 126
		fi
		sleep 0.3
	done
	tail -c +$((off + 1)) "$log" | tr -d '\r' | sed "/^@@END $id /q" >"$LAB_T/gout"
	rc=$(sed -n "s/^@@END $id \([0-9]*\).*/\1/p" "$LAB_T/gout")
	sed "/^@@END $id /d" "$LAB_T/gout"
	return "${rc:-1}"
}

gcmd_q() { gcmd "$@" >/dev/null 2>&1; }

# The value printed by a guest script as "@@SUM x" in the last command.
gsum() { sed -n 's/^@@SUM \([0-9a-f]*\).*/\1/p' "$LAB_T/gout" | tail -n 1; }

# ----------------------------------------------------------------- disks

# Devid of a vdev name: xvdb -> 51728 (202 << 8 | index << 4).
vdev_devid() {
	local letter=${1#xvd} idx
	idx=$(($(printf '%d' "'$letter") - 97))
	# xvda-xvdp fit the xvd major's minors; from xvdq on, the toolstack
	# uses the extended numbering (see xen's vbd-interface.txt).
	if [ "$idx" -lt 16 ]; then
		echo $(((202 << 8) | (idx << 4)))
	else
		echo $(((1 << 28) | (idx << 8)))
	fi
}

backend_dir() { # GUEST VDEV
	echo "/sys/bus/xen-backend/devices/vbd-$(xl domid "$1")-$(vdev_devid "$2")"
}

# attach GUEST VDEV TARGET [rw|ro]: hot-plug a disk and wait until the guest
# sees it; checks that the backend under test serves it.
attach() {
	local g=$1 vdev=$2 target=$3 access=${4:-rw} why
	timeout 90 xl block-attach "$g" "$(disk_script)format=raw,vdev=$vdev,access=$access,target=$target" \
		>"$LAB_T/attach.log" 2>&1 ||
		fail "xl block-attach $g $vdev $target failed: $(tail -n 2 "$LAB_T/attach.log" | tr '\n' ' ')"
	gcmd "$g" 60 waitdev "$vdev" 50 >/dev/null || fail "guest $g did not see $vdev"
	[ -d "$(backend_dir "$g" "$vdev")" ] || fail "no backend device $(backend_dir "$g" "$vdev")"
	why=$(check_backend_binding) || fail "$why"
}

# The hotplug script part of a disk spec (see /lab/block-fast.sh).
disk_script() {
	[ "${LAB_HOTPLUG:-fast}" = xen ] || echo "script=/lab/block-fast.sh,"
}

detach() { # GUEST VDEV
	local g=$1 vdev=$2 bdir
	bdir=$(backend_dir "$g" "$vdev")
	timeout 90 xl block-detach "$g" "$vdev" >"$LAB_T/detach.log" 2>&1 ||
		fail "xl block-detach $g $vdev failed: $(tail -n 2 "$LAB_T/detach.log" | tr '\n' ' ')"
	wait_for 30 test ! -e "$bdir" || fail "backend $bdir still there 30 s after detach"
	gcmd "$g" 40 waitgone "$vdev" 30 >/dev/null || fail "guest $g still has $vdev after detach"
}

# A sparse file on dom0's tmpfs behind a loop device; prints /dev/loopN.
mk_loop() { # NAME SIZE_MB
	local f=/tmp/$1.img
	rm -f "$f"
	truncate -s "$2M" "$f" || return 1
	losetup -f --show "$f"
}

# A brd ramdisk; the module is loaded once with 4 disks of 160 MiB.
mk_brd() { # INDEX
	[ -e /sys/module/brd ] || modprobe brd rd_nr=4 rd_size=163840 max_part=0 || return 1
	blkdiscard "/dev/ram$1" 2>/dev/null
	echo "/dev/ram$1"
}

# A device-mapper device NAME with TABLE; prints its /dev/dm-N node (there
# is no udev in dom0, so no /dev/mapper link).
mk_dm() { # NAME TABLE
	local d
	dmsetup create "$1" --table "$2" || return 1
	d=/dev/$(dmsetup info -c --noheadings -o blkdevname "$1") || return 1
	[ -b "$d" ] || return 1
	echo "$d"
}

# sha256 of MIB MiB of a dom0 block device, read past the page cache.
dom0_sum() { # DEV MIB [SKIP_MIB]
	dd if="$1" bs=1M count="$2" skip="${3:-0}" iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1
}

# Write random data in the guest and find the same bytes on the backing
# device in dom0.
cross_check() { # GUEST VDEV BACKING MIB
	local s
	gcmd "$1" 120 ddsum "$2" "$4" >/dev/null || fail "ddsum on $2 failed in the guest: $(tail -n 3 "$LAB_T/gout" | tr '\n' ' ')"
	s=$(gsum)
	[ -n "$s" ] || fail "no checksum from the guest"
	[ "$(dom0_sum "$3" "$4")" = "$s" ] || fail "$3 in dom0 does not hold what the guest wrote on $2"
}

# ----------------------------------------------------------------- stats

vbd_stat() { # GUEST VDEV NAME: one of statistics/* of the backend device
	cat "$(backend_dir "$1" "$2")/statistics/$3" 2>/dev/null || echo -1
}

# Waits until the backend has served 100 writes of GUEST's VDEV: the guest's
# I/O is under way (both drivers count statistics/wr_req).
vbd_stat_above() { [ "$(vbd_stat "$1" "$2" "$3")" -gt "$4" ]; } # GUEST VDEV NAME N
wr_req_above() { vbd_stat_above "$1" "$2" wr_req "$3"; }
writes_in_flight() { wait_for 60 wr_req_above "$1" "$2" 100; } # GUEST VDEV

# Field N (1-based) of /sys/block/DEV/stat.
blk_stat() { awk -v n="$2" '{print $n}' "/sys/block/$1/stat"; }

# Grant entries of domain DOMID that are mapped (pinned) right now, from
# Xen's 'g' debug key dump.
grants_mapped() {
	local d=$1
	# What Xen said before the dump: the driver scans it with the rest.
	xl dmesg -c >>"$LAB_T/xen-dmesg.log" 2>/dev/null
	: >"$LAB_T/gnttab.txt"
	xl debug-keys g
	# The dump may be printed from a tasklet: wait for its closing line.
	for _ in $(seq 50); do
		xl dmesg -c >>"$LAB_T/gnttab.txt"
		grep -q 'gnttab_usage_print_all \] done' "$LAB_T/gnttab.txt" && break
		sleep 0.2
	done
	cat "$LAB_T/gnttab.txt" >>"$OUT/xen-dmesg.log"
	# Xen prints one row "[0xREF] domid mfn pin ..." per active (pinned)
	# entry, after a "grant-table for remote d<N> (v1)" header.
	awk -v d="d$d" '
		/grant-table for remote d[0-9]+/ {
			for (i = 1; i <= NF; i++) if ($i ~ /^d[0-9]+$/) cur = $i
			next
		}
		/gnttab_usage_print_all/ { cur = "" }
		cur == d && /\[0x[0-9a-f]+\]/ { n++ }
		END { print n + 0 }' "$LAB_T/gnttab.txt"
}

# The grants of domain DOMID dom0 maps, once they stopped going back:
# persistent grants and ring pages are unmapped asynchronously after a
# detach, so poll until the count is down to BASE (10 s at most).
grants_settle() { # DOMID BASE
	local now=-1
	for _ in $(seq 10); do
		now=$(grants_mapped "$1")
		[ "$now" -le "$2" ] && break
		sleep 1
	done
	echo "$now"
}

# After the last vbd device is gone: dom0 maps no more grants of GUEST than
# BASE, and (ng) the pools gave everything back.  Fails the test otherwise.
check_released() { # GUEST BASE
	local now
	now=$(grants_settle "$(xl domid "$1")" "$2")
	say "grants of $1 mapped: $2 before, $now after"
	[ "$now" -le "$2" ] || fail "dom0 still maps $now grants of $1 after detach, $2 before"
	[ "$LAB_BACKEND" = ng ] && ng_check_drained
	return 0
}

# ng, with no vbd device left: every pool page, request descriptor and
# persistent grant came back.  Fails the test otherwise.
ng_check_drained() {
	say "pools: allocated $(ng_pool allocated) released $(ng_pool released) free $(ng_pool free_pages) desc $(ng_pool desc_held) pgrant $(ng_pool pgrant_held)"
	# Freed pages go back through a worker: poll, do not sleep.
	wait_for 20 sh -c "[ \"\$(cat $NG_SYS/pool/allocated)\" = \"\$(cat $NG_SYS/pool/released)\" ]" ||
		fail "pages allocated $(ng_pool allocated) but released $(ng_pool released) after the last detach"
	[ "$(ng_pool free_pages)" = 0 ] || fail "pools still hold $(ng_pool free_pages) free pages"
	[ "$(ng_pool desc_held)" = 0 ] || fail "$(ng_pool desc_held) descriptors still held"
	[ "$(ng_pool pgrant_held)" = 0 ] || fail "$(ng_pool pgrant_held) persistent grants still held"
}

# ----------------------------------------------------------- ng specifics

# A parameter of the backend under test, either driver (same names).
be_param() { cat "/sys/module/$BACKEND_MOD/parameters/$1"; }
be_param_set() { echo "$2" >"/sys/module/$BACKEND_MOD/parameters/$1"; }
ng_param() { cat "$NG_SYS/parameters/$1"; }
# A parameter's value as it is written: pool_policy reads "static [squeeze] ...".
ng_param_value() { sed 's/.*\[\(.*\)\].*/\1/' "$NG_SYS/parameters/$1"; }
# The writable parameters as the module loaded, so that a test that fails
# half-way leaves no setting to the next one.
NG_PARAMS0=/run/lab-ng-params0
ng_params_save() { # "NAME VALUE" per writable parameter
	local f
	for f in "$NG_SYS"/parameters/*; do
		[ "$(stat -c %a "$f")" = 644 ] && printf '%s %s\n' "${f##*/}" "$(ng_param_value "${f##*/}")"
	done
}
ng_params_restore() {
	local n v
	[ -e "$NG_PARAMS0" ] || return 0
	while read -r n v; do
		[ "$(ng_param_value "$n")" = "$v" ] || ng_set "$n" "$v" || return 1
	done <"$NG_PARAMS0"
}
ng_set() { echo "$2" >"$NG_SYS/parameters/$1"; }
ng_pool() { cat "$NG_SYS/pool/$1"; }
# Sum of a pool stat over every connected vbd device.
ng_dev_pool_max() {
	local f m=0 v
	for f in /sys/bus/xen-backend/devices/vbd-*/pool/"$1"; do
		[ -e "$f" ] || continue
		v=$(cat "$f")
		[ "$v" -gt "$m" ] && m=$v
	done
	echo "$m"
}

# The module's debugfs folder (mounts debugfs if needed).
ng_debugfs() {
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	echo /sys/kernel/debug/xen-blkback-ng
}
# The module's per-domain accounts, a header line and one line per domain:
# DOMID DEVICES USED_KB HIGH_WATER_KB BUDGET_KB REFUSED.
ng_domains() { cat "$(ng_debugfs)/domains"; }
# A guest's line of the accounts, and one field of it.
dom_line() { ng_domains | grep "^$(xl domid "$1") "; } # GUEST
no_account() { ! dom_line "$1" >/dev/null; } # GUEST
dom_account() { dom_line "$1" | awk -v f="$2" '{print $f}'; } # GUEST FIELD

# One pool counter of a backend device: vbd_pool BACKEND_DIR NAME.
vbd_pool() { cat "$1/pool/$2"; }

# The counters worth printing when a pool test fails.
pool_line() { # BACKEND_DIR
	local f line=
	for f in free_pages high_water desc_held desc_high_water pgrant_held pgrant_high_water pressure_events; do
		line="$line $f=$(vbd_pool "$1" "$f" 2>/dev/null || echo '?')"
	done
	echo "${line# }"
}

# Whether a device holds no idle page, descriptor or persistent grant.
pools_empty() { # BACKEND_DIR
	[ "$(vbd_pool "$1" free_pages)" = 0 ] &&
		[ "$(vbd_pool "$1" desc_held)" = 0 ] &&
		[ "$(vbd_pool "$1" pgrant_held)" = 0 ]
}
