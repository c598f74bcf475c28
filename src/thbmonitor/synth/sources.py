"""The reporting organisations: concrete source codes, their type and legal basis."""

from __future__ import annotations

import numpy as np

__all__ = ["STATUTORY_TYPES", "source_for", "source_region", "PERSON_REF_RATE", "ref_prefix"]

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
