"""The attacker's LPs through HiGHS: the same intervals as an LP solved from scratch, and
nothing on standard output (HiGHS's C++ side prints a banner the first time a solver is
made; on `thb ... --json` that would break the JSON)."""

from __future__ import annotations

import json
import subprocess
import sys

from scipy.optimize import linprog

from thbmonitor.disclosure.audit import attacker_intervals
from thbmonitor.disclosure.tables import adds_up

SCRIPT = """
import json
from thbmonitor.disclosure.audit import attacker_intervals
from thbmonitor.disclosure.tables import adds_up
intervals, broken = attacker_intervals({"t": 12, "a": None, "b": None, "c": 5},
                                       [adds_up("t", ["a", "b", "c"])])
print(json.dumps({k: list(v) for k, v in sorted(intervals.items())}))
"""


def test_the_solver_prints_nothing_on_standard_output():
    """Reproduced: the first audit in a process printed "Running HiGHS ..." on stdout."""
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          check=True, timeout=120)
    assert json.loads(done.stdout) == {"a": [0.0, 7.0], "b": [0.0, 7.0]}, done.stdout
    assert "HiGHS" not in done.stdout + done.stderr


def test_intervals_equal_an_lp_solved_from_scratch():
    """total = a + b + c with c known, a + d = 9: a and b within [0, 7], d within [2, 9]."""
    published = {"t": 12, "a": None, "b": None, "c": 5, "s": 9, "d": None}
    relations = [adds_up("t", ["a", "b", "c"]), adds_up("s", ["a", "d"])]
    intervals, broken = attacker_intervals(published, relations)
    assert not broken
    # the same LP for `d` through scipy's linprog: x = (a, b, d)
    a_eq = [[1, 1, 0], [1, 0, 1]]
    b_eq = [7, 9]
    for k, name in enumerate(("a", "b", "d")):
        c = [0.0] * 3
        c[k] = 1.0
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * 3, method="highs")
        high = linprog([-v for v in c], A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * 3,
                       method="highs")
        assert intervals[name] == (low.fun, -high.fun), name
