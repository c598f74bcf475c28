"""The figures tests' store builder: rows inserted directly with parameterised SQL.

The builder also keeps every row it inserted as a plain dict, so that the
tests can recount the figures in Python, independently of the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from thbmonitor.store import Database


def stored_birth(born: date | None, reported: date) -> tuple[str | None, int | None, int | None]:
    """(dob_token, birth_month, age_at_report) as the intake stores a date of birth."""
    if born is None:
        return None, None, None
    age = reported.year - born.year - ((reported.month, reported.day) < (born.month, born.day))
    return f"dob:{born.isoformat()}", born.month, age


@dataclass
class StoreBuilder:
    db: Database
    reports: list[dict[str, Any]] = field(default_factory=list)
    investigations: list[dict[str, Any]] = field(default_factory=list)
    suspects: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0

    def _next_row(self) -> int:
        self.rows += 1
        return self.rows

    def report(
        self, source: str, report_id: str, source_type: str, report_date: date,
        exploitation: list[str], *, person: str | None = None,
        date_of_birth: date | None = None, birth_year: int | None = None,
        sex: str | None = None, nationality: str | None = None, scope: str = "unknown",
    ) -> None:
        """One report; ``person`` links it (a person_reports row), None leaves it unlinked."""
        if date_of_birth is not None:
            birth_year = date_of_birth.year  # the intake fills it from the date of birth
        # The store keeps a date of birth as a token, its month and the age at the report
        # date (ingest/staging.py); the recount below reads the date kept in `self.reports`.
        self.db.execute(
            "INSERT INTO reports (source, report_id, source_type, report_date, dob_token, "
            "birth_month, age_at_report, birth_year, sex, nationality, exploitation, scope, "
            "row_hash, import_id, row_number) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
            [source, report_id, source_type, report_date, *stored_birth(date_of_birth,
                                                                        report_date),
             birth_year, sex, nationality, exploitation, scope, f"h{report_id}",
             self._next_row()],
        )
        if person is not None:
            self.db.execute(
                "INSERT INTO person_reports (source, report_id, person_id) VALUES (?, ?, ?)",
                [source, report_id, person],
            )
        self.reports.append({
            "source": source, "report_id": report_id, "source_type": source_type,
            "report_date": report_date, "exploitation": list(exploitation), "person": person,
            "date_of_birth": date_of_birth, "birth_year": birth_year, "sex": sex,
            "nationality": nationality, "scope": scope,
        })

    def investigation(
        self, investigation_id: str, start_date: date, exploitation: list[str], scope: str
    ) -> None:
        self.db.execute(
            "INSERT INTO investigations (investigation_id, start_date, exploitation, scope, "
            "row_hash, import_id, row_number) VALUES (?, ?, ?, ?, ?, 1, ?)",
            [investigation_id, start_date, exploitation, scope, f"h{investigation_id}",
             self._next_row()],
        )
        self.investigations.append({"start_date": start_date, "exploitation": exploitation,
                                    "scope": scope})

    def suspect(self, suspect_id: str, registered_date: date) -> None:
        self.db.execute(
            "INSERT INTO suspects (suspect_id, registered_date, row_hash, import_id, row_number) "
            "VALUES (?, ?, ?, 1, ?)",
            [suspect_id, registered_date, f"h{suspect_id}", self._next_row()],
        )
        self.suspects.append({"registered_date": registered_date})

    def case(
        self, case_id: str, registered_date: date, decision: str | None = None,
        decision_date: date | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO cases (case_id, registered_date, exploitation, decision, decision_date, "
            "row_hash, import_id, row_number) VALUES (?, ?, ['sexual'], ?, ?, ?, 1, ?)",
            [case_id, registered_date, decision, decision_date, f"h{case_id}", self._next_row()],
        )
        self.cases.append({"registered_date": registered_date, "decision": decision,
                           "decision_date": decision_date})

    def verdict(self, case_id: str, verdict_date: date, outcome: str) -> None:
        self.db.execute(
            "INSERT INTO verdicts (case_id, verdict_date, outcome, row_hash, import_id, "
            "row_number) VALUES (?, ?, ?, ?, 1, ?)",
            [case_id, verdict_date, outcome, f"hv{case_id}", self._next_row()],
        )
        self.verdicts.append({"verdict_date": verdict_date, "outcome": outcome})


def build_small_store(builder: StoreBuilder) -> StoreBuilder:
    """A dozen persons over 2022-2024, each there for one rule of CONTRACTS §3."""
    r = builder.report
    d = date
    # p-minor-multiple: two sources in 2024, minor by date of birth, forms union -> multiple,
    # the later report has nationality and sex 'unknown', and says cross_border.
    r("police-oost", "po-1", "police", d(2024, 3, 1), ["sexual"], person="p-minor-multiple",
      date_of_birth=d(2007, 6, 15), sex="female", nationality="NL", scope="domestic")
    r("fairwork", "fw-1", "ngo", d(2024, 5, 1), ["sexual", "labour"], person="p-minor-multiple",
      sex="unknown", nationality="unknown", scope="cross_border")
    # p-minor-by-year: birth year only, 2024 - 2008 = 16: certainly a minor.
    r("care-zuid", "cz-1", "care_coordinator", d(2024, 2, 10), ["criminal"],
      person="p-minor-by-year", birth_year=2008, sex="male", nationality="NL", scope="domestic")
    # p-unknown-age: no date of birth, no birth year.
    r("nla", "nla-1", "labour_inspectorate", d(2024, 7, 1), ["labour", "labour", "unknown"],
      person="p-unknown-age", sex="male", nationality="UA", scope="cross_border")
    # p-borderline-year: birth year 2006 reported in April 2024: 17 or 18, so unknown.
    r("police-west", "pw-1", "police", d(2024, 4, 4), ["sexual"], person="p-borderline-year",
      birth_year=2006, sex="female", nationality="CO", scope="cross_border")
    # p-dec31-year: birth year 2006 first reported on 31 December 2024: certainly 18.
    r("police-west", "pw-2", "police", d(2024, 12, 31), ["labour"], person="p-dec31-year",
      birth_year=2006, sex="male", nationality="US", scope="domestic")
    # p-stateless: adult, reported in 2023 (as CO) and 2024 (as stateless) by the same source.
    r("coa", "coa-1", "reception_centre", d(2023, 9, 9), ["sexual"], person="p-stateless",
      date_of_birth=d(1990, 1, 1), sex="female", nationality="CO", scope="cross_border")
    r("coa", "coa-2", "reception_centre", d(2024, 1, 20), ["sexual"], person="p-stateless",
      date_of_birth=d(1990, 1, 1), sex="female", nationality="stateless", scope="domestic")
    # p-no-nationality: nationality missing, form and sex unknown.
    r("gemeente", "gm-1", "municipality", d(2024, 8, 8), ["unknown"], person="p-no-nationality",
      birth_year=1980, sex="unknown", scope="unknown")
    # p-dob-disagrees: two police reports in 2024 with different dates of birth: the most
    # recent (2008) makes a minor on the first report date; an earlier 2023 report too.
    r("police-oost", "po-2", "police", d(2024, 3, 3), ["criminal"], person="p-dob-disagrees",
      date_of_birth=d(2000, 1, 1), sex="male", nationality="MA", scope="domestic")
    r("police-oost", "po-3", "police", d(2024, 6, 6), ["criminal"], person="p-dob-disagrees",
      date_of_birth=d(2008, 1, 1), sex="male", nationality="MA", scope="domestic")
    r("police-oost", "po-0", "police", d(2023, 11, 1), ["criminal"], person="p-dob-disagrees",
      date_of_birth=d(2008, 1, 1), sex="male", nationality="NL", scope="domestic")
    # p-tie: two reports on the same day disagree on nationality: ties go to the larger
    # (source, report_id), here 'shelter-b' (whose report_id is the smaller one).
    r("shelter-a", "s-2", "shelter", d(2024, 10, 10), ["other"], person="p-tie",
      birth_year=1995, nationality="BR", scope="domestic")
    r("shelter-b", "s-1", "shelter", d(2024, 10, 10), ["other"], person="p-tie",
      birth_year=1995, sex="other", nationality="RO", scope="domestic")
    # p-birthday: date of birth 2006-05-10, first reported the day before its 18th birthday.
    r("nidos", "ni-1", "guardianship", d(2024, 5, 9), ["criminal"], person="p-birthday",
      date_of_birth=d(2006, 5, 10), sex="male", nationality="ER", scope="cross_border")
    r("police-oost", "po-4", "police", d(2024, 6, 1), ["criminal"], person="p-birthday",
      date_of_birth=d(2006, 5, 10), sex="male", nationality="ER", scope="cross_border")
    # unlinked reports: each counts as a person of its own.
    r("police-oost", "po-5", "police", d(2024, 9, 1), ["sexual"], date_of_birth=d(1999, 2, 2),
      sex="female", nationality="NG", scope="cross_border")
    r("police-oost", "po-6", "police", d(2023, 4, 1), ["labour"], sex="male",
      nationality="PL", scope="cross_border")
    r("fairwork", "fw-2", "ngo", d(2022, 6, 1), ["organ_removal"], birth_year=1970,
      nationality="IN", scope="cross_border")
    # p-2023-only and p-2022-and-2024.
    r("kmar", "km-1", "border_police", d(2023, 2, 2), ["sexual", "criminal"], person="p-2023-only",
      date_of_birth=d(2007, 1, 1), sex="female", nationality="VN", scope="cross_border")
    r("kmar", "km-2", "border_police", d(2022, 3, 3), ["labour"], person="p-2022-and-2024",
      birth_year=1985, sex="male", nationality="UA", scope="cross_border")
    r("nla", "nla-2", "labour_inspectorate", d(2024, 3, 3), ["labour"],
      person="p-2022-and-2024", birth_year=1985, sex="male", nationality="UA", scope="domestic")

    inv = builder.investigation
    inv("i23-1", d(2023, 1, 5), ["sexual"], "domestic")
    inv("i23-2", d(2023, 6, 5), ["sexual"], "international")
    inv("i23-3", d(2023, 8, 5), ["labour"], "international")
    inv("i24-1", d(2024, 1, 5), ["sexual"], "domestic")
    inv("i24-2", d(2024, 2, 5), ["sexual", "labour"], "international")
    inv("i24-3", d(2024, 3, 5), ["unknown"], "domestic")
    inv("i24-4", d(2024, 4, 5), ["criminal", "unknown"], "international")
    inv("i24-5", d(2024, 5, 5), ["sexual", "unknown"], "international")

    for i, day in enumerate([d(2023, 3, 1), d(2023, 9, 1), d(2024, 1, 1), d(2024, 2, 1),
                             d(2024, 12, 31)]):
        builder.suspect(f"s{i}", day)

    case = builder.case
    case("c23-1", d(2023, 2, 1), "summons", d(2023, 5, 1))
    case("c23-2", d(2023, 3, 1), "technical_dismissal", d(2023, 6, 1))
    case("c23-3", d(2023, 12, 1), "summons", d(2024, 2, 1))
    case("c24-1", d(2024, 1, 1), "summons", d(2024, 3, 1))
    case("c24-2", d(2024, 1, 2), "policy_dismissal", d(2024, 3, 2))
    case("c24-3", d(2024, 1, 3), "pending", d(2024, 3, 3))
    case("c24-4", d(2024, 1, 4), "joinder", d(2024, 3, 4))
    case("c24-5", d(2024, 1, 5), "transfer", d(2024, 3, 5))
    case("c24-6", d(2024, 1, 6), "summons", None)
    case("c24-7", d(2024, 11, 6))
    case("c24-8", d(2024, 11, 7), "settlement", d(2025, 1, 7))

    builder.verdict("c23-1", d(2023, 10, 1), "conviction")
    builder.verdict("c23-3", d(2024, 6, 1), "conviction")
    builder.verdict("c24-1", d(2024, 9, 1), "acquittal")
    builder.verdict("c24-9", d(2024, 10, 1), "conviction")
    return builder
