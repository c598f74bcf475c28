"""The report's quality annex: per organisation, under the disclosure rule.

The annex publishes facts about deliveries (how many reports an organisation
sent, how complete, how late), not about victims. Two of its numbers could
still say something about a person: an unknown share over very few reports
("1 of 1 without nationality") and the report count of an organisation whose
type's count the figures suppress (the organisations of a type add up to
``reports.by_source_type``). So, with ``T`` the publication threshold:

* organisations with fewer than ``T`` reports in the year are not listed on
  their own: they are one row "other organisations", with their number, the
  sum of their reports (not shown when from 1 to ``T - 1``) and shares over
  that sum;
* the organisations of a source type whose reports the protected figures
  suppress are in that row too, whatever their size;
* counts of quarantined, rejected and late rows from 1 to ``T - 1`` are not
  shown (the same symbol as every suppressed cell);
* the organisations that delivered before but not this year are named: that
  is a fact about the organisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thbmonitor.publish.texts import N_
from thbmonitor.quality.organisations import FIELDS, DataQuality, OrganisationQuality

__all__ = ["OTHER", "quality_annex", "quality_context"]

#: The source of the pooled row of small organisations.
OTHER = "other organisations"


def _small(value: int | None, threshold: int) -> int | None:
    return None if value is not None and 0 < value < threshold else value


def _row(source: str, orgs: list[OrganisationQuality], threshold: int) -> dict[str, Any]:
    reports = sum(o.reports for o in orgs)
    unknown = {f: (sum(o.unknown[f] * o.reports for o in orgs) / reports if reports else 0.0)
               for f in FIELDS}
    lates = [o.late for o in orgs]
    delays = [o.median_delay_days for o in orgs if o.median_delay_days is not None]
    return {
        "source": source, "organisations": len(orgs),
        "reports": _small(reports, threshold),
        "unknown": ({f: round(v, 4) for f, v in unknown.items()}
                    if reports >= threshold else None),
        "quarantined": _small(sum(o.quarantined for o in orgs), threshold),
        "rejected_at_import": _small(sum(o.rejected_at_import for o in orgs), threshold),
        "late": None if any(v is None for v in lates) else _small(
            sum(v for v in lates if v is not None), threshold),
        "late_computed": not any(v is None for v in lates),
        "median_delay_days": (sorted(delays)[len(delays) // 2] if delays and len(orgs) == 1
                              else None),
        "linked_elsewhere": (round(sum(o.linked_elsewhere * o.reports for o in orgs) / reports, 4)
                             if reports >= threshold else None),
    }


def quality_annex(quality: DataQuality, threshold: int,
                  protected_figures: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The annex as published (see the module docstring for what is withheld)."""
    hidden_types: set[str] = set()
    if protected_figures is not None:
        by_type = (protected_figures.get("reports") or {}).get("by_source_type") or {}
        hidden_types = {t for t, v in by_type.items() if v is None}
    listed, pooled = [], []
    for org in quality.organisations:
        if org.reports >= threshold and org.source_type not in hidden_types:
            listed.append(_row(org.source, [org], threshold))
        else:
            pooled.append(org)
    if pooled:
        listed.append(_row(OTHER, pooled, threshold))
    return {"year": quality.year, "threshold": threshold, "fields": list(FIELDS),
            "rows": listed, "gone": list(quality.gone),
            "late_computed": quality.first_release_date is not None}


def quality_context(t: Any, annex: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The annex in the report's language (numbers formatted, labels translated)."""
    if not annex:
        return None
    from thbmonitor.publish.texts import NOT_PUBLISHED

    def count(value: Any) -> str:
        return NOT_PUBLISHED if value is None else t.number(value)

    def share(unknown: Mapping[str, float] | None, name: str) -> str:
        return NOT_PUBLISHED if unknown is None else t.percent(100 * unknown[name])

    rows = []
    for row in annex["rows"]:
        rows.append({
            "source": (t._("Other organisations (%(n)s)", n=t.number(row["organisations"]))
                       if row["source"] == OTHER else row["source"]),
            "reports": count(row["reports"]),
            "unknown": [share(row["unknown"], f) for f in annex["fields"]],
            "quarantined": count(row["quarantined"]),
            "late": count(row["late"]) if row["late_computed"] else "–",
            "delay": ("–" if row["median_delay_days"] is None
                      else t.number(row["median_delay_days"])),
            "elsewhere": ("–" if row["linked_elsewhere"] is None
                          else t.percent(100 * row["linked_elsewhere"])),
        })
    return {"rows": rows, "fields": [t._(FIELD_LABELS[f]) for f in annex["fields"]],
            "gone": [{"source": g["source"], "last_year": g["last_year"]}
                     for g in annex["gone"]],
            "late_computed": bool(annex.get("late_computed")),
            "threshold": t.number(annex["threshold"])}


FIELD_LABELS = {
    "sex": N_("Sex"), "birth_year": N_("Year of birth"), "nationality": N_("Nationality"),
    "exploitation": N_("Form"), "scope": N_("Domestic or cross-border"),
    "sector": N_("Sector"), "region": N_("Region"),
}
