# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# A guest's I/O charged to a cgroup the host chooses (src/blkcg.c), so
# that the kernel's I/O controller applies to it.  Run on both backends:
# the stock driver's bios stay in the root cgroup, so the same settings
# must not change its guest's I/O, which shows that the cap comes from
# the module.

CGROOT=/sys/fs/cgroup

# cgroup2 mounted, the io controller on for the root's children and for
# xen/'s; prints the guest's cgroup folder, xen/NAME, created empty.
cg_setup() { # NAME
	mountpoint -q "$CGROOT" || mount -t cgroup2 none "$CGROOT" || return 1
	echo +io >"$CGROOT/cgroup.subtree_control" || return 1
	mkdir -p "$CGROOT/xen/$1" || return 1
	echo +io >"$CGROOT/xen/cgroup.subtree_control" || return 1
	echo "$CGROOT/xen/$1"
}

# The guest's fio, one job for SECONDS after a 2 s ramp; prints the read
# IOPS and the write bandwidth in KiB/s (terse format v3: fields 8 and 48).
guest_fio_rate() { # GUEST VDEV SECONDS FIO-ARGS...
	local g=$1 v=$2 s=$3
	shift 3
	gcmd "$g" $((s + 60)) fio --name=cg --filename="/dev/$v" --direct=1 --ioengine=libaio \
		--runtime="$s" --time_based --ramp_time=2 --output-format=terse --terse-version=3 \
		"$@" >/dev/null || return 1
	awk -F';' '$1 == 3 {print int($8), int($48)}' "$LAB_T/gout" | tail -n 1
}

charged_to_root() { [ -z "$(cat "$1/cgroup")" ]; } # BACKEND_DIR

# Whether VALUE lies within [LO_PCT, HI_PCT] percent of TARGET.
within() { # VALUE TARGET LO_PCT HI_PCT
	[ $(($1 * 100)) -ge $(($2 * $3)) ] && [ $(($1 * 100)) -le $(($2 * $4)) ]
}

# io.max on g1's cgroup caps its disk: 4 KiB random reads at riops=N run
# at 0.9N to 1.05N, and sequential writes at wbps=B at 0.9B to 1.05B,
# with xen-blkback-ng charging the disk to that cgroup; the cgroup's
# io.stat shows the guest's I/O.  With the stock driver the same limits
# leave the guest well above both.  Then (xen-blkback-ng) a path that is
# not a cgroup is refused, removing the cgroup under the connected disk
# falls back to the root with one message, the data intact, and
# cgroup_template names the cgroup of a disk that connects.
t_cgroup-io-max() {
	local cg l dev iops wbw n=300 bps=$((4 * 1024 * 1024)) b d n0 msgs
	prep
	cg=$(cg_setup g1) || fail "cannot set up cgroup2 with the io controller"
	[ -e "$cg/io.max" ] || fail "no io.max: this kernel has no blk-throttle"
	l=$(mk_loop disk-cg 256) || fail "losetup failed"
	dev=$(cat "/sys/class/block/$(basename "$l")/dev")
	echo "$dev riops=$n wbps=$bps" >"$cg/io.max" || fail "cannot write io.max"
	attach g1 xvdb "$l"
	b=$(backend_dir g1 xvdb)
	if [ "$LAB_BACKEND" = ng ]; then
		echo xen/g1 >"$b/cgroup" || fail "the device's cgroup attribute refused xen/g1"
		[ "$(cat "$b/cgroup")" = xen/g1 ] || fail "cgroup reads '$(cat "$b/cgroup")' after writing xen/g1"
	fi
	read -r iops _ <<<"$(guest_fio_rate g1 xvdb 10 --rw=randread --bs=4k --iodepth=16)" ||
		fail "guest random reads failed"
	read -r _ wbw <<<"$(guest_fio_rate g1 xvdb 10 --rw=write --bs=64k --iodepth=4)" ||
		fail "guest writes failed"
	say "$LAB_BACKEND: riops=$n -> $iops IOPS; wbps=$((bps / 1024)) KiB/s -> $wbw KiB/s"
	if [ "$LAB_BACKEND" = ng ]; then
		within "$iops" "$n" 90 105 || fail "riops=$n, the guest read at $iops IOPS"
		within "$wbw" $((bps / 1024)) 90 105 || fail "wbps=$((bps / 1024)) KiB/s, the guest wrote at $wbw KiB/s"
		grep -q "^$dev .*rios=[1-9]" "$cg/io.stat" || fail "io.stat of xen/g1 shows no reads: $(cat "$cg/io.stat")"
	else
		# The stock driver's bios are the root's: the limits do nothing.
		[ "$iops" -gt $((2 * n)) ] || fail "stock: $iops IOPS, capped although the stock driver charges no cgroup"
		[ "$wbw" -gt $((2 * bps / 1024)) ] || fail "stock: $wbw KiB/s, capped although the stock driver charges no cgroup"
		detach g1 xvdb
		rmdir "$cg"
		return 0
	fi

	for d in no/such/cgroup xen/g1/io.max; do
		if echo "$d" >"$b/cgroup" 2>/dev/null; then
			fail "the cgroup attribute took '$d'"
		fi
	done
	[ "$(cat "$b/cgroup")" = xen/g1 ] || fail "a refused write changed the cgroup to '$(cat "$b/cgroup")'"

	n0=$(dmesg | wc -l)
	rmdir "$cg" || fail "cannot remove xen/g1 under the connected disk"
	wait_for 10 charged_to_root "$b" ||
		fail "cgroup reads '$(cat "$b/cgroup")' after xen/g1 was removed"
	cross_check g1 xvdb "$l" 8
	msgs=$(dmesg | tail -n +$((n0 + 1)) | grep -c 'cgroup xen/g1 was removed')
	[ "$msgs" = 1 ] || fail "the removal was logged $msgs times, not once"
	detach g1 xvdb

	# cgroup_template by the domain's name, taken when a disk connects.
	cg=$(cg_setup g1) || fail "cannot create xen/g1 again"
	ng_set cgroup_template 'xen/%n' || fail "cannot set cgroup_template"
	attach g1 xvdb "$l"
	b=$(backend_dir g1 xvdb)
	[ "$(cat "$b/cgroup")" = xen/g1 ] || fail "with cgroup_template xen/%n the disk is charged to '$(cat "$b/cgroup")'"
	detach g1 xvdb
	rmdir "$cg"
}
