"""What each kind stores: target columns as expressions over the checked table."""

from __future__ import annotations

_SEP = "chr(31)"
_BOTH = "c.given_name IS NOT NULL AND c.family_name IS NOT NULL"
_KNOWN = ("list_filter(list_concat(CASE WHEN c.recruitment_country IS NULL THEN [] "
          "ELSE [c.recruitment_country] END, coalesce(c.exploitation_countries, [])), "
          "x -> x NOT IN ('unknown', 'stateless'))")
_EXTRA = "CASE WHEN c._extra IS NULL THEN NULL ELSE CAST(to_json(c._extra) AS JSON) END"

STORED: dict[str, dict[str, str]] = {
    "reports": {
        "source": "c.source",
        "report_id": "c.report_id",
        "source_type": "coalesce(c.source_type, c.registered_type)",
        "report_date": "c.report_date",
        "given_token": "c.given_name",
        "family_token": "c.family_name",
        "name_token": f"CASE WHEN {_BOTH} THEN left(sha256('full' || {_SEP} || c.given_name "
                      f"|| {_SEP} || c.family_name), 32) END",
        "name_sorted_token": f"CASE WHEN {_BOTH} THEN left(sha256('sorted' || {_SEP} || "
                             f"least(c.given_name, c.family_name) || {_SEP} || "
                             f"greatest(c.given_name, c.family_name)), 32) END",
        "given_phonetic": "c.given_phonetic",
        "family_phonetic": "c.family_phonetic",
        "given_romanised": "c.given_romanised",
        "family_romanised": "c.family_romanised",
        "given_bloom": "c.given_bloom",
        "family_bloom": "c.family_bloom",
        "name_bloom": f"CASE WHEN {_BOTH} THEN c.given_bloom | c.family_bloom END",
        # The date of birth as keyed tokens only (staging.py); year, month and age in clear.
        "dob_token": "c.date_of_birth",
        "dob_swap_token": "c.dob_swap_token",
        "dob_near_tokens": "c.dob_near_tokens",
        "birth_year": "coalesce(c.birth_year, c.dob_year)",
        "birth_month": "c.birth_month",
        "age_at_report": "c.age_at_report",
        "sex": "c.sex",
        "nationality": "c.nationality",
        "exploitation": "c.exploitation",
        "sector": "c.sector",
        "recruitment_country": "c.recruitment_country",
        "exploitation_countries": "c.exploitation_countries",
        "scope": f"coalesce(c.scope, CASE WHEN len({_KNOWN}) = 0 THEN 'unknown' "
                 f"WHEN list_bool_and(list_transform({_KNOWN}, x -> x = 'NL')) THEN 'domestic' "
                 f"ELSE 'cross_border' END)",
        "region": "c.region",
        "legal_basis": "c.legal_basis",
        "person_ref_token": "c.person_ref",
        "phone_token": "c.contact_phone",
        "investigation_id": "c.investigation_id",
        "extra": _EXTRA,
    },
    "locations": {
        "source": "c.source",
        "report_id": "c.report_id",
        "start_date": "c.start_date",
        "end_date": "c.end_date",
        "place": "c.place",
        "country": "c.country",
        "location_type": "c.location_type",
        "booking_channel": "c.booking_channel",
        "address_token": "c.address",
        "booking_token": "c.booking_ref",
        "extra": _EXTRA,
    },
    "investigations": {
        "investigation_id": "c.investigation_id",
        "start_date": "c.start_date",
        "exploitation": "c.exploitation",
        "scope": "c.scope",
        "end_date": "c.end_date",
        "region": "c.region",
        "extra": _EXTRA,
    },
    "suspects": {
        "suspect_id": "c.suspect_id",
        "registered_date": "c.registered_date",
        "investigation_id": "c.investigation_id",
        "sex": "c.sex",
        "birth_year": "c.birth_year",
        "nationality": "c.nationality",
        "extra": _EXTRA,
    },
    "cases": {
        "case_id": "c.case_id",
        "registered_date": "c.registered_date",
        "suspect_id": "c.suspect_id",
        "exploitation": "c.exploitation",
        "decision": "c.decision",
        "decision_date": "c.decision_date",
        "extra": _EXTRA,
    },
    "verdicts": {
        "case_id": "c.case_id",
        "verdict_date": "c.verdict_date",
        "outcome": "c.outcome",
        "custodial_months": "c.custodial_months",
        "extra": _EXTRA,
    },
}


#: Columns left out of the row hash: functions of other stored columns under the same key.
_DERIVED = ("_bloom", "_near_tokens")


def final_select(kind: str, checked: str) -> str:
    """SELECT of the stored columns, `_row` and `row_hash` (md5 of the stored values).

    The Bloom encodings are left out of the hash: they are a function of the
    name tokens under the same key, and hashing their 1,024-character text
    form tripled the time of a large import; so are the near tokens of the
    date of birth (a function of its token).
    """
    columns = STORED[kind]
    body = ", ".join(f"{expr} AS {name}" for name, expr in columns.items())
    hashed = " || chr(30) || ".join(
        f"coalesce(CAST({name} AS VARCHAR), chr(0))" for name in columns
        if not name.endswith(_DERIVED)
    )
    key = ", md5(" + hashed + ") AS location_key" if kind == "locations" else ""
    return (
        f"SELECT *, md5({hashed}) AS row_hash{key} FROM "
        f"(SELECT c._row AS _row, {body} FROM {checked} c)"
    )


def _concerns() -> dict[str, str]:
    from thbmonitor.ingest.concerns import CONCERNS_STORED

    return CONCERNS_STORED


STORED["concerns"] = _concerns()
