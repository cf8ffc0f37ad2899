# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The path a dom0 administrator takes, as README describes it: the module
# installed where the package puts it with the package's modprobe file,
# loaded by the vbd device's alias, the stock driver refused; and the
# switch from the stock driver on a host whose guests keep running.

# Where the package (and make install) put the module and its modprobe file.
installed_ko() { echo "/lib/modules/$(uname -r)/updates/xen-blkback-ng.ko"; }
INSTALLED_CONF=/lib/modprobe.d/xen-blkback-ng.conf

package_install() {
	mkdir -p "$(dirname "$(installed_ko)")"
	cp /lab/ko/xen-blkback-ng.ko "$(installed_ko)"
	cp /lab/xen-blkback-ng.conf "$INSTALLED_CONF"
	# The lab's own blacklist goes: the package's file must do its work.
	rm -f /etc/modprobe.d/lab-ng.conf
	depmod -a
}

package_remove() {
	rm -f "$(installed_ko)" "$INSTALLED_CONF"
	depmod -a
	lab_block_stock
}

# The package's layout on a dom0 with no backend loaded.  "modprobe
# xen-blkback" is refused with a message naming the replacement; a disk
# attached through Xen's own block script appears as a vbd device, and
# loading what its modalias names, as udev does on the uevent (the lab's
# dom0 runs no udev), loads xen-blkback-ng, which serves the disk with
# verified data.  The stock driver is never loaded.
t_install-path() {
	local l d dev out
	prep
	wait_for 30 backend_unloaded || fail "cannot unload $(cur_drv)"
	package_install
	if out=$(modprobe xen-blkback 2>&1); then
		package_remove
		fail "modprobe xen-blkback loaded the stock driver despite the package's file"
	fi
	say "modprobe xen-blkback: $out"
	echo "$out" | grep -q 'replaced by xen-blkback-ng' ||
		{ package_remove; fail "modprobe xen-blkback refused without saying why: $out"; }

	l=$(mk_loop disk-pkg 64) || fail "losetup failed"
	d=/sys/bus/xen-backend/devices/vbd-$(xl domid g1)-$(vdev_devid xvdb)
	timeout 120 xl block-attach g1 "format=raw,vdev=xvdb,access=rw,target=$l" \
		>"$LAB_T/attach.log" 2>&1 &
	if ! wait_for 30 test -e "$d/modalias"; then
		wait
		package_remove
		fail "no vbd device appeared for the attach: $(tail -n 2 "$LAB_T/attach.log" | tr '\n' ' ')"
	fi
	dev=$(cat "$d/modalias")
	modprobe "$dev" || { wait; package_remove; fail "modprobe $dev failed"; }
	if ! wait; then
		package_remove
		fail "xl block-attach failed with the module loaded by its alias: $(tail -n 2 "$LAB_T/attach.log" | tr '\n' ' ')"
	fi
	sync_drv_vars
	[ "$(cur_drv)" = ng ] || { package_remove; fail "modprobe $dev loaded $(cur_drv), not xen-blkback-ng"; }
	[ "$(modinfo -F filename xen-blkback-ng)" = "$(installed_ko)" ] ||
		{ package_remove; fail "modprobe found $(modinfo -F filename xen-blkback-ng)"; }
	gcmd g1 60 waitdev xvdb 50 >/dev/null || { package_remove; fail "guest did not see xvdb"; }
	cross_check g1 xvdb "$l" 8
	[ -e /sys/module/xen_blkback ] && { package_remove; fail "the stock driver got loaded"; }
	detach g1 xvdb
	package_remove
}

# README's switch on a running host: a guest's disk served by the stock
# driver; loading xen-blkback-ng then is refused with one line and the
# guest's disk goes on working; after the disk is detached the stock
# driver is unloaded and xen-blkback-ng loaded, the same disk attached
# again to the same running guest holds its data, and takes new writes.
t_switch-from-stock() {
	local l before msg n0
	prep
	l=$(mk_loop disk-switch 64) || fail "losetup failed"
	use_drv stock || fail "cannot load the stock xen-blkback"
	attach g1 xvdb "$l"
	gcmd g1 60 dd if=/dev/urandom of=/dev/xvdb bs=1M count=8 oflag=direct conv=fsync >/dev/null ||
		fail "guest write under the stock driver failed"
	before=$(dom0_sum "$l" 8)
	n0=$(dmesg | wc -l)
	if insmod /lab/ko/xen-blkback-ng.ko 2>"$LAB_T/insmod.log"; then
		fail "xen-blkback-ng loaded while the stock driver serves vbd"
	fi
	msg=$(dmesg | tail -n +$((n0 + 1)) | grep 'xen-blkback-ng:')
	say "insmod refused: $msg"
	[ "$(echo "$msg" | grep -c .)" = 1 ] || fail "the refusal logged $(echo "$msg" | grep -c .) lines, not 1: $msg"
	echo "$msg" | grep -q 'another driver already serves' || fail "the refusal does not say why: $msg"
	gcmd g1 60 devsum xvdb 8 >/dev/null || fail "guest read after the refused load failed"
	[ "$(gsum)" = "$before" ] || fail "guest reads other data after the refused load"

	detach g1 xvdb
	use_drv ng || fail "cannot switch to xen-blkback-ng after the detach"
	attach g1 xvdb "$l"
	gcmd g1 60 devsum xvdb 8 >/dev/null || fail "guest read under xen-blkback-ng failed"
	[ "$(gsum)" = "$before" ] || fail "the disk's data differs after the switch"
	cross_check g1 xvdb "$l" 8
	gcmd g1 300 fioverify xvdb sw --rw=randwrite --bsrange=4k-256k --iodepth=16 --size=16m --offset=16m >/dev/null ||
		fail "verified writes after the switch failed"
	detach g1 xvdb
	lab_block_stock
}
