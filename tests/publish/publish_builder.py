"""Hand-made figures dicts in the CONTRACTS §3 shape (plus "series"), for publish tests.

The victims' exploitation-by-age table is the input; every other victims table
is derived from it so that the tables add up to the total, as in real figures.
"""

from __future__ import annotations

import copy
from typing import Any

FORMS = ["sexual", "labour", "criminal", "organ_removal", "other", "multiple", "unknown"]
AGES = ["minor", "adult", "unknown"]
SEXES = {"female": 0.6, "male": 0.38, "other": 0.01, "unknown": 0.01}
SCOPES = {"domestic": 0.55, "cross_border": 0.4, "unknown": 0.05}
SOURCES = ["police", "border_police", "labour_inspectorate", "care_coordinator",
           "reception_centre", "guardianship", "municipality", "shelter", "ngo", "lawyer",
           "self", "other"]
GROUPS = {"NL": 0.4, "EU": 0.2, "europe_other": 0.12, "latin_america": 0.08, "africa": 0.1,
          "asia": 0.06, "other": 0.02, "unknown": 0.02}
NATIONALITIES = {"NL": 0.4, "RO": 0.1, "UA": 0.1, "NG": 0.1, "CO": 0.08, "unknown": 0.22}

#: A steady year: about 900 victims, the same every year (so nothing changes).
BASE_CROSS = {
    "sexual": {"minor": 40, "adult": 300, "unknown": 10},
    "labour": {"minor": 5, "adult": 250, "unknown": 5},
    "criminal": {"minor": 13, "adult": 60, "unknown": 2},
    "organ_removal": {"minor": 0, "adult": 0, "unknown": 0},
    "other": {"minor": 2, "adult": 20, "unknown": 0},
    "multiple": {"minor": 4, "adult": 40, "unknown": 1},
    "unknown": {"minor": 3, "adult": 60, "unknown": 53},
}
BASE_CHAIN = {"investigations": 120, "suspects": 200, "registered": 180, "decided": 170,
              "summons": 100, "verdicts": 90, "convictions": 70}


def split(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Integer parts of ``total`` in the given shares, adding up exactly."""
    keys = list(shares)
    parts = {k: int(total * shares[k]) for k in keys}
    parts[keys[0]] += total - sum(parts.values())
    return parts


def year_figures(year: int, cross: dict[str, dict[str, int]] | None = None,
                 chain: dict[str, int] | None = None,
                 reports_total: int | None = None) -> dict[str, Any]:
    """One year's figures (without previous*/change keys)."""
    cross = copy.deepcopy(cross or BASE_CROSS)
    c = {**BASE_CHAIN, **(chain or {})}
    by_form = {f: sum(cross[f].values()) for f in FORMS}
    by_age = {a: sum(cross[f][a] for f in FORMS) for a in AGES}
    total = sum(by_form.values())
    by_group_cross = {f: split(by_form[f], GROUPS) for f in FORMS}
    by_group = {g: sum(by_group_cross[f][g] for f in FORMS) for g in GROUPS}
    investigations = c["investigations"]
    by_exploitation = split(investigations, {"sexual": 0.6, "labour": 0.25, "criminal": 0.1,
                                             "other": 0.05})
    by_scope = split(investigations, {"domestic": 0.6, "international": 0.4})
    return {
        "year": year,
        "victims": {
            "total": total,
            "by": {
                "exploitation": by_form, "age_group": by_age, "sex": split(total, SEXES),
                "scope": split(total, SCOPES),
                "source_type": {s: (total // 3 if s == "police" else 20) for s in SOURCES},
                "nationality": split(total, NATIONALITIES), "nationality_group": by_group,
            },
            "cross": {"exploitation_by_age_group": cross,
                      "exploitation_by_nationality_group": by_group_cross},
        },
        "reports": {"total": reports_total or total + 110,
                    "by_source_type": {s: (total // 3 + 40 if s == "police" else 25)
                                       for s in SOURCES}},
        "chain": {
            "investigations": {"total": investigations, "by_exploitation": by_exploitation,
                               "by_scope": by_scope,
                               "sexual_by_scope": split(by_exploitation["sexual"],
                                                        {"domestic": 0.6, "international": 0.4})},
            "suspects": {"total": c["suspects"]},
            "prosecution": {"registered": c["registered"], "decided": c["decided"],
                            "summons": c["summons"],
                            "summons_pct": round(100 * c["summons"] / c["decided"], 1)},
            "verdicts": {"total": c["verdicts"], "convictions": c["convictions"],
                         "conviction_pct": round(100 * c["convictions"] / c["verdicts"], 1)},
        },
    }


def with_previous(current: dict[str, Any], last: dict[str, Any] | None) -> dict[str, Any]:
    """Add the previous*/change keys of CONTRACTS §3 from last year's dict."""
    fig = copy.deepcopy(current)
    if last is None:
        return fig
    v, lv = fig["victims"], last["victims"]
    v["previous"] = lv["total"]
    v["change"] = v["total"] - lv["total"]
    v["previous_by"] = copy.deepcopy(lv["by"])
    ch, lch = fig["chain"], last["chain"]
    ch["investigations"]["previous"] = lch["investigations"]["total"]
    ch["suspects"]["previous"] = lch["suspects"]["total"]
    ch["prosecution"]["previous"] = lch["prosecution"]["registered"]
    ch["prosecution"]["previous_summons_pct"] = lch["prosecution"]["summons_pct"]
    return fig


def release_figures(years: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The figures dict for the last year, with previous keys and the series."""
    ordered = sorted(years)
    series = [with_previous(years[y], years.get(y - 1)) for y in ordered]
    figures = copy.deepcopy(series[-1])
    figures["series"] = copy.deepcopy(series)
    return figures


def steady(first: int = 2019, last: int = 2024) -> dict[int, dict[str, Any]]:
    """Years with identical figures."""
    return {y: year_figures(y) for y in range(first, last + 1)}


def cross_with(**cells: int) -> dict[str, dict[str, int]]:
    """BASE_CROSS with cells replaced, e.g. cross_with(criminal__minor=42)."""
    cross = copy.deepcopy(BASE_CROSS)
    for key, value in cells.items():
        form, age = key.split("__")
        cross[form][age] = value
    return cross


def set_path(figures: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in a figures dict (and in its own series entry)."""
    parts = path.split(".")
    targets = [figures] + [e for e in figures.get("series", []) if e["year"] == figures["year"]]
    for target in targets:
        node = target
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
