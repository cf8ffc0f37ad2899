#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Paired throughput ratios pooled over several bench runs.

Usage: pooled.py RUN_FOLDER...

One run's few pairs cannot resolve 5%: this lab's figures move by 20-30%
from one repetition to the next.  Within a run each repetition measured the
two sides back to back, so their ratio is one sample; this pools those
samples over the runs given and prints, per comparison and workload, the
number of pairs, their geometric mean and an interval of two standard errors
of the mean log ratio (about 95%), then which runs went in, with their
module commits and Xen's options (the scheduler's change the figures).
Comparisons: ng/stock (variant "base") and adaptive/static (variant
"policy"); and from the budget phase, g2 under each round's load over g2
alone with g1 idle (in the timeline round, g2 during each of g1's bursts,
and during each control run of g1's, over g2 in the rest right after it).
Standard library only.
"""
import math
import os
import statistics
import sys

from benchdata import g2_pairs, g2_runs, paired, raw_rows, setup_value, timeline, timeline_data, tput_data

COMPARISONS = [("base", "ng", "stock"), ("policy", "adaptive", "static")]
# The budget phase's pairs, one row per round.
BUDGET = ("budget", "g2 loaded", "g2 alone")


def head(run):
    """The run's module commit, Xen's options beyond the lab's own, and
    the extra fio options of the budget phase's g1, if any."""
    try:
        with open(os.path.join(run, "git-head")) as f:
            commit = f.read().strip()[:7]
    except OSError:
        commit = "?"
    # Before the bench recorded it (2026-11-27, 7b6f72e) it had no way to
    # pass Xen an option either.
    extra = [w for w in (setup_value(run, "xen_commandline:") or "").split()
             if not w.startswith(("dom0_", "console=", "com1=", "conring_size="))]
    xen = " ".join(extra) or "Xen defaults"
    g1_fio = setup_value(run, "budget_g1_fio=")
    g1_fio = f", g1's fio {g1_fio}" if g1_fio else ""
    return f"{commit}, {xen}{g1_fio}"


def main(runs):
    logs = {}  # (variant, top, bottom, workload) -> [log ratio]
    used = {}  # comparison -> [run]
    for run in runs:
        g2 = g2_runs(raw_rows(run, "budget-g2.csv"))
        for mode in {m for m, _, _ in g2 if not m.startswith("solo")}:
            lr = [math.log(a / b) for a, b in g2_pairs(g2, mode)]
            if lr:
                logs.setdefault(BUDGET + (mode,), []).extend(lr)
                used.setdefault(BUDGET, set()).add(run)
        # The timeline round: g1's I/O, and its control, each
        # over g2's rest right after it.
        for kind, d, r in timeline(*timeline_data(run))[1]:
            if d > 0 and r > 0:
                mode = "timeline" if kind == "io" else "timeline-" + kind
                logs.setdefault(BUDGET + (mode,), []).append(math.log(d / r))
                used.setdefault(BUDGET, set()).add(run)
        data = tput_data(raw_rows(run, "tput.csv"))
        for var, top, bot in COMPARISONS:
            for w in {w for v, d, w in data if (v, d) == (var, top)}:
                lr = [math.log(x) for x in paired(data, var, w, top, bot) if x > 0]
                if lr:
                    logs.setdefault((var, top, bot, w), []).extend(lr)
                    used.setdefault((var, top, bot), set()).add(run)
    for var, top, bot in COMPARISONS + [BUDGET]:
        keys = sorted(k for k in logs if k[:3] == (var, top, bot))
        if not keys:
            continue
        what = "round" if var == "budget" else "workload"
        print(f"## {top} / {bot} ({var} phase), paired ratios pooled over runs")
        print("")
        print(f"| {what} | pairs | geomean | 2-SE interval | min-max |")
        print("|---|---|---|---|---|")
        for k in keys:
            lr = logs[k]
            m = statistics.fmean(lr)
            se = statistics.stdev(lr) / math.sqrt(len(lr)) if len(lr) > 1 else float("nan")
            print(f"| {k[3]} | {len(lr)} | {math.exp(m):.2f} | "
                  f"{math.exp(m - 2 * se):.2f}-{math.exp(m + 2 * se):.2f} | "
                  f"{math.exp(min(lr)):.2f}-{math.exp(max(lr)):.2f} |")
        print("")
        print("Runs: " + ", ".join(f"{os.path.basename(r.rstrip('/'))} ({head(r)})"
                                   for r in sorted(used[(var, top, bot)])))
        print("")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
