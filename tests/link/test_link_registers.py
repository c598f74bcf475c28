"""Registers (link/registers.py): organisations that list each person once, read from the
run's own links, and the lower threshold between two of them.

FEBRL4 (tests/link/test_link_febrl.py) is the measured case: two registers of 5,000, F1
at the default settings 0.9578 -> 0.9737 with the register threshold (bench key,
docs/linkage.md); the demo data have no register (every organisation of 200 reports or
more links some of its own reports) and are unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from thbmonitor.link.registers import MIN_REPORTS, between_registers, register_sources

NO_REF = -1


def _pairs(*rows: tuple[int, int, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["l", "r", "match_probability"])


def _layout(sizes: list[int]) -> np.ndarray:
    return np.concatenate([np.full(n, s, dtype=np.int64) for s, n in enumerate(sizes)])


def test_an_organisation_without_own_links_is_a_register() -> None:
    sources = _layout([MIN_REPORTS, MIN_REPORTS, MIN_REPORTS])
    refs = np.full(len(sources), NO_REF)
    a, b, c = 0, MIN_REPORTS, 2 * MIN_REPORTS
    # source 2 links two of its own reports at the threshold: it reports people twice
    pairs = _pairs((a, b, 0.95), (c, c + 1, 0.9), (a + 1, b + 1, 0.3))
    registers = register_sources(pairs, sources, refs, threshold=0.8)
    assert registers.tolist() == [True, True, False]
    between = between_registers(pairs, sources, registers)
    assert between.tolist() == [True, False, True]


def test_own_links_below_the_threshold_do_not_count() -> None:
    sources = _layout([MIN_REPORTS, MIN_REPORTS])
    pairs = _pairs((0, 1, 0.79), (MIN_REPORTS, MIN_REPORTS + 1, 0.5))
    registers = register_sources(pairs, sources, np.full(len(sources), NO_REF), 0.8)
    assert registers.tolist() == [True, True]


def test_a_shared_person_ref_is_a_duplicate_and_a_small_organisation_no_register() -> None:
    sources = _layout([MIN_REPORTS, MIN_REPORTS - 1])
    refs = np.full(len(sources), NO_REF)
    refs[[3, 4]] = 17  # organisation 0 lists one person twice under its own reference
    registers = register_sources(_pairs(), sources, refs, 0.8)
    assert registers.tolist() == [False, False]


def test_pairs_within_one_register_are_never_between_registers() -> None:
    sources = _layout([MIN_REPORTS])
    pairs = _pairs((0, 1, 0.5))
    registers = register_sources(_pairs(), sources, np.full(len(sources), NO_REF), 0.8)
    assert registers.tolist() == [True]
    assert between_registers(pairs, sources, registers).tolist() == [False]
