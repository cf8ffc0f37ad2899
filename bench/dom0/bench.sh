
# ---------------------------------------------------------------- bench
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# bench/dom0/bench.sh, appended by bench/run to the lab's tests.sh: the
# benchmark as one lab test, t_bench.  It writes CSV files under
# $OUT/bench/ (the host's results folder through 9p); bench/report.py makes
# the tables and the plot from them.  Nothing here passes or fails on a
# number: a phase that cannot run says why in $OUT/bench/notes.txt.

test_limit() { echo 7500; }
BENCH_GUEST_MB=512

BD=$OUT/bench
FIO=/lab/fio
# The test's output goes to its log; progress also goes to the console,
# where bench/run shows it.
bsay() {
	say "bench: $*"
	echo "lab-dom0: bench: $*" >/dev/console 2>/dev/null
}
bnote() {
	echo "$*" >>"$BD/notes.txt"
	bsay "note: $*"
}

# name rw bs iodepth [extra fio args]
BENCH_WORKLOADS="seqread1m-qd8:read:1m:8
seqwrite1m-qd8:write:1m:8
randread4k-qd1:randread:4k:1
randread4k-qd32:randread:4k:32
randwrite4k-qd1:randwrite:4k:1
randwrite4k-qd32:randwrite:4k:32
randrw70-4k-qd32:randrw:4k:32"
# The reduced set for the variants (one queue; persistent grants off).
BENCH_VARIANT_WORKLOADS=${BENCH_VARIANT_WORKLOADS:-seqread1m-qd8 randread4k-qd32 randwrite4k-qd32}
# BENCH_ONLY: the names of the workloads to run (development), all if empty.
if [ -n "${BENCH_ONLY:-}" ]; then
	BENCH_WORKLOADS=$(echo "$BENCH_WORKLOADS" |
		grep -E "^($(echo "$BENCH_ONLY" | tr ' ' '|')):")
fi

wl_args() { # NAME: fio arguments of a workload
	local line rw bs qd
	line=$(echo "$BENCH_WORKLOADS" | grep "^$1:") || return 1
	IFS=: read -r _ rw bs qd <<<"$line"
	echo "--rw=$rw --bs=$bs --iodepth=$qd"
	[ "$rw" = randrw ] && echo "--rwmixread=70"
	return 0
}

fio_common() {
	echo "--direct=1 --ioengine=libaio --size=128m --time_based --runtime=$BENCH_RUNTIME" \
		"--ramp_time=$BENCH_RAMP --norandommap --randrepeat=0 --output-format=terse --terse-version=3"
}

# ------------------------------------------------------------ drivers
# cur_drv, use_drv: tests/lab/dom0/lib.sh.

# --------------------------------------------------------------- stats
# The backend device's counters, FOLDER/NAME under its sysfs folder, in
# tput.csv's order (report.py's STATS): the driver's statistics (grant
# hypercalls and persistent grants are xen-blkback-ng's); the kernel's
# event-channel counters (both drivers: how often the EOI of a spurious
# event was held back, and for how long); xen-blkback-ng's descriptors
# created and freed (whether a policy makes steady I/O allocate).
COUNTERS="statistics/rd_req statistics/wr_req statistics/map_calls statistics/map_ops
statistics/unmap_calls statistics/unmap_ops statistics/pgrants
xenbus/events xenbus/spurious_events xenbus/jiffies_eoi_delayed
pool/desc_allocated pool/desc_released pool/pressure_events pool/squeezes"
# The counters are read back to back (the backend folder looked up once,
# no fork per file): a persistent-grant purge between two reads once showed
# up as 1002 unmap operations in 0 unmap calls.
stats_snap() { # VDEV: one line of the counters in $COUNTERS order
	local s v dir out=''
	dir=$(backend_dir g1 "$1")
	for s in $COUNTERS; do
		sysval "$dir/$s" v
		out="$out $v"
	done
	echo "${out# }"
}
# Difference of two snapshots, comma-separated; "" where a counter is absent.
stats_delta() { # "BEFORE" "AFTER"
	local -a a b
	local i out=
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	for i in "${!a[@]}"; do
		if [ "${a[$i]}" -lt 0 ] || [ "${b[$i]:--1}" -lt 0 ]; then
			out="$out,"
		else
			out="$out,$((b[i] - a[i]))"
		fi
	done
	echo "${out#,}"
}

# Settled dom0 memory: Slab, SUnreclaim, MemFree in kB.
mem_snap() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
	echo "$(mem_field Slab),$(mem_field SUnreclaim),$(mem_field MemFree)"
}
ng_sum() { # NAME: pool/NAME summed over every vbd device ("" if none)
	local f s=0 n=0
	for f in /sys/bus/xen-backend/devices/vbd-*/pool/"$1"; do
		[ -e "$f" ] || continue
		s=$((s + $(cat "$f")))
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] && echo "$s"
}
ng_mod() { cat "$NG_SYS/pool/$1" 2>/dev/null; }

now_ns() { date +%s%N; }
has_word() { # WORD "LIST"
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}
# "cpu BUSY": dom0's busy ticks over all CPUs: user, nice, system, irq,
# softirq (not idle, iowait, nor steal: time Xen gave to other vCPUs).
cpu_busy() {
	awk '$1 == "cpu" {print "cpu", $2 + $3 + $4 + $7 + $8; exit}' /proc/stat
}

# ------------------------------------------------------------ guest fio
# Runs one workload in the guest in the background and keeps dom0 asleep
# while it runs (dom0 and the guest share the host's two cores), then
# fetches fio's terse line.  Prints "riops,rbw_kib,wiops,wbw_kib".
# FIO_EXTRA: more fio arguments, after (so over) the workload's.
guest_fio() { # [-g GUEST] VDEV WORKLOAD
	local g=g1 v w args tl c0 c1
	[ "$1" = -g ] && { g=$2; shift 2; }
	v=$1 w=$2
	args="$(wl_args "$w") $(fio_common) ${FIO_EXTRA:-}"
	read -r _ c0 <<<"$(cpu_busy)"
	# shellcheck disable=SC2086
	gcmd "$g" 20 bgrun "b$w" fio --name="$w" --filename="/dev/$v" $args >/dev/null || return 1
	sleep $((BENCH_RUNTIME + BENCH_RAMP + 1))
	read -r _ c1 <<<"$(cpu_busy)"
	gcmd "$g" $((BENCH_RUNTIME + 90)) bgwait "b$w" $((BENCH_RUNTIME + 60)) >"$LAB_T/fio-$g-$w.out" 2>&1
	tl=$(grep -a '^3;fio' "$LAB_T/fio-$g-$w.out" | tail -n 1)
	[ -n "$tl" ] || { cat "$LAB_T/fio-$g-$w.out" >&2; return 1; }
	# Where the time went (tput_pass keeps it in lat.csv): dom0's busy
	# ticks over the run, the guest's mean completion latency (us) of
	# reads and writes.
	echo "$tl" | awk -F';' -v cpu="$((c1 - c0))" '{printf "%d,%.0f,%.0f\n", cpu, $16, $57}' >"$LAB_T/lat"
	echo "$tl" | awk -F';' '{print $8 "," $7 "," $49 "," $48}'
}

dom0_fio() { # DEV WORKLOAD
	local tl
	# shellcheck disable=SC2046
	tl=$($FIO --name="$2" --filename="$1" $(wl_args "$2") $(fio_common) 2>"$LAB_T/dom0fio.err" |
		grep -a '^3;fio' | tail -n 1)
	[ -n "$tl" ] || return 1
	echo "$tl" | awk -F';' '{print $8 "," $7 "," $49 "," $48}'
}

# The RAM-backed disk, written through once so reads hit real pages;
# loaded when needed (the memory phase runs without it).  The lab's
# clean_slate unloads brd, so every user calls this first.
ensure_ram0() {
	[ -e /sys/module/brd ] && [ -b /dev/ram0 ] && return 0
	mk_brd 0 >/dev/null || return 1
	dd if=/dev/zero of=/dev/ram0 bs=1M count=160 oflag=direct 2>/dev/null
}
attach_ram0() { # g1's xvdb on /dev/ram0
	ensure_ram0 || fail "brd did not load"
	attach g1 xvdb /dev/ram0
}

# Reload the guest's blkfront with these parameters (no disk attached).
g1_blkfront() { # [param=value...]
	guest_blkfront g1 "$@" ||
		bsay "guest blkfront reload ($*) failed: $(tail -n 2 "$LAB_T/gout" | tr '\n' ' ')"
}

# One workload on g1's xvdb, recorded under VARIANT and DRIVER.
# tput.csv: variant,driver,rep,workload,riops,rbw,wiops,wbw,<COUNTERS deltas>
# lat.csv: variant,driver,rep,workload,busy_ticks,rclat_us,wclat_us,hz
tput_run() { # VARIANT DRIVER REP WORKLOAD
	local s0 s1 r
	s0=$(stats_snap xvdb)
	if r=$(guest_fio xvdb "$4"); then
		s1=$(stats_snap xvdb)
		echo "$1,$2,$3,$4,$r,$(stats_delta "$s0" "$s1")" >>"$BD/tput.csv"
		echo "$1,$2,$3,$4,$(cat "$LAB_T/lat"),$(getconf CLK_TCK)" >>"$BD/lat.csv"
		bsay "$1 $2 rep $3 $4: $r"
	else
		bnote "tput $1 $2 rep $3 $4: fio gave no result"
	fi
}

# One pass of workloads through one driver: attach, run, detach.
tput_pass() { # VARIANT DRIVER REP "WORKLOADS" [driver params...]
	local var=$1 drv=$2 rep=$3 wls=$4 w m0
	shift 4
	use_drv "$drv" "$@" || { bnote "tput $var $drv rep $rep: cannot load $drv $*"; return 1; }
	[ "$var" = base ] && [ "$rep" = 1 ] && m0=$(mem_snap)
	attach_ram0
	for w in $wls; do
		tput_run "$var" "$drv" "$rep" "$w"
	done
	# dom0 memory with the disk connected after heavy I/O, against the
	# same dom0 before the attach.
	if [ -n "${m0:-}" ]; then
		echo "$drv,after-io,1,$m0,$(mem_snap),$(ng_sum desc_bytes),$(ng_sum pgrant_bytes),$(ng_sum free_pages),$(ng_sum pgrant_held)" \
			>>"$BD/mem.csv"
	fi
	detach g1 xvdb
}

phase_tput() {
	local rep order drv w r
	for rep in $(seq "$BENCH_REPS"); do
		# dom0 direct: the limit of the device and this machine.
		ensure_ram0 || { bnote "tput rep $rep: brd did not load"; continue; }
		for w in $(echo "$BENCH_WORKLOADS" | cut -d: -f1); do
			if r=$(dom0_fio /dev/ram0 "$w"); then
				echo "base,dom0,$rep,$w,$r,,,,,,," >>"$BD/tput.csv"
				bsay "dom0 rep $rep $w: $r"
			fi
		done
		# A then B, then B then A.
		if [ $((rep % 2)) = 1 ]; then order="stock ng"; else order="ng stock"; fi
		for drv in $order; do
			( tput_pass base "$drv" "$rep" "$(echo "$BENCH_WORKLOADS" | cut -d: -f1)" ) ||
				bnote "tput base $drv rep $rep did not finish"
			clean_slate g1
		done
	done
}

phase_variants() {
	local rep order drv drvs v params
	for rep in $(seq "$BENCH_REPS"); do
		if [ $((rep % 2)) = 1 ]; then order="stock ng"; else order="ng stock"; fi
		for v in $BENCH_VARIANTS; do
			case $v in
			1q) params="max_queues=1" ;;
			pgoff) params="feature_persistent=0" ;;
			# An ng pool policy against ng's default (the base
			# variant's ng rows): ng only.
			adaptive | squeeze | idle) params="pool_policy=$v" ;;
			*) bnote "unknown variant $v"; continue ;;
			esac
			drvs=$order
			case $v in adaptive | squeeze | idle) drvs=ng ;; esac
			for drv in $drvs; do
				# shellcheck disable=SC2086
				( tput_pass "$v" "$drv" "$rep" "$BENCH_VARIANT_WORKLOADS" $params ) ||
					bnote "tput $v $drv rep $rep did not finish"
				clean_slate g1
			done
		done
	done
}

# Issue #8, acceptance 4: adaptive against static on every workload.  One
# disk stays connected and its pool/policy is switched between the runs, so
# a pair differs in the policy only (no module reload, no re-attach); the
# order within a pair alternates from one run to the next.  tput.csv rows:
# variant "policy", driver "static" or "adaptive".
phase_policy() {
	local rep w p order pf i=0
	use_drv ng || { bnote "policy: cannot load ng"; return 1; }
	attach_ram0
	pf=$(backend_dir g1 xvdb)/pool/policy
	for rep in $(seq "$BENCH_REPS"); do
		for w in $(echo "$BENCH_WORKLOADS" | cut -d: -f1); do
			if [ $((i++ % 2)) = 0 ]; then order="static adaptive"; else order="adaptive static"; fi
			for p in $order; do
				echo "$p" >"$pf" || { bnote "policy: cannot select $p in $pf"; return 1; }
				tput_run policy "$p" "$rep" "$w"
			done
		done
	done
	detach g1 xvdb
}

# ------------------------------------------------------------- memory
# mem.csv: driver,n,connected,slab0,sunrecl0,free0,slab,sunrecl,free,
#          desc_bytes,pgrant_bytes,free_pages,pgrant_held
VDEVS="xvdb xvdc xvdd xvde xvdf xvdg xvdh xvdi xvdj xvdk xvdl xvdm xvdn xvdo xvdp xvdq"
mem_pass() { # DRIVER
	local drv=$1 n v m0 m1 conn d have=0 need free per
	use_drv "$drv" || { bnote "mem $drv: cannot load"; return 1; }
	m0=$(mem_snap)
	for n in $BENCH_MEM_NS; do
		# Stop before dom0 runs out of memory: project from what the
		# devices so far cost.
		if [ "$have" -gt 0 ]; then
			free=$(mem_field MemAvailable)
			per=$(((${m0##*,} - $(mem_field MemFree)) / have))
			need=$(((n - have) * per))
			if [ "$need" -gt $((free - 150 * 1024)) ]; then
				bnote "mem $drv: $n devices skipped: would need ~$((need / 1024)) MiB more, dom0 has $((free / 1024)) MiB available"
				break
			fi
		fi
		while [ "$have" -lt "$n" ]; do
			v=$(echo "$VDEVS" | cut -d' ' -f$((have + 1)))
			d=$(mk_loop "mem$have" 64) || { bnote "mem $drv: losetup failed"; break 2; }
			( attach g1 "$v" "$d" ) || { bnote "mem $drv: attach $v failed at $have devices"; break 2; }
			have=$((have + 1))
		done
		sleep 3
		m1=$(mem_snap)
		conn=$(xenstore-ls -f /local/domain/0/backend/vbd 2>/dev/null | grep -c '/state = "4"')
		echo "$drv,$n,$conn,$m0,$m1,$(ng_sum desc_bytes),$(ng_sum pgrant_bytes),$(ng_sum free_pages),$(ng_sum pgrant_held)" \
			>>"$BD/mem.csv"
		bsay "mem $drv $n devices ($conn connected): $m0 -> $m1 (Slab,SUnreclaim,MemFree kB)"
		xenstore-ls -f "/local/domain/$(xl domid g1)/device/vbd" 2>/dev/null |
			grep -E 'ring-page-order|multi-queue-num-queues' | head -n 4 >>"$BD/mem-frontend.txt"
		# What the frontend costs the guest (it died here once).
		echo "$drv $n devices: guest $(gcmd g1 20 "grep -E 'MemFree|MemAvailable' /proc/meminfo" | tr -s ' \n' ' ')" \
			>>"$BD/mem-guest.txt"
	done
	clean_slate g1
}

phase_mem() {
	# The RAM disk's 160 MiB would crowd the stock driver's descriptors.
	[ -e /sys/module/brd ] && rmmod brd
	mem_field MemAvailable | awk '{print "MemAvailable before the memory phase: " int($1 / 1024) " MiB"}' >>"$BD/setup.txt"
	# With persistent grants blkfront pre-allocates a page per grant:
	# at ring order 4 that is ~66 MiB of guest memory per queue, and the
	# guest ran out of memory at the second device.  Idle devices hold no
	# persistent grant in dom0 either way, so the frontend turns them off.
	g1_blkfront "max_ring_page_order=$BENCH_MEM_ORDER feature_persistent=0"
	gcmd g1 20 'cd /sys/module/xen_blkfront/parameters && grep . *' >"$BD/mem-guest-blkfront.txt" 2>&1
	( mem_pass ng ) || bnote "mem ng did not finish"
	( mem_pass stock ) || bnote "mem stock did not finish"
	g1_blkfront
}

# ----------------------------------------------------------- pressure
# The I/O that fills the pools before each pressure event.
pressure_fill() {
	gcmd g1 60 fio --name=fill --filename=/dev/xvdb --direct=1 --ioengine=libaio \
		--rw=randwrite --bsrange=4k-1m --iodepth=32 --size=64m --runtime=3 --time_based >/dev/null
}

# pressure.csv: round,free_before,dev_free_before,last_squeeze_ns,
#               drop_caches_us,to_zero_us,free_after,pressure_events_delta,
#               desc_held_before,desc_held_after,desc_bytes_before,
#               desc_bytes_after,dev_free_after,squeezes_delta
phase_pressure() {
	local k fb db pe0 sq0 t0 t1 t2 fa dh0 dh1 dbb dba dfa
	use_drv ng pool_policy=squeeze feature_persistent=0 || { bnote "pressure: cannot load ng"; return 1; }
	attach_ram0
	for k in 1 2 3 4 5; do
		pressure_fill || bnote "pressure round $k: fill I/O failed"
		fb=$(ng_mod free_pages)
		db=$(ng_sum free_pages)
		dh0=$(ng_sum desc_held)
		dbb=$(ng_sum desc_bytes)
		pe0=$(ng_mod pressure_events)
		sq0=$(ng_mod squeezes)
		t0=$(now_ns)
		echo 3 >/proc/sys/vm/drop_caches
		t1=$(now_ns)
		while [ "$(ng_mod free_pages)" != 0 ] || [ "$(ng_sum free_pages)" != 0 ]; do
			[ $(($(now_ns) - t0)) -gt 5000000000 ] && break
		done
		t2=$(now_ns)
		fa=$(ng_mod free_pages)
		dfa=$(ng_sum free_pages)
		dh1=$(ng_sum desc_held)
		dba=$(ng_sum desc_bytes)
		echo "$k,$fb,$db,$(ng_mod last_squeeze_ns),$(((t1 - t0) / 1000)),$(((t2 - t0) / 1000)),$fa,$(($(ng_mod pressure_events) - pe0)),$dh0,$dh1,$dbb,$dba,$dfa,$(($(ng_mod squeezes) - sq0))" \
			>>"$BD/pressure.csv"
		bsay "pressure round $k: free $fb -> $fa, descriptors $dh0 -> $dh1, last_squeeze_ns $(ng_mod last_squeeze_ns)"
	done
	detach g1 xvdb
	( pressure_stock ) || bnote "pressure: the stock driver's reaction could not be traced"
}

# The stock driver exports no pool counter.  Its reaction is traced with
# kprobes instead: the xenbus shrinker's per-device reclaim callback (the
# event; it only stamps buffer_squeeze_end) and every
# gnttab_page_cache_shrink(cache, num) of its ring threads, with the pool's
# page count at the call (struct gnttab_page_cache: num_pages at offset 16
# with CONFIG_XEN_UNPOPULATED_ALLOC and without spinlock debugging, as in
# Debian's 6.1).  report.py reads the raw traces: per ring thread the first
# shrink to 0 after the event (or a shrink to max_buffer_pages: the
# squeeze window was missed).
TR=/sys/kernel/tracing
pressure_stock() {
	local k ev
	mountpoint -q "$TR" || mount -t tracefs nodev "$TR" || return 1
	if grep -qw backend_reclaim_memory /proc/kallsyms; then
		ev=backend_reclaim_memory
	else
		ev=xen_blkback:reclaim_memory
	fi
	use_drv stock feature_persistent=0 || return 1
	echo 0 >"$TR/tracing_on"
	echo >"$TR/kprobe_events"
	echo "p:xbbench/reclaim $ev" >>"$TR/kprobe_events" || return 1
	echo 'p:xbbench/shrink gnttab_page_cache_shrink num=%si:u32 have=+16(%di):u32' \
		>>"$TR/kprobe_events" || return 1
	echo mono >"$TR/trace_clock"
	echo 1 >"$TR/events/xbbench/enable"
	attach_ram0
	for k in 1 2 3 4 5; do
		pressure_fill || bnote "pressure stock round $k: fill I/O failed"
		echo >"$TR/trace"
		echo 1 >"$TR/tracing_on"
		echo 3 >/proc/sys/vm/drop_caches
		# The observation window: the ring threads wake at least every
		# 100 ms (LRU_INTERVAL); 1 s covers several wakes.
		sleep 1
		echo 0 >"$TR/tracing_on"
		grep -v '^#' "$TR/trace" >"$BD/pressure-stock-$k.trace"
		bsay "pressure stock round $k: $(grep -c -E ' (reclaim|shrink): ' "$BD/pressure-stock-$k.trace") trace events"
	done
	echo 0 >"$TR/events/xbbench/enable"
	echo >"$TR/kprobe_events"
	detach g1 xvdb
}

# -------------------------------------------------------------- scale
# Issue #19, defect 4: what one memory-pressure event costs with
# BENCH_SCALE_DISKS vbds attached (dm-linear slices of one loop file, one
# queue each, persistent grants off), spread over BENCH_SCALE_GUESTS small
# guests (a guest's xenstore quota of 1000 nodes holds about 90 disks).
# xenbus's shrinker calls every backend device's reclaim_memory in each of
# its passes; the module also has a shrinker of its own.  kprobes and
# kretprobes time every call of xenbus's pass (backend_shrink_memory_count),
# of its per-device callback (backend_reclaim_memory, which calls the
# driver's) and, ng, of the module's shrinker scan: per event the calls,
# their total time and the longest one (a callback holds the pools' global
# lock for at most its duration), and the module's own last_squeeze_ns.
# The dom0 clock under TCG advances in steps of up to milliseconds, so ng
# also counts the work: a kprobe on ring_on_pressure, which every walk
# over the rings calls once per ring, counts the rings visited per event.
# Both drivers, the same disks; an event is one `echo 2 > drop_caches`
# (slab shrinkers only), events 2 s apart (the module merges signals less
# than 1 s apart into one event).
# scale.csv: driver,disks,event,passes,pass_us,callbacks,cb_us,cb_max_us,
#            scans,scan_us,scan_max_us,ring_visits,last_squeeze_ns,
#            pressure_events_delta
BENCH_SCALE_DISKS=${BENCH_SCALE_DISKS:-200}
BENCH_SCALE_GUESTS=${BENCH_SCALE_GUESTS:-4}
BENCH_SCALE_EVENTS=${BENCH_SCALE_EVENTS:-5}

scale_vdev() { # N (0-based): xvdb..xvdz, then xvdaa..
	local a=({a..z})
	if [ "$1" -lt 25 ]; then
		echo "xvd${a[$1 + 1]}"
	else
		echo "xvd${a[($1 - 25) / 26]}${a[($1 - 25) % 26]}"
	fi
}

scale_guests() { local i; for i in $(seq 2 $((BENCH_SCALE_GUESTS + 1))); do echo "s$i"; done; }

scale_nconnected() { xenstore-ls /local/domain/0/backend/vbd 2>/dev/null | grep -c '^ *state = "4"'; }
scale_connected() { [ "$(scale_nconnected)" -ge "$BENCH_SCALE_DISKS" ]; }

# Attach BENCH_SCALE_DISKS slices, round-robin over the guests; all
# connected (state 4) or fail.
scale_attach() {
	local i g guests
	mapfile -t guests < <(scale_guests)
	for g in "${guests[@]}"; do need_guest "$g" 1 128 || return 1; done
	for i in $(seq 0 $((BENCH_SCALE_DISKS - 1))); do
		g=${guests[i % ${#guests[@]}]}
		timeout 90 xl block-attach "$g" "$(disk_script)format=raw,vdev=$(scale_vdev $((i / ${#guests[@]}))),access=rw,target=${SCALE_DEVS[i]}" \
			>"$LAB_T/attach.log" 2>&1 ||
			{ bnote "scale: attach $i to $g failed: $(tail -n 1 "$LAB_T/attach.log")"; return 1; }
	done
	wait_for 300 scale_connected ||
		{ bnote "scale: $(scale_nconnected) of $BENCH_SCALE_DISKS vbds connected"; return 1; }
}

# Per-event sums over one trace: "passes pass_us callbacks cb_us cb_max_us
# scans scan_us scan_max_us ring_visits".  Entries and returns pair up per
# task.
scale_sums() { # TRACE
	awk '
	match($0, /-[0-9]+ +\[/) {
		pid = substr($0, RSTART + 1, RLENGTH - 2) + 0
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/) { ts = substr($i, 1, length($i) - 1); ev = $(i + 1); break }
		sub(/:$/, "", ev)
		k = ev; ret = sub(/_ret$/, "", k)
		if (k == "ring") { n[k]++; next }
		if (!ret) { start[k, pid] = ts; next }
		if (!((k, pid) in start)) next
		us = (ts - start[k, pid]) * 1e6
		delete start[k, pid]
		n[k]++; tot[k] += us; if (us > mx[k]) mx[k] = us
	}
	END {
		printf "%d %.0f %d %.0f %.0f %d %.0f %.0f %d\n", n["pass"], tot["pass"],
			n["cb"], tot["cb"], mx["cb"], n["scan"], tot["scan"], mx["scan"], n["ring"]
	}' "$1"
}

# Every guest of the phase gone, and with them every vbd.
scale_cleanup() {
	local g
	for g in $(scale_guests); do xl destroy "$g" 2>/dev/null; done
	wait_for 120 sh -c '! ls -d /sys/bus/xen-backend/devices/vbd-* >/dev/null 2>&1' ||
		bnote "scale: vbds left after the guests went"
}

scale_pass() { # DRIVER [params]
	local drv=$1 rc=0
	shift
	use_drv "$drv" "$@" || { bnote "scale: cannot load $drv"; return 1; }
	scale_attach && scale_events "$drv" || rc=1
	scale_cleanup
	return "$rc"
}

scale_events() { # DRIVER
	local drv=$1 k pe0 s
	echo 0 >"$TR/tracing_on"
	echo >"$TR/kprobe_events"
	{
		echo "p:xbscale/pass backend_shrink_memory_count"
		echo "r:xbscale/pass_ret backend_shrink_memory_count"
		echo "p:xbscale/cb backend_reclaim_memory"
		echo "r:xbscale/cb_ret backend_reclaim_memory"
		if [ "$drv" = ng ]; then
			echo "p:xbscale/scan xen_blkback_ng:pool_shrink_scan"
			echo "r:xbscale/scan_ret xen_blkback_ng:pool_shrink_scan"
			# Called for every ring a pressure walk visits.
			echo "p:xbscale/ring xen_blkback_ng:ring_on_pressure"
		fi
	} >>"$TR/kprobe_events" || { bnote "scale: kprobes refused"; return 1; }
	echo mono >"$TR/trace_clock"
	echo 1 >"$TR/events/xbscale/enable"
	for k in $(seq "$BENCH_SCALE_EVENTS"); do
		pe0=0
		[ "$drv" = ng ] && pe0=$(ng_mod pressure_events)
		sleep 2
		echo >"$TR/trace"
		echo 1 >"$TR/tracing_on"
		echo 2 >/proc/sys/vm/drop_caches
		echo 0 >"$TR/tracing_on"
		grep -v '^#' "$TR/trace" >"$BD/scale-$drv-$k.trace"
		s=$(scale_sums "$BD/scale-$drv-$k.trace")
		if [ "$drv" = ng ]; then
			s="$s $(ng_mod last_squeeze_ns) $(($(ng_mod pressure_events) - pe0))"
		else
			s="$s - -"
		fi
		echo "$drv,$BENCH_SCALE_DISKS,$k,${s// /,}" >>"$BD/scale.csv"
		bsay "scale $drv event $k: $s"
	done
	echo 0 >"$TR/events/xbscale/enable"
	echo >"$TR/kprobe_events"
}

phase_scale() {
	local i l SCALE_DEVS
	mountpoint -q "$TR" || mount -t tracefs nodev "$TR" || { bnote "scale: no tracefs"; return 1; }
	l=$(mk_loop disk-sc $((BENCH_SCALE_DISKS + 8))) || { bnote "scale: losetup failed"; return 1; }
	SCALE_DEVS=()
	for i in $(seq 0 $((BENCH_SCALE_DISKS - 1))); do
		SCALE_DEVS+=("$(mk_dm "labsc$i" "0 2048 linear $l $((i * 2048))")") ||
			{ bnote "scale: dmsetup create labsc$i failed"; return 1; }
	done
	( scale_pass ng pool_policy=squeeze feature_persistent=0 max_queues=1 ) || bnote "scale ng did not finish"
	( scale_pass stock feature_persistent=0 max_queues=1 ) || bnote "scale stock did not finish"
	for i in $(seq 0 $((BENCH_SCALE_DISKS - 1))); do dmsetup remove "labsc$i"; done
	losetup -d "$l"
}

# Throughput dip and recovery in the guest after a pressure event.
# dip.csv: driver,policy,event_ms,t_ms,iops
dip_pass() { # DRIVER POLICY [params]
	local drv=$1 pol=$2 tb te dur=16 at=8
	shift 2
	use_drv "$drv" "$@" || return 1
	attach_ram0
	gcmd g1 20 bgrun dip fio --name=dip --filename=/dev/xvdb --direct=1 --ioengine=libaio \
		--rw=randread --bs=4k --iodepth=32 --size=128m --time_based --runtime=$dur \
		--norandommap --write_iops_log=/tmp/dip --log_avg_msec=250 >/dev/null || return 1
	tb=$(now_ns)
	sleep "$at"
	te=$(now_ns)
	echo 3 >/proc/sys/vm/drop_caches
	sleep $((dur - at + 2))
	gcmd g1 60 bgwait dip 40 >/dev/null
	gcmd g1 30 'cat /tmp/dip_iops.1.log' >"$LAB_T/dip.log"
	awk -F', *' -v d="$drv" -v p="$pol" -v e=$(((te - tb) / 1000000)) \
		'NF >= 2 && $1 ~ /^[0-9]+$/ {print d "," p "," e "," $1 "," $2}' "$LAB_T/dip.log" >>"$BD/dip.csv"
	detach g1 xvdb
}

phase_dip() {
	( dip_pass stock stock ) || bnote "dip stock did not finish"
	clean_slate g1
	( dip_pass ng squeeze pool_policy=squeeze ) || bnote "dip ng squeeze did not finish"
	clean_slate g1
}

# --------------------------------------------------------------- idle
# idle.csv: policy,t_s,free_pages,pgrant_held,desc_bytes
phase_idle() {
	local pol t
	use_drv ng pool_idle_ms=3000 feature_persistent=0 || { bnote "idle: cannot load ng"; return 1; }
	attach_ram0
	for pol in static squeeze idle; do
		ng_set pool_policy "$pol" || { bnote "idle: cannot select $pol"; continue; }
		gcmd g1 60 fio --name=burst --filename=/dev/xvdb --direct=1 --ioengine=libaio \
			--rw=randrw --bsrange=4k-1m --iodepth=32 --size=64m --runtime=3 --time_based >/dev/null
		t=0
		while [ "$t" -le "$BENCH_IDLE_S" ]; do
			echo "$pol,$t,$(ng_mod free_pages),$(ng_mod pgrant_held),$(ng_mod desc_bytes)" >>"$BD/idle.csv"
			sleep 5
			t=$((t + 5))
		done
		bsay "idle $pol: $(grep "^$pol," "$BD/idle.csv" | sed -n '1p;$p' | tr '\n' ' ')"
	done
	ng_set pool_policy static
	detach g1 xvdb
	bnote "idle: stock's pool is not observable (no counter); by design it keeps up to max_buffer_pages"
}

# -------------------------------------------------------------- settle
# Memory under heavy I/O and back at idle (issue #8, acceptance 2): one
# disk, the guest at ring order $BENCH_MEM_ORDER with its default
# persistent grants, each driver at its defaults.  The baseline is the
# idle connected disk; then $BENCH_SETTLE_IO_S s of mixed 4k-1m I/O on
# both queues, sampled every 250 ms with the samples continuing for
# $BENCH_SETTLE_S s after the I/O.  Sampling only reads sysfs and
# /proc/meminfo with bash builtins (no drop_caches: SUnreclaim is what no
# reclaim returns anyway).
# settle-base.csv: driver,sunrecl_before_attach_kb,sunrecl_idle_kb,
#                  memfree_before_kb,memfree_idle_kb,desc_bytes,pgrant_bytes,
#                  free_pages,pgrant_held
# settle.csv: driver,t_ms,requests,desc_bytes,pgrant_bytes,free_pages,
#             desc_held,pgrant_held,sunrecl_kb,memfree_kb
meminfo_kb() { # NAME VAR: /proc/meminfo field NAME into VAR, no fork
	local k v _u
	while read -r k v _u; do
		[ "$k" = "$1:" ] && { printf -v "$2" %s "$v"; return 0; }
	done </proc/meminfo
	printf -v "$2" %s -1
}
# Its local's name must differ from every caller's VAR: bash would write the
# local (stats_snap's "v" once lost every counter of a run).
sysval() { # FILE VAR: the file's first word into VAR (-1 if absent), no fork
	local sysval_word
	if [ -r "$1" ] && read -r sysval_word <"$1"; then
		printf -v "$2" %s "$sysval_word"
	else
		printf -v "$2" %s -1
	fi
}
settle_pass() { # ng|stock|POLICY (ng with pool_policy=POLICY)
	local drv=$1 bd t0 now end rd wr db pb fp dh ph su mf m0 m1
	case $drv in
	ng | stock) use_drv "$drv" ;;
	*) use_drv ng pool_policy="$drv" ;;
	esac || { bnote "settle: cannot load $drv"; return 1; }
	m0=$(mem_snap)
	attach_ram0
	bd=$(backend_dir g1 xvdb)
	m1=$(mem_snap)
	sysval "$bd/pool/desc_bytes" db
	sysval "$bd/pool/pgrant_bytes" pb
	sysval "$bd/pool/free_pages" fp
	sysval "$bd/pool/pgrant_held" ph
	echo "$drv,$(echo "$m0" | cut -d, -f2),$(echo "$m1" | cut -d, -f2),$(echo "$m0" | cut -d, -f3),$(echo "$m1" | cut -d, -f3),$db,$pb,$fp,$ph" \
		>>"$BD/settle-base.csv"
	gcmd g1 20 bgrun settle fio --name=settle --filename=/dev/xvdb --direct=1 --ioengine=libaio \
		--rw=randrw --bsrange=4k-1m --iodepth=32 --numjobs=2 --cpus_allowed=0-1 \
		--cpus_allowed_policy=split --size=128m --time_based --runtime="$BENCH_SETTLE_IO_S" \
		--norandommap --randrepeat=0 >/dev/null || { bnote "settle $drv: fio did not start"; return 1; }
	t0=${EPOCHREALTIME/./}
	end=$((t0 + (BENCH_SETTLE_IO_S + BENCH_SETTLE_S) * 1000000))
	now=$t0
	while [ "$now" -lt "$end" ]; do
		sysval "$bd/statistics/rd_req" rd
		sysval "$bd/statistics/wr_req" wr
		sysval "$bd/pool/desc_bytes" db
		sysval "$bd/pool/pgrant_bytes" pb
		sysval "$bd/pool/free_pages" fp
		sysval "$bd/pool/desc_held" dh
		sysval "$bd/pool/pgrant_held" ph
		meminfo_kb SUnreclaim su
		meminfo_kb MemFree mf
		echo "$drv,$(((now - t0) / 1000)),$((rd + wr)),$db,$pb,$fp,$dh,$ph,$su,$mf" >>"$BD/settle.csv"
		sleep 0.25
		now=${EPOCHREALTIME/./}
	done
	gcmd g1 60 bgwait settle 30 >"$LAB_T/settle-$drv.out" 2>&1 ||
		bnote "settle $drv: guest fio failed: $(tail -n 2 "$LAB_T/settle-$drv.out" | tr '\n' ' ')"
	bsay "settle $drv: idle $(grep "^$drv," "$BD/settle-base.csv" | cut -d, -f6-8), end $(tail -n 1 "$BD/settle.csv" | cut -d, -f4-9)"
	detach g1 xvdb
}

phase_settle() {
	local drv
	g1_blkfront "max_ring_page_order=$BENCH_MEM_ORDER"
	for drv in $BENCH_SETTLE_DRIVERS; do
		( settle_pass "$drv" ) || bnote "settle $drv did not finish"
		clean_slate g1
	done
	g1_blkfront
}

# -------------------------------------------------------------- budget
# Issue #8, acceptance 3: guest g1 with $BENCH_BUDGET_DISKS disks at ring
# order $BENCH_MEM_ORDER (two queues each; frontend persistent grants off,
# or blkfront's bounce pages would need ~132 MiB of guest memory per disk)
# attached under max_domain_kb=$BENCH_BUDGET_KB.  A second guest, g2 (one
# vCPU, one disk, blkfront defaults), runs 4k randread qd32 alone, then in
# each round $BENCH_REPS times: once while g1 writes and verifies on
# every disk at once, and once alone with g1 idle, right after or right
# before that burst (g2_pair; the lab's figures drift by tens of percent
# within a run, so each loaded figure gets a solo figure of its own):
#   held  the budget lowered to g1's floors + $BENCH_BUDGET_TIGHT_KB KiB and
#         every disk slowed by $BENCH_BUDGET_DELAY_MS ms (dm-delay): g1 keeps
#         all the requests in flight that its budget allows, with little
#         I/O (its fio and kernel still take about half a CPU)
#   busy  the budget back at $BENCH_BUDGET_KB KiB and the disks at RAM speed:
#         g1 takes all the CPU it can get
#   timeline  g1's busy bursts again, under one long run of g2 that logs
#         its rate every 250 ms (g2_timeline)
#   burn  a control: g1 keeps its disks but does no I/O; fio's cpuio
#         engine burns both its vCPUs.  What g2 loses then owes nothing to
#         g1's I/O or memory.  In this round g2 also runs its fio job
#         through the null engine (no I/O), under the burn and alone:
#         whether g2's vCPU itself gets slower
# and alone again after them.  $BENCH_BUDGET_ROUNDS picks the rounds.
# Meanwhile the per-domain account (debugfs domains: domid devices used_kb
# high_water_kb budget_kb refused) is sampled every 250 ms.  The module's
# high-water mark only rises, hence the order: the tight round first.
# budget.csv: t_ms,domid,devices,used_kb,high_water_kb,budget_kb,refused,round
# budget-g2.csv: mode,rep,riops (mode: solo; ROUND and solo-ROUND, the pair;
# burn-null and solo-burn-null, the pair without I/O)
# budget-g1-ROUND.txt: g1's fio verdict per burst; budget-attach.txt: the
# account per attach
# budget-cpu.csv: what each domain's vCPUs ran during a round
# With BENCH_BUDGET_PIN=1 (the default) the machine's two CPUs are split,
# as an administrator isolates guests on a real host: g2, dom0's vCPU 0
# and g2's ring threads and interrupts on CPU 0; g1, dom0's vCPU 1, g1's
# ring threads and interrupts and dom0's user space (this harness,
# xenstored, xenconsoled) on CPU 1.  Then g2's figure shows what g1's
# memory and the backend cost it, not how two emulated CPUs are shared
# (without the split, g1's fio and its guest kernel under TCG take over
# half a CPU even while g1 waits at its budget; see budget-top-*.txt).
# The rings' interrupts all bear the driver's name: a guest's are those
# that appeared since the previous guest was pinned.
BUD_IRQS_PINNED=" "
budget_pin() { # GUEST CPU: the guest's vCPUs, ring threads and interrupts
	local domid p
	[ "$BENCH_BUDGET_PIN" = 1 ] || return 0
	domid=$(xl domid "$1") || return 1
	xl vcpu-pin "$1" all "$2" || return 1
	for p in $(pgrep "^xbng\.$domid\."); do
		taskset -p -c "$2" "$p" >/dev/null || return 1
	done
	for p in $(awk '$NF == "xen-blkback-ng" {sub(":", "", $1); print $1}' /proc/interrupts); do
		case $BUD_IRQS_PINNED in *" $p "*) continue ;; esac
		echo "$2" >"/proc/irq/$p/smp_affinity_list" || return 1
		BUD_IRQS_PINNED="$BUD_IRQS_PINNED$p "
	done
}
budget_pin_dom0() {
	local p
	[ "$BENCH_BUDGET_PIN" = 1 ] || return 0
	xl vcpu-pin Domain-0 0 0 && xl vcpu-pin Domain-0 1 1 || return 1
	# BASHPID: the phase runs in a subshell, and $$ is its parent.
	for p in $BASHPID $(cat /run/xenstore.pid /run/xenconsoled.pid); do
		taskset -a -p -c 1 "$p" >/dev/null || return 1
	done
}
# Undo every pin above, whichever of them were made: after a failed split
# (the rounds then run unpinned) and after the phase.  Interrupts only in
# the phase's own shell, which knows them; afterwards they are gone with
# their disks.
budget_unpin() {
	local g p
	[ "$BENCH_BUDGET_PIN" = 1 ] || return 0
	xl vcpu-pin Domain-0 all all
	for g in g1 g2; do
		guest_running "$g" && xl vcpu-pin "$g" all all
	done
	for p in $BASHPID $(cat /run/xenstore.pid /run/xenconsoled.pid) $(pgrep '^xbng\.'); do
		taskset -a -p -c 0,1 "$p" >/dev/null
	done
	for p in $BUD_IRQS_PINNED; do
		echo 0-1 >"/proc/irq/$p/smp_affinity_list" 2>/dev/null
	done
	BUD_IRQS_PINNED=" "
}
# Run COMMAND every 250 ms in the background until sampler_stop NAME; the
# sampler's pid in SAMPLER.  No fork per sample: the sampler sleeps in
# read's timeout on a FIFO that nobody writes to.
every_250ms() { # NAME COMMAND...
	local name=$1
	shift
	rm -f "/tmp/$name.stop" "/tmp/$name.idle"
	mkfifo "/tmp/$name.idle"
	(
		exec {idle}<>"/tmp/$name.idle"
		while [ ! -e "/tmp/$name.stop" ]; do
			"$@"
			read -r -t 0.25 -u "$idle"
		done
	) &
	SAMPLER=$!
}
sampler_stop() { # NAME PID
	touch "/tmp/$1.stop"
	wait "$2"
}
budget_sample() { # T0_US ROUND: one line per domain into budget.csv
	local now line
	now=${EPOCHREALTIME/./}
	while read -r line; do
		[ -n "$line" ] && echo "$(((now - $1) / 1000)),${line// /,},$2" >>"$BD/budget.csv"
	done < <(ng_domains | tail -n +2)
}
# g1's disks as plain slices of ram2, or as the same slices slowed down.
budget_slices() { # linear|delay SLICE_MB
	local i t
	for i in $(seq 0 $((BENCH_BUDGET_DISKS - 1))); do
		t="0 $(($2 * 2048)) linear /dev/ram2 $((i * $2 * 2048))"
		[ "$1" = delay ] && t="0 $(($2 * 2048)) delay /dev/ram2 $((i * $2 * 2048)) $BENCH_BUDGET_DELAY_MS"
		if ! { dmsetup suspend "bud$i" && dmsetup reload "bud$i" --table "$t" && dmsetup resume "bud$i"; }; then
			dmsetup resume "bud$i" 2>/dev/null
			return 1
		fi
	done
}
# CPU seconds each domain and each vCPU (DOMAIN/N) has used so far (xl
# list's and xl vcpu-list's Time(s)), and what they used since:
# budget-cpu.csv: round,domain,cpu_s_before,cpu_s_after,wall_ms
dom_cpu() {
	xl list | awk 'NR > 1 {print $1 "," $NF}'
	xl vcpu-list | awk 'NR > 1 {print $1 "/" $3 "," $6}'
}
cpu_record() { # ROUND "DOM_CPU BEFORE" T0_US
	join -t, <(echo "$2" | sort) <(dom_cpu | sort) |
		sed "s/^/$1,/; s/\$/,$(((${EPOCHREALTIME/./} - $3) / 1000))/" >>"$BD/budget-cpu.csv"
}
# One run of g2's 4k randread qd32 into budget-g2.csv.  A MODE ending in
# -null runs the same fio job through fio's null engine: no I/O at all, so
# its rate is what g2's vCPU gets done, with neither backend nor disk.
g2_run() { # MODE REP
	local r extra=
	case $1 in *-null) extra=--ioengine=null ;; esac
	r=$(FIO_EXTRA=$extra guest_fio -g g2 xvdb randread4k-qd32) && echo "$1,$2,${r%%,*}" >>"$BD/budget-g2.csv"
}
g2_reps() { # MODE
	local rep
	for rep in $(seq "$BENCH_REPS"); do
		g2_run "$1" "$rep"
	done
}
# Where the CPU goes while g1's load runs alone, before g2 starts: dom0's
# busiest threads and interrupts, xentop, and g1's top, over 5 s each,
# into budget-top-ROUND.txt.
cpu_where() { # ROUND
	local f=$BD/budget-top-$1.txt i0
	i0=$(cat /proc/interrupts)
	{
		echo "== dom0 top -H"
		top -b -H -n 2 -d 5 -w 160 | awk '/^top -/ {n++} n == 2' | head -n 30
		echo "== dom0 interrupts over 5 s (changed lines, after)"
		diff <(echo "$i0") /proc/interrupts | grep '^>' | head -n 40
		echo "== xentop over 5 s"
		xentop -b -i 2 -d 5 | awk '/NAME/ {n++} n == 2' | cut -c1-100
		echo "== g1 (top, then /proc/stat before and after)"
	} >"$f"
	gcmd g1 40 'head -n 1 /proc/stat >/tmp/s0; top -b -n 2 -d 5 | awk "/^Mem:/ {n++} n == 2" | head -n 25; cat /tmp/s0; head -n 1 /proc/stat' >>"$f" 2>&1
}
g2_each() { # REP PREFIX MODE...: g2_run of PREFIX-MODE, once per MODE
	local rep=$1 prefix=$2 m
	shift 2
	for m in "$@"; do
		g2_run "$prefix$m" "$rep"
	done
}
# g2's runs under g1's load and alone, g1 idle: one pair of each MODE,
# ROUND itself and ROUND with each SUFFIX (g2_run's -null).  Odd
# repetitions run alone right after g1's burst, even ones right before it,
# so that g2's drift within a round does not favour either side.
g2_pair() { # ROUND REP "G1 FIO ARGUMENTS" [SUFFIX...]
	local round=$1 rep=$2 g1fio=$3 burst modes
	shift 3
	modes="$round ${*/#/$round}"
	# shellcheck disable=SC2086 # a list of modes
	[ $((rep % 2)) = 0 ] && g2_each "$rep" solo- $modes
	# g1's burst outlasts g2's runs (their console round trips included),
	# and the first one cpu_where's 20 s too.
	burst=$(((BENCH_RUNTIME + BENCH_RAMP + 15) * (1 + $#) + 10))
	[ "$rep" = 1 ] && burst=$((burst + 25))
	# shellcheck disable=SC2086 # a list of fio arguments
	gcmd g1 20 bgrun "bud$round" ${g1fio//@RUNTIME@/$burst} >/dev/null ||
		{ bnote "budget $round: g1 fio did not start"; return 1; }
	sleep 5
	[ "$rep" = 1 ] && cpu_where "$round"
	# shellcheck disable=SC2086 # a list of modes
	g2_each "$rep" "" $modes
	gcmd g1 $((burst + 200)) bgwait "bud$round" $((burst + 150)) >>"$BD/budget-g1-$round.txt" 2>&1
	echo "rc=$?" >>"$BD/budget-g1-$round.txt"
	# shellcheck disable=SC2086 # a list of modes
	[ $((rep % 2)) = 1 ] && g2_each "$rep" solo- $modes
	# A failed g2 run is a missing row, not the end of the round.
	return 0
}
g2_pairs() { # ROUND "G1 FIO ARGUMENTS" [SUFFIX...]: see g2_pair
	local rep
	for rep in $(seq "$BENCH_REPS"); do
		g2_pair "$1" "$rep" "${@:2}" || break
	done
}
# The timeline round: one long run of g2 logging its IOPS every 250 ms
# while g1 alternates the busy round's burst (a $BENCH_BUDGET_CYCLE_S s
# fio run, its final verification included) with $BENCH_BUDGET_CYCLE_S s
# idle, $BENCH_BUDGET_CYCLES times, after an idle window; every other
# burst is the control: by default the same fio jobs through the null
# engine, all of g1's work but the I/O.  No pair, no console round trip and no fio
# start inside a figure: g2's samples while g1 rests are its solo figure,
# taken between the same bursts, and the samples right after each burst
# show whether and for how long g2 stays slow once g1 stops.  When g1 did
# I/O is read off the backend's own request counters: a burst's fio takes
# tens of seconds to start and to exit around its I/O.
# budget-timeline.csv: t_ms,iops (g2; t: Unix time in ms, fio's
#   log_unix_epoch: Xen gives dom0 and the guests one clock)
# budget-timeline-g1.csv: t_ms,requests (g1's requests so far, summed over
#   its devices, every 250 ms)
# budget-timeline-fio.csv: cycle,io|CONTROL,start_ms,end_ms (g1's fio, from
#   before dom0 starts it until dom0 saw it exit)
g1_sample() { # DOMID: rd_req + wr_req over the domain's devices, no fork
	local f v n=0
	for f in /sys/bus/xen-backend/devices/vbd-"$1"-*/statistics/[rw][dr]_req; do
		sysval "$f" v
		[ "$v" -ge 0 ] && n=$((n + v))
	done
	echo "$((${EPOCHREALTIME/./} / 1000)),$n" >>"$BD/budget-timeline-g1.csv"
}
# The timeline's control runs, none of them I/O: null, the same fio jobs
# through the null engine (no verification then: nothing to read back);
# burn16, 16 processes computing; sys16, 16 processes making syscalls
# (busybox dd of 64-byte blocks, /dev/zero to /dev/null), little memory and
# no fio: a PV guest's syscalls pass through Xen.
timeline_control_job() { # KIND "G1 FIO ARGUMENTS" SECONDS
	local a job=
	case $1 in
	burn16)
		echo "fio --name=burn --ioengine=cpuio --cpuload=100 --numjobs=16 --time_based --runtime=$3"
		return
		;;
	sys16)
		# One line for the guest's sh -c; exits 0 once the timeouts end them.
		echo "sh -c 'for i in \$(seq 16); do timeout $3 dd if=/dev/zero of=/dev/null bs=64 2>/dev/null & done; wait; exit 0'"
		return
		;;
	esac
	# libaio's own options (BENCH_BUDGET_G1_FIO's) would fail the null engine.
	for a in ${2//--ioengine=libaio/--ioengine=null}; do
		case $a in --verify* | --userspace_reap*) ;; *) job="$job ${a//@RUNTIME@/$3}" ;; esac
	done
	echo "$job"
}
g2_timeline() { # "G1 FIO ARGUMENTS"
	local s=$BENCH_BUDGET_CYCLE_S k sampler g1id kind job out rc t0 c=0
	local -a controls
	read -ra controls <<<"$BENCH_BUDGET_CONTROL"
	g1id=$(xl domid g1) || return 1
	every_250ms timeline g1_sample "$g1id"
	sampler=$SAMPLER
	# shellcheck disable=SC2046 # lists of fio arguments
	if gcmd g2 20 bgrun tl fio --name=timeline --filename=/dev/xvdb $(wl_args randread4k-qd32) \
		$(fio_common) --ramp_time=0 --runtime=86400 --write_iops_log=/tmp/tl --log_avg_msec=250 \
		--log_unix_epoch=1 >/dev/null; then
		sleep "$s"
		for k in $(seq "$BENCH_BUDGET_CYCLES"); do
			# Even cycles, a control: each of the list in turn.
			kind=io job=${1//@RUNTIME@/$s} out=$BD/budget-g1-timeline.txt
			if [ $((k % 2)) = 0 ]; then
				kind=${controls[c % ${#controls[@]}]}
				c=$((c + 1))
				job=$(timeline_control_job "$kind" "$1" "$s")
				out=$LAB_T/timeline-$kind.out
			fi
			t0=$((${EPOCHREALTIME/./} / 1000))
			# shellcheck disable=SC2086 # a list of fio arguments
			gcmd g1 20 bgrun budtl $job >/dev/null ||
				{ bnote "budget timeline: g1 fio did not start in cycle $k"; break; }
			gcmd g1 $((s + 300)) bgwait budtl $((s + 250)) >>"$out" 2>&1
			rc=$?
			# g1's verdicts, as in the other rounds; a failed control is a note.
			if [ "$kind" = io ]; then
				echo "rc=$rc" >>"$out"
			elif [ "$rc" != 0 ]; then
				bnote "budget timeline: g1's $kind fio failed in cycle $k"
			fi
			echo "$k,$kind,$t0,$((${EPOCHREALTIME/./} / 1000))" >>"$BD/budget-timeline-fio.csv"
			sleep "$s"
		done
		# fio ends its jobs and writes its logs on SIGINT.
		gcmd g2 20 killall -INT fio >/dev/null
		gcmd g2 120 bgwait tl 90 >"$LAB_T/timeline-g2.out" 2>&1
		gcmd g2 60 'cat /tmp/tl_iops.1.log' | awk -F', *' 'NF >= 2 && $1 ~ /^[0-9]+$/ {print $1 "," $2}' \
			>"$BD/budget-timeline.csv"
	else
		bnote "budget timeline: g2 fio did not start"
	fi
	sampler_stop timeline "$sampler"
	[ -s "$BD/budget-timeline.csv" ] ||
		bnote "budget timeline: no log from g2: $(tail -n 3 "$LAB_T/timeline-g2.out" | tr '\n' ' ')"
}
budget_round() { # ROUND FUNCTION ARGUMENTS...: FUNCTION's run, sampled
	local round=$1 t0 sampler c0
	c0=$(dom_cpu)
	t0=${EPOCHREALTIME/./}
	every_250ms budget budget_sample "$t0" "$round"
	sampler=$SAMPLER
	"${@:2}"
	sampler_stop budget "$sampler"
	budget_sample "$t0" "$round"
	cpu_record "$round" "$c0" "$t0"
	bsay "budget $round: g1 fio exited 0 in $(grep -c '^rc=0$' "$BD/budget-g1-$round.txt") of $(grep -c '^rc=' "$BD/budget-g1-$round.txt") bursts; account $(dom_line g1)"
}
phase_budget() {
	local i v n d spec="" jobs floors c0 t0 mb=$((160 / BENCH_BUDGET_DISKS)) BUD_DEV=()
	use_drv ng max_domain_kb="$BENCH_BUDGET_KB" || { bnote "budget: cannot load ng"; return 1; }
	# clean_slate removes every dm device: before creating g1's.
	need_guest g2 1 256
	clean_slate g2
	ensure_ram0 || { bnote "budget: brd did not load"; return 1; }
	modprobe dm-delay || bnote "budget: modprobe dm-delay failed"
	# g1's disks: slices of one RAM disk, so dom0's CPU goes to the backend.
	for i in $(seq 0 $((BENCH_BUDGET_DISKS - 1))); do
		BUD_DEV[i]=$(mk_dm "bud$i" "0 $((mb * 2048)) linear /dev/ram2 $((i * mb * 2048))" 2>"$LAB_T/dm.err") ||
			{ bnote "budget: dm device bud$i: $(tr '\n' ' ' <"$LAB_T/dm.err")"; return 1; }
	done
	# g2's disk, written through once like ram0.
	dd if=/dev/zero of=/dev/ram1 bs=1M count=160 oflag=direct 2>/dev/null
	attach g2 xvdb /dev/ram1
	if ! { budget_pin_dom0 && budget_pin g2 0 && xl vcpu-pin g1 all 1; }; then
		bnote "budget: cannot split the CPUs between the guests"
		budget_unpin
		BENCH_BUDGET_PIN=0
	fi
	echo "pin=$BENCH_BUDGET_PIN" >>"$BD/budget-attach.txt"
	# One run first that nobody counts: g2's first run maps its grants
	# and grows its descriptors, and was the slowest of every round.
	guest_fio -g g2 xvdb randread4k-qd32 >/dev/null
	c0=$(dom_cpu)
	t0=${EPOCHREALTIME/./}
	g2_reps solo
	cpu_record solo "$c0" "$t0"
	g1_blkfront "max_ring_page_order=$BENCH_MEM_ORDER feature_persistent=0"
	n=0
	for v in $(echo "$VDEVS" | cut -d' ' -f1-"$BENCH_BUDGET_DISKS"); do
		d=${BUD_DEV[n]}
		if ! ( attach g1 "$v" "$d" ); then
			bnote "budget: attach of g1's $v failed at $n disks (budget refusal or timeout; see budget-attach.txt)"
			echo "attach $v failed: $(tail -n 2 "$LAB_T/attach.log" | tr '\n' ' ')" >>"$BD/budget-attach.txt"
			break
		fi
		n=$((n + 1))
		echo "after $n disks: $(dom_line g1)" >>"$BD/budget-attach.txt"
		spec="$spec --name=$v --filename=/dev/$v"
	done
	bsay "budget: g1 has $n disks; account: $(dom_line g1)"
	[ "$n" -gt 0 ] || return 1
	budget_pin g1 1 || bnote "budget: cannot pin g1's ring threads"
	# Heaviest: every disk at once, deep queues, 4k-128k, each block
	# verified (verify_backlog reads back while writing).
	jobs="fio --direct=1 --ioengine=libaio --rw=randwrite --bsrange=4k-128k --iodepth=64"
	# One burst per g2 pair: g2_pair sets the runtime.
	jobs="$jobs --size=$((mb - 1))m --time_based --runtime=@RUNTIME@"
	jobs="$jobs --verify=crc32c --verify_backlog=128 --verify_fatal=1 --verify_dump=0 --group_reporting"
	# Global options, so before the first --name.
	jobs="$jobs $BENCH_BUDGET_G1_FIO $spec"

	# The idle account is g1's floors: one per queue.
	floors=$(dom_account g1 3)
	echo "held: floors $floors KiB, max_domain_kb $((floors + BENCH_BUDGET_TIGHT_KB)), delay $BENCH_BUDGET_DELAY_MS ms" \
		>>"$BD/budget-attach.txt"
	if has_word held "$BENCH_BUDGET_ROUNDS"; then
		if echo "$((floors + BENCH_BUDGET_TIGHT_KB))" >"$NG_SYS/parameters/max_domain_kb" &&
			budget_slices delay "$mb"; then
			budget_round held g2_pairs held "$jobs"
		else
			bnote "budget: cannot set up the held round (max_domain_kb or dm-delay)"
		fi
		budget_slices linear "$mb" || { bnote "budget: cannot restore g1's linear slices"; return 1; }
		echo "$BENCH_BUDGET_KB" >"$NG_SYS/parameters/max_domain_kb"
	fi
	has_word busy "$BENCH_BUDGET_ROUNDS" && budget_round busy g2_pairs busy "$jobs"
	has_word timeline "$BENCH_BUDGET_ROUNDS" && budget_round timeline g2_timeline "$jobs"
	has_word burn "$BENCH_BUDGET_ROUNDS" &&
		budget_round burn g2_pairs burn "fio --name=burn --ioengine=cpuio --cpuload=100 --numjobs=2 --time_based --runtime=@RUNTIME@" -null
	# Solo again once g1 is idle: the lab drifts, a baseline taken only
	# before the rounds would flatter or blame them.
	g2_reps solo
	# g1 without disks before its blkfront reloads; t_bench destroys g2.
	clean_slate g1
	g1_blkfront
}

# ------------------------------------------------------------- t_bench
t_bench() {
	local p
	mkdir -p "$BD"
	: >"$BD/notes.txt"
	{
		echo "reps=$BENCH_REPS runtime=$BENCH_RUNTIME ramp=$BENCH_RAMP phases=$BENCH_PHASES"
		echo "variants=$BENCH_VARIANTS mem_ns=$BENCH_MEM_NS mem_order=$BENCH_MEM_ORDER idle_s=$BENCH_IDLE_S"
		echo "settle_io_s=$BENCH_SETTLE_IO_S settle_s=$BENCH_SETTLE_S budget_disks=$BENCH_BUDGET_DISKS budget_kb=$BENCH_BUDGET_KB"
		echo "budget_cycles=$BENCH_BUDGET_CYCLES budget_cycle_s=$BENCH_BUDGET_CYCLE_S"
		echo "budget_g1_fio=$BENCH_BUDGET_G1_FIO"
		echo "dom0 $(uname -r) vcpus $(nproc)"
		xl info | awk '$1 == "xen_scheduler" || $1 == "xen_commandline"' | sed 's/  *: /: /'
		modinfo -F vermagic xen-blkback 2>/dev/null | sed 's/^/stock /'
	} >"$BD/setup.txt"
	need_guest g1 2 "$BENCH_GUEST_MB"
	clean_slate g1
	bsay "guest up: $(gcmd g1 20 nproc | head -n 1) vCPUs"
	for p in $BENCH_PHASES; do
		# A phase that killed the guest does not take the next ones along.
		need_guest g1 2 "$BENCH_GUEST_MB"
		case $p in
		mem) ;;
		*) ensure_ram0 || { bnote "brd did not load: phase $p skipped"; continue; } ;;
		esac
		case $p in
		tput) phase_tput ;;
		variants) phase_variants ;;
		policy) phase_policy ;;
		mem) ( phase_mem ) || bnote "phase mem stopped" ;;
		pressure) ( phase_pressure ) || bnote "phase pressure stopped" ;;
		dip) phase_dip ;;
		scale) ( phase_scale ) || bnote "phase scale stopped" ;;
		idle) ( phase_idle ) || bnote "phase idle stopped" ;;
		settle) ( phase_settle ) || bnote "phase settle stopped" ;;
		budget)
			( phase_budget ) || bnote "phase budget stopped"
			budget_unpin
			;;
		*) bnote "unknown phase $p" ;;
		esac
		clean_slate g1
		# A stopped budget phase leaves g2 and its disk (the next
		# phase could not unload the backend).
		if guest_running g2; then
			clean_slate g2
			xl destroy g2
		fi
		bsay "phase $p done ($SECONDS s)"
	done
	bsay "done"
}
