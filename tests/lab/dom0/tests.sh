# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The lab tests, one function t_NAME each, run inside dom0 by driver.sh.
# Every test asserts something it can observe; none passes by default.
# Test sets (which names run) are chosen by tests/lab/sets.sh on the host.
#
# Most tests share one guest, g1 (2 vCPUs, so blkfront opens two queues),
# created by the first test that needs it and recreated if a test left it
# dead; each test hot-plugs the disks it needs and removes them at the end.

# Seconds a test may take before the driver kills it.
test_limit() {
	case "$1" in
	integrity-* | hotplug) echo 600 ;;
	hotplug-20 | many-disks | two-guests) echo 900 ;;
	guest-boot | guest-reboot | guest-destroy | lifecycle) echo 400 ;;
	pool-adaptive | pool-device-policy | teardown-stalled | geometry | save-restore | migrate-local) echo 600 ;;
	held-pages-iscsi-long) echo 900 ;;
	debug-faultinject | demo) echo 900 ;;
	*) echo 300 ;;
	esac
}

# Detach whatever disks a failed earlier test left on GUEST, and free the
# backing devices nobody uses any more.
clean_slate() {
	local g=${1:-g1} v
	if guest_running "$g"; then
		for v in $(xl block-list "$g" 2>/dev/null | awk 'NR > 1 {print $1}'); do
			timeout 60 xl block-detach "$g" "$v" >/dev/null 2>&1 ||
				timeout 30 xl block-detach -f "$g" "$v" >/dev/null 2>&1
		done
	fi
	dmsetup remove_all >/dev/null 2>&1
	losetup -D 2>/dev/null
	# dom0's /tmp and brd's disks are RAM: backing files and ramdisks left
	# by earlier tests would starve the later ones (dom0 has 1 GiB).  A
	# file still held by a loop device lives on until that is detached;
	# mk_brd loads brd again when a test needs it.
	rm -f /tmp/*.img
	rmmod brd 2>/dev/null || true
}

# The shared guest, answering, with no disk left by an earlier test, and
# the module's parameters as it loaded with them.  Call before creating
# backing devices: it frees unused loop and dm devices.
prep() {
	need_guest g1
	clean_slate g1
	if [ "$LAB_BACKEND" = ng ]; then
		ng_params_restore || fail "cannot restore the module's parameters"
	fi
}

# Every run checks that the backend under test owns the vbd driver.
t_boot() {
	xl info >"$LAB_T/xl-info.txt" || fail "xl info failed"
	grep -q '^xen_major *: 4' "$LAB_T/xl-info.txt" || fail "xl info shows no Xen 4"
	local why
	why=$(check_backend_binding) || fail "$why"
	if [ "$LAB_BACKEND" = ng ]; then
		[ ! -e /sys/module/xen_blkback ] || fail "stock xen_blkback loaded"
		[ -d "$NG_SYS/parameters" ] || fail "no $NG_SYS/parameters"
	fi
	say "Xen $(awk '/^xen_version/ {print $3}' "$LAB_T/xl-info.txt"), dom0 $(uname -r), backend $BACKEND_MOD"
}

t_guest-boot() {
	need_guest g1 2 256
	gcmd g1 20 nproc >"$LAB_T/nproc" || fail "guest agent does not answer"
	[ "$(head -n 1 "$LAB_T/nproc")" = 2 ] || fail "guest has $(head -n 1 "$LAB_T/nproc") vCPUs, want 2"
}

# The integrity matrix plus a dom0-side cross-check on one backing device.
integrity_on() { # BACKING [quick]
	local dev=$1 d q
	attach g1 xvdb "$dev"
	d=$(xl domid g1)
	q=$(xenstore-read "/local/domain/$d/device/vbd/$(vdev_devid xvdb)/multi-queue-num-queues" 2>/dev/null)
	[ "${q:-1}" -ge 2 ] || fail "frontend negotiated ${q:-1} queue(s), want 2"
	gcmd g1 540 integrity xvdb "${2:-}" ||
		fail "fio verify failed on $dev: $(grep -m 1 -E "$GUEST_FATAL|fail|err=[^ 0]" "$LAB_T/gout")"
	cross_check g1 xvdb "$dev" 8
	[ "$(vbd_stat g1 xvdb wr_req)" -gt 0 ] || fail "backend statistics/wr_req did not count the writes"
	detach g1 xvdb
}

t_integrity-loop() {
	local l
	prep
	l=$(mk_loop disk-int 160) || fail "losetup failed"
	integrity_on "$l"
}

t_integrity-brd() {
	local r
	prep
	r=$(mk_brd 0) || fail "brd did not load"
	integrity_on "$r" quick
}

t_integrity-dm() {
	local l s d
	prep
	l=$(mk_loop disk-dm 160) || fail "losetup failed"
	s=$(blockdev --getsz "$l")
	d=$(mk_dm labdm "0 $s linear $l 0") || fail "dmsetup create labdm failed"
	integrity_on "$d" quick
	dmsetup remove labdm || fail "dm device still busy after detach"
}

# Flushes from the guest reach the backing device: the backend counts them
# (statistics/f_req) and the loop device's own flush counter moves.
t_flush() {
	local l f0 b0 f1 b1
	prep
	l=$(mk_loop disk-flush 64) || fail "losetup failed"
	attach g1 xvdb "$l"
	d=$(xl domid g1)
	[ "$(xenstore-read "/local/domain/0/backend/vbd/$d/$(vdev_devid xvdb)/feature-flush-cache" 2>/dev/null)" = 1 ] ||
		fail "backend does not offer feature-flush-cache on a loop device"
	f0=$(vbd_stat g1 xvdb f_req)
	b0=$(blk_stat "${l#/dev/}" 16)
	gcmd g1 120 fio --name=fl --filename=/dev/xvdb --rw=write --bs=4k --size=1m \
		--direct=1 --fsync=1 >/dev/null || fail "fio with fsync=1 failed in the guest"
	f1=$(vbd_stat g1 xvdb f_req)
	b1=$(blk_stat "${l#/dev/}" 16)
	say "f_req $f0 -> $f1, loop flushes $b0 -> $b1"
	[ "$((f1 - f0))" -ge 200 ] || fail "backend counted $((f1 - f0)) flushes for 256 fsyncs"
	[ "$((b1 - b0))" -ge 200 ] || fail "loop device saw $((b1 - b0)) flushes for 256 fsyncs"
	detach g1 xvdb
}

# Discard punches holes in the loop file: fewer blocks allocated and the
# range reads back as zeros, in the guest and in dom0.
t_discard() {
	local l blk0 blk1 zsum
	prep
	l=$(mk_loop disk-discard 64) || fail "losetup failed"
	attach g1 xvdb "$l"
	[ "$(xenstore-read "/local/domain/0/backend/vbd/$(xl domid g1)/$(vdev_devid xvdb)/feature-discard" 2>/dev/null)" = 1 ] ||
		fail "backend does not offer feature-discard on a loop device"
	cross_check g1 xvdb "$l" 16
	blk0=$(stat -c %b /tmp/disk-discard.img)
	gcmd g1 60 blkdiscard -o 0 -l 8388608 /dev/xvdb || fail "blkdiscard failed in the guest"
	blk1=$(stat -c %b /tmp/disk-discard.img)
	say "loop file blocks $blk0 -> $blk1"
	[ "$((blk0 - blk1))" -ge 16000 ] || fail "discard of 8 MiB freed $(((blk0 - blk1) / 2)) KiB of the loop file"
	zsum=$(head -c 8388608 /dev/zero | sha256sum | cut -d' ' -f1)
	[ "$(dom0_sum "$l" 8)" = "$zsum" ] || fail "discarded range does not read as zeros in dom0"
	gcmd g1 60 devsum xvdb 8 >/dev/null || fail "guest read of the discarded range failed"
	[ "$(gsum)" = "$zsum" ] || fail "discarded range does not read as zeros in the guest"
	# The rest of the data is untouched.
	gcmd g1 60 devsum xvdb 8 8 >/dev/null || fail "guest read failed"
	[ "$(gsum)" = "$(dom0_sum "$l" 8 8)" ] || fail "data past the discarded range differs"
	detach g1 xvdb
}

# A cdrom: the backend tells the frontend so (info has VDISK_CDROM and
# VDISK_READONLY), the guest reads the image dom0 holds and cannot write it.
t_cdrom() {
	local l info before
	prep
	l=$(mk_loop disk-cd 16) || fail "losetup failed"
	dd if=/dev/urandom of="$l" bs=1M count=4 oflag=direct 2>/dev/null || fail "dom0 could not fill $l"
	before=$(dom0_sum "$l" 4)
	timeout 90 xl block-attach g1 "$(disk_script)format=raw,vdev=xvdb,access=ro,devtype=cdrom,target=$l" \
		>"$LAB_T/attach.log" 2>&1 || fail "cdrom attach failed: $(tail -n 2 "$LAB_T/attach.log" | tr '\n' ' ')"
	gcmd g1 60 waitdev xvdb 50 >/dev/null || fail "guest did not see the cdrom"
	info=$(xenstore-read "/local/domain/0/backend/vbd/$(xl domid g1)/$(vdev_devid xvdb)/info") ||
		fail "no info node for the cdrom"
	say "cdrom: info $info"
	[ $((info & 1)) = 1 ] || fail "info $info lacks VDISK_CDROM"
	[ $((info & 4)) = 4 ] || fail "info $info lacks VDISK_READONLY"
	gcmd g1 60 devsum xvdb 4 >/dev/null || fail "guest cannot read the cdrom"
	[ "$(gsum)" = "$before" ] || fail "guest reads other data from the cdrom than dom0 has"
	if gcmd g1 60 dd if=/dev/urandom of=/dev/xvdb bs=4k count=4 oflag=direct conv=fsync; then
		fail "a write to the cdrom succeeded in the guest"
	fi
	[ "$(dom0_sum "$l" 4)" = "$before" ] || fail "the cdrom's data changed"
	detach g1 xvdb
}

# A read-only disk: the guest can read, its writes fail with an error, and
# the backing data does not change.
t_readonly() {
	local l before
	prep
	l=$(mk_loop disk-ro 64) || fail "losetup failed"
	dd if=/dev/urandom of="$l" bs=1M count=4 oflag=direct 2>/dev/null || fail "dom0 could not fill $l"
	before=$(dom0_sum "$l" 4)
	attach g1 xvdb "$l" ro
	gcmd g1 30 cat /sys/block/xvdb/ro >"$LAB_T/ro" || fail "guest cannot read /sys/block/xvdb/ro"
	[ "$(head -n 1 "$LAB_T/ro")" = 1 ] || fail "guest does not see xvdb read-only"
	gcmd g1 60 devsum xvdb 4 >/dev/null || fail "guest cannot read the read-only disk"
	[ "$(gsum)" = "$before" ] || fail "guest reads other data than dom0 wrote"
	if gcmd g1 60 dd if=/dev/urandom of=/dev/xvdb bs=4k count=16 oflag=direct conv=fsync; then
		fail "a write to the read-only disk succeeded in the guest"
	fi
	grep -q -i -E 'error|not permitted|read-only' "$LAB_T/gout" || fail "write refused without an error message: $(tail -n 1 "$LAB_T/gout")"
	# The guest's own check can be bypassed (BLKROSET 0); the backend must
	# still refuse: the write must fail and the backing data stay the same.
	gcmd g1 30 blockdev --setrw /dev/xvdb >/dev/null
	gcmd g1 60 dd if=/dev/urandom of=/dev/xvdb bs=4k count=16 oflag=direct conv=fsync >/dev/null &&
		fail "backend accepted a write to a read-only disk"
	[ "$(dom0_sum "$l" 4)" = "$before" ] || fail "backing data changed under a read-only disk"
	detach g1 xvdb
}

# Online resize: grow the loop file, then shrink it; the guest sees each new
# size without a reattach (the backend notices on its next request).
t_resize() {
	local l
	prep
	l=$(mk_loop disk-resize 64) || fail "losetup failed"
	attach g1 xvdb "$l"
	cross_check g1 xvdb "$l" 4
	resize_to "$l" /tmp/disk-resize.img 96
	# The new space is usable and holds data.
	gcmd g1 60 dd if=/dev/urandom of=/dev/xvdb bs=1M count=4 seek=90 oflag=direct conv=fsync >/dev/null ||
		fail "guest cannot write the grown part"
	gcmd g1 60 devsum xvdb 4 90 >/dev/null || fail "guest cannot read the grown part"
	[ "$(gsum)" = "$(dom0_sum "$l" 4 90)" ] || fail "grown part differs between guest and dom0"
	# Shrink below the grown part: the guest sees the smaller size, its
	# first data is still there, and nothing is read past the new end.
	resize_to "$l" /tmp/disk-resize.img 32
	gcmd g1 60 devsum xvdb 4 >/dev/null || fail "guest cannot read the disk after the shrink"
	[ "$(gsum)" = "$(dom0_sum "$l" 4)" ] || fail "data below the new end differs between guest and dom0"
	gcmd g1 30 dd if=/dev/xvdb of=/dev/null bs=1M count=1 skip=40 iflag=direct >"$LAB_T/past-end" 2>&1
	grep -q '^0+0 records in' "$LAB_T/past-end" || fail "a read past the new end returned data: $(head -n 2 "$LAB_T/past-end" | tr '\n' ' ')"
	detach g1 xvdb
}

# Resize g1's xvdb, the loop device LOOP over FILE, to MIB MiB, and wait
# until the guest sees the new size: the backend notices it on its next
# request, so the guest keeps reading one block.
resize_to() { # LOOP FILE MIB
	local want=$(($3 * 2048)) got
	truncate -s "$3M" "$2"
	losetup -c "$1" || fail "losetup -c to $3 MiB failed"
	[ "$(blockdev --getsz "$1")" = "$want" ] || fail "loop device is not $3 MiB"
	gcmd g1 60 'for i in $(seq 200); do [ "$(cat /sys/block/xvdb/size)" = '"$want"' ] && exit 0; dd if=/dev/xvdb of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null; usleep 200000; done; exit 1' >/dev/null ||
		{ got=$(gcmd g1 10 cat /sys/block/xvdb/size); fail "guest sees $got sectors, want $want ($3 MiB)"; }
}

# Hot attach/detach of one disk while another disk of the same guest runs
# verified I/O; afterwards dom0 holds no grant of the guest beyond what it
# held before the first attach.
hotplug_cycles() { # CYCLES
	local n=$1 base i l r
	prep
	base=$(grants_mapped "$(xl domid g1)")
	l=$(mk_loop disk-hp 64) || fail "losetup failed"
	r=$(mk_brd 1) || fail "brd did not load"
	attach g1 xvdb "$l"
	gcmd g1 20 bgrun hpio ioloop xvdb >/dev/null || fail "cannot start background I/O"
	for i in $(seq "$n"); do
		attach g1 xvdc "$r"
		gcmd g1 120 ddsum xvdc 2 >/dev/null || fail "cycle $i: I/O on the hot-plugged disk failed"
		[ "$(dom0_sum "$r" 2)" = "$(gsum)" ] || fail "cycle $i: hot-plugged disk data differs in dom0"
		detach g1 xvdc
	done
	gcmd g1 10 touch /tmp/stop.xvdb >/dev/null
	gcmd g1 300 bgwait hpio 280 >/dev/null || fail "background verified I/O failed: $(grep -m 1 -E 'fail|err|verify' "$LAB_T/gout")"
	detach g1 xvdb
	check_released g1 "$base"
}

# xl save and xl restore under verified I/O (#21).  The guest is suspended
# with requests in flight, its memory written to a file in dom0, and it
# comes back as a new domain: the backend device of the old one goes away,
# blkfront connects to a new one and sends again what was in flight.  The
# guest's I/O goes on and verifies, dom0 holds what it wrote, and no grant
# of the old domain stays mapped.
t_save-restore() {
	local l d0 bdir img=/tmp/g1.save
	prep
	l=$(mk_loop disk-sr 64) || fail "losetup failed"
	io_before_move g1 "$l"
	d0=$(xl domid g1)
	bdir=$(backend_dir g1 xvdb)
	timeout 180 xl save g1 "$img" >"$LAB_T/save.log" 2>&1 ||
		fail "xl save failed: $(tail -n 2 "$LAB_T/save.log" | tr '\n' ' ')"
	wait_for 30 test ! -e "$bdir" || fail "$bdir still there after the save"
	timeout 180 xl restore "$img" >"$LAB_T/restore.log" 2>&1 ||
		fail "xl restore failed: $(tail -n 2 "$LAB_T/restore.log" | tr '\n' ' ')"
	rm -f "$img"
	say "domain $d0 saved, restored as $(xl domid g1)"
	io_after_move g1 "$d0" "$l"
}

# xl migrate to this same host under verified I/O (#21).  Unlike a save,
# the old domain and its backend device stay until the new domain runs:
# for a moment two backend devices of two domains hold the same disk, and
# the old one is closed only after the new one connected.  A PVH guest:
# Debian's Xen has no shadow paging, so a PV guest's memory cannot be
# tracked while it runs ("Failed to enable logdirty: 95"), while a PVH
# guest's is, with the nested paging QEMU emulates (+npt, which the lab
# gives QEMU for this test; sets.sh says why it is not in make check).  The
# local transport: with an empty ssh command, xl runs the "host" argument
# as the receiving command.
t_migrate-local() {
	local l d0 pid
	grep -q '\<hap\>' <(xl info) || fail "Xen has no hardware-assisted paging: no PVH guest"
	need_guest gm 1 256 pvh
	clean_slate gm
	l=$(mk_loop disk-mig 64) || fail "losetup failed"
	io_before_move gm "$l"
	d0=$(xl domid gm)
	timeout 300 xl migrate -s '' gm 'xl migrate-receive' >"$LAB_T/migrate.log" 2>&1 ||
		fail "xl migrate failed: $(tail -n 2 "$LAB_T/migrate.log" | tr '\n' ' ')"
	[ "$(xl domid gm)" != "$d0" ] || fail "gm is still domain $d0 after the migration"
	# xenconsoled named the new domain's log after its name while it was
	# received ("gm--incoming"); on SIGHUP it reopens every log under the
	# domain's name of now, which the console agent's commands need.
	pid=$(cat /run/xenconsoled.pid)
	kill -HUP "$pid"
	wait_for 10 sh -c "ls -l /proc/$pid/fd | grep -q '/guest-gm.log\$'" ||
		fail "xenconsoled did not reopen gm's console log: $(ls "$CONSOLE_DIR" | tr '\n' ' ')"
	say "domain $d0 migrated to this host as $(xl domid gm)"
	io_after_move gm "$d0" "$l"
	# Its memory is for the tests after this one.
	xl destroy gm
}

# Attach LOOP to GUEST as xvdb and start verified I/O on it; returns once
# writes reach the backend.
io_before_move() { # GUEST LOOP
	attach "$1" xvdb "$2"
	gcmd "$1" 20 bgrun mvio ioloop xvdb >/dev/null || fail "cannot start I/O on xvdb"
	writes_in_flight "$1" xvdb || fail "the guest's writes never reached the backend"
}

# GUEST came back as a new domain (restore, migration): its I/O reaches the
# new backend device and verifies, the old domain and its grants are gone,
# dom0 holds what the guest wrote.
io_after_move() { # GUEST OLD_DOMID LOOP
	local g=$1 w
	w=$(vbd_stat "$g" xvdb wr_req)
	wait_for 60 vbd_stat_above "$g" xvdb wr_req $((w + 100)) ||
		fail "no write reached the new backend device in 60 s (wr_req $(vbd_stat "$g" xvdb wr_req))"
	gcmd "$g" 10 touch /tmp/stop.xvdb >/dev/null
	gcmd "$g" 300 bgwait mvio 280 >/dev/null ||
		fail "verified I/O across the move failed: $(grep -m 1 -E 'fail|err|verify' "$LAB_T/gout")"
	say "guest: $(grep -m 1 'passes verified' "$LAB_T/gout")"
	wait_for 30 sh -c "! xl list | grep -q -e '(null)' -e '--migratedaway'" ||
		fail "the old domain $2 lingers (grants still mapped?): $(grants_mapped "$2") grants"
	cross_check "$g" xvdb "$3" 16
	detach "$g" xvdb
}

t_hotplug() { hotplug_cycles 3; }
t_hotplug-20() { hotplug_cycles 20; }

# ---------------------------------------------------------------- full set

# Eight disks on one guest, on three kinds of backing, all verified at once.
t_many-disks() {
	local i v devs=() l
	prep
	for i in 0 1 2; do devs+=("$(mk_brd "$i")"); done
	for i in 3 4 5 6 7; do
		l=$(mk_loop "disk-m$i" 48) || fail "losetup failed"
		devs+=("$l")
	done
	i=0
	for v in xvdb xvdc xvdd xvde xvdf xvdg xvdh xvdi; do
		attach g1 "$v" "${devs[$i]}"
		i=$((i + 1))
	done
	for v in xvdb xvdc xvdd xvde xvdf xvdg xvdh xvdi; do
		gcmd g1 10 bgrun "m$v" fioverify "$v" "m$v" --rw=randwrite --bsrange=4k-256k --iodepth=16 --size=24m >/dev/null ||
			fail "cannot start I/O on $v"
	done
	for v in xvdb xvdc xvdd xvde xvdf xvdg xvdh xvdi; do
		gcmd g1 600 bgwait "m$v" 580 >/dev/null || fail "verified I/O on $v failed: $(grep -m 1 -E 'fail|err' "$LAB_T/gout")"
	done
	i=0
	for v in xvdb xvdc xvdd xvde xvdf xvdg xvdh xvdi; do
		cross_check g1 "$v" "${devs[$i]}" 2
		i=$((i + 1))
	done
	for v in xvdb xvdc xvdd xvde xvdf xvdg xvdh xvdi; do detach g1 "$v"; done
}

# Two guests at once, each verifying its own disk.
t_two-guests() {
	local a b
	prep
	need_guest g2 1 192
	clean_slate g2
	a=$(mk_loop disk-ga 96) || fail "losetup failed"
	b=$(mk_brd 2) || fail "brd did not load"
	attach g1 xvdb "$a"
	attach g2 xvdb "$b"
	gcmd g1 10 bgrun two fioverify xvdb two --rw=randwrite --bsrange=512-128k --iodepth=32 --size=48m >/dev/null
	gcmd g2 10 bgrun two fioverify xvdb two --rw=randwrite --bsrange=512-128k --iodepth=32 --size=48m >/dev/null
	gcmd g1 600 bgwait two 580 >/dev/null || fail "g1 verify failed"
	gcmd g2 600 bgwait two 580 >/dev/null || fail "g2 verify failed"
	cross_check g1 xvdb "$a" 4
	cross_check g2 xvdb "$b" 4
	detach g1 xvdb
	detach g2 xvdb
	xl destroy g2
}

# Reboot the guest while it writes: the backend is torn down and serves the
# rebooted guest again (a new domain id, the same disk).
t_guest-reboot() {
	local l d0 d1
	prep
	l=$(mk_loop disk-rb 64) || fail "losetup failed"
	attach g1 xvdb "$l"
	d0=$(xl domid g1)
	gcmd g1 10 bgrun rbio fioverify xvdb rb --rw=randwrite --bs=64k --iodepth=32 --size=48m --loops=50 >/dev/null
	writes_in_flight g1 xvdb || fail "the guest's writes never reached the backend"
	local off
	off=$(stat -c %s "$CONSOLE_DIR/guest-g1.log")
	xl reboot -F g1 || fail "xl reboot failed"
	wait_for 120 log_has_since "$CONSOLE_DIR/guest-g1.log" "$off" '^@@READY' || fail "g1 did not come back after reboot"
	d1=$(xl domid g1)
	[ "$d1" != "$d0" ] || fail "domain id did not change across reboot"
	wait_for 30 test ! -e "/sys/bus/xen-backend/devices/vbd-$d0-$(vdev_devid xvdb)" || fail "old backend vbd-$d0 still there"
	gcmd g1 60 waitdev xvdb 50 >/dev/null || fail "rebooted guest does not see its disk"
	cross_check g1 xvdb "$l" 8
	detach g1 xvdb
}

# Destroy the guest while it writes: every backend device and every grant
# goes away and the domain does not linger as a zombie.
t_guest-destroy() {
	local l d
	prep
	l=$(mk_loop disk-ds 64) || fail "losetup failed"
	attach g1 xvdb "$l"
	d=$(xl domid g1)
	gcmd g1 10 bgrun dsio fioverify xvdb ds --rw=randwrite --bs=64k --iodepth=32 --size=48m --loops=50 >/dev/null
	writes_in_flight g1 xvdb || fail "the guest's writes never reached the backend"
	xl destroy g1 || fail "xl destroy failed"
	wait_for 30 test ! -e "/sys/bus/xen-backend/devices/vbd-$d-$(vdev_devid xvdb)" || fail "backend vbd-$d still there after destroy"
	wait_for 30 sh -c "! xl list | grep -q '(null)'" || fail "destroyed domain lingers (grants still mapped?)"
	wait_for 10 sh -c "! losetup -a | grep -q disk-ds || losetup -d $l" || true
	need_guest g1
}

# ------------------------------------------------------------- geometry

# The geometries a host meets, with the real blkfront (#21): ring orders 0
# to 4, 1 to 4 queues, persistent grants on and off, 32 to 256 indirect
# segments, and a persistent-grant cap small enough to evict.  Each case
# loads a 4-vCPU guest's blkfront with the case's parameters, attaches a
# disk, verifies I/O (1 MiB requests at most) and dom0's view of it, and
# checks that the geometry asked for is the one used: the frontend's
# ring-page-order, multi-queue-num-queues and feature-persistent in
# xenstore, and with ng the backend's indirect_req and pgrant_evicted.
# ORDER:QUEUES:PERSISTENT:SEGMENTS:PGRANT_CAP (0: the backend's default).
# With persistent grants blkfront allocates a page per grant, slots x
# (segments + 1) per queue, so those cases stay small.
GEOMETRIES="0:1:1:32:0 1:2:0:64:0 2:3:1:32:64 3:4:0:256:0 4:2:0:128:0"
t_geometry() {
	local g=gq case order queues pers segs cap l v got want cap0 q0 ind ev
	prep
	need_guest "$g" 4 320
	cap0=$(be_param max_persistent_grants)
	q0=$(be_param max_queues)
	be_param_set max_queues 4 || fail "cannot set the backend's max_queues"
	for case in $GEOMETRIES; do
		IFS=: read -r order queues pers segs cap <<<"$case"
		[ "$cap" = 0 ] && cap=$cap0
		be_param_set max_persistent_grants "$cap" || fail "cannot set max_persistent_grants"
		guest_blkfront "$g" max_ring_page_order="$order" max_queues="$queues" \
			feature_persistent="$pers" max_indirect_segments="$segs" ||
			fail "$case: cannot reload $g's blkfront: $(tail -n 2 "$LAB_T/gout" | tr '\n' ' ')"
		l=$(mk_loop "disk-geo$order" 64) || fail "losetup failed"
		attach "$g" xvdb "$l"
		got="$(fe_node "$g" xvdb ring-page-order 0):$(nr_queues "$g" xvdb):$(fe_node "$g" xvdb feature-persistent 0)"
		want="$order:$queues:$pers"
		[ "$got" = "$want" ] || fail "$case: the frontend uses order:queues:persistent $got, not $want"
		gcmd "$g" 280 fioverify xvdb geo --rw=randwrite --bsrange=4k-1m --iodepth=32 --numjobs="$queues" \
			--size=12m --offset_increment=14m >/dev/null ||
			fail "$case: verified I/O failed: $(grep -m 1 -E 'fail|err' "$LAB_T/gout")"
		cross_check "$g" xvdb "$l" 48
		v="$case: order:queues:persistent $got"
		if [ "$LAB_BACKEND" = ng ]; then
			ind=$(vbd_stat "$g" xvdb indirect_req)
			ev=$(vbd_stat "$g" xvdb pgrant_evicted)
			v="$v, indirect_req $ind of $(($(vbd_stat "$g" xvdb rd_req) + $(vbd_stat "$g" xvdb wr_req))), pgrant_evicted $ev, pgrants $(vbd_stat "$g" xvdb pgrants)"
			[ "$ind" -gt 0 ] || fail "$case: no request came with indirect segments"
			if [ "$pers" = 1 ] && [ "$cap" -lt "$cap0" ]; then
				[ "$ev" -gt 0 ] || fail "$case: no persistent grant evicted at a cap of $cap"
			fi
			[ "$(vbd_stat "$g" xvdb pgrants)" -le $((cap * queues)) ] ||
				fail "$case: $(vbd_stat "$g" xvdb pgrants) persistent grants, cap $cap per queue"
		fi
		say "$v"
		detach "$g" xvdb
		losetup -d "$l"
		rm -f "/tmp/disk-geo$order.img"
	done
	be_param_set max_persistent_grants "$cap0"
	be_param_set max_queues "$q0"
	guest_blkfront "$g"
	xl destroy "$g"
}

# Placement from dom0's side (#21).  fio's verify header carries each
# block's offset.  The guest writes blocks of 512 B to 1 MiB at random
# offsets (512 B aligned) over the whole disk, with a fixed seed and no
# verify; after the detach dom0 runs the same job on the backing device
# with --verify_only, which replays the offsets and sizes and checks every
# block.  A request placed at the wrong sector the same way on write and
# on read passes the guest's own verify, not this one.
PLACE_JOB="--rw=randwrite --bssplit=512/25:4k/25:64k/25:1m/25 --size=64m --randseed=20261207
--verify=crc32c --iodepth=16 --direct=1 --ioengine=libaio --verify_state_save=0"
t_placement() {
	local l out=$LAB_T/dom0-verify.out
	prep
	l=$(mk_loop disk-pl 64) || fail "losetup failed"
	attach g1 xvdb "$l"
	gcmd g1 280 "fio --name=pl --filename=/dev/xvdb ${PLACE_JOB//$'\n'/ } --do_verify=0 >/tmp/pl.out 2>&1" ||
		fail "the guest's writes failed: $(gcmd g1 10 tail -n 5 /tmp/pl.out | tr '\n' ' ')"
	gcmd g1 10 grep -E 'WRITE:' /tmp/pl.out >/dev/null || fail "no WRITE summary from the guest's fio"
	say "guest: $(grep -m 1 'WRITE:' "$LAB_T/gout")"
	detach g1 xvdb
	# shellcheck disable=SC2086 # PLACE_JOB is a list of options
	/lab/fio --name=pl --filename="$l" $PLACE_JOB --verify_only --verify_fatal=1 >"$out" 2>&1 ||
		fail "dom0 does not find the guest's blocks where it wrote them: $(grep -m 3 -E 'verify|bad|err' "$out" | tr '\n' ' ')"
	grep -q 'READ:' "$out" || fail "dom0's verify read nothing: $(tail -n 3 "$out" | tr '\n' ' ')"
	say "dom0: $(grep -m 1 'READ:' "$out")"
	losetup -d "$l"
	rm -f /tmp/disk-pl.img
}

# ------------------------------------------------------- ng only: the pool

# Ring pools under the static policy never keep more than the cap.
t_pool-static() {
	local l cap=32 max=0 v i
	prep
	ng_set pool_policy static || fail "cannot select static"
	grep -q '\[static\]' "$NG_SYS/parameters/pool_policy" || fail "pool_policy reads '$(ng_param pool_policy)'"
	ng_set max_buffer_pages "$cap" || fail "cannot set max_buffer_pages"
	# Without persistent grants every segment goes through pool pages.
	ng_set feature_persistent N || fail "cannot clear feature_persistent"
	l=$(mk_loop disk-ps 96) || fail "losetup failed"
	attach g1 xvdb "$l"
	gcmd g1 10 bgrun psio fioverify xvdb ps --rw=randwrite --bsrange=4k-1m --iodepth=32 --size=64m \
		--numjobs=2 --offset_increment=32m --cpus_allowed=0-1 --cpus_allowed_policy=split >/dev/null
	for i in $(seq 240); do
		v=$(ng_dev_pool_max free_pages)
		[ "$v" -gt "$max" ] && max=$v
		[ -e "$LAB_T/stop" ] && break
		gcmd_q g1 5 test -e /tmp/psio.rc && break
		sleep 0.5
	done
	gcmd g1 300 bgwait psio 280 >/dev/null || fail "verified I/O failed under static"
	v=$(ng_dev_pool_max free_pages)
	[ "$v" -gt "$max" ] && max=$v
	say "largest per-device free_pages $max, cap $cap per ring"
	[ "$(cat "$(backend_dir g1 xvdb)/pool/allocated")" -gt 0 ] || fail "the device pool never allocated a page"
	[ "$max" -le $((cap * 2)) ] || fail "free_pages $max above the cap ($cap per ring, 2 rings)"
	detach g1 xvdb
	ng_set feature_persistent Y
	ng_set max_buffer_pages 1024
}

# The toolstack gives up on a disk whose target is not a block device (the
# hotplug script fails).  libxl 4.17 leaves the device's xenstore nodes, so
# the backend device stays, waiting in InitWait for physical-device (and,
# bound, it holds the xenbus core's reference on the module).  It must go
# away with the administrator's block-detach, leave nothing that keeps the
# module loaded, and leave the slot usable.
t_attach-bad-target() {
	local bdir l ref acct
	prep
	bdir=$(backend_dir g1 xvdb)
	if timeout 90 xl block-attach g1 "$(disk_script)format=raw,vdev=xvdb,access=rw,target=/dev/lab-no-such-disk" \
		>"$LAB_T/attach.log" 2>&1; then
		fail "attaching a missing target succeeded"
	fi
	say "refused: $(tail -n 1 "$LAB_T/attach.log")"
	if [ -e "$bdir" ]; then
		say "backend left by the toolstack, state $(cat "$bdir/state" 2>/dev/null), module refcnt $(cat "/sys/module/$BACKEND_MOD/refcnt")"
		detach g1 xvdb
	fi
	ref=$(cat "/sys/module/$BACKEND_MOD/refcnt")
	[ "$ref" = 0 ] || fail "$BACKEND_MOD refcnt $ref after the failed disk went"
	if [ "$LAB_BACKEND" = ng ]; then
		acct=$(dom_line g1)
		[ -z "$acct" ] || [ "$(echo "$acct" | awk '{print $2}')" = 0 ] ||
			fail "domain account after the failed disk went: $acct"
	fi
	l=$(mk_loop disk-bt 16) || fail "losetup failed"
	attach g1 xvdb "$l"
	detach g1 xvdb
}

# Even under static, the policy that keeps the most, an idle disk gives
# back what the I/O made it hold: its descriptors and persistent grants,
# within 10 s (#8).
module_bytes() { # BACKEND_DIR: the device's descriptor + grant bookkeeping
	echo $(($(vbd_pool "$1" desc_bytes) + $(vbd_pool "$1" pgrant_bytes)))
}
# Neither descriptors nor persistent grants kept (free grant pages are
# apart: on current kernels they cost no RAM, and no budget pays for them).
nothing_held() { # BACKEND_DIR
	[ "$(vbd_pool "$1" desc_held)" = 0 ] && [ "$(vbd_pool "$1" pgrant_held)" = 0 ]
}
idle_again() { # BACKEND_DIR IDLE_BYTES
	nothing_held "$1" && [ "$(module_bytes "$1")" -le "$2" ]
}
t_pool-idle-return() {
	local l d idle t0
	prep
	ng_set pool_policy static || fail "cannot select static"
	l=$(mk_loop disk-ir 96) || fail "losetup failed"
	attach g1 xvdb "$l"
	d=$(backend_dir g1 xvdb)
	idle=$(module_bytes "$d")
	gcmd g1 300 fioverify xvdb ir --rw=randrw --bsrange=4k-1m --iodepth=32 --size=32m >/dev/null ||
		fail "verified I/O failed"
	# The clock starts once the guest has answered, a little after its
	# last request: the limit is, if anything, generous by that much.
	t0=${EPOCHREALTIME/./}
	say "connected idle: $idle bytes; after I/O: $(module_bytes "$d") bytes, $(pool_line "$d")"
	[ "$(vbd_pool "$d" pgrant_high_water)" -gt 0 ] || fail "no persistent grant kept under I/O"
	[ "$(vbd_pool "$d" desc_high_water)" -gt 1 ] || fail "descriptors never grew past one under I/O"
	wait_for 10 idle_again "$d" "$idle" ||
		fail "10 s after the I/O: $(module_bytes "$d") bytes (idle $idle), $(pool_line "$d")"
	say "back to $(module_bytes "$d") bytes $(((${EPOCHREALTIME/./} - t0) / 1000)) ms after the I/O"
	detach g1 xvdb
}

# The per-guest budget, max_domain_kb (#8, #18).  A guest at its budget is
# served with the descriptors it has, and every queue keeps at least 4
# requests in flight (README's stated minimum, XBNG_FLOOR_REQS) however much
# of the budget its persistent grants took: its verified I/O completes,
# charges were refused, and the module's own high-water mark never passed
# the budget.  A disk whose floor does not fit is refused at connect: the
# guest never sees it, xenstore and the log say why, the half-connected
# queue gives its charge back, and the guest's other disk works on.
account_is() { [ "$(dom_account "$1" 3)" = "$2" ]; } # GUEST USED_KB
fe_node() { # GUEST VDEV KEY DEFAULT: a node of the frontend's directory
	local fe
	fe=$(xenstore-read "/local/domain/0/backend/vbd/$(xl domid "$1")/$(vdev_devid "$2")/frontend")
	xenstore-read "$fe/$3" 2>/dev/null || echo "$4"
}
nr_queues() { fe_node "$1" "$2" multi-queue-num-queues 1; } # GUEST VDEV

t_pool-budget() {
	local la lb floors budget hw enode nlog d q min=4
	prep
	ng_set max_domain_kb 0 || fail "cannot clear max_domain_kb"
	la=$(mk_loop disk-bga 96) || fail "losetup failed"
	lb=$(mk_loop disk-bgb 16) || fail "losetup failed"
	attach g1 xvdb "$la"
	d=$(backend_dir g1 xvdb)
	q=$(nr_queues g1 xvdb)
	# An idle connected disk holds its queues' floors and nothing else.
	wait_for 15 nothing_held "$d" || fail "xvdb not idle: $(pool_line "$d")"
	floors=$(dom_account g1 3)
	[ "${floors:-0}" -gt 0 ] || fail "the connected disk charged nothing: $(ng_domains)"

	# Room for a few descriptors beyond the floors, and for far fewer
	# persistent grants than the I/O maps: the grants take what is left.
	# One fio job per guest CPU, so that every queue is busy.
	budget=$((floors + floors / 4))
	ng_set max_domain_kb "$budget" || fail "cannot set max_domain_kb"
	gcmd g1 280 fioverify xvdb bg --rw=randwrite --bsrange=4k-128k --iodepth=32 --numjobs=2 \
		--size=32m --offset_increment=40m --cpus_allowed=0-1 --cpus_allowed_policy=split \
		>/dev/null || fail "verified I/O failed at the budget"
	hw=$(dom_account g1 4)
	say "budget $budget KiB (floors $floors KiB, $q queues): account $(dom_line g1); $(pool_line "$d")"
	[ "$hw" -le "$budget" ] || fail "high water $hw KiB above the $budget KiB budget"
	[ "$(dom_account g1 6)" -gt 0 ] || fail "no charge refused: the budget never bound"
	[ "$(vbd_pool "$d" pgrant_high_water)" -gt 0 ] || fail "no persistent grant kept: $(pool_line "$d")"
	[ "$(vbd_pool "$d" desc_high_water)" -ge $((min * q)) ] ||
		fail "fewer than $min requests in flight per queue ($q queues) at the budget: $(pool_line "$d")"

	# A second disk: its first queue's floor fits, its second does not.
	wait_for 15 account_is g1 "$floors" || fail "xvdb's account did not settle at $floors KiB"
	ng_set max_domain_kb "$((floors + floors * 3 / 4))"
	nlog=$(dmesg | grep -c 'over max_domain_kb')
	timeout 90 xl block-attach g1 "$(disk_script)format=raw,vdev=xvdc,access=rw,target=$lb" \
		>"$LAB_T/attach.log" 2>&1 || say "xl block-attach: $(tail -n 1 "$LAB_T/attach.log")"
	enode=/local/domain/0/error/backend/vbd/$(xl domid g1)/$(vdev_devid xvdc)/error
	wait_for 30 sh -c "xenstore-read $enode 2>/dev/null | grep -q max_domain_kb" ||
		fail "no max_domain_kb error node for xvdc"
	say "xvdc refused: $(xenstore-read "$enode")"
	gcmd g1 30 waitdev xvdc 5 >/dev/null && fail "the guest sees xvdc although it was refused"
	[ "$(dmesg | grep -c 'over max_domain_kb')" -gt "$nlog" ] || fail "no log line about the refusal"
	[ "$(dom_account g1 3)" = "$floors" ] ||
		fail "account $(dom_account g1 3) KiB after the refusal, $floors KiB before: a floor was kept"
	gcmd g1 200 fioverify xvdb bg2 --rw=randrw --bs=4k --iodepth=8 --size=8m --offset=80m >/dev/null ||
		fail "xvdb failed after xvdc was refused"
	detach g1 xvdc
	detach g1 xvdb
	ng_set max_domain_kb 0
}

# The budget pays for grant pages too (#19, defect 5).  Where pool pages are
# dom0 RAM (armhf, kernels without unpopulated-alloc; the test build's
# test_pages_cost_ram makes the lab's dom0 one of them), every page a ring
# owns past its floor is charged a page: the floor pays for 4 requests of
# 256 segments per queue, and whatever the I/O makes the pools keep beyond
# it stays within the budget.  Linux's blkfront sends at most 32 segments a
# request by default, so a ring of 32 slots never maps more than its floor:
# the guest's blkfront is loaded again with 256.  Without persistent grants
# every segment maps a pool page; with room for 4096 free pages per ring
# and no budget on pages, the pools would keep what the guest's 64 requests
# in flight (up to 1 MiB each) mapped.  The rings wait for their own
# completions instead.
t_pool-budget-pages() {
	local l d q floors budget hw pages w
	prep
	need_test_build
	guest_blkfront g1 max_indirect_segments=256 || fail "cannot reload the guest's blkfront"
	ng_set test_pages_cost_ram 1 || fail "cannot set test_pages_cost_ram"
	ng_set max_buffer_pages 4096 || fail "cannot set max_buffer_pages"
	ng_set feature_persistent N || fail "cannot clear feature_persistent"
	l=$(mk_loop disk-bp 96) || fail "losetup failed"
	attach g1 xvdb "$l"
	d=$(backend_dir g1 xvdb)
	q=$(nr_queues g1 xvdb)
	wait_for 15 nothing_held "$d" || fail "xvdb not idle: $(pool_line "$d")"
	floors=$(dom_account g1 3)
	budget=$((floors + 2048))
	ng_set max_domain_kb "$budget" || fail "cannot set max_domain_kb"
	w=$(vbd_stat g1 xvdb mem_waits)
	gcmd g1 280 fioverify xvdb bp --rw=randwrite --bsrange=4k-1m --iodepth=32 --numjobs=2 \
		--size=32m --offset_increment=40m --cpus_allowed=0-1 --cpus_allowed_policy=split \
		>/dev/null || fail "verified I/O failed at the budget"
	hw=$(dom_account g1 4)
	pages=$(vbd_pool "$d" high_water)
	say "budget $budget KiB (floors $floors KiB, $q queues): account $(dom_line g1); mem_waits $w -> $(vbd_stat g1 xvdb mem_waits); $(pool_line "$d")"
	[ "$hw" -le "$budget" ] || fail "high water $hw KiB above the $budget KiB budget"
	[ $((pages * 4)) -le "$budget" ] ||
		fail "the pools kept $pages free pages ($((pages * 4)) KiB) at once, over the $budget KiB budget"
	[ "$(dom_account g1 6)" -gt 0 ] || fail "no charge refused: the budget never bound"
	vbd_stat_above g1 xvdb mem_waits "$w" || fail "no request waited for the budget (mem_waits $w)"
	[ "$floors" -ge $((q * 4 * 256 * 4)) ] ||
		fail "floors of $floors KiB for $q queues do not pay for 4 requests of 256 pages each"
	detach g1 xvdb
	wait_for 15 no_account g1 ||
		fail "the domain's account is left after the detach: $(dom_line g1)"
	ng_params_restore
	guest_blkfront g1 || fail "cannot reload the guest's blkfront"
}

# Under the default policy (squeeze, #19 defect 5), a dom0 memory-pressure
# event empties every pool, free pages included, as the stock driver has
# done on reclaim_memory since 5.6; I/O goes on and verifies.
t_pool-squeeze() {
	local l pe0 pe1 f
	prep
	say "pool_policy $(ng_param pool_policy)"
	ng_set feature_persistent N
	l=$(mk_loop disk-sq 96) || fail "losetup failed"
	attach g1 xvdb "$l"
	gcmd g1 300 fioverify xvdb sq1 --rw=randwrite --bsrange=4k-1m --iodepth=32 --size=32m >/dev/null ||
		fail "verified I/O failed before the squeeze"
	say "before: global free_pages $(ng_pool free_pages), device $(ng_dev_pool_max free_pages)"
	[ "$(ng_pool free_pages)" -gt 0 ] || [ "$(ng_dev_pool_max free_pages)" -gt 0 ] ||
		fail "pools hold no free pages after I/O, nothing to squeeze"
	pe0=$(ng_pool pressure_events)
	echo 3 >/proc/sys/vm/drop_caches
	pe1=$(ng_pool pressure_events)
	[ "$pe1" -gt "$pe0" ] || fail "drop_caches did not count a pressure event ($pe0 -> $pe1)"
	wait_for 10 sh -c "[ \"\$(cat $NG_SYS/pool/free_pages)\" = 0 ]" || fail "global free_pages $(ng_pool free_pages) 10 s after pressure"
	for f in /sys/bus/xen-backend/devices/vbd-*/pool/free_pages; do
		wait_for 10 sh -c "[ \"\$(cat $f)\" = 0 ]" || fail "$f is $(cat "$f") 10 s after pressure"
	done
	gcmd g1 300 fioverify xvdb sq2 --rw=randwrite --bsrange=4k-1m --iodepth=32 --size=32m --offset=40m >/dev/null ||
		fail "verified I/O failed after the squeeze"
	detach g1 xvdb
	ng_set feature_persistent Y
}

# Switch the policy back and forth while verified I/O runs.
# One memory-pressure event is handled and counted once, however many
# signals it comes as: xenbus calls reclaim_memory once for every backend
# device in a pass of its shrinker, and reclaim calls the shrinkers in
# rounds.  With 8 disks (16 rings) attached under squeeze, one drop_caches
# counts one event for the module and one for each device.
dev_pressure_events() { # the per-device counters, one line
	cat /sys/bus/xen-backend/devices/vbd-*/pool/pressure_events | tr '\n' ' '
}
t_pool-pressure-once() {
	local i l pe0 pe1 d0 d1 a0 a1 disks=(xvdb xvdc xvdd xvde xvdf xvdg xvdh xvdi)
	prep
	ng_set pool_policy squeeze || fail "cannot select squeeze"
	for i in "${!disks[@]}"; do
		l=$(mk_loop "disk-po$i" 16) || fail "losetup failed"
		attach g1 "${disks[$i]}" "$l"
	done
	pe0=$(ng_pool pressure_events)
	d0=$(dev_pressure_events)
	echo 2 >/proc/sys/vm/drop_caches
	pe1=$(ng_pool pressure_events)
	d1=$(dev_pressure_events)
	say "module: pressure_events $pe0 -> $pe1, the event took $(ng_pool last_squeeze_ns) ns; devices: $d0-> $d1"
	[ $((pe1 - pe0)) = 1 ] || fail "one drop_caches counted $((pe1 - pe0)) pressure events for the module, not 1"
	read -ra a0 <<<"$d0"
	read -ra a1 <<<"$d1"
	[ "${#a0[@]}" = 8 ] || fail "${#a0[@]} devices attached, not 8"
	for i in "${!a0[@]}"; do
		[ "${a1[$i]}" = $((a0[i] + 1)) ] ||
			fail "one drop_caches moved a device's pressure_events from ${a0[$i]} to ${a1[$i]}, not by 1"
	done
	for i in "${disks[@]}"; do detach g1 "$i"; done
}

t_pool-switch() {
	local l p i
	prep
	l=$(mk_loop disk-sw 96) || fail "losetup failed"
	attach g1 xvdb "$l"
	gcmd g1 10 bgrun swio fioverify xvdb sw --rw=randwrite --bsrange=4k-1m --iodepth=32 --size=64m \
		--numjobs=2 --offset_increment=32m --cpus_allowed=0-1 --cpus_allowed_policy=split >/dev/null
	for i in 1 2 3; do
		for p in squeeze idle static; do
			ng_set pool_policy "$p" || fail "switching to $p under I/O refused"
			grep -q "\[$p\]" "$NG_SYS/parameters/pool_policy" || fail "after writing $p pool_policy reads '$(ng_param pool_policy)'"
			sleep 1
		done
	done
	gcmd g1 300 bgwait swio 280 >/dev/null || fail "verified I/O failed across policy switches"
	cross_check g1 xvdb "$l" 4
	detach g1 xvdb
}

t_pool-badname() {
	local before out
	before=$(ng_param pool_policy)
	out=$( (echo no-such-policy >"$NG_SYS/parameters/pool_policy") 2>&1) &&
		fail "writing an unknown policy name succeeded"
	echo "$out" | grep -q 'Invalid argument' || fail "unknown policy refused with '$out', want EINVAL"
	[ "$(ng_param pool_policy)" = "$before" ] || fail "policy changed to '$(ng_param pool_policy)' after a bad name"
}

# Under adaptive the pools grow with the load, give everything back within
# pool_idle_ms of idle, and a pressure event empties them at once.
t_pool-adaptive() {
	local l d idle=3000 limit t0 pe0 fp dh rl
	prep
	ng_set pool_policy adaptive || fail "cannot select adaptive"
	grep -q '\[adaptive\]' "$NG_SYS/parameters/pool_policy" || fail "pool_policy reads '$(ng_param pool_policy)'"
	ng_set pool_idle_ms "$idle" || fail "cannot set pool_idle_ms"
	# Persistent grants on (the default): descriptors and grants grow.
	l=$(mk_loop disk-ad 128) || fail "losetup failed"
	attach g1 xvdb "$l"
	d=$(backend_dir g1 xvdb)
	gcmd g1 300 fioverify xvdb ad1 --rw=randwrite --bsrange=4k-1m --iodepth=32 --size=32m >/dev/null ||
		fail "verified I/O failed under adaptive"
	t0=$SECONDS
	say "after I/O: $(pool_line "$d")"
	[ "$(vbd_pool "$d" desc_high_water)" -gt 1 ] || fail "descriptors never grew past one under I/O"
	[ "$(vbd_pool "$d" pgrant_high_water)" -gt 0 ] || fail "no persistent grant kept under I/O"
	# Idle rings release descriptors and grants after 8 s under every
	# policy (XBNG_IDLE_EXPIRE_MS): poll for less.
	limit=$((idle / 1000 + 4))
	wait_for "$limit" pools_empty "$d" ||
		fail "$limit s after the I/O (pool_idle_ms $idle): $(pool_line "$d")"
	say "pools empty $((SECONDS - t0)) s after the I/O ended"
	detach g1 xvdb

	# Pages through the page pool (no persistent grants), and neither
	# idleness nor decay may empty anything: only the pressure event.
	ng_set feature_persistent N
	ng_set pool_idle_ms 600000
	ng_set pool_adaptive_half_life_ms 600000
	attach g1 xvdb "$l"
	d=$(backend_dir g1 xvdb)
	gcmd g1 300 fioverify xvdb ad2 --rw=randwrite --bsrange=4k-1m --iodepth=32 --size=32m --offset=40m >/dev/null ||
		fail "verified I/O failed under adaptive without persistent grants"
	fp=$(vbd_pool "$d" free_pages)
	dh=$(vbd_pool "$d" desc_held)
	say "before pressure: $(pool_line "$d")"
	[ "$fp" -gt 0 ] || fail "adaptive kept no free page for the recent demand"
	[ "$dh" -gt 0 ] || fail "adaptive kept no descriptor for the recent demand"
	pe0=$(vbd_pool "$d" pressure_events)
	echo 3 >/proc/sys/vm/drop_caches
	[ "$(vbd_pool "$d" pressure_events)" -gt "$pe0" ] || fail "drop_caches did not reach the device's pools"
	wait_for 3 pools_empty "$d" || fail "3 s after pressure: $(pool_line "$d")"
	# The module's own clock: from the event to the last ring's release.
	rl=$(vbd_pool "$d" last_release_ns)
	say "pressure: $fp pages, $dh descriptors released; callback $(ng_pool last_squeeze_ns) ns, rings done after $rl ns"
	[ "$rl" -gt 0 ] || fail "no ring of the device answered the pressure event (last_release_ns 0)"
	gcmd g1 300 fioverify xvdb ad3 --rw=randwrite --bsrange=4k-1m --iodepth=32 --size=16m --offset=80m >/dev/null ||
		fail "verified I/O failed after the pressure event"
	[ "$(vbd_pool "$d" desc_held)" -gt 0 ] || fail "descriptors did not come back with the load"
	detach g1 xvdb
	ng_set pool_adaptive_half_life_ms 1000
	ng_set pool_idle_ms 3000
	ng_set feature_persistent Y
}

# pool/policy of a device: lists the policies and "default", brackets the
# device's choice, switches that device only, refuses a bad name, and
# "default" follows pool_policy again.
t_pool-device-policy() {
	local la lb da db a b out
	prep
	ng_set pool_policy static || fail "cannot select static"
	ng_set feature_persistent N
	la=$(mk_loop disk-dpa 64) || fail "losetup failed"
	lb=$(mk_loop disk-dpb 64) || fail "losetup failed"
	attach g1 xvdb "$la"
	attach g1 xvdc "$lb"
	da=$(backend_dir g1 xvdb)
	db=$(backend_dir g1 xvdc)
	a=$da/pool/policy
	b=$db/pool/policy
	[ "$(cat "$a")" = "static squeeze idle adaptive [default]" ] || fail "$a reads '$(cat "$a")'"
	echo adaptive >"$a" || fail "writing adaptive to $a failed"
	[ "$(cat "$a")" = "static squeeze idle [adaptive] default" ] || fail "after writing adaptive $a reads '$(cat "$a")'"
	[ "$(cat "$b")" = "static squeeze idle adaptive [default]" ] || fail "the other device changed too: '$(cat "$b")'"
	grep -q '\[static\]' "$NG_SYS/parameters/pool_policy" || fail "pool_policy changed to '$(ng_param pool_policy)'"
	out=$( (echo no-such-policy >"$a") 2>&1) && fail "writing an unknown policy name succeeded"
	echo "$out" | grep -q 'Invalid argument' || fail "unknown policy refused with '$out', want EINVAL"
	[ "$(cat "$a")" = "static squeeze idle [adaptive] default" ] || fail "a bad name changed $a to '$(cat "$a")'"

	# The switch acts on that device only: after idle, adaptive gives back
	# everything, static keeps its free pages.
	ng_set pool_idle_ms 2000
	gcmd g1 300 fioverify xvdb dpa --rw=randwrite --bsrange=4k-1m --iodepth=32 --size=16m >/dev/null ||
		fail "verified I/O failed after switching xvdb to adaptive"
	gcmd g1 300 fioverify xvdc dpb --rw=randwrite --bsrange=4k-1m --iodepth=32 --size=16m >/dev/null ||
		fail "verified I/O failed on the device left at default"
	wait_for 6 pools_empty "$da" || fail "adaptive device after idle: $(pool_line "$da")"
	[ "$(vbd_pool "$db" free_pages)" -gt 0 ] ||
		fail "the static device lost its free pages: $(pool_line "$db")"
	cross_check g1 xvdb "$la" 4
	cross_check g1 xvdc "$lb" 4

	# Back to following the module-wide policy (static): pages stay.
	echo default >"$a" || fail "writing default to $a failed"
	[ "$(cat "$a")" = "static squeeze idle adaptive [default]" ] || fail "after writing default $a reads '$(cat "$a")'"
	cross_check g1 xvdb "$la" 4
	[ "$(vbd_pool "$da" free_pages)" -gt 0 ] || fail "no free page after I/O under static"
	wait_for 5 sh -c "[ \"\$(cat $da/pool/free_pages)\" = 0 ]" &&
		fail "the device following static emptied its pool after idle"
	detach g1 xvdb
	detach g1 xvdc
	ng_set pool_idle_ms 3000
	ng_set feature_persistent Y
}

# rmmod is refused while a device is connected, works once none is, and a
# reloaded module serves again.
t_lifecycle() {
	local l
	prep
	l=$(mk_loop disk-lc 64) || fail "losetup failed"
	attach g1 xvdb "$l"
	if rmmod xen_blkback_ng 2>"$LAB_T/rmmod1"; then
		fail "rmmod succeeded while vbd-$(xl domid g1) was connected"
	fi
	[ -d "$NG_SYS" ] || fail "module gone after a refused rmmod"
	cross_check g1 xvdb "$l" 4
	detach g1 xvdb
	# With every device gone, every page, descriptor and grant came back.
	ng_check_drained
	rmmod xen_blkback_ng 2>"$LAB_T/rmmod2" || fail "rmmod refused with no device: $(cat "$LAB_T/rmmod2")"
	[ ! -d "$NG_SYS" ] || fail "module still present after rmmod"
	# shellcheck disable=SC2086
	insmod /lab/ko/xen-blkback-ng.ko ${LAB_NG_PARAMS:-} || fail "reload failed"
	attach g1 xvdb "$l"
	cross_check g1 xvdb "$l" 4
	detach g1 xvdb
}

# ------------------------------------------------------------------ demo

# Narration goes to the console, where tests/lab/run prints it.
demo() {
	echo "lab-demo: $*" >/dev/console
	echo "$*"
}

# dom0's free memory once the page cache is dropped, in KiB.
settled_free_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	mem_field MemFree
}

# What attaching BACKING to g1 as xvdb takes from dom0's free memory, in
# KiB: the median of three attaches (one attach varies by a few hundred KiB
# with xenstored and the hotplug script).
idle_disk_kb() { # BACKING
	local i before after d=()
	for i in 1 2 3; do
		before=$(settled_free_kb)
		attach g1 xvdb "$1"
		after=$(settled_free_kb)
		d[i]=$((before - after))
		detach g1 xvdb
	done
	printf '%s\n' "${d[@]}" | sort -n | sed -n 2p
}

# Whether the rings have answered the last pressure event (it resets this).
pools_released() { [ "$(ng_pool last_release_ns)" -gt 0 ]; }

mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; } # KIB

# The module's pools, summed over devices: bytes of descriptors, persistent
# grants and (when they are RAM) free pages.
ng_pool_bytes() {
	echo $(($(ng_pool desc_bytes) + $(ng_pool pgrant_bytes) + $(ng_pool bytes)))
}

# make demo: the point of the module in one boot, in plain words.
t_demo() {
	local l q order stock_kb ng_kb b0 b1 ns floor_kb budget_kb hw refused
	demo "Xen $(xl info | awk '/^xen_version/ {print $3}'), dom0 Linux $(uname -r), guest g1: PV, 2 vCPUs, Linux's own xen-blkfront"
	prep
	# Order 4 (16-page rings) and one queue per vCPU: what a busy guest
	# asks for.  Persistent grants off in the guest: with them blkfront
	# keeps a page per grant, 64 MiB at this size, more than g1 has.
	guest_blkfront g1 max_ring_page_order=4 feature_persistent=0 ||
		fail "cannot reload the guest's blkfront"
	l=$(mk_loop demo 128) || fail "losetup failed"

	use_drv stock || fail "cannot load the stock xen-blkback"
	attach g1 xvdb "$l"
	q=$(nr_queues g1 xvdb)
	order=$(fe_node g1 xvdb ring-page-order 0)
	detach g1 xvdb
	demo "One disk, the guest's rings $((1 << order)) pages each, $q queues."
	demo "1. dom0 memory the disk holds while connected and idle (median of 3 attaches):"
	stock_kb=$(idle_disk_kb "$l")
	demo "     stock xen-blkback:  $(mib "$stock_kb")"
	use_drv ng || fail "cannot load xen-blkback-ng"
	ng_set pool_policy squeeze || fail "cannot select squeeze"
	ng_kb=$(idle_disk_kb "$l")
	demo "     xen-blkback-ng:     $(mib "$ng_kb")"

	attach g1 xvdb "$l"
	gcmd g1 600 fioverify xvdb demo --rw=randwrite --bsrange=4k-1m --iodepth=32 --size=64m >/dev/null ||
		fail "fio verify failed in the guest: $(tail -n 3 "$LAB_T/gout" | tr '\n' ' ')"
	cross_check g1 xvdb "$l" 16
	demo "2. The guest wrote 64 MiB in random blocks of 4 KiB to 1 MiB, 32 at a time, and read every"
	demo "   block back intact; dom0 reads the same first 16 MiB from the disk (sha256 $(gsum | cut -c1-16)...)."
	b0=$(ng_pool_bytes)
	echo 2 >/proc/sys/vm/drop_caches
	wait_for 10 pools_released || fail "no ring answered the pressure event"
	b1=$(ng_pool_bytes)
	ns=$(ng_pool last_release_ns)
	demo "3. Memory pressure in dom0 (drop_caches): the module gave back $(((b0 - b1) / 1024)) KiB of idle"
	demo "   request descriptors and pages in $((ns / 1000000)).$(((ns / 100000) % 10)) ms, keeping $((b1 / 1024)) KiB."
	floor_kb=$(dom_account g1 3)
	detach g1 xvdb

	# A little room above the minimum: the I/O below needs more, and
	# the budget has to say no.
	budget_kb=$((floor_kb + 128))
	ng_set max_domain_kb "$budget_kb" || fail "cannot set max_domain_kb"
	attach g1 xvdb "$l"
	gcmd g1 600 fioverify xvdb demo3 --rw=randwrite --bsrange=4k-1m --iodepth=32 --size=32m >/dev/null ||
		fail "fio verify under the budget failed in the guest"
	hw=$(dom_account g1 4)
	refused=$(dom_account g1 6)
	[ "$hw" -le "$budget_kb" ] || fail "g1 held $hw KiB, over its budget of $budget_kb KiB"
	[ "$refused" -gt 0 ] || fail "the budget never said no: the demo shows nothing"
	demo "4. Per-guest budget max_domain_kb=$budget_kb (the disk's minimum + 128 KiB): under the same I/O"
	demo "   g1 held at most $hw KiB of dom0 memory; the module said no $refused times, and the guest"
	demo "   waited instead of failing (its 32 MiB verified)."
	detach g1 xvdb
	ng_set max_domain_kb 0
	guest_blkfront g1 || fail "cannot reload the guest's blkfront"
	[ "$ng_kb" -gt 0 ] || ng_kb=1
	demo "xen-blkback-ng holds $((stock_kb / ng_kb)) times less dom0 memory per idle disk than xen-blkback ($(mib "$ng_kb") against $(mib "$stock_kb"))."
}
