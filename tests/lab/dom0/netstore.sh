# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Network storage: the guest's disk is an iSCSI LUN that dom0 serves to
# itself, LIO's target over a loop file and open-iscsi's initiator on the
# loopback, with netem delaying, reordering and dropping loopback packets.
# iscsi_tcp sends write data zero-copy, so a segment sent again (after a
# loss, or spuriously after reordering) holds the guest's page in an skb
# after the SCSI command, and so the bio, completed: the case of network
# storage that production dom0s serve from.  Sourced by driver.sh.

ISCSI_IQN=iqn.2026-12.org.xen-blkback-ng:lab
ISCSI_CFG=/sys/kernel/config/target
ISCSI_LUN=$ISCSI_CFG/core/iblock_0/labis
ISCSI_TPG=$ISCSI_CFG/iscsi/$ISCSI_IQN/tpgt_1
# Loopback: up to 8 ms late, so reordered, and 1% of packets dropped.
ISCSI_NETEM=(delay 4ms 4ms loss 1%)

# Undo iscsi_disk and the test's settings (fault_cleanup, faults.sh), also
# when the test fails.
iscsi_cleanup() {
	tc qdisc del dev lo root 2>/dev/null
	iscsiadm -m node -T "$ISCSI_IQN" -p 127.0.0.1 --logout >/dev/null 2>&1
	pkill -x iscsid
	rm -f "$ISCSI_TPG/lun/lun_0/labis" 2>/dev/null
	rmdir "$ISCSI_TPG/lun/lun_0" "$ISCSI_TPG/np/127.0.0.1:3260" \
		"$ISCSI_TPG" "$ISCSI_CFG/iscsi/$ISCSI_IQN" "$ISCSI_LUN" \
		"$ISCSI_CFG/core/iblock_0" 2>/dev/null
	rm -f /tmp/labis.img
	fault_cleanup
}

# The SCSI disk of the iSCSI session, once it is there.
iscsi_node() {
	local b
	for b in /sys/class/iscsi_session/session*/device/target*/*:*/block/*; do
		[ -e "$b" ] || continue
		[ -b "/dev/${b##*/}" ] && echo "/dev/${b##*/}" && return 0
	done
	return 1
}

# A LUN of MIB MiB exported by LIO on 127.0.0.1 and logged into; sets
# ISCSI_DEV (the initiator's /dev/sdX) and ISCSI_LOOP (the LUN's backing).
iscsi_disk() { # MIB
	local a
	modprobe -a target_core_iblock iscsi_target_mod iscsi_tcp sd_mod sch_netem ||
		fail "cannot load the iSCSI target, initiator or netem modules"
	mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config ||
		fail "cannot mount configfs"
	# dom0's init brings no interface up, not even the loopback.
	ip link set lo up || fail "cannot bring the loopback up"
	ISCSI_LOOP=$(mk_loop labis "$1") || fail "losetup failed"
	mkdir -p "$ISCSI_LUN" || fail "LIO has no iblock backstore"
	echo "udev_path=$ISCSI_LOOP" >"$ISCSI_LUN/control"
	echo 1 >"$ISCSI_LUN/enable" || fail "LIO refused $ISCSI_LOOP as a backstore"
	mkdir -p "$ISCSI_TPG/lun/lun_0" "$ISCSI_TPG/np/127.0.0.1:3260" ||
		fail "cannot create the iSCSI target portal group"
	ln -s "$ISCSI_LUN" "$ISCSI_TPG/lun/lun_0/labis" || fail "cannot map the LUN"
	# Any initiator, no authentication, writable: the lab's own loopback.
	for a in generate_node_acls=1 authentication=0 demo_mode_write_protect=0 \
		cache_dynamic_acls=1; do
		echo "${a#*=}" >"$ISCSI_TPG/attrib/${a%=*}" || fail "cannot set $a"
	done
	echo 1 >"$ISCSI_TPG/enable" || fail "cannot enable the target portal group"
	mkdir -p /etc/iscsi
	echo "InitiatorName=iqn.2026-12.org.xen-blkback-ng:dom0" >/etc/iscsi/initiatorname.iscsi
	pgrep -x iscsid >/dev/null || iscsid || fail "iscsid did not start"
	timeout 30 iscsiadm -m discovery -t sendtargets -p 127.0.0.1 >"$LAB_T/iscsi.log" 2>&1 ||
		fail "iSCSI discovery failed: $(tail -n 1 "$LAB_T/iscsi.log")"
	timeout 30 iscsiadm -m node -T "$ISCSI_IQN" -p 127.0.0.1 --login >>"$LAB_T/iscsi.log" 2>&1 ||
		fail "iSCSI login failed: $(tail -n 1 "$LAB_T/iscsi.log")"
	wait_for 30 iscsi_node >/dev/null || fail "no SCSI disk 30 s after the iSCSI login"
	ISCSI_DEV=$(iscsi_node)
	say "iSCSI LUN over $ISCSI_LOOP is $ISCSI_DEV ($(blockdev --getsz "$ISCSI_DEV") sectors)"
}

# Verified guest I/O for SECS seconds on an iSCSI disk whose loopback
# loses and reorders packets, with every segment mapped for its request
# alone (no persistent grants), so that every write page is unmapped after
# its completion.  Storage holds some of them after the completion: ng
# answers those requests only once it let go (statistics/unmap_deferred
# counts them) and never unmaps a page in use (grant.c warns if it does,
# and a kernel warning fails the test).  The data the guest wrote is on the
# LUN's backing, and after the detach nothing is left mapped.
held_pages_iscsi() { # SECS
	local d c
	prep
	trap iscsi_cleanup EXIT
	fault_no_persistent
	iscsi_disk 64
	tc qdisc add dev lo root netem "${ISCSI_NETEM[@]}" || fail "tc qdisc add netem failed"
	FAULT_BASE=$(grants_mapped "$(xl domid g1)")
	attach g1 xvdb "$ISCSI_DEV"
	# 4k-128k writes, 8 in flight: many segments per request.
	gcmd g1 20 bgrun held faultio xvdb held 2 >/dev/null || fail "cannot start faultio in the guest"
	wait_for 120 fault_reached held ok 1 || fail "no verified pass in 120 s: $(fault_counts held)"
	# A soak: its length is the point, there is no condition to poll.
	sleep "$1"
	fault_stop held
	c=$(fault_counts held)
	[ "$(counter "$c" eio)" = 0 ] || fail "I/O errors reached the guest: $c"
	fault_reached held ok 3 || fail "fewer than 3 verified passes in $1 s: $c"
	d=$(vbd_stat g1 xvdb unmap_deferred)
	say "netem: $(tc -s qdisc show dev lo | tr '\n' ' ')"
	say "unmap_deferred $d, unmap_ops $(vbd_stat g1 xvdb unmap_ops), wr_req $(vbd_stat g1 xvdb wr_req)"
	[ "$d" -gt 0 ] || fail "no request waited for storage to let go of a page (unmap_deferred $d): the test did not reach the case"
	tc qdisc del dev lo root
	cross_check g1 xvdb "$ISCSI_DEV" 8
	detach g1 xvdb
	check_released g1 "$FAULT_BASE"
}

t_held-pages-iscsi() { held_pages_iscsi 60; }
t_held-pages-iscsi-long() { held_pages_iscsi 300; }
