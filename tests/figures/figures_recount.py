"""An independent recount of CONTRACTS §3 in plain Python, over the builder's rows.

Written from the counting rules, not from the SQL: one loop per person-year.
Slow on purpose-free data structures; fine for the fixtures of these tests.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from thbmonitor.vocab import (
    AGE_GROUPS,
    EXPLOITATION_CATEGORIES,
    INVESTIGATION_SCOPES,
    NATIONALITY_GROUPS,
    SCOPES,
    SEXES,
    SOURCE_TYPES,
    UNDECIDED,
    nationality_group,
)


def category(forms: list[str]) -> str:
    known = {f for f in forms if f != "unknown"}
    if not known:
        return "unknown"
    return known.pop() if len(known) == 1 else "multiple"


def age_on_first(reports: list[dict[str, Any]]) -> int | None:
    """Age on the first report date from the most recent date of birth (figures/age.py).

    Exact, except when the first report does not carry that date, falls in its birth
    month, and a later report with it falls after the birthday: the store keeps no day
    of birth, so the higher age is taken.
    """
    dob = latest(reports, "date_of_birth", (None,))
    if dob is None:
        return None
    first = min(r["report_date"] for r in reports)
    ref = min((r for r in reports if r["date_of_birth"] == dob),
              key=lambda r: (r["report_date"], r["source"], r["report_id"]))["report_date"]

    def exact(day: date) -> int:
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    if ref == first or first.month != dob.month or exact(ref) < ref.year - dob.year:
        return exact(first)
    return first.year - dob.year


def age_group(first: date, age: int | None, birth_year: int | None) -> str:
    if age is not None:
        return "minor" if age < 18 else "adult"
    if birth_year is None:
        return "unknown"
    # Every possible birthday in the birth year gives one possible age on `first`.
    ages = {first.year - birth_year - (1 if (first.month, first.day) < (m, dd) else 0)
            for m, dd in [(1, 1), (12, 31)]}
    if max(ages) < 18:
        return "minor"
    if min(ages) >= 18:
        return "adult"
    return "unknown"


def latest(reports: list[dict[str, Any]], key: str, skip: tuple[Any, ...]) -> Any:
    known = [r for r in reports if r[key] not in skip]
    if not known:
        return None
    return max(known, key=lambda r: (r["report_date"], r["source"], r["report_id"]))[key]


def victims(rows: list[dict[str, Any]], year: int) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """(total, by, cross) for one year."""
    persons: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["report_date"].year == year:
            pid = row["person"] or f"unlinked {row['source']} {row['report_id']}"
            persons[pid].append(row)
    by: dict[str, Counter[str]] = defaultdict(Counter)
    cross: dict[str, dict[str, Counter[str]]] = {
        "exploitation_by_age_group": defaultdict(Counter),
        "exploitation_by_nationality_group": defaultdict(Counter),
    }
    for reports in persons.values():
        cat = category([f for r in reports for f in r["exploitation"]])
        first = min(r["report_date"] for r in reports)
        age = age_group(first, age_on_first(reports), latest(reports, "birth_year", (None,)))
        sex = latest(reports, "sex", (None, "unknown")) or "unknown"
        scopes = {r["scope"] for r in reports}
        scope = ("cross_border" if "cross_border" in scopes
                 else "domestic" if "domestic" in scopes else "unknown")
        nat = latest(reports, "nationality", (None, "unknown"))
        group = "unknown" if nat is None else nationality_group(nat)
        for dim, key in [("exploitation", cat), ("age_group", age), ("sex", sex),
                         ("scope", scope), ("nationality", nat or "unknown"),
                         ("nationality_group", group)]:
            by[dim][key] += 1
        for source_type in {r["source_type"] for r in reports}:
            by["source_type"][source_type] += 1
        cross["exploitation_by_age_group"][cat][age] += 1
        cross["exploitation_by_nationality_group"][cat][group] += 1
    keys = {"exploitation": EXPLOITATION_CATEGORIES, "age_group": AGE_GROUPS, "sex": SEXES,
            "scope": SCOPES, "source_type": SOURCE_TYPES,
            "nationality_group": NATIONALITY_GROUPS}
    by_out: dict[str, Any] = {dim: {k: by[dim][k] for k in ks} for dim, ks in keys.items()}
    nationality = dict(by["nationality"])
    nationality.setdefault("unknown", 0)
    nationality.setdefault("stateless", 0)
    by_out["nationality"] = nationality
    cross_out = {
        "exploitation_by_age_group": {
            c: {a: cross["exploitation_by_age_group"][c][a] for a in AGE_GROUPS}
            for c in EXPLOITATION_CATEGORIES},
        "exploitation_by_nationality_group": {
            c: {g: cross["exploitation_by_nationality_group"][c][g] for g in NATIONALITY_GROUPS}
            for c in EXPLOITATION_CATEGORIES},
    }
    return len(persons), by_out, cross_out


def pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


def chain(b: Any, year: int) -> dict[str, Any]:
    def inv(y: int) -> list[dict[str, Any]]:
        return [i for i in b.investigations if i["start_date"].year == y]

    def decided(y: int) -> list[dict[str, Any]]:
        return [c for c in b.cases if c["decision_date"] is not None
                and c["decision_date"].year == y and c["decision"] is not None
                and c["decision"] not in UNDECIDED]

    def summons(y: int) -> int:
        return sum(c["decision"] == "summons" for c in decided(y))

    def registered(y: int) -> int:
        return sum(c["registered_date"].year == y for c in b.cases)

    def suspects(y: int) -> int:
        return sum(s["registered_date"].year == y for s in b.suspects)

    current = inv(year)
    verdicts = [v for v in b.verdicts if v["verdict_date"].year == year]
    convictions = sum(v["outcome"] == "conviction" for v in verdicts)
    return {
        "investigations": {
            "total": len(current), "previous": len(inv(year - 1)),
            "by_exploitation": {c: sum(category(i["exploitation"]) == c for i in current)
                                for c in EXPLOITATION_CATEGORIES},
            "by_scope": {s: sum(i["scope"] == s for i in current) for s in INVESTIGATION_SCOPES},
            "sexual_by_scope": {s: sum(i["scope"] == s and category(i["exploitation"]) == "sexual"
                                       for i in current) for s in INVESTIGATION_SCOPES},
        },
        "suspects": {"total": suspects(year), "previous": suspects(year - 1)},
        "prosecution": {
            "registered": registered(year), "previous": registered(year - 1),
            "decided": len(decided(year)), "summons": summons(year),
            "summons_pct": pct(summons(year), len(decided(year))),
            "previous_summons_pct": pct(summons(year - 1), len(decided(year - 1))),
        },
        "verdicts": {"total": len(verdicts), "convictions": convictions,
                     "conviction_pct": pct(convictions, len(verdicts))},
    }


def data_years(b: Any) -> set[int]:
    """Every year in which the builder put a dated row."""
    dates = [r["report_date"] for r in b.reports] + [i["start_date"] for i in b.investigations]
    dates += [s["registered_date"] for s in b.suspects] + [c["registered_date"] for c in b.cases]
    dates += [c["decision_date"] for c in b.cases if c["decision_date"] is not None]
    dates += [v["verdict_date"] for v in b.verdicts]
    return {d.year for d in dates}


def year_figures(b: Any, year: int) -> dict[str, Any]:
    """The CONTRACTS §3 dict of one year (without findings and series).

    When the year before has no data at all, its values are null, never zeros.
    """
    total, by, cross = victims(b.reports, year)
    previous, previous_by, _ = victims(b.reports, year - 1)
    reports = [r for r in b.reports if r["report_date"].year == year]
    known = (year - 1) in data_years(b)
    figures = chain(b, year)
    if not known:
        figures = {stage: {k: (None if k.startswith("previous") else v)
                           for k, v in counts.items()} for stage, counts in figures.items()}
    return {
        "year": year,
        "available": year in data_years(b),
        "previous_available": known,
        "victims": {"total": total, "previous": previous if known else None,
                    "change": total - previous if known else None,
                    "by": by, "cross": cross, "previous_by": previous_by if known else None},
        "reports": {"total": len(reports),
                    "by_source_type": {t: sum(r["source_type"] == t for r in reports)
                                       for t in SOURCE_TYPES}},
        "chain": figures,
    }


def check_adds_up(year: dict[str, Any]) -> None:
    """The invariants of CONTRACTS §3 on one year's dict."""
    victims = year["victims"]
    for by, total in ((victims["by"], victims["total"]),
                      (victims["previous_by"], victims["previous"])):
        if by is None:  # the year before has no data: nothing, not zeros
            assert total is None and not year.get("previous_available", True)
            continue
        for name, table in by.items():
            if name == "source_type":
                assert sum(table.values()) >= total
                assert all(n <= total for n in table.values())
            else:
                assert sum(table.values()) == total, name
    for name, table in victims["cross"].items():
        column = name.removeprefix("exploitation_by_")
        assert {row: sum(cells.values()) for row, cells in table.items()} == \
            victims["by"]["exploitation"], name
        columns = {key: sum(cells[key] for cells in table.values())
                   for key in victims["by"][column]}
        assert columns == victims["by"][column], name
    if victims["previous"] is None:
        assert victims["change"] is None
    else:
        assert victims["change"] == victims["total"] - victims["previous"]
    reports = year["reports"]
    assert sum(reports["by_source_type"].values()) == reports["total"]
    assert reports["total"] >= victims["total"]
    investigations = year["chain"]["investigations"]
    assert sum(investigations["by_exploitation"].values()) == investigations["total"]
    assert sum(investigations["by_scope"].values()) == investigations["total"]
    assert sum(investigations["sexual_by_scope"].values()) == \
        investigations["by_exploitation"]["sexual"]
    prosecution = year["chain"]["prosecution"]
    assert prosecution["summons"] <= prosecution["decided"]
    verdicts = year["chain"]["verdicts"]
    assert verdicts["convictions"] <= verdicts["total"]
