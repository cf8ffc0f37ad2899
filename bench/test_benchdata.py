# SPDX-License-Identifier: GPL-2.0
"""Unit tests of benchdata's timeline analysis (python3 -m unittest)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdata import (TL_AFTER_MS, timeline, timeline_bursts,  # noqa: E402
                       timeline_recovery)


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
    BURSTS = [(20000, 40000), (60000, 80000)]

    def rate(self, t):
        for b, e in self.BURSTS:
            if b < t <= e:
                return 800
            if e < t <= e + 3000:
                return 500
        return 1000

    def test_samples_are_sorted_by_what_g1_did(self):
        cls, cycles = timeline(series(100000, self.rate), self.BURSTS)
        self.assertEqual(set(cls["burst"]), {800})
        self.assertEqual(set(cls["idle"]), {1000})
        self.assertEqual(set(cls["after"]), {500, 1000})
        # after: 5 s of samples following each burst
        self.assertEqual(len(cls["after"]), 2 * TL_AFTER_MS // 250)
        self.assertEqual(cycles, [(1000, 800), (1000, 800)])

    def test_recovery_shows_the_seconds_after_a_burst(self):
        prof = dict(timeline_recovery(series(100000, self.rate), self.BURSTS, 10))
        self.assertEqual(prof[1], 500)
        self.assertEqual(prof[3], 500)
        self.assertEqual(prof[4], 1000)
        self.assertEqual(len(prof), 10)


if __name__ == "__main__":
    unittest.main()
