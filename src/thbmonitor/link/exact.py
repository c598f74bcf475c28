"""Exact-key linkage: the first, deliberately simple rule (issue 3).

Two reports are the same person when they share

* the keyed token of the normalised full name in either order
  (`name_sorted_token`, so a swapped given and family name still matches)
  and the same date of birth; or
* the same `person_ref` within one source (the token is scoped by source).

Persons are the connected components of these pairs. This misses every typo
and transliteration; the probabilistic linkage of issue 5 replaces it behind
the same `link_persons` interface.
"""

from __future__ import annotations

import pandas as pd

from thbmonitor.store import Database

METHOD = "exact-keys-v1"

#: Each rule: the columns two reports must share (all non-null).
RULES: tuple[tuple[str, ...], ...] = (
    ("name_sorted_token", "dob_token"),
    ("source", "person_ref_token"),
)


def exact_pairs(db: Database) -> pd.DataFrame:
    """Pairs (left, right) of report row numbers that share a key; left < right.

    Each key group is linked as a chain (every report to the first of its
    group), which gives the same components as all pairs at linear cost.
    """
    parts = []
    for rule in RULES:
        present = " AND ".join(f"{c} IS NOT NULL" for c in rule)
        group = ", ".join(rule)
        parts.append(f"""
            SELECT first_value(rid) OVER (PARTITION BY {group} ORDER BY rid) AS l, rid AS r
            FROM _link_reports WHERE {present}""")
    sql = " UNION ".join(f"SELECT l, r FROM ({p}) WHERE l <> r" for p in parts)
    frame: pd.DataFrame = db.frame(sql)
    return frame
