# SPDX-License-Identifier: GPL-2.0
"""What report.py and pooled.py both read from a bench run's raw CSV files:
one rule for a throughput figure and one for the budget phase's g2 pairs.
Standard library only."""
import csv
import os


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
