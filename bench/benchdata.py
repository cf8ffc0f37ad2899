# SPDX-License-Identifier: GPL-2.0
"""What report.py and pooled.py both read from a bench run's raw CSV files:
one rule for a throughput figure and one for the budget phase's g2 pairs.
Standard library only."""
import csv
import os
import statistics


def raw_rows(run, name):
    """The rows of RUN/raw/NAME; none if the run did not write it."""
    p = os.path.join(run, "raw", name)
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [r for r in csv.reader(f) if r]


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def _tput_figure(r):
    """(variant, driver, workload, rep, figure) of a tput.csv row, or None:
    MiB/s for the sequential workloads, IOPS for the others."""
    if len(r) < 8:
        return None
    riops, rbw, wiops, wbw = (num(x) or 0.0 for x in r[4:8])
    val = (rbw + wbw) / 1024.0 if r[3].startswith("seq") else riops + wiops
    return r[0], r[1], r[3], r[2], val


def tput_data(rows):
    """(variant, driver, workload) -> {rep: figure} of tput.csv's rows."""
    data = {}
    for r in rows:
        t = _tput_figure(r)
        if t is not None:
            var, drv, w, rep, val = t
            data.setdefault((var, drv, w), {})[rep] = val
    return data


def paired(data, var, w, top, bottom):
    """top/bottom within each repetition (the two ran back to back)."""
    a = data.get((var, top, w), {})
    b = data.get((var, bottom, w), {})
    return [a[k] / b[k] for k in a if k in b and b[k]]


def g2_runs(rows):
    """[(mode, rep, IOPS)] of budget-g2.csv; "loaded" was the busy round.
    A list: the solo mode repeats its reps (before and after the rounds)."""
    return [("busy" if r[0] == "loaded" else r[0], r[1], num(r[2]))
            for r in rows if len(r) >= 3 and num(r[2])]


def g2_pairs(runs, mode):
    """(under load, alone with g1 idle) of each repetition of MODE that has both."""
    alone = {k: v for m, k, v in runs if m == "solo-" + mode}
    return [(v, alone[k]) for m, k, v in runs if m == mode and k in alone]


# The budget phase's timeline round: g2's IOPS every 250 ms while g1 bursts.
TL_SKIP_MS = 2000   # g2's own fio start; and g1's exit, once dom0 saw it
TL_AFTER_MS = 5000  # without g1's fio times: g1 surely rests from 5 s after
TL_REST_MS = 15000  # its I/O for this long
TL_MERGE_MS = 2000  # a pause in g1's I/O shorter than this is within a burst


def timeline_bursts(g1):
    """g1's bursts [(first_ms, last_ms)]: when its request counter moved,
    [(t_ms, requests so far)] in time order, pauses under TL_MERGE_MS
    bridged.  A burst spans the samples that saw its requests."""
    bursts = []
    for (t0, n0), (t1, n1) in zip(g1, g1[1:]):
        if n1 == n0:
            continue
        if bursts and t0 - bursts[-1][1] < TL_MERGE_MS:
            bursts[-1] = (bursts[-1][0], t1)
        else:
            bursts.append((t0, t1))
    return bursts


def setup_value(run, prefix):
    """The rest of the first line of RUN's setup.txt that starts with
    PREFIX ("budget_g1_fio=", "xen_commandline:"), stripped; None if none
    does or the run wrote no setup.txt."""
    try:
        with open(os.path.join(run, "out", "bench", "setup.txt")) as f:
            for line in f:
                if line.startswith(prefix):
                    return line[len(prefix):].strip()
    except OSError:
        pass
    return None


def timeline_origin(run):
    """The Unix time in ms of the timeline's t = 0 (the start of g2's first
    250 ms sample), or None if the run had no timeline."""
    rows = raw_rows(run, "budget-timeline.csv")
    t = num(rows[0][0]) if rows else None
    return None if t is None else t - 250


def timeline_data(run):
    """RUN's timeline round: g2's samples [(t_ms, iops)], g1's bursts of
    I/O [(first_ms, last_ms)] and g1's fio runs [(kind, start_ms, end_ms)],
    kind "io" or the control's name, "null", "burn16" or "sys16" (none in runs
    before 2026-11-27 17:50), t from g2's first sample; empty lists if the
    run had no timeline."""
    def pairs(name):
        v = [(num(r[0]), num(r[1])) for r in raw_rows(run, name) if len(r) >= 2]
        return [(a, b) for a, b in v if a is not None and b is not None]
    samples, g1 = pairs("budget-timeline.csv"), pairs("budget-timeline-g1.csv")
    if not samples or not g1:
        return [], [], []
    t0 = timeline_origin(run)
    fio = [(r[1], num(r[2]) - t0, num(r[3]) - t0) for r in raw_rows(run, "budget-timeline-fio.csv")
           if len(r) >= 4 and num(r[2]) is not None and num(r[3]) is not None]
    return ([(t - t0, v) for t, v in samples],
            [(b - t0, e - t0) for b, e in timeline_bursts(g1)], fio)


def _inside(t, lo, hi):
    """Whether the 250 ms sample ending at t lies within [lo, hi]."""
    return lo <= t - 250 and t <= hi


def timeline_spans(samples, bursts, fio):
    """g1's fio runs [(kind, start, end)] and the rests [(lo, hi)]: the
    one right after each run (the i-th rest follows the i-th run) and, when
    dom0 saw when g1's first fio started, the one before it last.  Without
    fio runs (older runs), each burst of I/O is an "io" run and its rest
    starts TL_AFTER_MS after it, for TL_REST_MS."""
    runs = fio or [("io", b, e) for b, e in bursts]
    rests = []
    for i, (_, b, e) in enumerate(runs):
        nxt = runs[i + 1][1] if i + 1 < len(runs) else samples[-1][0] if samples else e
        if fio:
            rests.append((e + TL_SKIP_MS, nxt))
        else:
            rests.append((e + TL_AFTER_MS, min(nxt, e + TL_AFTER_MS + TL_REST_MS)))
    if fio:
        rests.append((TL_SKIP_MS, fio[0][1]))
    return runs, rests


def timeline_class(t, bursts, runs, rests):
    """What g1 did in the 250 ms up to t: "rest", "io" (its request
    counters moving), "fio" (its fio around that I/O), the kind of a
    control run, or None (a fio's exit not yet seen, g2's own start)."""
    if any(_inside(t, lo, hi) for lo, hi in rests):
        return "rest"
    if any(_inside(t, b, e) for b, e in bursts):
        return "io"
    for k, b, e in runs:
        if k != "io" and _inside(t, b, e):
            return k
    if any(_inside(t, b, e) for k, b, e in runs if k == "io"):
        return "fio"
    return None


def timeline(samples, bursts, fio):
    """Sort g2's (t_ms, iops) samples, each the mean of the 250 ms up to t,
    by what g1 did then (timeline_class).  Returns the IOPS of each class:
    "rest", "io", "fio" and "control" (every control run, whatever its
    kind); and per fio run (kind, g2's mean during its I/O, or during the
    whole run for a control; g2's mean in the rest right after it)."""
    runs, rests = timeline_spans(samples, bursts, fio)
    cls = {"rest": [], "io": [], "fio": [], "control": []}
    for t, v in samples:
        c = timeline_class(t, bursts, runs, rests)
        if c is not None:
            cls[c if c in cls else "control"].append(v)
    cycles = []
    for (kind, b, e), (lo, hi) in zip(runs, rests):
        if kind != "io":
            during = [v for t, v in samples if _inside(t, b, e)]
        else:
            during = [v for t, v in samples if _inside(t, b, e) and
                      any(_inside(t, bb, ee) for bb, ee in bursts)]
        rest = [v for t, v in samples if _inside(t, lo, hi)]
        if during and rest:
            cycles.append((kind, statistics.fmean(during), statistics.fmean(rest)))
    return cls, cycles


def qemu_threads(run):
    """The host CPU of the lab QEMU's threads (bench/run's
    qemu-threads.csv): [(t_ms, thread, share)], t in Unix time, share of
    one host core between the sample before and the one at t, threads of
    one name (QEMU's workers) summed."""
    tck = 100.0
    last = {}  # (name, index within a sample) -> (t, ticks)
    total = {}  # (t, name) -> share
    sample, seen = None, {}  # the sample being read; names seen in it
    for r in raw_rows(run, "qemu-threads.csv"):
        if r[0].startswith("# CLK_TCK="):
            tck = num(r[0].split("=", 1)[1]) or tck
            continue
        if len(r) < 3 or num(r[0]) is None or num(r[2]) is None:
            continue
        t, name, ticks = num(r[0]), r[1], num(r[2])
        if t != sample:
            sample, seen = t, {}
        # Threads of one name are told apart by their order in a sample.
        seen[name] = seen.get(name, -1) + 1
        key = (name, seen[name])
        if key in last and t > last[key][0]:
            t0, k0 = last[key]
            total[(t, name)] = total.get((t, name), 0.0) + (ticks - k0) / tck / ((t - t0) / 1000.0)
        last[key] = (t, ticks)
    return [(t, name, v) for (t, name), v in sorted(total.items())]


def timeline_recovery(samples, bursts, seconds):
    """Mean IOPS in each second after g1's bursts ended: [(s, mean)],
    s = 1..seconds, over every burst followed by that much idle."""
    ends = [e for i, (_, e) in enumerate(bursts)
            if i + 1 == len(bursts) or bursts[i + 1][0] - e >= seconds * 1000]
    prof = []
    for s in range(1, seconds + 1):
        v = [x for t, x in samples for e in ends if e + (s - 1) * 1000 < t <= e + s * 1000]
        if v:
            prof.append((s, statistics.fmean(v)))
    return prof
