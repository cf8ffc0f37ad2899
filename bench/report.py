#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tables (results.md) and a gnuplot script (plot.gp -> results.png) from
the CSV files a bench run wrote under RUN/raw/.  Standard library only.

Usage: report.py RUN_FOLDER
"""
import glob
import os
import re
import statistics
import subprocess
import sys

import benchdata
from benchdata import (TL_AFTER_MS, TL_REST_MS, g2_pairs, g2_runs, num, qemu_threads, raw_rows, setup_value,
                       timeline, timeline_class, timeline_data, timeline_origin, timeline_recovery, timeline_spans)

RUN = sys.argv[1]
RAW = os.path.join(RUN, "raw")
WORKLOADS = ["seqread1m-qd8", "seqwrite1m-qd8", "randread4k-qd1", "randread4k-qd32",
             "randwrite4k-qd1", "randwrite4k-qd32", "randrw70-4k-qd32"]
STATS = ["rd_req", "wr_req", "map_calls", "map_ops", "unmap_calls", "unmap_ops", "pgrants",
         "events", "spurious_events", "jiffies_eoi_delayed", "desc_allocated", "desc_released",
         "pressure_events", "squeezes"]


def rows(name):
    return raw_rows(RUN, name)


def fmt(x, nd=0):
    if x is None:
        return "n/a"
    if nd == 0:
        return f"{x:,.0f}"
    return f"{x:,.{nd}f}"


def med_range(v, nd=0):
    if not v:
        return "n/a"
    s = fmt(statistics.median(v), nd)
    if len(v) > 1:
        s += f" [{fmt(min(v), nd)}-{fmt(max(v), nd)}]"
    return s


def target(w):
    return 1.25 if w.startswith("rand") and w.endswith("qd32") else 1.0


def unit(w):
    return "MiB/s" if w.startswith("seq") else "IOPS"


def ratio(a, b):
    """Median of a over median of b (None if either is missing or b is 0)."""
    if not a or not b or not statistics.median(b):
        return None
    return statistics.median(a) / statistics.median(b)


def paired_str(pr):
    """Ratios measured back to back: their geometric mean (min-max)."""
    if not pr:
        return "n/a"
    gm = statistics.geometric_mean(pr) if all(x > 0 for x in pr) else None
    return f"{fmt(gm, 2)} ({min(pr):.2f}-{max(pr):.2f})"


out = []
say = out.append
notes = []
setup = ""
if os.path.exists(os.path.join(RUN, "out/bench/setup.txt")):
    setup = open(os.path.join(RUN, "out/bench/setup.txt")).read().strip()
# The run's settings: the key=value words of setup.txt.
cfg = dict(kv.split("=", 1) for kv in setup.split() if "=" in kv)
if os.path.exists(os.path.join(RAW, "..", "out/bench/notes.txt")):
    notes = [l.strip() for l in open(os.path.join(RUN, "out/bench/notes.txt")) if l.strip()]
head = ""
if os.path.exists(os.path.join(RUN, "git-head")):
    head = open(os.path.join(RUN, "git-head")).read().strip()[:12]

say(f"# xen-blkback-ng vs stock xen-blkback: {os.path.basename(RUN.rstrip('/'))}")
say("")
say(f"Module from commit `{head}`. Xen 4.17 + Debian 6.1 PV dom0 in QEMU TCG (2 host cores shared "
    "by dom0 and the guest), one boot, the two drivers alternating (rmmod/insmod, disk re-attached). "
    "Guest: 2 vCPUs, stock xen-blkfront; disk: brd RAM disk in dom0 (160 MiB, pre-written). "
    "fio O_DIRECT libaio, one job. Values: median [min-max] over the repetitions; "
    "ratios are of the medians; 'paired' takes ng/stock within each repetition (the two ran back to "
    "back): the geometric mean of those ratios and their range.")
say("")
say("```")
say(setup)
say("```")
say("")

# ---------------------------------------------------------------- tput
tput = rows("tput.csv")
data = benchdata.tput_data(tput)  # (variant, driver, workload) -> {rep: value}
hyper = {}  # (variant, driver, workload) -> list of dicts
for r in tput:
    if len(r) >= 8:
        st = {k: num(r[8 + i]) if len(r) > 8 + i else None for i, k in enumerate(STATS)}
        hyper.setdefault((r[0], r[1], r[3]), []).append(st)


def vals(var, drv, w):
    return list(data.get((var, drv, w), {}).values())


def paired(var, w, top="ng", bottom="stock"):
    return benchdata.paired(data, var, w, top, bottom)


ratio_plot = []
variants = sorted({k[0] for k in data}, key=lambda v: (v != "base", v))
for var in variants:
    ws = [w for w in WORKLOADS if any((var, d, w) in data for d in ("ng", "stock", "static"))]
    if not ws:
        continue
    if var in ("adaptive", "squeeze", "idle"):
        say(f"## Throughput: ng pool_policy={var} against ng's default (the base rows; static until 2026-12-07)")
        say("")
        say(f"| workload | unit | ng default | ng {var} | {var}/default | target | met |")
        say("|---|---|---|---|---|---|---|")
        for w in ws:
            b, n = vals("base", "ng", w), vals(var, "ng", w)
            rs = ratio(n, b)
            met = "n/a" if rs is None else ("yes" if rs >= 0.95 else "no")
            say(f"| {w} | {unit(w)} | {med_range(b)} | {med_range(n)} | {fmt(rs, 2)} | 0.95x | {met} |")
        say("")
        continue
    if var == "policy":
        say("## Throughput: adaptive against static, the same connected disk (pool/policy switched between runs)")
        say("")
        say("| workload | unit | static | adaptive | adaptive/static | paired adaptive/static: geomean (min-max) | target | met |")
        say("|---|---|---|---|---|---|---|---|")
        for w in [w for w in WORKLOADS if (var, "static", w) in data]:
            st, ad = vals(var, "static", w), vals(var, "adaptive", w)
            rs = ratio(ad, st)
            met = "n/a" if rs is None else ("yes" if rs >= 0.95 else "no")
            say(f"| {w} | {unit(w)} | {med_range(st)} | {med_range(ad)} | {fmt(rs, 2)} | "
                f"{paired_str(paired(var, w, 'adaptive', 'static'))} | 0.95x | {met} |")
        say("")
        continue
    title = {"base": "two queues, persistent grants on (guest default)",
             "1q": "one queue (max_queues=1 on the backend)",
             "pgoff": "persistent grants off (feature_persistent=0 on the backend)"}.get(var, var)
    say(f"## Throughput: {title}")
    say("")
    if var == "base":
        say("| workload | unit | dom0 direct | stock | ng | ng/stock | paired ng/stock: geomean (min-max) | ng/dom0 | target ng/stock | met |")
        say("|---|---|---|---|---|---|---|---|---|---|")
    else:
        say("| workload | unit | stock | ng | ng/stock | paired ng/stock: geomean (min-max) | target ng/stock | met |")
        say("|---|---|---|---|---|---|---|---|")
    for w in ws:
        d0, s, n = vals("base", "dom0", w), vals(var, "stock", w), vals(var, "ng", w)
        rs, rd = ratio(n, s), ratio(n, d0)
        pr = paired(var, w)
        prs = paired_str(pr)
        t = target(w)
        met = "n/a" if rs is None else ("yes" if rs >= t else "no")
        if var == "base":
            say(f"| {w} | {unit(w)} | {med_range(d0)} | {med_range(s)} | {med_range(n)} | "
                f"{fmt(rs, 2)} | {prs} | {fmt(rd, 2)} | {t:.2f}x | {met} |")
            ratio_plot.append((w, rs, rd, min(pr) if pr else None, max(pr) if pr else None))
        else:
            say(f"| {w} | {unit(w)} | {med_range(s)} | {med_range(n)} | {fmt(rs, 2)} | {prs} | {t:.2f}x | {met} |")
    say("")

# ---------------------------------------------------------- hypercalls
hrows = []
for (var, drv, w), lst in sorted(hyper.items()):
    if drv == "stock" or drv == "dom0":
        continue
    if drv != "ng":
        var = f"{var} {drv}"
    req = sum((h["rd_req"] or 0) + (h["wr_req"] or 0) for h in lst)
    if not req or any(h["map_calls"] is None for h in lst):
        continue
    calls = sum((h["map_calls"] or 0) + (h["unmap_calls"] or 0) for h in lst)
    ops = sum((h["map_ops"] or 0) + (h["unmap_ops"] or 0) for h in lst)
    pg = max((h["pgrants"] or 0) for h in lst)
    # Descriptors created per 1000 requests; None in runs before the column.
    da = None if any(h["desc_allocated"] is None for h in lst) else \
        sum(h["desc_allocated"] for h in lst) * 1000 / req
    # Memory-pressure events the device saw, and the squeezes they caused
    # (a policy that releases on pressure); None in runs before the columns.
    pe = None if any(h["pressure_events"] is None for h in lst) else \
        (sum(h["pressure_events"] for h in lst), sum(h["squeezes"] or 0 for h in lst))
    hrows.append((var, w, req, calls / req, ops / req, pg, da, pe))
if hrows:
    say("## Grant hypercalls per request (xen-blkback-ng, statistics/map_calls+unmap_calls over rd_req+wr_req)")
    say("")
    say("The stock driver does not count its grant hypercalls, so there is no stock column.")
    say("")
    say("| variant | workload | requests | hypercalls/req | grant ops/req | statistics/pgrants change (max over runs) "
        "| descriptors created per 1000 requests (pool/desc_allocated) | pressure events, squeezes (all runs) |")
    say("|---|---|---|---|---|---|---|---|")
    for var, w, req, c, o, pg, da, pe in hrows:
        say(f"| {var} | {w} | {fmt(req)} | {c:.3f} | {o:.2f} | {fmt(pg)} | {'n/a' if da is None else f'{da:.1f}'} | "
            f"{'n/a' if pe is None else f'{pe[0]:.0f}, {pe[1]:.0f}'} |")
    say("")

# ------------------------------------------------------ event channel
# The kernel counts, per backend device, the events it delivered, those the
# driver called spurious at EOI time, and the jiffies for which it held a
# spurious event's EOI back (the channel stays masked meanwhile).
erows = []
for (var, drv, w), lst in sorted(hyper.items()):
    if drv == "dom0" or any(h["events"] is None for h in lst):
        continue
    req = sum((h["rd_req"] or 0) + (h["wr_req"] or 0) for h in lst)
    if not req:
        continue
    ev = sum(h["events"] for h in lst)
    sp = sum(h["spurious_events"] or 0 for h in lst)
    jd = sum(h["jiffies_eoi_delayed"] or 0 for h in lst)
    erows.append((var, w, drv, req, ev / req, sp, jd))
if erows:
    say("## Event channel (the backend device's xenbus/events, spurious_events, jiffies_eoi_delayed, summed over the runs)")
    say("")
    say("| variant | workload | driver | requests | events/req | spurious events | EOI delayed, jiffies |")
    say("|---|---|---|---|---|---|---|")
    for var, w, drv, req, e, sp, jd in erows:
        say(f"| {var} | {w} | {drv} | {fmt(req)} | {e:.3f} | {fmt(sp)} | {fmt(jd)} |")
    say("")

# ------------------------------------------------- dom0 CPU, latency
# dom0's busy time over the fio run (ramp and measured window) over the
# requests of that time at the measured rate; the guest's mean completion
# latency.  Sequential workloads: one 1 MiB fio request per MiB.
span = int(cfg["runtime"]) + int(cfg["ramp"]) if "runtime" in cfg and "ramp" in cfg else None
lat = {}
for r in rows("lat.csv"):
    if len(r) < 8 or not span:
        continue
    var, drv, rep, w = r[:4]
    busy, rcl, wcl, hz = (num(x) for x in r[4:8])
    rate = data.get((var, drv, w), {}).get(rep)
    if busy is None or not hz or not rate:
        continue
    lat.setdefault((var, drv, w), []).append(
        (busy / hz * 1e6 / (rate * span), max(rcl or 0, wcl or 0) / 1000))
if lat:
    say("## Where the time goes: dom0 CPU per request, guest latency (medians over the repetitions)")
    say("")
    say("dom0 CPU: busy time of all dom0 CPUs during the fio run over the requests of that time "
        "(1 MiB requests for the sequential workloads). Latency: the guest's mean completion "
        "latency, the larger of read and write.")
    say("")
    say("| variant | workload | A / B | A dom0 us/req | B dom0 us/req | A latency ms | B latency ms |")
    say("|---|---|---|---|---|---|---|")

    def med(lst, i):
        v = [x[i] for x in lst]
        return statistics.median(v) if v else None
    # The policy phase compares two policies of ng, the others two drivers.
    for var in sorted({k[0] for k in lat}, key=lambda v: (v != "base", v)):
        a, b = ("static", "adaptive") if var == "policy" else ("stock", "ng")
        for w in WORKLOADS:
            st, ng = lat.get((var, a, w), []), lat.get((var, b, w), [])
            if st or ng:
                say(f"| {var} | {w} | {a} / {b} | {fmt(med(st, 0))} | {fmt(med(ng, 0))} | "
                    f"{fmt(med(st, 1), 1)} | {fmt(med(ng, 1), 1)} |")
    say("")

# -------------------------------------------------------------- memory
mem = rows("mem.csv")
mem_plot = {}
if mem:
    say("## dom0 memory with idle connected devices")
    say("")
    fe = os.path.join(RUN, "out/bench/mem-frontend.txt")
    fes = ""
    if os.path.exists(fe):
        fes = " ".join(sorted({l.split("=")[0].strip().split("/")[-1] + "=" + l.split("=")[1].strip()
                               for l in open(fe) if "=" in l}))
    say("Deltas against the same dom0 with the driver loaded and no device, after `drop_caches`; "
        f"frontend negotiated: {fes or 'n/a'}. 'after-io' is one device after the throughput runs "
        "(its baseline is the moment before that attach). desc/pgrant bytes: the module's own accounting "
        "(pool/desc_bytes, pool/pgrant_bytes summed over devices).")
    say("")
    say("| driver | devices | connected | dSlab MiB | dSUnreclaim MiB | dMemFree MiB | per device: SUnreclaim MiB | per device: MemFree MiB | desc_bytes MiB | pgrant_bytes KiB | pool free_pages |")
    say("|---|---|---|---|---|---|---|---|---|---|---|")
    per = {}
    for r in mem:
        if len(r) < 13:
            continue
        drv, n, conn = r[0], r[1], r[2]
        s0, u0, f0, s1, u1, f1 = (num(x) for x in r[3:9])
        db, pb, fp = num(r[9]), num(r[10]), num(r[11])
        nd = num(n) if n != "after-io" else 1.0
        ds, du, df = (s1 - s0) / 1024, (u1 - u0) / 1024, (f0 - f1) / 1024
        say(f"| {drv} | {n} | {conn} | {ds:.1f} | {du:.1f} | {df:.1f} | {du / nd:.2f} | {df / nd:.2f} | "
            f"{fmt(db / 1048576 if db is not None else None, 2)} | {fmt(pb / 1024 if pb is not None else None, 0)} | {fmt(fp)} |")
        if n != "after-io":
            per[(drv, n)] = (du / nd, df / nd)
            mem_plot.setdefault(drv, []).append((int(nd), df / nd, du / nd))
    say("")
    ns = sorted({k[1] for k in per if k[0] == "ng"}, key=int)
    if ns:
        say("#8 counts dom0 kernel memory: SUnreclaim (the drivers' slab allocations). MemFree also "
            "moves with dom0's page cache and user space (xl, the hotplug scripts), by several "
            "hundred KiB either way between samples; it is shown, not judged.")
        say("")
        say("| devices | stock per device MiB (MemFree drop) | ng per device KiB (MemFree drop / SUnreclaim) "
            "| ng/stock (SUnreclaim) | ng/stock (MemFree) | #7: <= 0.50x stock | #8: ng SUnreclaim <= 512 KiB/disk |")
        say("|---|---|---|---|---|---|---|")
        for n in ns:
            a, b = per[("ng", n)], per.get(("stock", n))
            ru = a[0] / b[0] if b and b[0] > 0 else None
            rf = a[1] / b[1] if b and b[1] > 0 else None
            met = "n/a" if rf is None else ("yes" if rf <= 0.5 else "no")
            m8 = "yes" if a[0] * 1024 <= 512 else "no"
            st = f"{b[1]:.2f}" if b else "not run"
            say(f"| {n} | {st} | {a[1] * 1024:.0f} / {a[0] * 1024:.0f} | {fmt(ru, 3)} | {fmt(rf, 3)} | {met} | {m8} |")
        say("")

# ------------------------------------------------------------ pressure
pr = rows("pressure.csv")
if pr:
    say("## Response to memory pressure (xen-blkback-ng, pool_policy=squeeze, persistent grants off)")
    say("")
    say("`echo 3 > /proc/sys/vm/drop_caches` after a burst of I/O. last_squeeze_ns: the module's own time "
        "for the pressure callback to empty every pool; 'to zero': dom0 user space, from before the write "
        "to drop_caches until the module and every device report 0 free pages (includes drop_caches' own work).")
    say("")
    say("| round | free pages before (module / sum of devices) | last_squeeze | drop_caches took | to zero (user space) "
        "| free after (module / devices) | pressure events | squeezes | idle descriptors before -> after | desc_bytes before -> after |")
    say("|---|---|---|---|---|---|---|---|---|---|")
    sq = []
    for r in pr:
        k, fb, db, ls, dc, tz, fa, pe = r[:8]
        dh0, dh1, dbb, dba, dfa, sqd = (r[8:14] + [""] * 6)[:6]
        lsv = num(ls)
        if lsv is not None:
            sq.append(lsv / 1e6)
        say(f"| {k} | {fb} / {db} | {fmt(lsv / 1e3 if lsv is not None else None, 1)} us | "
            f"{fmt(num(dc) / 1e3, 2)} ms | {fmt(num(tz) / 1e3, 2)} ms | {fa} / {dfa or 'n/a'} | {pe} | {sqd or 'n/a'} | "
            f"{dh0 or 'n/a'} -> {dh1 or 'n/a'} | {dbb or 'n/a'} -> {dba or 'n/a'} |")
    say("")
    if sq:
        m = max(sq)
        say(f"Worst last_squeeze: {m:.3f} ms; target: free pages at 0 within 10 ms of the event: "
            f"{'met' if m <= 10 else 'missed'} (in-module time). The stock driver exports no pool counter; "
            "its reaction, traced with kprobes, is in the next table.")
        say("")

# ------------------------------------------------------- stock pressure
STOCK_TR = re.compile(r"^\s*(?P<comm>.*?)-(?P<pid>\d+)\s+\[\d+\].*?\s(?P<ts>\d+\.\d+): "
                      r"(?P<ev>reclaim|shrink):(?P<rest>.*)$")
traces = sorted(glob.glob(os.path.join(RUN, "out/bench/pressure-stock-*.trace")))
if traces:
    say("## Response to memory pressure: the stock xen-blkback (kprobes, persistent grants off)")
    say("")
    say("Traced with kprobes on the xenbus shrinker's per-device reclaim callback (the event: stock only "
        "stamps `buffer_squeeze_end` = now + buffer_squeeze_duration_ms, 10 ms) and on every "
        "`gnttab_page_cache_shrink(pool, num)` of its ring threads, with the pool's page count at the call. "
        "Per ring thread: the first call after the event; `num=0` empties the pool, `num=1024` "
        "(max_buffer_pages) means the thread woke after the squeeze window and kept its pages.")
    say("")
    say("| round | ring threads | first call after the event (ms) | num at that call | pool pages then | every pool at 0 after |")
    say("|---|---|---|---|---|---|")
    for tf in traces:
        k = os.path.basename(tf).split("-")[-1].split(".")[0]
        t0 = None
        calls = {}
        for line in open(tf, errors="replace"):
            m = STOCK_TR.match(line)
            if not m:
                continue
            ts = float(m["ts"])
            if m["ev"] == "reclaim":
                if t0 is None:
                    t0 = ts
                continue
            # Only the ring threads call it here (named <domid>.<vdev>-<queue>
            # on this kernel); the shell that wrote drop_caches does not.
            if t0 is None or ts < t0 or m["comm"].strip() in ("bash", "sh"):
                continue
            a = dict(x.split("=", 1) for x in m["rest"].split() if "=" in x)
            calls.setdefault(m["pid"], (ts, int(a.get("num", -1)), int(a.get("have", -1))))
        if t0 is None:
            say(f"| {k} | n/a | no reclaim event traced | | | |")
            continue
        ds = [(ts - t0) * 1000 for ts, _, _ in calls.values()]
        nums = [n for _, n, _ in calls.values()]
        haves = [h for _, _, h in calls.values()]
        zero = all(n == 0 for n in nums) and calls
        say(f"| {k} | {len(calls)} | {', '.join(f'{d:.1f}' for d in ds) or 'none'} | "
            f"{', '.join(map(str, nums))} | {', '.join(map(str, haves))} | "
            f"{f'{max(ds):.1f} ms' if zero else 'not emptied (window missed)'} |")
    say("")

# --------------------------------------------------------------- scale
sc = rows("scale.csv")
if sc:
    say("## One memory-pressure event with many vbds (kprobes on xenbus's shrinker and the module's)")
    say("")
    say("`echo 2 > drop_caches`, events 2 s apart. A pass: xenbus's shrinker calling every backend device's "
        "reclaim_memory; a callback: one such call (the longest bounds how long a callback held the pools' lock); "
        "scan: the module's own shrinker. last_squeeze: the module's time for its one walk over the rings.")
    say("")
    say("The dom0 clock under TCG advances in steps of up to milliseconds: the times are coarse; "
        "'rings visited' counts the work (ng: calls of ring_on_pressure, once per ring a walk visits).")
    say("")
    say("| driver | vbds | event | passes | in passes | callbacks | longest callback | scans | in scans "
        "| longest scan | rings visited | last_squeeze | pressure events counted |")
    say("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    tot = {}
    for r in sc:
        drv, n, k, ps, pus, cb, cbus, cbmx, sn, snus, snmx, rv, ls, pe = (r + [""] * 14)[:14]
        lsv = num(ls)
        say(f"| {drv} | {n} | {k} | {ps} | {fmt(num(pus), 0)} us | {cb} | {fmt(num(cbmx), 0)} us | {sn} | "
            f"{fmt(num(snus), 0)} us | {fmt(num(snmx), 0)} us | {rv if drv == 'ng' else 'n/a'} | "
            f"{fmt(lsv / 1e3, 1) + ' us' if lsv is not None else 'n/a'} | {pe or 'n/a'} |")
        v = (num(pus) or 0) + (num(snus) or 0)
        tot.setdefault(drv, []).append(v)
    say("")
    if "ng" in tot and "stock" in tot:
        m_ng, m_st = statistics.median(tot["ng"]), statistics.median(tot["stock"])
        say(f"Median time per event in xenbus's passes and the module's scans: ng {m_ng:,.0f} us, "
            f"stock {m_st:,.0f} us, ng/stock {m_ng / m_st if m_st else float('nan'):.2f}.")
        say("")

# -------------------------------------------------------------- settle
BENCH_SETTLE_IO = f"first {cfg['settle_io_s']} s" if "settle_io_s" in cfg else "first seconds"
sb = rows("settle-base.csv")
st = rows("settle.csv")
settle_plot = {}
if sb and st:
    say("## Memory under heavy I/O and back at idle (one disk, ring order 4, 2 queues, frontend persistent grants on)")
    say("")
    say("Each driver at its defaults (ng: the default pool policy). Idle figure: the connected disk before any I/O. "
        "Then 2 jobs x qd32 of 4k-1m randrw for the I/O period, sampled every 250 ms and onwards after it. "
        "'module bytes' = pool/desc_bytes + pool/pgrant_bytes of the device (free grant pages are counted apart: "
        "on this kernel they cost no RAM, pages_cost_ram=0). 'I/O end': the first sample with the final request "
        "count. SUnreclaim is counted back when it is within 256 KiB of its idle value (kernel noise).")
    say("")
    say("| driver | SUnreclaim of connecting (MiB) | idle module bytes (KiB) | peak module bytes (KiB) | peak SUnreclaim over idle (MiB) "
        "| module bytes back to idle after I/O end | SUnreclaim back after I/O end | at the end of the window: module KiB, free pages, pgrants held |")
    say("|---|---|---|---|---|---|---|---|")
    base = {r[0]: r for r in sb if len(r) >= 9}
    for drv in dict.fromkeys(r[0] for r in st):
        b = base.get(drv)
        pts = [(int(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5]), num(r[7]), num(r[8])) for r in st if r[0] == drv]
        if not b or not pts:
            continue
        su0, su1 = num(b[1]), num(b[2])
        idle_mod = (num(b[5]) or 0) + (num(b[6]) or 0) if num(b[5]) is not None and num(b[5]) >= 0 else None
        reqs = [p[1] for p in pts]
        tend = next((p[0] for p in pts if p[1] == reqs[-1]), None)

        def modb(p):
            return None if p[2] is None or p[2] < 0 else p[2] + max(p[3] or 0, 0)

        peak_mod = max((modb(p) for p in pts if modb(p) is not None), default=None)
        peak_su = max(p[6] for p in pts) - su1
        back_mod = back_su = None
        if tend is not None:
            after = [p for p in pts if p[0] >= tend]
            if idle_mod is not None:
                back_mod = next((p[0] - tend for p in after if modb(p) is not None and modb(p) <= idle_mod), None)
            back_su = next((p[0] - tend for p in after if p[6] <= su1 + 256), None)
        win = (pts[-1][0] - tend) / 1000 if tend is not None else 0
        last = pts[-1]
        settle_plot[drv] = [(p[0] / 1000, (modb(p) or 0) / 1024, p[6] - su1) for p in pts]

        def since(x):
            return f"{x / 1000:.2f} s" if x is not None else f"not within {win:.0f} s"

        say(f"| {drv} | {(su1 - su0) / 1024:.2f} | {fmt(idle_mod / 1024 if idle_mod is not None else None, 1)} | "
            f"{fmt(peak_mod / 1024 if peak_mod is not None else None, 1)} | {peak_su / 1024:.2f} | "
            f"{since(back_mod) if idle_mod is not None else 'n/a (no counter)'} | {since(back_su)} | "
            f"{fmt(modb(last) / 1024 if modb(last) is not None else None, 1)}, "
            f"{fmt(last[4]) if last[4] is not None and last[4] >= 0 else 'n/a'}, "
            f"{fmt(last[5]) if last[5] is not None and last[5] >= 0 else 'n/a'} |")
    say("")
    say("Target (#8 acceptance 2): back to the idle figure within 10 s of idle under the default policy.")
    say("")

# -------------------------------------------------------------- budget
BUDGET_ROUNDS = ("held", "busy", "timeline", "burn")
timeline_plot = {}
timeline_shades = []  # (colour, start_ms, end_ms) shaded behind the timeline
timeline_control = None  # the names of the timeline's controls


def budget_round_of(mode):
    """The round a budget-g2.csv mode ran in: solo-ROUND[-SUFFIX] and
    ROUND[-SUFFIX] (g2's pairs of that round) are ROUND's."""
    return mode.removeprefix("solo-").split("-")[0]


bu = rows("budget.csv")
if bu:
    say("## Per-guest budget (max_domain_kb) under the heaviest I/O")
    say("")
    att = os.path.join(RUN, "out/bench/budget-attach.txt")
    g1dom = None
    ndisks = 0
    held = ""
    pinned = False
    if os.path.exists(att):
        for line in open(att):
            if line.startswith("after "):
                ndisks = int(line.split()[1])
                g1dom = line.split(":", 1)[1].split()[0]
            elif line.startswith("held: "):
                held = line[len("held: "):].strip()
            elif line.startswith("pin="):
                pinned = line.strip() == "pin=1"
    say(f"Guest g1 (domid {g1dom}): {ndisks} disks at ring order 4, 2 queues, frontend persistent grants off, "
        f"attached under max_domain_kb={cfg.get('budget_kb', '?')}; all disks written and verified at once "
        "(fio randwrite 4k-128k qd64 per disk, verify_backlog). Guest g2: one disk, 4k randread qd32, alone "
        "and then during each round of g1's I/O. Rounds: **held**: g1 at a tight budget "
        f"({held or 'see budget-attach.txt'}), its disks slowed by dm-delay so that it keeps every request "
        "in flight the budget allows, with little I/O; **busy**: the budget back, the disks at RAM speed, g1 "
        "takes all the CPU it gets. The account is /sys/kernel/debug/xen-blkback-ng/domains, sampled every "
        "250 ms; high water is the module's own maximum since the domain's first disk.")
    say("")
    say("CPUs: " + ("**split** (BENCH_BUDGET_PIN=1): g2, dom0's vCPU 0 and g2's ring threads and interrupts on one CPU; g1, "
                    "dom0's vCPU 1, g1's ring threads and interrupts and dom0's user space on the other, in every round, "
                    "the solo one included." if pinned else
                    "shared (BENCH_BUDGET_PIN=0): every domain's vCPUs float over both CPUs."))
    say("")
    say("| round | domid | devices | samples | max used KiB | high-water KiB (module) | budget KiB | refused charges in the round | within budget |")
    say("|---|---|---|---|---|---|---|---|---|")
    doms = {}
    for r in bu:
        if len(r) >= 7:
            doms.setdefault((r[7] if len(r) > 7 else "busy", r[1]), []).append(r)
    for (rd, d), rs in doms.items():
        used = max(int(r[3]) for r in rs)
        hw = max(int(r[4]) for r in rs)
        bud = int(rs[-1][5])
        ref = int(rs[-1][6]) - int(rs[0][6])
        ok = "n/a (no budget)" if bud == 0 else ("yes" if max(used, hw) <= bud else "**NO: over budget (bug)**")
        say(f"| {rd} | {d}{' (g1)' if d == g1dom else ''} | {max(int(r[2]) for r in rs)} | {len(rs)} | "
            f"{fmt(used)} | {fmt(hw)} | {fmt(bud)} | {fmt(ref)} | {ok} |")
    say("")
    for g1 in sorted(glob.glob(os.path.join(RUN, "out/bench/budget-g1*.txt"))):
        rd = os.path.basename(g1)[len("budget-g1"):-len(".txt")].lstrip("-") or "busy"
        if rd == "burn":
            continue  # the control round: g1 does no I/O to verify
        txt = open(g1, errors="replace").read()
        rc = re.findall(r"rc=(\d+)", txt)
        ok = sum(1 for x in rc if x == "0")
        errs = [l.strip() for l in txt.splitlines() if "err=" in l or "verify" in l.lower()][:4]
        say(f"g1's verified I/O, {rd}: {ok} of {len(rc)} fio runs exited 0 "
            f"({'all verified' if rc and ok == len(rc) else 'FAILED or unknown'}); "
            + ("; ".join(f"`{e}`" for e in errs) if errs else "no fio error line"))
        say("")
    g2 = rows("budget-g2.csv")
    if g2:
        runs = g2_runs(g2)
        by = {}  # mode -> IOPS of every run
        for mode, _, v in runs:
            by.setdefault(mode, []).append(v)
        solo = by.get("solo", [])
        # Since 2026-11-27 even repetitions run alone before g1's burst:
        # seen in the file as a solo row written before its loaded row.
        pos = {(mode, rep): i for i, (mode, rep, _) in enumerate(runs)}
        before = any(pos.get(("solo-" + mode, rep), len(runs)) < i
                     for (mode, rep), i in pos.items() if not mode.startswith("solo"))
        when = ("right after g1's burst in odd repetitions, right before it in even ones, so that a drift "
                "within the round favours neither side" if before else "right after g1's burst")
        say(f"Each run of g2 under g1's load has a run alone of its own, g1 idle: {when}. The ratio of each "
            "such pair is the verdict, because g2's figures drift within a run by more than the 10% to be "
            "shown.")
        say("")
        say(f"| g2 4k randread qd32 | IOPS under load, median [min-max] | alone, g1 idle{'' if before else ' (right after)'} | "
            "paired loaded/alone: geomean (min-max) | within 10% |")
        say("|---|---|---|---|---|")
        if solo:
            say(f"| alone, before and after the rounds (g1 idle, its disks connected) | {med_range(solo)} | | | |")
        paired = {}  # round -> geometric mean of its pairs
        for rd, what in (("held", "g1 at its budget (held round: slow disks)"),
                         ("busy", "g1 busy (busy round: RAM-speed disks, 64 MiB budget)"),
                         ("burn", "control: g1 burns its 2 vCPUs, no I/O (burn round)"),
                         ("burn-null", "control: as burn, g2's fio job without I/O (null engine)")):
            ps = g2_pairs(runs, rd)
            if not ps and rd in by:
                # Runs before the pairing: against the solo figure only.
                rt = ratio(by[rd], solo)
                say(f"| {what} (unpaired) | {med_range(by[rd])} | | of the solo median: {fmt(rt, 2)} | "
                    f"{'n/a' if rt is None else ('yes' if rt >= 0.9 else '**no**')} |")
            if not ps:
                continue
            pr = [a / b for a, b in ps]
            gm = statistics.geometric_mean(pr)
            paired[rd] = gm
            say(f"| {what} | {med_range([a for a, _ in ps])} | {med_range([b for _, b in ps])} | "
                f"{paired_str(pr)} | {'(control)' if rd.startswith('burn') else 'yes' if gm >= 0.9 else '**no**'} |")
        say("")
        if solo and any(rd in by for rd in ("held", "busy")):
            # The pairs' runs alone fall between g1's bursts; the solo row
            # is g2 before and after the rounds.  Both are shown because
            # they disagree (bench/README.md, 2026-11-27 afternoon).
            say("Against the solo row instead (a round's median under load over the median of g2 alone "
                "before and after the rounds): " +
                ", ".join(f"{rd} {fmt(ratio(by[rd], solo), 2)}" for rd in BUDGET_ROUNDS if rd in by) +
                ".")
            say("")
        tl, tb, tf = timeline_data(RUN)
        if tl and tb:
            cls, cycles = timeline(tl, tb, tf)
            ctls = sorted({k for k, _, _ in tf if k != "io"})
            ctl_what = {"null": "the same fio jobs through fio's null engine, all of g1's work but the I/O",
                        "burn16": "16 processes of fio's cpuio engine computing, no I/O",
                        "sys16": "16 processes making syscalls (dd of 64-byte blocks, /dev/zero to /dev/null), "
                                 "no I/O and no fio"}
            g1_fio = setup_value(RUN, "budget_g1_fio=")
            rest = statistics.fmean(cls["rest"]) if cls["rest"] else None
            say(f"**Timeline** (the timeline round): one run of g2 over {tl[-1][0] / 1000:.0f} s, its IOPS logged every "
                f"250 ms, while g1 ran the busy round's fio jobs {len(tf) or len(tb)} times" +
                (f" (with `{g1_fio}`)" if g1_fio else "") + ", each followed by " +
                (f"{cfg['budget_cycle_s']} s of rest" if "budget_cycle_s" in cfg else "a rest") +
                (", every other time a control, in turn: " + "; ".join(f"{k}, {ctl_what.get(k, k)}" for k in ctls)
                 if ctls else "") +
                ". g1's I/O is when the backend's request counters of g1's devices moved (sampled every 250 ms); " +
                ("g1 rests from the moment dom0 saw its fio exit, and before its first one. " if tf else
                 f"g1 rests from {TL_AFTER_MS / 1000:.0f} s after its I/O, for {TL_REST_MS / 1000:.0f} s (this run did "
                 "not record its fio's start and exit). ") +
                "No pair and no fio start inside a figure.")
            say("")
            say("| g2 4k randread qd32, one run | 250 ms samples | IOPS mean | median [min-max] | over g1 resting |")
            say("|---|---|---|---|---|")
            for k, what in (("rest", "g1 resting (no fio; its disks connected)"),
                            ("io", "g1's I/O (its request counters moving)"),
                            ("fio", "g1's fio starting or exiting around its I/O"),
                            ("control", f"g1's controls ({', '.join(ctls)}): no I/O")):
                if cls[k]:
                    m = statistics.fmean(cls[k])
                    say(f"| {what} | {len(cls[k])} | {fmt(m)} | {med_range(cls[k])} | "
                        f"{fmt(m / rest, 2) if rest else 'n/a'} |")
            say("")
            gm = {}
            for kind, what in [("io", "g1's I/O over the rest right after its fio")] + \
                    [(k, f"g1's control {k} over the rest right after it") for k in ctls]:
                pr = [d / r for k, d, r in cycles if k == kind and r]
                if pr:
                    gm[kind] = statistics.geometric_mean(pr)
                    say(f"Per run, {what}: {paired_str(pr)}." +
                        (f" Within 10% (acceptance 3): {'yes' if gm[kind] >= 0.9 else '**no**'}." if kind == "io" else ""))
                    say("")
            for k in ctls:
                if "io" in gm and k in gm:
                    say(f"Net of the control {k} (the I/O's geomean over the control's): {gm['io'] / gm[k]:.2f}: what "
                        "g1's I/O costs g2 beyond what that control costs it without any I/O.")
                    say("")
            rec = timeline_recovery(tl, tb, 15)
            if rec and rest:
                say("g2 in each second after g1's I/O ended, over its mean while g1 rests: " +
                    ", ".join(f"{s} s {v / rest:.2f}" for s, v in rec) + ".")
                say("")
            # Where the host's two cores went, by what g1 did: g2's vCPU
            # (with dom0's vCPU 0, pinned there) is one of QEMU's threads.
            qt = qemu_threads(RUN)
            t0 = timeline_origin(RUN)
            runs, rests = timeline_spans(tl, tb, tf)
            share = {}  # (class, thread) -> [share]
            for t, name, v in qt:
                c = timeline_class(t - t0, tb, runs, rests)
                if c is not None:
                    share.setdefault((c, name), []).append(v)
            names = sorted({n for _, n in share}, key=lambda n: (not n.startswith("CPU"), n))
            if share:
                classes = [c for c in ["rest", "io", "fio"] + ctls if any(k == c for k, _ in share)]
                say("Host CPU of the lab QEMU's threads by what g1 did (`qemu-threads.csv`, one-second samples of "
                    "/proc on the host, placed on the timeline by Unix time; share of one of the host's two cores, "
                    "mean; `CPU n/TCG` runs the lab's CPU n):")
                say("")
                say("| g1 | seconds | " + " | ".join(names) + " | all |")
                say("|---|---|" + "---|" * (len(names) + 1))
                for c in classes:
                    cells = [statistics.fmean(share[(c, n)]) if share.get((c, n)) else 0.0 for n in names]
                    say(f"| {c} | {max(len(share.get((c, n), [])) for n in names)} | " +
                        " | ".join(f"{x:.2f}" for x in cells) + f" | {sum(cells):.2f} |")
                say("")
            timeline_plot["g2 IOPS"] = [(t / 1000.0, v) for t, v in tl]
            timeline_shades.extend(("#ffdddd", b, e) for b, e in tb)
            timeline_shades.extend(("#eeeeee" if k == "io" else "#dde8ff", b, e) for k, b, e in tf)
            timeline_control = ", ".join(ctls) or "none"
        if "burn" in paired and any(rd in paired for rd in ("held", "busy")):
            say("The burn round is the control: what g2's I/O loses to a neighbour that only computes (g1 does "
                "no I/O, so the backend does no work for it). Net of it, the loaded rounds cost g2: " +
                ", ".join(f"{rd} {fmt(paired[rd] / paired['burn'], 2)}" for rd in ("held", "busy") if rd in paired) +
                " (a round's geomean over the burn round's).")
            say("")
        cpu = rows("budget-cpu.csv")
        if cpu:
            say("Where the CPU went (`xl list` Time(s) of each domain over the round, as a share of one host "
                "core's wall time; the host has two):")
            say("")
            # Domains first, then their vCPUs (DOMAIN/N, since the vCPU lines).
            for cols in (sorted({r[1] for r in cpu if "/" not in r[1]}),
                         sorted({r[1] for r in cpu if "/" in r[1]})):
                if not cols:
                    continue
                say("| round | wall s | " + " | ".join(cols) + " |")
                say("|---|---|" + "---|" * len(cols))
                for rd in ("solo",) + BUDGET_ROUNDS:
                    rs = {r[1]: r for r in cpu if r[0] == rd and len(r) >= 5}
                    if not rs:
                        continue
                    wall = max(num(r[4]) or 0 for r in rs.values()) / 1000.0
                    cells = []
                    for d in cols:
                        r = rs.get(d)
                        used = (num(r[3]) or 0) - (num(r[2]) or 0) if r else None
                        cells.append("n/a" if used is None or not wall else f"{used:.0f} s ({used / wall:.0%})")
                    say(f"| {rd} | {wall:.0f} | " + " | ".join(cells) + " |")
                say("")
            # A round's wall time also holds g1's bursts after g2's runs:
            # g2's share of it says nothing; its time per run of its own does.
            if span:
                busy = []
                for rd in ("solo",) + BUDGET_ROUNDS:
                    r = next((r for r in cpu if r[0] == rd and r[1] == "g2" and len(r) >= 5), None)
                    # The solo mode also holds the runs after the rounds.
                    n = min(len(by.get("solo", [])), int(cfg.get("reps", 0))) if rd == "solo" else \
                        sum(len(v) for m, v in by.items() if budget_round_of(m) == rd)
                    if r and n:
                        busy.append(f"{rd} {((num(r[3]) or 0) - (num(r[2]) or 0)) / n:.1f} s")
                if busy:
                    say(f"g2's CPU time per fio run of its own ({span} s with the ramp): " + ", ".join(busy) +
                        ". Near the run's length, g2 computes all the time, loaded or not: a lower rate means more "
                        "CPU per I/O, not waiting (the burn round's null-engine pair shows whether the vCPU "
                        "itself got slower).")
                    say("")
        if pinned:
            say("With the CPUs split, what g1 still takes from g2 is what the two CPUs share: dom0's kernel "
                "(the backend, its budget account, the block layer) and the machine under it (Xen's IPIs and "
                "TLB flushes, the emulator's locks).")
        else:
            say("Under TCG the guests and dom0 share two host cores: whatever CPU g1 and the backend work it "
                "causes take (the table above) g2 does not get, which is not a memory effect. "
                "budget-top-ROUND.txt shows where it went while g1 ran alone.")
        say("")

# ----------------------------------------------------------------- dip
dip = rows("dip.csv")
dip_plot = {}
dip_ev = {}
if dip:
    say("## Guest throughput around a pressure event (4k randread qd32, IOPS in 250 ms bins)")
    say("")
    say("| driver | policy | event at | IOPS before (median) | lowest IOPS in the 2 s after | recovered to 90% after |")
    say("|---|---|---|---|---|---|")
    groups = {}
    for r in dip:
        groups.setdefault((r[0], r[1]), []).append((num(r[2]), num(r[3]), num(r[4])))
    for (drv, pol), pts in groups.items():
        ev = pts[0][0]
        dip_ev[(drv, pol)] = ev
        pts = sorted((t, v) for _, t, v in pts)
        dip_plot[f"{drv} ({pol})"] = [(t / 1000.0, v) for t, v in pts]
        before = [v for t, v in pts if t < ev - 250 and t > 1000]
        after = [(t, v) for t, v in pts if ev <= t <= ev + 2250]
        if not before or not after:
            continue
        b = statistics.median(before)
        lo = min(v for _, v in after)
        rec = next((t - ev for t, v in pts if t >= ev and v >= 0.9 * b), None)
        say(f"| {drv} | {pol} | {ev / 1000:.1f} s | {fmt(b)} | {fmt(lo)} ({lo / b:.2f}x) | "
            f"{'n/a' if rec is None else f'{max(rec, 0) / 1000:.2f} s (bin resolution 0.25 s)'} |")
    say("")

# ---------------------------------------------------------------- idle
idle = rows("idle.csv")
idle_plot = {}
if idle:
    say("## Pool pages held while idle (xen-blkback-ng, one device, after a 3 s burst)")
    say("")
    say("| policy | free pages at 0 s | at end | end of window | first 0 at | persistent grants held at end |")
    say("|---|---|---|---|---|---|")
    pols = {}
    for r in idle:
        pols.setdefault(r[0], []).append((int(r[1]), num(r[2]), num(r[3])))
    for pol, pts in pols.items():
        idle_plot[pol] = pts
        z = next((t for t, f, _ in pts if f == 0), None)
        say(f"| {pol} | {fmt(pts[0][1])} | {fmt(pts[-1][1])} | {pts[-1][0]} s | "
            f"{'never' if z is None else f'{z} s'} | {fmt(pts[-1][2])} |")
    say("")
    say("Stock: not observable (no pool counter); by design it keeps up to max_buffer_pages free pages per ring.")
    say("")

if notes:
    say("## Notes from the run")
    say("")
    for l in notes:
        say(f"- {l}")
    say("")

with open(os.path.join(RUN, "results.md"), "w") as f:
    f.write("\n".join(out) + "\n")

# ---------------------------------------------------------------- plot
panels = []


def dat(name, lines):
    with open(os.path.join(RUN, name), "w") as f:
        f.write("\n".join(lines) + "\n")


def dat_series(name, series, row):
    """One gnuplot data block per series ("index i" in plot order); row
    turns a point into its line."""
    lines = []
    for k, pts in series.items():
        lines.append(f"# {k}")
        lines += [row(p) for p in pts]
        lines += ["", ""]
    dat(name, lines)


if ratio_plot:
    dat("plot-ratio.dat", [f'"{w}" {r if r is not None else "NaN"} {d if d is not None else "NaN"}'
                           for w, r, d, _, _ in ratio_plot])
    panels.append("""set title "Throughput ratios (median), two queues, persistent grants on"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "ratio"
set yrange [0:*]
set xtics rotate by -30 font ",9"
set key top left horizontal
set offsets 0, 0, 0.35, 0
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2 lc rgb "black"
set arrow 2 from graph 0, first 1.25 to graph 1, first 1.25 nohead dt 3 lw 1 lc rgb "red"
plot "plot-ratio.dat" using 2:xtic(1) title "ng / stock", "" using 3 title "ng / dom0 direct"
unset arrow 1
unset arrow 2
set offsets 0, 0, 0, 0
unset style
set style data linespoints
unset xtics
set xtics
set yrange [*:*]
""")
if mem_plot:
    lines = []
    for drv, pts in mem_plot.items():
        lines.append(f"# {drv}")
        for n, df, du in sorted(pts):
            lines.append(f"{n} {df} {du}")
        lines.append("")
        lines.append("")
    dat("plot-mem.dat", lines)
    drvs = list(mem_plot)
    plots = ", ".join(f'"plot-mem.dat" index {i} using 1:2 with linespoints lw 2 title "{d}: MemFree drop"'
                      f', "" index {i} using 1:3 with linespoints dt 2 title "{d}: SUnreclaim"'
                      for i, d in enumerate(drvs))
    panels.append(f"""set title "dom0 memory per idle device (MiB)"
set xlabel "idle connected devices"
set ylabel "MiB per device"
set key top right
set logscale y
plot {plots}
unset logscale y
set xlabel ""
""")
if dip_plot:
    dat_series("plot-dip.dat", dip_plot, lambda p: f"{p[0]} {p[1]}")
    plots = ", ".join(f'"plot-dip.dat" index {i} using 1:2 with lines lw 2 title "{k}"'
                      for i, k in enumerate(dip_plot))
    ev = next(iter(dip_ev.values()), None)
    arrow = f"set arrow 3 from {ev / 1000.0}, graph 0 to {ev / 1000.0}, graph 1 nohead dt 2 lc rgb 'red'\n" if ev else ""
    panels.append(arrow + f"""set title "Guest 4k randread qd32 around drop_caches (IOPS, 250 ms bins; dashed: the event)"
set xlabel "seconds"
set ylabel "IOPS"
set key bottom right
plot {plots}
unset arrow 3
set xlabel ""
""")
if timeline_plot:
    dat_series("plot-timeline.dat", timeline_plot, lambda p: f"{p[0]} {p[1]}")
    # g1's fio runs first (grey: with I/O, blue: the control), its I/O on top (red).
    spans = sorted(timeline_shades, key=lambda x: x[0] == "#ffdddd")
    rects = "".join(f"set object {i + 1} rect from {b / 1000.0}, graph 0 to {e / 1000.0}, graph 1 "
                    f"fc rgb '{c}' fs solid 1.0 noborder behind\n"
                    for i, (c, b, e) in enumerate(spans))
    panels.append(rects + f"""set title "Budget timeline: g2 4k randread qd32 (IOPS, 250 ms bins); g1's I/O red, its fio grey, control ({timeline_control}) blue"
set xlabel "seconds"
set ylabel "IOPS"
set key bottom right
plot "plot-timeline.dat" index 0 using 1:2 with lines lw 1 title "g2"
unset object
set xlabel ""
""")
if idle_plot:
    dat_series("plot-idle.dat", idle_plot, lambda p: f"{p[0]} {p[1]}")
    plots = ", ".join(f'"plot-idle.dat" index {i} using 1:2 with linespoints lw 2 title "{k}"'
                      for i, k in enumerate(idle_plot))
    panels.append(f"""set title "ng pool free pages while idle, per policy"
set xlabel "seconds idle"
set ylabel "free pages"
set key top right
plot {plots}
set xlabel ""
""")

if settle_plot:
    dat_series("plot-settle.dat", settle_plot, lambda p: f"{p[0]} {p[1]} {p[2]}")
    plots = ", ".join(f'"plot-settle.dat" index {i} using 1:3 with lines lw 2 title "{k}: SUnreclaim over idle"'
                      + (f', "" index {i} using 1:2 with lines dt 2 lw 2 title "{k}: module desc+pgrant"'
                         if k != "stock" else "")
                      for i, k in enumerate(settle_plot))
    panels.append(f"""set title "dom0 memory during heavy I/O ({BENCH_SETTLE_IO}) and after (KiB; SUnreclaim over the idle connected disk)"
set xlabel "seconds since the I/O started"
set ylabel "KiB"
set key top right
plot {plots}
set xlabel ""
""")

if panels:
    term = "png size 1400,1000"
    try:
        r = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"], capture_output=True, timeout=30)
        if r.returncode == 0 and not r.stderr.strip():
            term = "pngcairo size 1400,1000 font ',10'"
    except (OSError, subprocess.SubprocessError):
        pass
    cols = 2 if len(panels) > 1 else 1
    rws = (len(panels) + 1) // 2
    with open(os.path.join(RUN, "plot.gp"), "w") as f:
        f.write(f"set terminal {term} noenhanced\nset output 'results.png'\nset grid\n")
        f.write(f'set multiplot layout {rws},{cols} title "xen-blkback-ng bench {os.path.basename(RUN.rstrip("/"))}"\n')
        for p in panels:
            f.write(p + "\n")
        f.write("unset multiplot\n")
