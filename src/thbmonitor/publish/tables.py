"""The report's tables: the Rapporteur's breakdowns over the last five years.

Each `Table` has one column per year (the count and its share in %), rows of
categories in the report's language, and a total; grouped tables (form ×
age group, reporter type, sector within form) have a header row per group
whose share base is the group. Values come only from what is published: the
protected figures' series and the protected breakdowns (``None`` is a
suppressed cell, shown as `NOT_PUBLISHED` everywhere). The HTML, the PDF, the
XLSX workbook and the CSV files are all made from these objects, so they hold
the same values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from thbmonitor.publish.findings import lookup
from thbmonitor.publish.texts import LABELS, N_, NOT_PUBLISHED, Texts

__all__ = ["MISSING", "Row", "Table", "report_tables"]

#: A year without any data (before the first year of the series): not the same as suppressed.
MISSING = object()
YEARS = 5
TOP_NATIONALITIES = 10

AGE_BAND_LABEL = {"minor": N_("Minors (under 18)"), "18_22": N_("18 to 22 years"),
                  "23_plus": N_("23 years and older"), "unknown": N_("Age unknown")}
SUSPECT_AGE_LABEL = {"minor": N_("Under 18"), "18_22": N_("18 to 22 years"),
                     "23_29": N_("23 to 29 years"), "30_39": N_("30 to 39 years"),
                     "40_plus": N_("40 years and older"), "unknown": N_("Age unknown")}
SECTOR_LABEL = {
    "window": N_("Window prostitution"), "club": N_("Clubs and private houses"),
    "escort": N_("Escort"), "home": N_("At home"), "hotel": N_("Hotels"),
    "agriculture": N_("Agriculture and horticulture"), "construction": N_("Construction"),
    "hospitality": N_("Hospitality"), "logistics": N_("Logistics"),
    "domestic_work": N_("Domestic work"), "drug_trade": N_("Drug trade"),
    "money_mule": N_("Money mules"), "explosives": N_("Explosives"), "theft": N_("Theft"),
    "begging": N_("Begging"), "other": N_("Other sector"), "unknown": N_("Sector unknown"),
}
DECISION_LABEL = {
    "summons": N_("Summons (brought before a judge)"),
    "technical_dismissal": N_("Technical dismissal"), "policy_dismissal": N_("Policy dismissal"),
    "conditional_dismissal": N_("Conditional dismissal"),
    "penalty_order": N_("Penalty order by the prosecutor"), "settlement": N_("Settlement"),
}
OUTCOME_LABEL = {"conviction": N_("Convictions"), "acquittal": N_("Acquittals"),
                 "discharge": N_("Discharged from prosecution"), "other": N_("Other outcomes")}
CUSTODIAL_LABEL = {"none": N_("No custodial sentence"), "lt_12": N_("Under 1 year"),
                   "12_24": N_("1 to 2 years"), "24_48": N_("2 to 4 years"),
                   "48_plus": N_("4 years or more")}
DUTCH_LABEL = {"NL": N_("Dutch nationality"), "non_NL": N_("Other nationality"),
               "unknown": N_("Nationality unknown")}
SUB_AGE_LABEL = {"minor": N_("of whom minors"), "adult": N_("of whom adults"),
                 "unknown": N_("of whom age unknown")}


@dataclass
class Row:
    """One row: its label, the value per year (int, None = suppressed, MISSING) and role."""

    label: str
    values: list[Any]
    kind: str = "row"  # "row", "group" (a group's header), "sub" (in a group), "total", "pct"
    base: list[Any] | None = None  # share base per year; None: no share

    def shares(self) -> list[Any]:
        if self.base is None:
            return [MISSING] * len(self.values)
        out: list[Any] = []
        for value, base in zip(self.values, self.base, strict=True):
            if value is MISSING or base is MISSING:
                out.append(MISSING)
            elif value is None or base is None:
                out.append(None)
            else:
                out.append(100.0 * value / base if base else 0.0)
        return out


@dataclass
class Table:
    """A published table over the years, with its notes."""

    id: str
    title: str
    row_header: str
    years: list[int]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def has_suppressed(self) -> bool:
        return any(v is None for row in self.rows for v in row.values)


class _Source:
    """Published values per year from the protected figures' series and breakdowns."""

    def __init__(self, release: Mapping[str, Any]) -> None:
        figures = release["figures"]
        self.year = int(figures["year"])
        entries = {int(e["year"]): e for e in figures.get("series") or []}
        entries[self.year] = figures
        first = max(self.year - YEARS + 1, min(entries))
        self.years = list(range(first, self.year + 1))
        self.entries = entries
        tables = ((release.get("breakdowns") or {}).get("tables")) or {}
        self.breakdowns: dict[int, Mapping[str, Any]] = {int(y): t for y, t in tables.items()}

    def fig(self, path: str) -> list[Any]:
        out: list[Any] = []
        for y in self.years:
            entry = self.entries.get(y)
            out.append(MISSING if entry is None else lookup(entry, path))
        return out

    def bd(self, table: str, *keys: str) -> list[Any]:
        out: list[Any] = []
        for y in self.years:
            node: Any = self.breakdowns.get(y)
            if node is None:
                out.append(MISSING)
                continue
            node = node.get(table)
            for key in keys:
                node = node.get(key) if isinstance(node, Mapping) else None
            out.append(node)
        return out

    def has_breakdowns(self) -> bool:
        return bool(self.breakdowns)

    def keys(self, path: str) -> list[str]:
        """Keys of a figures table over the years (first seen order)."""
        seen: list[str] = []
        for y in self.years:
            node = lookup(self.entries.get(y), path)
            for key in node or {}:
                if key not in seen:
                    seen.append(key)
        return seen

    def bd_keys(self, table: str) -> list[str]:
        seen: list[str] = []
        for y in self.years:
            for key in (self.breakdowns.get(y) or {}).get(table) or {}:
                if key not in seen:
                    seen.append(key)
        return seen


def _nonzero(values: Sequence[Any]) -> bool:
    return any(v is None or (v is not MISSING and v != 0) for v in values)


def _ordered(table: str, keys: list[str]) -> list[str]:
    known = [k for k in LABELS.get(table, {}) if k in keys]
    return known + [k for k in keys if k not in known]


def report_tables(release: Mapping[str, Any], t: Texts) -> list[Table]:
    """Every table of the report, in order, in the language of ``t``."""
    s = _Source(release)
    total = s.fig("victims.total")
    tables: list[Table] = []

    def table(tid: str, title: str, header: str) -> Table:
        tab = Table(tid, title, header, s.years)
        tables.append(tab)
        return tab

    def one_way(tab: Table, path: str, label: Callable[[str], str],
                keys: list[str] | None = None, drop_zero: bool = True) -> None:
        for key in keys if keys is not None else _ordered(path.rsplit(".", 1)[1], s.keys(path)):
            values = s.fig(f"{path}.{key}")
            if drop_zero and not _nonzero(values):
                continue
            tab.rows.append(Row(label(key), values, base=total))
        tab.rows.append(Row(t._("Total"), total, "total", base=total))

    tab = table("victims-exploitation", t._("Victims by form of exploitation"),
                t._("Form of exploitation"))
    one_way(tab, "victims.by.exploitation", lambda k: t.label("exploitation", k))

    if s.has_breakdowns():
        tab = table("victims-groups", t._("Victims by victim group"), t._("Victim group"))
        groups = [
            (t._("Domestic sexual exploitation"), s.bd("victims.cross.exploitation_by_scope",
                                                     "sexual", "domestic")),
            (t._("Cross-border sexual exploitation"), s.bd(
                "victims.cross.exploitation_by_scope", "sexual", "cross_border")),
            (t._("Sexual exploitation, scope unknown"), s.bd(
                "victims.cross.exploitation_by_scope", "sexual", "unknown")),
            (t.label("exploitation", "labour"), s.fig("victims.by.exploitation.labour")),
            (t.label("exploitation", "criminal"), s.fig("victims.by.exploitation.criminal")),
        ]
        for form in ("organ_removal", "other", "multiple", "unknown"):
            groups.append((t.label("exploitation", form),
                           s.fig(f"victims.by.exploitation.{form}")))
        for label, values in groups:
            if _nonzero(values):
                tab.rows.append(Row(label, values, base=total))
        tab.rows.append(Row(t._("Total"), total, "total", base=total))
        tab.notes.append(t._("The four groups of the Rapporteur: domestic and cross-border "
                             "sexual exploitation, labour exploitation and criminal "
                             "exploitation; the other forms follow."))

    tab = table("victims-age", t._("Victims by age group"), t._("Age group"))
    if s.has_breakdowns():
        rows = [("minor", s.fig("victims.by.age_group.minor")),
                ("18_22", s.bd("victims.by.age_band", "18_22")),
                ("23_plus", s.bd("victims.by.age_band", "23_plus")),
                ("unknown", s.fig("victims.by.age_group.unknown"))]
        for key, values in rows:
            tab.rows.append(Row(t._(AGE_BAND_LABEL[key]), values, base=total))
        tab.rows.append(Row(t._("Total"), total, "total", base=total))
    else:
        one_way(tab, "victims.by.age_group", lambda k: t.label("age_group", k), drop_zero=False)
    tab.notes.append(t._("Age on the first report date of the year; with only a year of "
                         "birth, the lower of the two possible ages."))

    tab = table("victims-sex", t._("Victims by sex"), t._("Sex"))
    one_way(tab, "victims.by.sex", lambda k: t.label("sex", k))

    tab = table("victims-nationality-group", t._("Victims by nationality group"),
                t._("Nationality group"))
    one_way(tab, "victims.by.nationality_group", lambda k: t.label("nationality_group", k))

    latest = lookup(release["figures"], "victims.by.nationality") or {}
    top = sorted((k for k in latest if k not in ("stateless", "unknown")),
                 key=lambda k: (latest[k] is None, -(latest[k] or 0), k))[:TOP_NATIONALITIES]
    tab = table("victims-nationality", t._("Victims by nationality: the largest nationalities "
                                           "in %(year)s", year=s.year), t._("Nationality"))
    one_way(tab, "victims.by.nationality", lambda k: t.label("nationality", k), keys=top,
            drop_zero=False)

    tab = table("victims-exploitation-age", t._("Victims by form of exploitation and age group"),
                t._("Form of exploitation and age group"))
    _grouped(tab, s, t, "victims.by.exploitation", "exploitation",
             lambda f, a: s.fig(f"victims.cross.exploitation_by_age_group.{f}.{a}"),
             [(a, t.label("age_group", a)) for a in ("minor", "adult", "unknown")])

    tab = table("victims-exploitation-nationality",
                t._("Victims by form of exploitation and nationality group"),
                t._("Form of exploitation and nationality group"))
    _grouped(tab, s, t, "victims.by.exploitation", "exploitation",
             lambda f, g: s.fig(f"victims.cross.exploitation_by_nationality_group.{f}.{g}"),
             [(g, t.label("nationality_group", g)) for g in LABELS["nationality_group"]])

    note = t._("A victim reported by several types of organisation counts for each, so the "
               "types add up to more than the number of victims; shares are of all victims "
               "(types) and of the type (minor or adult, Dutch or not).")
    splits: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
        ("victims-reporter", t._("Victims by type of reporting organisation"), "", [])]
    if s.has_breakdowns():
        splits = [
            ("victims-reporter-age", t._("Victims by type of reporting organisation and age"),
             "victims.cross.source_type_by_age_group",
             [(a, t._(SUB_AGE_LABEL[a]), "") for a in ("minor", "adult", "unknown")]),
            ("victims-reporter-nationality",
             t._("Victims by type of reporting organisation and nationality"),
             "victims.cross.source_type_by_dutch",
             [(d, t._(DUTCH_LABEL[d]), "") for d in ("NL", "non_NL", "unknown")]),
        ]
    for tid, title, table_name, subs in splits:
        tab = table(tid, title, t._("Reported by"))
        for key in _ordered("source_type", s.keys("victims.by.source_type")):
            head = s.fig(f"victims.by.source_type.{key}")
            if not _nonzero(head):
                continue
            tab.rows.append(Row(t.label("source_type", key), head, "group" if subs else "row",
                                base=total))
            for col, label, _ in subs:
                values = s.bd(table_name, key, col)
                if _nonzero(values):
                    tab.rows.append(Row(label, values, "sub", base=head))
        tab.rows.append(Row(t._("Victims"), total, "total", base=total))
        tab.notes.append(note)

    if s.has_breakdowns():
        tab = table("victims-region", t._("Victims by region"), t._("Region"))
        for key in s.bd_keys("victims.by.region"):
            values = s.bd("victims.by.region", key)
            if _nonzero(values):
                label = t._("Region unknown") if key == "unknown" else _region(key)
                tab.rows.append(Row(label, values, base=total))
        tab.rows.append(Row(t._("Total"), total, "total", base=total))
        tab.notes.append(t._("The region of the most recent report of the year that names "
                             "one."))

        tab = table("victims-sector", t._("Victims by sector within each form of exploitation"),
                    t._("Form of exploitation and sector"))
        tab.notes.append(t._("Sexual, labour and criminal exploitation, each by the sector of "
                             "the most recent report of the year that names one; shares are "
                             "of the form."))
        sectors = list(SECTOR_LABEL)
        _grouped(tab, s, t, "victims.by.exploitation", "exploitation",
                 lambda f, c: s.bd("victims.cross.exploitation_by_sector", f, c),
                 [(c, t._(SECTOR_LABEL[c])) for c in sectors], total_row=False,
                 keys=s.bd_keys("victims.cross.exploitation_by_sector"))

    _chain_tables(s, t, table)
    return tables


def _region(key: str) -> str:
    """A region code as a name: 'den-haag' -> 'Den Haag'."""
    return key.replace("-", " ").replace("_", " ").title()


def _grouped(tab: Table, s: _Source, t: Texts, margin: str, dim: str,
             cell: Callable[[str, str], list[Any]], columns: list[tuple[str, str]],
             total_row: bool = True, keys: list[str] | None = None) -> None:
    total = s.fig("victims.total")
    for key in _ordered(dim, keys if keys is not None else s.keys(margin)):
        head = s.fig(f"{margin}.{key}")
        if not _nonzero(head):
            continue
        tab.rows.append(Row(t.label(dim, key), head, "group", base=total))
        for col, label in columns:
            values = cell(key, col)
            if _nonzero(values):
                tab.rows.append(Row(label, values, "sub", base=head))
    if total_row:
        tab.rows.append(Row(t._("Total"), total, "total", base=total))


def _chain_tables(s: _Source, t: Texts, table: Callable[[str, str, str], Table]) -> None:
    inv = s.fig("chain.investigations.total")
    tab = table("chain-investigations", t._("Police investigations by form of exploitation "
                                            "and scope"), t._("Investigations"))
    for key in _ordered("by_exploitation", s.keys("chain.investigations.by_exploitation")):
        values = s.fig(f"chain.investigations.by_exploitation.{key}")
        if _nonzero(values):
            tab.rows.append(Row(t.label("exploitation", key), values, base=inv))
    for key in ("domestic", "international"):
        tab.rows.append(Row(t.label("by_scope", key), s.fig(f"chain.investigations.by_scope.{key}"),
                            "group", base=inv))
        tab.rows.append(Row(t._("of which sexual exploitation"),
                            s.fig(f"chain.investigations.sexual_by_scope.{key}"), "sub",
                            base=s.fig(f"chain.investigations.by_scope.{key}")))
    tab.rows.append(Row(t._("Total"), inv, "total", base=inv))

    suspects = s.fig("chain.suspects.total")
    tab = table("chain-suspects", t._("Suspects by sex and age"), t._("Suspects"))
    if s.has_breakdowns():
        tab.rows.append(Row(t._("Sex"), [MISSING] * len(s.years), "heading"))
        for key in ("female", "male", "other", "unknown"):
            values = s.bd("chain.suspects.by_sex", key)
            if _nonzero(values):
                tab.rows.append(Row(t.label("sex", key), values, "sub", base=suspects))
        tab.rows.append(Row(t._("Age"), [MISSING] * len(s.years), "heading"))
        for key, label in SUSPECT_AGE_LABEL.items():
            values = s.bd("chain.suspects.by_age", key)
            if _nonzero(values):
                tab.rows.append(Row(t._(label), values, "sub", base=suspects))
    tab.rows.append(Row(t._("Total"), suspects, "total", base=suspects))

    decided = s.fig("chain.prosecution.decided")
    tab = table("chain-prosecution", t._("Cases at the prosecution service and decisions"),
                t._("Cases"))
    tab.rows.append(Row(t.label("chain", "registered"), s.fig("chain.prosecution.registered")))
    tab.rows.append(Row(t.label("chain", "decided"), decided, "group", base=decided))
    tab.rows.append(Row(t._(DECISION_LABEL["summons"]), s.fig("chain.prosecution.summons"),
                        "sub", base=decided))
    if s.has_breakdowns():
        for key in s.bd_keys("chain.prosecution.by_decision"):
            values = s.bd("chain.prosecution.by_decision", key)
            if _nonzero(values):
                tab.rows.append(Row(t._(DECISION_LABEL.get(key, key)), values, "sub",
                                    base=decided))
    tab.rows.append(Row(t._("Share brought before a judge"),
                        s.fig("chain.prosecution.summons_pct"), "pct"))

    verdicts = s.fig("chain.verdicts.total")
    tab = table("chain-verdicts", t._("First-instance verdicts and convictions"),
                t._("Verdicts"))
    tab.rows.append(Row(t._(OUTCOME_LABEL["conviction"]), s.fig("chain.verdicts.convictions"),
                        base=verdicts))
    if s.has_breakdowns():
        for key in s.bd_keys("chain.verdicts.by_outcome"):
            values = s.bd("chain.verdicts.by_outcome", key)
            if _nonzero(values):
                tab.rows.append(Row(t._(OUTCOME_LABEL.get(key, key)), values, base=verdicts))
    tab.rows.append(Row(t._("Total"), verdicts, "total", base=verdicts))
    tab.rows.append(Row(t._("Conviction rate"), s.fig("chain.verdicts.conviction_pct"), "pct"))

    if s.has_breakdowns():
        convictions = s.fig("chain.verdicts.convictions")
        tab = table("chain-custodial", t._("Convictions by length of the custodial sentence"),
                    t._("Custodial sentence"))
        for key, label in CUSTODIAL_LABEL.items():
            values = s.bd("chain.verdicts.custodial", key)
            if _nonzero(values):
                tab.rows.append(Row(t._(label), values, base=convictions))
        tab.rows.append(Row(t._("Convictions"), convictions, "total", base=convictions))


def cell_text(t: Texts, value: Any, *, percent: bool = False) -> str:
    """A cell as shown: a number, `NOT_PUBLISHED` for a suppressed cell, '–' without data."""
    if value is MISSING:
        return "–"
    if value is None:
        return NOT_PUBLISHED
    return t.percent(value) if percent else t.number(value)
