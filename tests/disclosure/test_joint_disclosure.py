"""Joint disclosure control: every table published for a year, attacked together (issue 11 item 6).

Reproduced defects: each table passed the attacker's audit alone, but the
figures and the Eurostat extract together gave the suppressed ``other``
nationality group exactly (456 − (60 + 101 + 224 + 69) = 2), and with SDG and
CTDC ten suppressed cells of 2024 were pinned.

The attacker here is built in the test from the published outputs only (the
protected figures dict, the CSV rows of the exports) and the relations a
reader knows from the documentation; the LPs are the library's
(`audit_cells`), the model of what is known is the test's own.
"""

from __future__ import annotations

import csv
import io
import shutil
from typing import Any

import pytest

from thbmonitor.disclosure import Relation, adds_up, audit_cells
from thbmonitor.disclosure.figures import _collect, build_year_tables
from thbmonitor.publish.exports import ctdc_export, eurostat_export, sdg_export
from thbmonitor.release import build_release
from thbmonitor.store import Database

YEAR = 2024
NON_EU = ("europe_other", "latin_america", "africa", "asia", "other")
VICTIM_PARTS = {
    ("sex", "F"): ["victims.by.sex.female"], ("sex", "M"): ["victims.by.sex.male"],
    ("sex", "UNK"): ["victims.by.sex.other", "victims.by.sex.unknown"],
    ("age", "Y_LT18"): ["victims.by.age_group.minor"],
    ("age", "Y_GE18"): ["victims.by.age_group.adult"],
    ("age", "UNK"): ["victims.by.age_group.unknown"],
    ("citizen", "NAT"): ["victims.by.nationality_group.NL"],
    ("citizen", "EU27_2020_FOR"): ["victims.by.nationality_group.EU"],
    ("citizen", "NEU27_2020_FOR"): [f"victims.by.nationality_group.{g}" for g in NON_EU],
    ("citizen", "UNK"): ["victims.by.nationality_group.unknown"],
    ("exploit", "SEXUAL"): ["victims.by.exploitation.sexual"],
    ("exploit", "LABOUR"): ["victims.by.exploitation.labour"],
    ("exploit", "OTHER"): [f"victims.by.exploitation.{f}"
                           for f in ("criminal", "organ_removal", "other", "multiple")],
    ("exploit", "UNK"): ["victims.by.exploitation.unknown"],
}
#: The figures' categories behind each export code.
CODE_VALUES = {key: frozenset(p.rsplit(".", 1)[1] for p in paths)
               for key, paths in VICTIM_PARTS.items()}
DIMENSION_OF = {"sex": "sex", "age": "age_group", "citizen": "nationality_group",
                "exploit": "exploitation"}
CODE_VALUES = {(d, c): v for (d, c), v in CODE_VALUES.items()}
ALL = {
    "sex": frozenset({"female", "male", "other", "unknown"}),
    "age": frozenset({"minor", "adult", "unknown"}),
    "citizen": frozenset({"NL", "EU", *NON_EU, "unknown"}),
    "exploit": frozenset({"sexual", "labour", "criminal", "organ_removal", "other", "multiple",
                          "unknown"}),
}
FIGURE_DIMENSION = {"sex": "sex", "age_group": "age", "nationality_group": "citizen",
                    "exploitation": "exploit"}


def predicate_of(path: str) -> dict[str, frozenset[str]] | None:
    """The predicate of a figure cell over the CTDC dimensions (None: not one of them)."""
    parts = path.split(".")
    if path == "victims.total":
        return {}
    if parts[:2] == ["victims", "by"] and len(parts) == 4 and parts[2] in FIGURE_DIMENSION:
        return {FIGURE_DIMENSION[parts[2]]: frozenset({parts[3]})}
    if parts[:2] == ["victims", "cross"] and len(parts) == 5:
        row, _, col = parts[2].partition("_by_")
        if row in FIGURE_DIMENSION and col in FIGURE_DIMENSION:
            return {FIGURE_DIMENSION[row]: frozenset({parts[3]}),
                    FIGURE_DIMENSION[col]: frozenset({parts[4]})}
    return None


def ctdc_facts(row: dict[str, str]) -> dict[str, frozenset[str]]:
    """What a CTDC row says of its victim: the possible values of each dimension."""
    import pycountry

    from thbmonitor.vocab import nationality_groups

    sex = {"Woman": "female", "Man": "male", "Trans/Transgender/NonConforming": "other"}
    facts = {"sex": frozenset({sex[row["gender"]]}) if row["gender"] else ALL["sex"]}
    band = row["ageBroad"]
    facts["age"] = (frozenset({"minor"}) if band in ("0--8", "9--17", "0--17") else
                    frozenset({"adult"}) if band else ALL["age"])
    country = pycountry.countries.get(alpha_3=row["citizenship"]) if row["citizenship"] else None
    facts["citizen"] = (frozenset({nationality_groups().get(country.alpha_2, "other")})
                        if country is not None else ALL["citizen"])
    flags = (row["isForcedLabour"], row["isSexualExploit"], row["isOtherExploit"])
    if "" in flags:
        facts["exploit"] = ALL["exploit"]
    elif flags.count("1") > 1:
        facts["exploit"] = frozenset({"multiple"})
    elif flags == ("1", "0", "0"):
        facts["exploit"] = frozenset({"labour"})
    elif flags == ("0", "1", "0"):
        facts["exploit"] = frozenset({"sexual"})
    else:
        facts["exploit"] = frozenset({"criminal", "organ_removal", "other", "multiple"})
    return facts


SDG_CODES = {"FEMALE": "F", "MALE": "M", "Y0T17": "Y_LT18"}


def rows_of(export: Any) -> list[dict[str, str]]:
    buffer = io.StringIO()
    export.write_csv(buffer)
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


class Attacker:
    """What a reader of the year's publications knows: published cells and relations."""

    def __init__(self, year: int, figures: dict[str, Any]) -> None:
        self.year = year
        cells = _collect(figures)[year]
        tables = build_year_tables(year, cells)
        self.published: dict[str, int | None] = {
            key: None if key in tables.hidden else cells.get(key) for key in tables.values}
        self.hidden = set(tables.hidden)
        self.relations: list[Relation] = list(tables.relations)
        self.figure_suppressed = {k for k, v in self.published.items()
                                  if v is None and k not in self.hidden}
        self.crosses: dict[tuple[str, ...], dict[tuple[tuple[str, str], ...], str]] = {}
        self.predicates: dict[str, dict[str, frozenset[str]]] = {}

    def key(self, path: str) -> str:
        return f"{self.year}:{path}"

    def cube_cell(self, codes: dict[str, str], value: int | None) -> None:
        """A victims cell of an export, by its (sex, age, citizen, exploit) codes."""
        shown = {d: c for d, c in codes.items() if c not in ("T", "TOTAL")}
        name = self.key("export." + "|".join(f"{d}={c}" for d, c in sorted(shown.items())))
        if name not in self.published or self.published[name] is None:
            self.published[name] = value
        self.predicates[name] = {d: CODE_VALUES[(d, c)] for d, c in shown.items()}
        if not shown:
            self.relations.append(adds_up(name, [self.key("victims.total")]))
        elif len(shown) == 1:
            (dim, code), = shown.items()
            self.relations.append(adds_up(name, [self.key(p) for p in VICTIM_PARTS[(dim, code)]]))
        self.crosses.setdefault(tuple(sorted(shown)), {})[tuple(sorted(shown.items()))] = name

    def add_cube_relations(self) -> None:
        margin = self.crosses.get(("sex",), {})
        for dims, cells in self.crosses.items():
            if len(dims) != 2:
                continue
            other = next(d for d in dims if d != "sex")
            one_way = self.crosses.get((other,), {})
            codes = {dict(k)[other] for k in cells}
            sexes = {dict(k)["sex"] for k in cells}
            for code in codes:
                parts = [cells[k] for k in cells if dict(k)[other] == code]
                whole = one_way.get(((other, code),))
                if whole:
                    self.relations.append(adds_up(whole, parts))
            for sex in sexes:
                parts = [cells[k] for k in cells if dict(k)["sex"] == sex]
                whole = margin.get((("sex", sex),))
                if whole:
                    self.relations.append(adds_up(whole, parts))

    def eurostat(self, rows: list[dict[str, str]]) -> None:
        for row in rows:
            if row["leg_stat"] != "VICT":
                continue
            codes = {d: row[d] for d in ("sex", "age", "citizen", "exploit")}
            self.cube_cell(codes, int(row["obs_value"]) if row["obs_value"] else None)

    def sdg(self, rows: list[dict[str, str]]) -> None:
        for row in rows:
            codes = {d: SDG_CODES.get(row[d], row[d]) for d in ("sex", "age", "exploit")}
            codes["citizen"] = "TOTAL"
            self.cube_cell(codes, int(row["victims"]) if row["victims"] else None)

    def ctdc(self, rows: list[dict[str, str]]) -> None:
        """Each CTDC row is a victim whose non-empty columns are true.

        For every cell the attacker knows a predicate of, the rows certainly in it
        give a lower bound and the rows certainly outside it an upper bound
        (the total minus them).
        """
        facts = [ctdc_facts(row) for row in rows]
        total = self.key("victims.total")
        for cell in list(self.published):
            predicate = self.predicates.get(cell) or predicate_of(cell.split(":", 1)[1])
            if predicate is None or not predicate:
                continue
            inside = sum(all(f[d] <= allowed for d, allowed in predicate.items()) for f in facts)
            outside = sum(any(not (f[d] & allowed) for d, allowed in predicate.items())
                          for f in facts)
            low, out = self.key(f"ctdc.in.{cell}"), self.key(f"ctdc.out.{cell}")
            self.published[low], self.published[out] = inside, outside
            self.relations.append(Relation(((cell, 1), (low, -1)), "ge"))
            self.relations.append(Relation(((total, 1), (cell, -1), (out, -1)), "ge"))

    def pinned(self, threshold: int) -> list[str]:
        self.add_cube_relations()
        report = audit_cells(self.published, self.relations, threshold=threshold,
                             hidden=self.hidden)
        return sorted(c.path for c in report.failures)


#: The planted case: a publisher who wants every non-EU nationality group published but
#: ``other`` (3 victims in 2024) makes the figures hide ``other`` with ``EU``; the Eurostat
#: extract's NEU27_2020_FOR (the sum of the non-EU groups) then gave ``other`` exactly.
PLANTED_PRIORITIES = [f"victims.by.nationality_group.{g}"
                      for g in ("asia", "europe_other", "latin_america", "africa")]


def publish_all(path: Any, year: int) -> dict[str, Any]:
    from thbmonitor.publish.protection import protect_year

    with Database(path, create=False) as db:
        release = build_release(db, year, with_estimate=False, with_patterns=False)
        protected = protect_year(db, year)  # what every `thb export` of the year is cut from
        return {
            "figures": release["figures"],
            "eurostat": rows_of(eurostat_export(db, year, protected=protected)),
            "sdg": rows_of(sdg_export(db, year, protected=protected)),
            "ctdc": rows_of(ctdc_export(db, year, protected=protected)),
            "threshold": int(db.setting("publication.threshold")),
        }


@pytest.fixture(scope="module")
def publication(realistic_db_path: Any) -> dict[str, Any]:
    return publish_all(realistic_db_path, YEAR)


@pytest.fixture(scope="module")
def planted(realistic_store: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("planted") / "thb.duckdb"
    shutil.copyfile(realistic_store.pristine_path, path)
    with Database(path, create=False) as db:
        db.set_setting("publication.priorities", PLANTED_PRIORITIES)
    return publish_all(path, YEAR)


def test_planted_figures_and_eurostat_together_recover_no_suppressed_cell(
        planted: dict[str, Any]) -> None:
    groups = planted["figures"]["victims"]["by"]["nationality_group"]
    assert groups["other"] is None  # the planted case: `other` is small and suppressed
    attacker = Attacker(YEAR, planted["figures"])
    attacker.eurostat(planted["eurostat"])
    assert attacker.pinned(planted["threshold"]) == []


@pytest.mark.parametrize("case", ["publication", "planted"])
def test_figures_eurostat_sdg_and_ctdc_together_recover_no_cell(
        case: str, request: pytest.FixtureRequest) -> None:
    published = request.getfixturevalue(case)
    attacker = Attacker(YEAR, published["figures"])
    attacker.eurostat(published["eurostat"])
    attacker.sdg(published["sdg"])
    attacker.ctdc(published["ctdc"])
    assert attacker.pinned(published["threshold"]) == []


def test_a_threshold_below_ten_needs_a_recorded_reason(db: Database) -> None:
    from thbmonitor.errors import UsageError

    with pytest.raises(UsageError, match="below 10: record why first"):
        db.set_setting("publication.threshold", 5)
    assert db.setting("publication.threshold") == 10
    db.set_setting("publication.threshold_reason", "agreed with the data owners (test)")
    assert db.set_setting("publication.threshold", 5) == 5
    with pytest.raises(UsageError, match="below 10"):
        db.set_setting("publication.threshold_reason", " ")
    changes = db.rows("SELECT resource, detail FROM audit_log WHERE action = 'settings.change' "
                      "ORDER BY event_id")
    assert [r for r, _ in changes] == ["publication.threshold_reason", "publication.threshold"]


def test_the_joint_audit_over_the_five_years_of_the_report_recovers_no_cell(
        realistic_db_path: Any) -> None:
    from thbmonitor.publish.protection import audit_year, protect_year

    with Database(realistic_db_path, create=False) as db:
        protected = protect_year(db, YEAR, first=YEAR - 4)
    report = audit_year(protected)
    assert protected.years == tuple(range(YEAR - 4, YEAR + 1))
    assert report.ok, ([f.to_dict() for f in report.failures][:3], report.inconsistent[:3])
    audited_years = {int(c.path.split(":", 1)[0]) for c in report.cells}
    assert audited_years == set(protected.years)
