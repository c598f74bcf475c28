"""The age on the first report date of a year, without a date of birth in clear.

The store keeps of a date of birth only keyed tokens, the birth year and
month, and the age at each report's date (ingest/staging.py). The figures
take the date of birth of the person's most recent report in the year (as
before) and need the age on the first report date F of that year. From the
earliest report R of the year carrying that same date of birth (same token)
with its age A at R, and the birth year Y0 and month M:

* R on F: A itself;
* F's month before M: the birthday has not come yet on F (age Y - Y0 - 1);
  after M: it has (Y - Y0);
* F in month M: if the birthday had not come by R (A = Y - Y0 - 1), not by
  F either; otherwise the day decides and is not stored: the higher age is
  taken, as the figures' birth-year-only rule does when it cannot be certain
  of a minor (docs/figures.md). This case needs a person with another or no
  date of birth on the first report, whose later report in the same year
  falls after the birthday in the birth month of their first report.
"""

from __future__ import annotations

#: A CTE `person_birth` over `person_report` (which has `birth_key`: the date-of-birth
#: token, or a key of its own for a report stored before the tokens): each report with the
#: key of the person-year's most recent date of birth.
PERSON_BIRTH_CTE = """
person_birth AS (
    SELECT *,
           last_value(CASE WHEN age_at_report IS NOT NULL THEN birth_key END IGNORE NULLS)
               OVER (PARTITION BY person_id, yr ORDER BY report_date, source, report_id
                     ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS ref_key
    FROM person_report
)"""

#: Aggregates of `person_birth` per person-year: the reference report's age and date.
BIRTH_REFERENCE = """\
           arg_min(age_at_report, (report_date, source, report_id))
               FILTER (WHERE birth_key = ref_key) AS ref_age,
           min(report_date) FILTER (WHERE birth_key = ref_key) AS ref_date,
           arg_max(birth_year, (report_date, source, report_id))
               FILTER (WHERE birth_key = ref_key) AS ref_year,
           arg_max(birth_month, (report_date, source, report_id))
               FILTER (WHERE birth_key = ref_key) AS ref_month"""


def age_at_first(p: str) -> str:
    """SQL of the age on `p.first_date` (NULL without a date of birth); see the module."""
    return f"""(CASE WHEN {p}.ref_age IS NULL THEN NULL
         WHEN {p}.ref_date = {p}.first_date THEN {p}.ref_age
         WHEN month({p}.first_date) < {p}.ref_month THEN {p}.yr - {p}.ref_year - 1
         WHEN month({p}.first_date) > {p}.ref_month THEN {p}.yr - {p}.ref_year
         WHEN {p}.ref_age < {p}.yr - {p}.ref_year THEN {p}.yr - {p}.ref_year - 1
         ELSE {p}.yr - {p}.ref_year END)"""
