"""Registers: organisations that list each person once, and the threshold between two.

A register (a national victim register, a shelter's intake list, each of FEBRL4's two
files) holds a person at most once. The model scores a pair of reports as if any two
reports could be one person, with one prior for all pairs; between two registers that
is not so: a report of one register has at most one partner in the other, and the
clustering (link/clusters.py) already refuses to give it a second one, merging the
strongest pairs first. That is the greedy one-to-one assignment (Jaro 1989; the
"one-to-one" linking of `recordlinkage`), under which a weak pair whose reports have no
stronger partner is more likely a match than its pairwise probability says: FEBRL4's
true pairs with one full name and a mistyped date of birth were 53% matches at a mean
probability of 0.26. So pairs between two registers are linked from
`link.register_threshold` (default 0.1) instead of `link.threshold`.

Whether an organisation is a register is read from the data, not declared: it is one
when it has at least `MIN_REPORTS` reports and the run links at most one pair of its
own reports per `MAX_DUPLICATE_SHARE` of them (pairs at or above `link.threshold`
between two of its reports, or reports sharing its `person_ref`). Organisations that
report a person twice (the synthetic population's, whose organisations do) are not
registers, and their pairs keep the threshold. The one-to-one restriction as
probabilities (Sadinle 2017) applied to every organisation was measured and rejected
(docs/linkage.md): it lowered recall where organisations do report a person twice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: An organisation with fewer reports is never taken for a register: a handful of reports
#: without a duplicate says little about how it records.
MIN_REPORTS = 200
#: At most this share of an organisation's reports may be in a within-organisation link.
MAX_DUPLICATE_SHARE = 0.001


def register_sources(pairs: pd.DataFrame, source_code: np.ndarray, ref_code: np.ndarray,
                     threshold: float) -> np.ndarray:
    """Per source code, whether the organisation is a register (see the module).

    `pairs`: scored pairs (`l`, `r` row numbers, `match_probability`); `source_code` and
    `ref_code` per report row (ref -1: none).
    """
    sources = int(source_code.max()) + 1 if len(source_code) else 0
    reports = np.bincount(source_code, minlength=sources)
    duplicates = np.zeros(sources, dtype=np.int64)
    if len(pairs):
        left = source_code[pairs["l"].to_numpy(np.int64)]
        right = source_code[pairs["r"].to_numpy(np.int64)]
        within = (left == right) & (pairs["match_probability"].to_numpy() >= threshold)
        duplicates += np.bincount(left[within], minlength=sources)
    with_ref = ref_code >= 0
    if with_ref.any():
        refs = pd.DataFrame({"s": source_code[with_ref], "ref": ref_code[with_ref]})
        sizes = refs.groupby(["s", "ref"]).size()
        repeated = sizes[sizes > 1].groupby(level="s").sum()
        duplicates[repeated.index.to_numpy(np.int64)] += repeated.to_numpy(np.int64)
    return (reports >= MIN_REPORTS) & (duplicates <= MAX_DUPLICATE_SHARE * reports)


def between_registers(pairs: pd.DataFrame, source_code: np.ndarray,
                      registers: np.ndarray) -> np.ndarray:
    """Per pair, whether its two reports are of two different registers."""
    if not len(pairs):
        return np.zeros(0, dtype=bool)
    left = source_code[pairs["l"].to_numpy(np.int64)]
    right = source_code[pairs["r"].to_numpy(np.int64)]
    return (left != right) & registers[left] & registers[right]
