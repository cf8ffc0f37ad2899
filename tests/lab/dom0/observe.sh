# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What an operator sees, checked against what the guest did: the module's
# tracepoints (src/trace/xbng_events.h) read through tracefs, and its
# debugfs folder (src/debugfs.c).

TRACEFS=/sys/kernel/tracing

# Start tracing EVENT... of the module's trace system, from an empty buffer.
trace_start() {
	local e
	mountpoint -q "$TRACEFS" || mount -t tracefs tracefs "$TRACEFS" || return 1
	[ -d "$TRACEFS/events/xbng" ] || return 1
	echo 0 >"$TRACEFS/tracing_on"
	echo 0 >"$TRACEFS/events/enable"
	echo 4096 >"$TRACEFS/buffer_size_kb"
	for e in "$@"; do
		echo 1 >"$TRACEFS/events/xbng/$e/enable" || return 1
	done
	echo >"$TRACEFS/trace"
	echo 1 >"$TRACEFS/tracing_on"
}

trace_stop() {
	echo 0 >"$TRACEFS/tracing_on"
	echo 0 >"$TRACEFS/events/enable"
}

# The events of one device: "EVENT key=value..." per line, in order.
trace_events() { # DOM DEV
	sed -n "s/.* \(xbng_[a-z_]*\): \(dom=$1 dev=$2 .*\)/\1 \2/p" "$TRACEFS/trace"
}

# Sum of FIELD over the events of FILE named EVENT whose fields match every
# key=value of FILTER (space-separated); with MIN and END, also the first
# sector and the sector after the last.
trace_sum() { # FILE EVENT FIELD [FILTER]
	awk -v ev="$2" -v f="$3" -v filter="${4:-}" '
		$1 != ev { next }
		{
			delete kv
			for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = p[2] }
			n = split(filter, want, " ")
			for (i = 1; i <= n; i++) { split(want[i], p, "="); if (kv[p[1]] != p[2]) next }
			sum += kv[f]; count++
		}
		END { print sum + 0, count + 0 }' "$1"
}

# Sectors [FIRST, END) that the write requests of FILE cover, as
# "FIRST END": the requests of one dd may be split or merged on the way,
# but they must cover exactly what it wrote.
trace_write_span() { # FILE
	awk '$1 == "xbng_request" && / op=write / {
		for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = p[2] }
		if (first == "" || kv["sector"] < first) first = kv["sector"]
		if (kv["sector"] + kv["sectors"] > end) end = kv["sector"] + kv["sectors"]
	} END { print first + 0, end + 0 }' "$1"
}

# Whether DOM's device DEV logged at least N events EVENT.
trace_has() { # DOM DEV EVENT N
	[ "$(trace_events "$1" "$2" | grep -c "^$3 ")" -ge "$4" ]
}

# Sectors of read requests that lie in [FIRST, END): udev reads the disk's
# start and end after a write too, so reads outside our range are expected.
trace_read_in() { # FILE FIRST END
	awk -v a="$2" -v b="$3" '$1 == "xbng_request" && / op=read / {
		for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = p[2] }
		if (kv["sector"] >= a && kv["sector"] + kv["sectors"] <= b) s += kv["sectors"]
	} END { print s + 0 }' "$1"
}

# The guest writes 1 MiB at 4 MiB and reads 1 MiB at 8 MiB with direct I/O;
# a pressure event and the detach follow.  The tracepoints must show this
# device's requests covering exactly those sectors, a response with status
# 0 and a latency for each of the writes, every segment served by a grant
# mapping or a persistent grant, the pressure answered by each of its
# rings, and both ends' states at Closed.
t_trace() {
	local l dom dev ev w r m u p span rings st
	prep
	l=$(mk_loop disk-trace 64) || fail "losetup failed"
	attach g1 xvdb "$l"
	dom=$(xl domid g1)
	dev=$(vdev_devid xvdb)
	ng_set pool_policy squeeze || fail "cannot select squeeze"
	trace_start xbng_request xbng_response xbng_grant_map xbng_grant_unmap \
		xbng_pool_take xbng_pressure xbng_pressure_done xbng_state ||
		fail "cannot enable the xbng tracepoints in $TRACEFS"
	gcmd g1 60 dd if=/dev/urandom of=/dev/xvdb bs=64k count=16 seek=64 oflag=direct ||
		fail "guest write failed"
	gcmd g1 60 dd if=/dev/xvdb of=/dev/null bs=64k count=16 skip=128 iflag=direct ||
		fail "guest read failed"
	echo 2 >/proc/sys/vm/drop_caches
	rings=$(nr_queues g1 xvdb)
	wait_for 30 trace_has "$dom" "$dev" xbng_pressure_done "$rings" ||
		fail "the pressure event was not answered by all $rings rings"
	detach g1 xvdb
	trace_stop
	ev=$LAB_T/trace-events.txt
	trace_events "$dom" "$dev" >"$ev"
	cp "$TRACEFS/trace" "$LAB_T/trace.txt"
	say "$(wc -l <"$ev") events of dom $dom dev $dev; $(grep -c ' xbng_pressure: ' "$LAB_T/trace.txt") pressure events"

	span=$(trace_write_span "$ev")
	[ "$span" = "8192 10240" ] || fail "write requests cover sectors [$span), not [8192 10240)"
	read -r w _ <<<"$(trace_sum "$ev" xbng_request sectors op=write)"
	[ "$w" = 2048 ] || fail "write requests add up to $w sectors, not 2048"
	r=$(trace_read_in "$ev" 16384 18432)
	[ "$r" = 2048 ] || fail "read requests cover $r of the 2048 sectors read"
	read -r w _ <<<"$(trace_sum "$ev" xbng_response sectors "op=write status=0")"
	[ "$w" = 2048 ] || fail "successful write responses add up to $w sectors, not 2048"
	grep '^xbng_response ' "$ev" | grep -v ' status=0 ' | head -n 1 | grep . &&
		fail "a response with an error status"
	grep '^xbng_response ' "$ev" | grep -q ' latency_ns=0$' &&
		fail "a response without a latency"
	# Every segment was served by a persistent grant or a fresh mapping.
	read -r p _ <<<"$(trace_sum "$ev" xbng_request segs)"
	read -r m _ <<<"$(trace_sum "$ev" xbng_grant_map ops)"
	read -r r _ <<<"$(trace_sum "$ev" xbng_pool_take items pool=pgrant)"
	say "segments $p; grants mapped $m; persistent grants taken $r"
	[ "$p" -gt 0 ] || fail "requests without segments"
	[ $((m + r)) -ge "$p" ] ||
		fail "$p segments, but only $m grant mappings and $r persistent grants"
	# The detach unmapped every grant, the ones mapped before tracing too.
	read -r u _ <<<"$(trace_sum "$ev" xbng_grant_unmap ops)"
	[ "$u" -ge "$m" ] || fail "$m grants mapped, $u unmapped by the detach"
	grep -q ' xbng_pressure: ' "$LAB_T/trace.txt" || fail "no xbng_pressure event"
	# libxl starts a detach by writing the backend's Closing itself, and
	# the frontend is often Closed by the time its watch fires: Closed on
	# both sides is what every detach shows.
	for st in "frontend=Closed" "backend=Closed"; do
		grep -q "^xbng_state .* $st err=0" "$ev" || fail "no xbng_state $st"
	done
}

# A field of a debugfs file of lines "key value".
dbg_field() { awk -v k="$2" '$1 == k {print $2}' "$1"; } # FILE KEY

# Whether a queue's ring is idle: all taken, all answered, nothing in flight.
ring_idle() { # RING_FILE
	local f=$1
	[ "$(dbg_field "$f" req_cons)" = "$(dbg_field "$f" req_prod)" ] &&
		[ "$(dbg_field "$f" rsp_prod)" = "$(dbg_field "$f" req_prod)" ] &&
		[ "$(dbg_field "$f" inflight)" = 0 ]
}

# debugfs shows the device as negotiated (queues and ring pages as in the
# frontend's xenstore, persistent grants on), one folder per queue whose
# indexes moved by the guest's requests and came to rest with every one
# answered, events counted both ways, the guest's budget account; and
# nothing of the device once it is detached.
t_debugfs() {
	local l dir dev_dir q rings pages f p0 p1 d
	prep
	dir=$(ng_debugfs)
	[ -r "$dir/domains" ] || fail "no $dir/domains"
	l=$(mk_loop disk-dbg 64) || fail "losetup failed"
	attach g1 xvdb "$l"
	dev_dir=$dir/vbd-$(xl domid g1)-$(vdev_devid xvdb)
	[ -r "$dev_dir/features" ] || fail "no $dev_dir/features"
	cp "$dev_dir/features" "$LAB_T/features.txt"
	rings=$(nr_queues g1 xvdb)
	pages=$((1 << $(fe_node g1 xvdb ring-page-order 0)))
	[ "$(dbg_field "$dev_dir/features" queues)" = "$rings" ] ||
		fail "features: queues $(dbg_field "$dev_dir/features" queues), the frontend asked for $rings"
	[ "$(dbg_field "$dev_dir/features" ring_pages)" = "$pages" ] ||
		fail "features: ring_pages $(dbg_field "$dev_dir/features" ring_pages), the frontend has $pages"
	[ "$(dbg_field "$dev_dir/features" persistent)" = 1 ] || fail "features: persistent grants not negotiated"
	[ "$(find "$dev_dir" -name ring | wc -l)" = "$rings" ] ||
		fail "$(find "$dev_dir" -name ring | wc -l) ring files for $rings queues"
	p0=0
	for q in $(seq 0 $((rings - 1))); do
		p0=$((p0 + $(dbg_field "$dev_dir/queue-$q/ring" req_prod)))
	done
	gcmd g1 60 dd if=/dev/urandom of=/dev/xvdb bs=4k count=64 oflag=direct || fail "guest write failed"
	p1=0
	for q in $(seq 0 $((rings - 1))); do
		f=$dev_dir/queue-$q/ring
		wait_for 10 ring_idle "$f" || fail "queue $q not idle after the I/O: $(tr '\n' ' ' <"$f")"
		[ "$(dbg_field "$f" events_in)" -gt 0 ] || [ "$(dbg_field "$f" req_prod)" = 0 ] ||
			fail "queue $q took requests without an event in: $(tr '\n' ' ' <"$f")"
		p1=$((p1 + $(dbg_field "$f" req_prod)))
		cat "$f" >>"$LAB_T/rings.txt"
	done
	say "requests produced on $rings queues: $p0 -> $p1"
	# 64 direct 4 KiB writes: 64 requests or fewer, merged; at least one.
	if [ $((p1 - p0)) -lt 1 ] || [ $((p1 - p0)) -gt 64 ]; then
		fail "the guest's 64 writes moved req_prod by $((p1 - p0))"
	fi
	d=0
	for q in $(seq 0 $((rings - 1))); do
		d=$((d + $(dbg_field "$dev_dir/queue-$q/ring" events_out)))
	done
	[ "$d" -gt 0 ] || fail "no event sent to the guest for its answers"
	dom_line g1 >/dev/null || fail "no budget account for g1 in $dir/domains"
	detach g1 xvdb
	[ ! -e "$dev_dir" ] || fail "$dev_dir is left after the detach"
}
