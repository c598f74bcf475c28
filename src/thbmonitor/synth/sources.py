"""The reporting organisations: concrete source codes, their type and legal basis.

Also the two organisations that deliver badly (`OrganisationFaults`, issue 15): in the
last year one delivers all its reports late, after the year's first release, and one
delivers them incomplete, most without a nationality.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["INCOMPLETE_FIELD", "INCOMPLETE_SHARE", "OrganisationFaults", "PERSON_REF_RATE",
           "STATUTORY_TYPES", "choose_faults", "ref_prefix", "source_for", "source_region"]

#: Types that must report (their legal basis is `statutory`).
STATUTORY_TYPES = frozenset({"police", "border_police", "labour_inspectorate"})

_CARE = {
    "noord": "care-groningen", "oost": "care-oost", "midden": "care-utrecht",
    "noord-holland": "care-noord-holland", "amsterdam": "care-amsterdam",
    "den-haag": "care-den-haag", "rotterdam": "care-rotterdam",
    "zeeland-west-brabant": "care-west-brabant", "oost-brabant": "care-oost-brabant",
    "limburg": "care-limburg",
}
_SHELTER = {"noord": "shelter-noord", "oost": "shelter-oost", "midden": "shelter-midden"}
_SINGLE = {
    "border_police": "kmar", "labour_inspectorate": "nla", "reception_centre": "coa",
    "guardianship": "nidos", "lawyer": "lawyer", "self": "self", "other": "other",
}

#: Share of a source type's reports that carry the source's own person reference.
PERSON_REF_RATE: dict[str, float] = {
    "police": 0.8, "border_police": 0.9, "labour_inspectorate": 0.6, "reception_centre": 0.95,
    "guardianship": 0.95, "care_coordinator": 0.3, "municipality": 0.2, "ngo": 0.1,
}


def ref_prefix(source: str) -> str:
    """The prefix of a source's person references (e.g. `PO-` for police-oost)."""
    parts = source.replace("-", " ").split()
    return "".join(p[0] for p in parts).upper() + "-"


def source_for(
    source_type: np.ndarray, region: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The concrete source code of each report, from its type and the victim's region."""
    n = len(source_type)
    out = np.empty(n, dtype=object)
    for t, code in _SINGLE.items():
        out[source_type == t] = code
    pol = source_type == "police"
    national = rng.random(n) < 0.05
    out[pol] = np.where(national[pol], "police-landelijke-eenheid",
                        np.char.add("police-", region[pol].astype(str)))
    care = source_type == "care_coordinator"
    out[care] = [_CARE[r] for r in region[care]]
    ngo = source_type == "ngo"
    out[ngo] = np.where(rng.random(int(ngo.sum())) < 0.95, "fairwork", "ngo-other")
    mun = source_type == "municipality"
    out[mun] = np.char.add("municipality-", region[mun].astype(str))
    shel = source_type == "shelter"
    out[shel] = [_SHELTER.get(r, "shelter-west") for r in region[shel]]
    return out


def source_region(source: np.ndarray, victim_region: np.ndarray) -> np.ndarray:
    """The reporting unit's region: the unit's own for regional sources, else the victim's."""
    out = victim_region.copy()
    src = source.astype(str)
    for prefix in ("police-", "municipality-"):
        mask = np.char.startswith(src, prefix) & (src != "police-landelijke-eenheid")
        if not mask.any():  # (numpy's replace fails on an empty selection)
            continue
        out[mask] = np.char.replace(src[mask], prefix, "")
    care_regions = {v: k for k, v in _CARE.items()}
    care = np.char.startswith(src, "care-")
    out[care] = [care_regions[s] for s in src[care]]
    return out


# -- the late and the incomplete organisation -------------------------------------------

#: The field the incomplete organisation leaves empty, and on what share of its reports of
#: the last year (on top of the recording noise every organisation has, about 9%).
INCOMPLETE_FIELD = "nationality"
INCOMPLETE_SHARE = 0.8
#: Candidates deliver between these shares of the year's reports: large enough to be seen
#: in `thb quality` and in a revision, small enough that their type stays on the lists.
_SHARE_RANGE = (0.01, 0.08)
#: Types with several organisations: without one of them the type still reports.
_MULTI_TYPES = frozenset({"police", "care_coordinator", "municipality", "shelter", "ngo"})


@dataclass(frozen=True)
class OrganisationFaults:
    """Which organisation delivered late and which incomplete, in which year, how much.

    Written to ``ground_truth/organisations.json``; the pipeline never reads it.
    """

    year: int
    late_source: str
    late_reports: int
    late_locations: int
    incomplete_source: str
    incomplete_field: str
    incomplete_reports: int
    blanked: int

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year,
                "late": {"source": self.late_source, "reports": self.late_reports,
                         "locations": self.late_locations,
                         "delivered": "after the year's first release"},
                "incomplete": {"source": self.incomplete_source,
                               "field": self.incomplete_field,
                               "reports": self.incomplete_reports, "blanked": self.blanked,
                               "share": INCOMPLETE_SHARE}}


def choose_faults(source: np.ndarray, source_type: np.ndarray, report_year: np.ndarray,
                  year: int, rng: np.random.Generator) -> tuple[str, str]:
    """Two distinct organisations of ``year`` (late, incomplete), drawn with ``rng``.

    Drawn among the organisations of a type with several of them, delivering between
    1% and 8% of the year's reports (at small scales, the largest two such).
    """
    in_year = report_year == year
    types = np.char.add(np.char.add(source_type[in_year].astype(str), "\t"),
                        source[in_year].astype(str))
    counts = pd.Series(types).value_counts()
    rows = [(str(k).split("\t")[1], int(n)) for k, n in counts.items()
            if str(k).split("\t")[0] in _MULTI_TYPES]
    total = int(in_year.sum())
    low, high = _SHARE_RANGE
    candidates = sorted(s for s, n in rows if low * total <= n <= high * total)
    if len(candidates) < 2:
        candidates = sorted(s for s, _n in sorted(rows, key=lambda r: (-r[1], r[0]))[:2])
    if len(candidates) < 2:
        raise ValueError(f"fewer than two organisations reported in {year}: cannot make one "
                         "late and one incomplete")
    late, incomplete = rng.choice(np.array(candidates, dtype=object), 2, replace=False)
    return str(late), str(incomplete)
