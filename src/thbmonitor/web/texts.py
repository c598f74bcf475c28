"""Words the pages look up from data (column, table, role names), marked for extraction.

The templates translate these with `_()` at render time; listing them here
with `N_` lets extraction and the catalogue test see them.
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message


COLUMNS = (
    N_("report_id"), N_("source"), N_("source_type"), N_("report_date"), N_("given_name"),
    N_("family_name"), N_("date_of_birth"), N_("birth_year"), N_("sex"), N_("nationality"),
    N_("exploitation"), N_("sector"), N_("recruitment_country"), N_("exploitation_countries"),
    N_("scope"), N_("region"), N_("legal_basis"), N_("person_ref"), N_("contact_phone"),
    N_("investigation_id"), N_("start_date"), N_("end_date"), N_("place"), N_("country"),
    N_("location_type"), N_("booking_channel"), N_("address"), N_("booking_ref"),
)
TABLES = (N_("age_group"), N_("nationality_group"))
CHART_COLUMNS = (N_("year"), N_("label"), N_("category"), N_("stage"))
COMPARISONS = (N_("given"), N_("family"), N_("birth"), N_("name"), N_("phone"))
ROLES = (N_("registrar"), N_("analyst"), N_("publisher"), N_("admin"))
KINDS = (N_("reports"), N_("locations"))
MATRIX_CELLS = (N_("yes"), N_("-"), N_("own org"))
NAV = (N_("Dashboard"), N_("New report"), N_("Upload a file"), N_("Quarantine"), N_("Review"),
       N_("Carousel leads"), N_("Networks"), N_("Releases"), N_("Audit log"), N_("Users"))
