"""Primary and secondary suppression over linked tables, chosen by an integer programme.

Primary suppression: every cell from 1 to ``threshold - 1`` (zeros stay
published). Secondary suppression: the cheapest set of further cells such
that the attacker's audit (`thbmonitor.disclosure.audit`) finds every
suppressed and hidden cell protected.

The optimiser is a cutting-plane loop around ``scipy.optimize.milp`` (HiGHS):

1. a binary ``s_i`` per cell (1 = suppressed), fixed to 1 for primary cells
   and to 0 for zeros; cost ``weight_i × (1 + log(1 + value_i))``, so that few
   and small cells are suppressed and totals (high weight) last;
2. local constraints of every equation: no suppressed cell is alone in an
   equation, and a sensitive cell ``p`` (value ``v < T``) can rise to the
   threshold: in each equation the partners that must fall to compensate
   have together at least ``max(T - v, 2)`` (or a partner that can rise is
   suppressed);
3. the solution is audited exactly by linear programming; for each cell that
   fails, a cut requires at least one more cell among the neighbours (cells
   sharing a relation) of its connected group of suppressed cells. The cut is
   valid because protection only grows when more cells are suppressed and a
   cell's interval depends only on its connected group; the loop ends when
   the audit passes (or, when nothing is left to add, with the failures).
   For a small cell that fails, the cut comes instead from the dual of the
   attacker's LP (a Benders cut, `_benders_cut`). Only when a failing group
   has no non-zero neighbour left may a zero be suppressed.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from thbmonitor.disclosure.audit import AuditReport, audit_cells
from thbmonitor.disclosure.tables import LinkedTables

__all__ = ["Suppression", "primary_cells", "suppress"]

logger = logging.getLogger(__name__)

MAX_ROUNDS = 200


@dataclass
class Suppression:
    """The chosen suppression: primary and secondary cells, rounds and the final audit."""

    primary: set[str] = field(default_factory=set)
    secondary: set[str] = field(default_factory=set)
    rounds: int = 0
    audit: AuditReport | None = None

    @property
    def suppressed(self) -> set[str]:
        return self.primary | self.secondary


def primary_cells(values: Mapping[str, int], threshold: int) -> set[str]:
    """Cells from 1 to ``threshold - 1``."""
    return {cell for cell, value in values.items() if 0 < value < threshold}


def _audit(tables: LinkedTables, suppressed: set[str], threshold: int) -> AuditReport:
    return audit_cells(tables.published(suppressed), tables.relations,
                       threshold=threshold, hidden=tables.hidden, quick=True)


def suppress(tables: LinkedTables, threshold: int) -> Suppression:
    """Primary and secondary suppression for one set of linked tables."""
    values = tables.values
    hidden = set(tables.hidden)
    primary = primary_cells({c: v for c, v in values.items() if c not in hidden}, threshold)
    sensitive_hidden = {c for c in hidden if 0 < values[c] < threshold}
    result = Suppression(primary=primary)
    if not primary and not sensitive_hidden:
        return result

    cells = [c for c in values if c not in hidden]
    index = {c: i for i, c in enumerate(cells)}
    n = len(cells)
    cost = np.array([
        tables.weights.get(c, 1.0) * (1.0 + math.log1p(values[c])) for c in cells])
    lower = np.zeros(n)
    upper = np.array([0.0 if values[c] == 0 else 1.0 for c in cells])
    for c in primary:
        lower[index[c]] = 1.0
    rows: list[np.ndarray] = []
    row_lo: list[float] = []
    sensitive = primary | sensitive_hidden
    for relation in tables.relations:
        if relation.kind != "eq":
            continue
        for cell, coef in relation.terms:
            partners = [(c, a) for c, a in relation.terms if c != cell]
            hidden_partners = [(c, a) for c, a in partners if c in hidden]
            # No suppressed cell alone in an equation: s_cell <= sum(s_partners).
            if not hidden_partners and (cell in index or cell in sensitive_hidden):
                row = np.zeros(n)
                for c, _ in partners:
                    row[index[c]] += 1.0
                if cell in index:
                    row[index[cell]] -= 1.0
                    rows.append(row)
                    row_lo.append(0.0)
                else:
                    rows.append(row)
                    row_lo.append(1.0)
            if cell not in sensitive:
                continue
            # The sensitive cell can rise to the threshold.
            need = float(max(threshold - values[cell], 2))
            if any(np.sign(a) != np.sign(coef) for c, a in hidden_partners):
                continue
            need -= sum(values[c] for c, a in hidden_partners)
            if need <= 0:
                continue
            row = np.zeros(n)
            for c, a in partners:
                if c in hidden:
                    continue
                row[index[c]] += values[c] if np.sign(a) == np.sign(coef) else need
            rows.append(row)
            row_lo.append(need)

    chosen = set(primary)
    audit = AuditReport(threshold=threshold)
    for round_no in range(1, MAX_ROUNDS + 1):
        constraints = (
            [LinearConstraint(np.array(rows), np.array(row_lo), np.inf)] if rows else [])
        solution = milp(cost, constraints=constraints, integrality=np.ones(n),
                        bounds=Bounds(lower, upper))
        if solution.x is None:
            logger.warning("secondary suppression has no solution; suppressing all non-zeros")
            chosen = {c for c in cells if values[c] > 0}
            audit = _audit(tables, chosen, threshold)
            break
        chosen = {cells[i] for i in range(n) if solution.x[i] > 0.5}
        audit = _audit(tables, chosen, threshold)
        result.rounds = round_no
        if audit.ok:
            break
        added = False
        for failure in audit.failures:
            cut = None
            if failure.path in sensitive:
                need = float(max(threshold - values[failure.path], 2))
                cut = _benders_cut(tables, cells, index, chosen, failure.path, need, threshold)
            if cut is None:
                neighbours = neighbourhood(tables, failure.path, chosen | hidden)
                candidates = [index[c] for c in neighbours if c in index and values[c] > 0]
                if not candidates:
                    candidates = [index[c] for c in neighbours if c in index]
                    for i in candidates:
                        upper[i] = 1.0
                if not candidates:
                    continue
                row = np.zeros(n)
                row[candidates] = 1.0
                cut = (row, 1.0)
            rows.append(cut[0])
            row_lo.append(cut[1])
            added = True
        if not added:
            logger.warning("secondary suppression could not protect every cell")
            break
    result.secondary = chosen - primary
    result.audit = audit
    return result


def relation_index(tables: LinkedTables) -> dict[str, list[int]]:
    """Cell -> the indexes of the relations it is in (build once when walking often)."""
    by_cell: dict[str, list[int]] = {}
    for i, relation in enumerate(tables.relations):
        for c in relation.cells:
            by_cell.setdefault(c, []).append(i)
    return by_cell


def neighbourhood(tables: LinkedTables, cell: str, unknown: set[str],
                  by_cell: Mapping[str, list[int]] | None = None) -> set[str]:
    """Cells outside ``unknown`` sharing a relation with the connected group of ``cell``."""
    if by_cell is None:
        by_cell = relation_index(tables)
    group = {cell}
    frontier = [cell]
    outside: set[str] = set()
    while frontier:
        current = frontier.pop()
        for i in by_cell.get(current, []):
            for c in tables.relations[i].cells:
                if c in unknown:
                    if c not in group:
                        group.add(c)
                        frontier.append(c)
                else:
                    outside.add(c)
    return outside


def _benders_cut(
    tables: LinkedTables, cells: list[str], index: Mapping[str, int], chosen: set[str],
    cell: str, need: float, threshold: int,
) -> tuple[np.ndarray, float] | None:
    """A cut from the dual of the attacker's LP: the suppression must let ``cell`` rise by ``need``.

    The attacker moves every cell by a deviation ``y`` (``-value <= y <= M`` when
    suppressed, 0 when published) keeping every relation; the largest ``y_cell``
    is at most the dual objective of the current optimum, which is linear in
    the suppression variables. Returns None when the cell can already rise by
    ``need`` (the failure is on its lower side).
    """
    values = tables.values
    every = list(values)
    pos = {c: i for i, c in enumerate(every)}
    big = float(2 * threshold + max(values.values(), default=0))
    eq_rows, ub_rows, ub_rhs = [], [], []
    for relation in tables.relations:
        row = np.zeros(len(every))
        for c, a in relation.terms:
            row[pos[c]] += a
        if relation.kind == "eq":
            eq_rows.append(row)
        else:  # row·(v + y) >= 0  <=>  -row·y <= row·v
            ub_rows.append(-row)
            ub_rhs.append(sum(a * values[c] for c, a in relation.terms))
    bounds = [
        (-float(values[c]), big) if (c in tables.hidden or c in chosen) else (0.0, 0.0)
        for c in every]
    objective = np.zeros(len(every))
    objective[pos[cell]] = -1.0
    a_eq = np.array(eq_rows) if eq_rows else None
    a_ub = np.array(ub_rows) if ub_rows else None
    res = linprog(objective, A_eq=a_eq, b_eq=np.zeros(len(eq_rows)) if eq_rows else None,
                  A_ub=a_ub, b_ub=np.array(ub_rhs) if ub_rows else None,
                  bounds=bounds, method="highs")
    if res.status != 0 or -res.fun >= need - 1e-9:
        return None
    reduced = objective.copy()
    constant = 0.0
    if a_eq is not None:
        reduced -= a_eq.T @ res.eqlin.marginals
    if a_ub is not None:
        reduced -= a_ub.T @ res.ineqlin.marginals
        constant += float(np.dot(res.ineqlin.marginals, ub_rhs))
    row = np.zeros(len(cells))
    for c, i in pos.items():
        r = float(reduced[i])
        if abs(r) < 1e-9:
            continue
        coef = r * values[c] if r > 0 else -r * big
        if c in tables.hidden:
            constant -= coef  # always free: its share is a constant
        else:
            row[index[c]] = coef
    return row, need + constant
