"""Disclosure control: every published cell passes a threshold rule, secondary suppression
and an attacker's audit by linear programming.

>>> protected = protect_figures(figures_dict, threshold=10)    # doctest: +SKIP
>>> protected.to_dict()["suppressed"]                          # doctest: +SKIP
>>> audit_figures(protected.to_dict()).ok                      # doctest: +SKIP
True

See docs/publication.md for the rules.
"""

from thbmonitor.disclosure.audit import AuditReport, CellAudit, attacker_intervals, audit_cells
from thbmonitor.disclosure.figures import (
    ProtectedFigures,
    audit_figures,
    build_year_tables,
    protect_figures,
)
from thbmonitor.disclosure.suppression import Suppression, primary_cells, suppress
from thbmonitor.disclosure.tables import LinkedTables, Relation, adds_up, at_least, at_most

__all__ = [
    "AuditReport", "CellAudit", "LinkedTables", "ProtectedFigures", "Relation", "Suppression",
    "adds_up", "at_least", "at_most", "attacker_intervals", "audit_cells", "audit_figures",
    "build_year_tables", "primary_cells", "protect_figures", "suppress",
]
