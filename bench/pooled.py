#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Paired throughput ratios pooled over several bench runs.

Usage: pooled.py RUN_FOLDER...

One run's few pairs cannot resolve 5%: this lab's figures move by 20-30%
from one repetition to the next.  Within a run each repetition measured the
two sides back to back, so their ratio is one sample; this pools those
samples over the runs given and prints, per comparison and workload, the
number of pairs, their geometric mean and an interval of two standard errors
of the mean log ratio (about 95%), then which runs and module commits went
in.  Comparisons: ng/stock (variant "base") and adaptive/static (variant
"policy"); and from the budget phase, g2 under each round's load over g2
alone right after it.  Standard library only.
"""
import csv
import math
import os
import statistics
import sys

COMPARISONS = [("base", "ng", "stock"), ("policy", "adaptive", "static")]
# The budget phase's pairs, one row per round.
BUDGET = ("budget", "g2 loaded", "g2 alone right after")


def load(run):
    """(variant, driver, workload) -> {rep: MiB/s (sequential) or IOPS}."""
    data = {}
    path = os.path.join(run, "raw", "tput.csv")
    if not os.path.exists(path):
        return data
    with open(path) as f:
        for r in csv.reader(f):
            if len(r) < 8:
                continue
            try:
                riops, rbw, wiops, wbw = (float(x or 0) for x in r[4:8])
            except ValueError:
                continue
            val = (rbw + wbw) / 1024.0 if r[3].startswith("seq") else riops + wiops
            data.setdefault((r[0], r[1], r[3]), {})[r[2]] = val
    return data


def load_budget(run):
    """{(round, rep): g2's IOPS} from budget-g2.csv."""
    runs = {}
    path = os.path.join(run, "raw", "budget-g2.csv")
    if os.path.exists(path):
        with open(path) as f:
            for r in csv.reader(f):
                try:
                    runs[(r[0], r[1])] = float(r[2])
                except (IndexError, ValueError):
                    continue
    return runs


def head(run):
    try:
        with open(os.path.join(run, "git-head")) as f:
            return f.read().strip()[:7]
    except OSError:
        return "?"


def main(runs):
    logs = {}  # (variant, top, bottom, workload) -> [log ratio]
    used = {}  # comparison -> [run]
    for run in runs:
        g2 = load_budget(run)
        for (mode, rep), v in g2.items():
            alone = g2.get(("solo-" + mode, rep))
            if not mode.startswith("solo") and alone and v > 0:
                logs.setdefault(BUDGET + (mode,), []).append(math.log(v / alone))
                used.setdefault(BUDGET, set()).add(run)
        data = load(run)
        for var, top, bot in COMPARISONS:
            for (v, d, w), a in data.items():
                if (v, d) != (var, top):
                    continue
                b = data.get((var, bot, w), {})
                lr = [math.log(a[k] / b[k]) for k in a if k in b and a[k] > 0 and b[k] > 0]
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
