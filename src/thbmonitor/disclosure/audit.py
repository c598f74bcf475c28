"""The attacker's audit: for every unpublished cell, the values consistent with what is published.

The attacker knows every published cell, every relation between cells
(tables add up to their totals, cross-tables to their margins, ...), that
counts are non-negative, and for a rounded cell the interval its rounded
value stands for. For each suppressed or hidden cell two linear programmes
(minimise, maximise the cell subject to all of that) give the interval
``[lower, upper]`` of values the attacker cannot rule out. The LP relaxation
ignores integrality, which can only widen an interval by less than one; the
requirement below leaves room for that.

Protection requirement (threshold ``T``, default 10):

* a suppressed cell is protected when ``upper >= T`` (the attacker cannot
  rule out that it is not small) and ``upper - lower >= 2`` (it is not
  pinned down to one value, nor to two neighbouring values);
* a hidden cell (never published by design, such as the verdicts that are
  not convictions) is safe when it is known to be 0, or known to be at least
  ``T``, or protected as above;
* no published count lies between 1 and ``T - 1``;
* the published cells satisfy every relation (the tables add up).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from thbmonitor.disclosure.tables import Relation

__all__ = ["AuditReport", "CellAudit", "attacker_intervals", "audit_cells"]

EPS = 1e-6
#: The smallest width of a protected cell's interval.
MIN_WIDTH = 2
Role = Literal["suppressed", "hidden"]


@dataclass(frozen=True)
class CellAudit:
    """One unpublished cell: the interval the attacker can narrow it to, and the verdict."""

    path: str
    role: Role
    lower: float
    upper: float | None  # None: unbounded
    ok: bool

    @property
    def width(self) -> float | None:
        return None if self.upper is None else self.upper - self.lower

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "role": self.role, "lower": _num(self.lower),
                "upper": None if self.upper is None else _num(self.upper), "ok": self.ok}


def _num(value: float) -> float | int:
    rounded = round(value)
    return int(rounded) if abs(value - rounded) < EPS else round(value, 3)


@dataclass
class AuditReport:
    """The result of an audit: every unpublished cell's interval and what failed."""

    threshold: int
    cells: list[CellAudit] = field(default_factory=list)
    published_small: list[str] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.published_small or self.inconsistent
                    or any(not cell.ok for cell in self.cells))

    @property
    def failures(self) -> list[CellAudit]:
        return [cell for cell in self.cells if not cell.ok]

    def merge(self, other: AuditReport) -> None:
        self.cells += other.cells
        self.published_small += other.published_small
        self.inconsistent += other.inconsistent

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "threshold": self.threshold,
            "requirement": f"upper >= {self.threshold} and upper - lower >= {MIN_WIDTH}",
            "cells": [cell.to_dict() for cell in self.cells],
            "published_small": list(self.published_small),
            "inconsistent": list(self.inconsistent),
        }


def _components(variables: list[str], relations: list[list[int]]) -> list[list[int]]:
    parent = list(range(len(variables)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in relations:
        for j in members[1:]:
            a, b = find(members[0]), find(j)
            if a != b:
                parent[a] = b
    groups: dict[int, list[int]] = {}
    for i in range(len(variables)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def attacker_intervals(
    published: Mapping[str, int | None],
    relations: Iterable[Relation],
    bounds: Mapping[str, tuple[float, float]] | None = None,
    *,
    certify: Callable[[float, float], bool] | None = None,
) -> tuple[dict[str, tuple[float, float | None]], list[str]]:
    """The interval of every unknown (None) cell given everything else.

    ``bounds`` give cells published as an interval (rounded values); they are
    unknowns within those bounds. Returns the intervals (upper None when
    unbounded) and the names of relations the published values break.

    With ``certify(lowest_seen, highest_seen)``, a cell is not solved for when
    the feasible points already found (the optimum of every LP solved so far
    in its group) show values spread enough to pass; its interval is then the
    spread seen, which lies inside the exact interval. The suppression loop
    uses this to solve far fewer LPs; the audit of a publication does not.
    """
    bounds = dict(bounds or {})
    variables = [c for c, v in published.items() if v is None or c in bounds]
    index = {c: i for i, c in enumerate(variables)}
    rows: list[tuple[dict[int, float], float, str]] = []  # coefficients, constant, kind
    inconsistent: list[str] = []
    for relation in relations:
        coefs: dict[int, float] = {}
        constant = 0.0
        for cell, coef in relation.terms:
            if cell in index:
                coefs[index[cell]] = coefs.get(index[cell], 0.0) + coef
            else:
                value = published[cell]
                assert value is not None
                constant += coef * value
        if not coefs:
            if (relation.kind == "eq" and abs(constant) > EPS) or (
                    relation.kind == "ge" and constant < -EPS):
                inconsistent.append(relation.name or " + ".join(relation.cells))
            continue
        rows.append((coefs, constant, relation.kind))
    intervals: dict[str, tuple[float, float | None]] = {}
    for component in _components(variables, [list(r[0]) for r in rows]):
        local = {g: k for k, g in enumerate(component)}
        members = set(component)
        eq_a, eq_b, ub_a, ub_b = [], [], [], []
        for coefs, constant, kind in rows:
            if not members.intersection(coefs):
                continue
            row = np.zeros(len(component))
            for g, weight in coefs.items():
                row[local[g]] = weight
            if kind == "eq":  # row·x + constant = 0
                eq_a.append(row)
                eq_b.append(-constant)
            else:  # row·x + constant >= 0  <=>  -row·x <= constant
                ub_a.append(-row)
                ub_b.append(constant)
        var_bounds = [bounds.get(variables[g], (0.0, None)) for g in component]
        problem = _Bounds(len(component), eq_a, eq_b, ub_a, ub_b, var_bounds)
        seen_low = np.full(len(component), np.inf)
        seen_high = np.full(len(component), -np.inf)

        def seen(point: np.ndarray | None, low: np.ndarray = seen_low,
                 high: np.ndarray = seen_high) -> None:
            if point is not None:
                np.minimum(low, point, out=low)
                np.maximum(high, point, out=high)

        for k, g in enumerate(component):
            if variables[g] in bounds and published.get(variables[g]) is not None:
                continue  # a rounded published cell: no verdict needed
            if certify is not None and certify(seen_low[k], seen_high[k]):
                intervals[variables[g]] = (float(seen_low[k]), float(seen_high[k]))
                continue
            status, top, point = problem.solve(k, -1.0)
            if status == "infeasible":
                inconsistent.append(f"published values around {variables[g]} do not add up")
                break
            upper = None if status == "unbounded" else -top
            seen(point)
            if certify is not None and upper is not None and certify(seen_low[k], upper):
                intervals[variables[g]] = (float(seen_low[k]), upper)
                continue
            _status, bottom, point = problem.solve(k, 1.0)
            seen(point)
            intervals[variables[g]] = (bottom, upper)
    return intervals, inconsistent


_banner_done: list[bool] = []


def _highs() -> Any:
    """A silent HiGHS instance.

    HiGHS's C++ side prints a banner on standard output the first time a solver is made
    in a process, whatever `output_flag` says afterwards; on a command's `--json` output
    that would break every consumer. The first construction runs with file descriptor 1
    pointed at /dev/null (it is a few microseconds; later ones print nothing).
    """
    import highspy

    if _banner_done:
        solver = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                solver = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_done.append(True)
    solver.setOptionValue("output_flag", False)
    return solver


class _Bounds:
    """The attacker's LP of one group of linked cells, solved for one cell at a time.

    The model is handed to HiGHS once and only the objective changes between solves,
    so each solve starts from the last basis: a release's audits solve thousands of
    these LPs, and `scipy.optimize.linprog` (the same HiGHS behind it) re-parsed and
    re-solved each from scratch, 34 of a release's 75 s (profiled on the demo). The
    official `highspy` bindings are the maintained way to keep a model between solves.
    """

    def __init__(self, n: int, eq_a: Sequence[np.ndarray], eq_b: Sequence[float],
                 ub_a: Sequence[np.ndarray], ub_b: Sequence[float],
                 var_bounds: Sequence[tuple[float, float | None]]) -> None:
        import highspy

        self.n = n
        self.h = _highs()
        inf = highspy.kHighsInf
        rows = [*eq_a, *ub_a]
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = len(rows)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.array([b[0] for b in var_bounds], dtype=float)
        lp.col_upper_ = np.array([inf if b[1] is None else b[1] for b in var_bounds],
                                 dtype=float)
        lp.row_lower_ = np.array([*eq_b, *([-inf] * len(ub_b))], dtype=float)
        lp.row_upper_ = np.array([*eq_b, *ub_b], dtype=float)
        matrix = np.array(rows, dtype=float).reshape(len(rows), n)
        starts, indices, values = [0], [], []
        for j in range(n):
            nonzero = np.flatnonzero(matrix[:, j])
            indices.extend(nonzero.tolist())
            values.extend(matrix[nonzero, j].tolist())
            starts.append(len(indices))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(values, dtype=float)
        self.h.passModel(lp)
        self.current: int | None = None
        self._status = highspy.HighsModelStatus

    def solve(self, k: int, sign: float) -> tuple[str, float, np.ndarray | None]:
        """Minimise `sign * x_k`: ("optimal" | "infeasible" | "unbounded", the optimum
        of `sign * x_k`, the optimal point or None)."""
        if self.current is not None and self.current != k:
            self.h.changeColCost(self.current, 0.0)
        self.h.changeColCost(k, sign)
        self.current = k
        self.h.run()
        status = self.h.getModelStatus()
        if status == self._status.kUnboundedOrInfeasible:  # presolve could not tell
            self.h.setOptionValue("presolve", "off")
            self.h.run()
            status = self.h.getModelStatus()
            self.h.setOptionValue("presolve", "choose")
        if status == self._status.kOptimal:
            point = np.array(self.h.getSolution().col_value, dtype=float)
            return "optimal", float(self.h.getInfo().objective_function_value), point
        if status == self._status.kInfeasible:
            return "infeasible", 0.0, None
        if status == self._status.kUnbounded:
            return "unbounded", 0.0, None
        raise RuntimeError(f"the attacker's LP ended with {self.h.modelStatusToString(status)}")


def cell_ok(lower: float, upper: float | None, threshold: int, role: Role) -> bool:
    """The protection requirement for one cell (see the module docstring)."""
    protected = upper is None or (upper >= threshold - EPS and upper - lower >= MIN_WIDTH - EPS)
    if role == "hidden":
        return protected or lower >= threshold - EPS or (upper is not None and upper <= EPS)
    return protected


def audit_cells(
    published: Mapping[str, int | None],
    relations: Iterable[Relation],
    *,
    threshold: int,
    hidden: Iterable[str] = (),
    bounds: Mapping[str, tuple[float, float]] | None = None,
    paths: Mapping[str, str] | None = None,
    quick: bool = False,
) -> AuditReport:
    """Audit one set of linked cells as published (None = not published).

    ``paths`` renames cells in the report (a cell's published path). With
    ``quick``, cells already shown protected by feasible points found on the
    way are not solved for (their interval is then a lower estimate of the
    exact one); the verdicts are the same.
    """
    hidden_set = set(hidden)
    name = (lambda cell: paths.get(cell, cell)) if paths else (lambda cell: cell)

    def certify(low: float, high: float) -> bool:
        return bool(np.isfinite(low) and np.isfinite(high)) and cell_ok(
            low, high, threshold, "suppressed")

    intervals, inconsistent = attacker_intervals(
        published, list(relations), bounds, certify=certify if quick else None)
    report = AuditReport(threshold=threshold, inconsistent=inconsistent)
    for cell, value in published.items():
        if value is not None and 0 < value < threshold and cell not in (bounds or {}):
            report.published_small.append(name(cell))
    for cell, (lower, upper) in intervals.items():
        role: Role = "hidden" if cell in hidden_set else "suppressed"
        report.cells.append(
            CellAudit(name(cell), role, lower, upper, cell_ok(lower, upper, threshold, role)))
    return report
