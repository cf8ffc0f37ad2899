# SPDX-License-Identifier: GPL-2.0
"""Unit tests of benchdata's timeline analysis (python3 -m unittest)."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdata import qemu_threads, timeline, timeline_bursts, timeline_recovery  # noqa: E402


def series(t_end, rate_at):
    """250 ms samples (t, rate_at(t)) up to t_end."""
    return [(t, rate_at(t)) for t in range(250, t_end + 1, 250)]


class TimelineBursts(unittest.TestCase):
    def test_counter_moves_make_bursts_and_short_pauses_are_bridged(self):
        # Requests from 10 s to 20 s with a 1 s pause at 15 s, then 40-45 s.
        def count(t):
            busy = [(10000, 15000), (16000, 20000), (40000, 45000)]
            return sum(max(0, min(t, e) - b) for b, e in busy) // 100
        g1 = [(t, count(t)) for t in range(0, 60001, 250)]
        self.assertEqual(timeline_bursts(g1), [(10000, 20000), (40000, 45000)])

    def test_a_counter_that_never_moves_has_no_burst(self):
        self.assertEqual(timeline_bursts([(t, 7) for t in range(0, 5000, 250)]), [])


class Timeline(unittest.TestCase):
    # g1's fio runs (dom0's view) and, inside the "io" one, its I/O.
    FIO = [("io", 20000, 60000), ("null", 80000, 100000)]
    BURSTS = [(30000, 50000)]

    def rate(self, t):
        if 30000 < t <= 50000:
            return 800     # g1's I/O
        if 50000 < t <= 53000:
            return 500     # right after it
        if 20000 < t <= 60000:
            return 900     # g1's fio starting or exiting
        if 80000 < t <= 100000:
            return 950     # the null-engine control
        return 1000

    def test_samples_are_sorted_by_what_g1_did(self):
        cls, cycles = timeline(series(120000, self.rate), self.BURSTS, self.FIO)
        self.assertEqual(set(cls["io"]), {800})
        self.assertEqual(set(cls["fio"]), {500, 900})
        self.assertEqual(set(cls["control"]), {950})
        self.assertEqual(set(cls["rest"]), {1000})
        # Rests: from 2 s after each fio run, and before the first.
        self.assertEqual(len(cls["rest"]), 3 * 18000 // 250)
        self.assertEqual(cycles, [("io", 800, 1000), ("null", 950, 1000)])

    def test_without_fio_runs_a_burst_is_a_run_and_its_rest_follows_it(self):
        cls, cycles = timeline(series(120000, self.rate), self.BURSTS, [])
        # 5 s after the I/O, for 15 s; nothing before the burst is rest.
        self.assertEqual(len(cls["rest"]), 15000 // 250)
        self.assertEqual(len(cycles), 1)
        kind, during, rest = cycles[0]
        self.assertEqual((kind, during), ("io", 800))
        self.assertAlmostEqual(rest, (20 * 900 + 40 * 1000) / 60)

    def test_recovery_shows_the_seconds_after_a_burst(self):
        prof = dict(timeline_recovery(series(120000, self.rate), self.BURSTS, 10))
        self.assertEqual(prof[1], 500)
        self.assertEqual(prof[3], 500)
        self.assertEqual(prof[4], 900)
        self.assertEqual(len(prof), 10)


class QemuThreads(unittest.TestCase):
    def test_shares_of_a_core_per_second_and_workers_summed(self):
        with tempfile.TemporaryDirectory() as run:
            os.mkdir(os.path.join(run, "raw"))
            with open(os.path.join(run, "raw", "qemu-threads.csv"), "w") as f:
                f.write("# CLK_TCK=100\n")
                # CPU 0 busy all the time, the two workers a quarter each; t in ms.
                for t, ticks in ((1000, 0), (2000, 100), (4000, 300)):
                    f.write(f"{t},CPU 0/TCG,{ticks}\n{t},worker,{ticks // 4}\n{t},worker,{7 + ticks // 4}\n")
            got = {(t, n): round(v, 3) for t, n, v in qemu_threads(run)}
        self.assertEqual(got, {(2000, "CPU 0/TCG"): 1.0, (2000, "worker"): 0.5,
                               (4000, "CPU 0/TCG"): 1.0, (4000, "worker"): 0.5})


if __name__ == "__main__":
    unittest.main()
