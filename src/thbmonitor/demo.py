"""The built-in demonstration: synthetic data through the whole pipeline.

`run_demo` generates the synthetic population (2019-2024), imports its
files through the normal intake like any user's files, links reports into
persons, measures the linkage against the synthetic ground truth (which the
pipeline itself never reads), and writes the annual report in Dutch and
English. Everything is reproducible from the seed.

The demo never deletes what it did not make (issue 11 item 9): it writes into
a folder that is new or empty, and keeps there a marker (`.thb-demo.json`)
listing the files it made. Run again on that folder, it removes exactly those
files (and the folders it made, once empty) and nothing else; a folder that is
not empty and has no marker, or where a file the demo would write was put by
someone else, is refused before anything is changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from thbmonitor.errors import DataError, UsageError
from thbmonitor.ingest import IMPORT_ORDER, import_file
from thbmonitor.link import link_persons, pairwise_quality
from thbmonitor.publish import write_report
from thbmonitor.publish.release import freeze_release, latest_release
from thbmonitor.store import Database
from thbmonitor.store.keys import write_key_file
from thbmonitor.store.settings import declared_seed
from thbmonitor.synth import generate

log = logging.getLogger(__name__)

#: The demo's default seed: the declared default of the setting `random.seed`.
DEFAULT_SEED = declared_seed()
DEMO_PRIORITIES = ("victims.cross.exploitation_by_age_group.criminal.minor",)


@dataclass
class DemoResult:
    out_dir: Path
    database: Path
    year: int
    key_file: Path | None = None
    reports: dict[str, Path] = field(default_factory=dict)
    victims: int = 0
    previous: int = 0
    true_registered: int = 0
    findings: list[str] = field(default_factory=list)
    linkage: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir), "database": str(self.database), "year": self.year,
            "key_file": None if self.key_file is None else str(self.key_file),
            "use": self.use_lines(),
            "reports": {k: str(v) for k, v in self.reports.items()},
            "victims": self.victims, "previous": self.previous,
            "true_registered": self.true_registered, "findings": self.findings,
            "linkage": self.linkage, **self.extras,
        }

    def use_lines(self) -> list[str]:
        """The two lines that let the user go on with the demo store afterwards."""
        return [f"export THB_DB={self.database}",
                f"# its key file {self.key_file} is found beside it (mode 0600; $THB_KEY "
                "must be unset)"]


def run_demo(out_dir: str | Path, *, seed: int | None = None,
             progress: Any = None, bootstrap_replicates: int | None = None) -> DemoResult:
    """Generate, import, link, compute and write both reports into `out_dir`.

    The store `thb-demo.duckdb` gets its key file beside it (`thb-demo.duckdb.key`,
    mode 0600), so that every `thb` command works on it afterwards with
    `THB_DB=<out>/thb-demo.duckdb`. `seed`: default, the declared `random.seed`.
    `bootstrap_replicates`: the dark figure's replicates, stored as the setting
    `estimate.bootstrap_replicates` (default: the setting's default, as `thb demo`).
    """
    seed = DEFAULT_SEED if seed is None else seed
    notify = progress or (lambda _stage: None)
    out = Path(out_dir)
    data = out / "data"
    db_path = out / "thb-demo.duckdb"
    before = prepare_folder(out)
    notify("generating synthetic data")
    synth = generate(data, seed=seed, late=True)
    db = Database(db_path, create=True)  # the demo makes its own store (CONTRACTS §2)
    try:
        key = demo_key(seed)
        key_file = write_key_file(db_path, key)
        db.set_setting("random.seed", seed)
        if bootstrap_replicates is not None:
            db.set_setting("estimate.bootstrap_replicates", bootstrap_replicates)
        # The publisher's priority, as in the 2024 release: the minors in criminal
        # exploitation. Disclosure control then hides neighbouring cells instead.
        db.set_setting("publication.priorities", list(DEMO_PRIORITIES))
        for kind in IMPORT_ORDER:
            notify(f"importing {kind}")
            report = import_file(db, kind, synth.files[kind], key=key, vintage=f"synthetic-{seed}")
            if not report.valid:
                raise DataError(f"the synthetic {kind} file did not validate: "
                                f"{report.errors[0].message if report.errors else ''}")
        # Concerns that did not become reports (CONTRACTS §8): counted beside the victims.
        from thbmonitor.synth.concerns import write_concerns

        concerns = write_concerns(data / "concerns.csv", seed=seed, years=synth.years)
        notify("importing concerns")
        if not import_file(db, "concerns", concerns, key=key, vintage=f"synthetic-{seed}").valid:
            raise DataError("the synthetic concerns file did not validate")
        year = max(synth.years)
        # Release 1 of the year: everything delivered on time (CONTRACTS §7).
        quality = _link(db, synth.ground_truth["report_persons"], notify)
        notify(f"releasing {year} (figures, the dark figure, protection)")
        first = freeze_release(db, year, actor="thb demo")
        # The late organisation's delivery arrives after it: import, link, release again.
        faults = synth.faults
        if faults is None:  # generate(late=True) always plants them
            raise DataError("the synthetic data have no late delivery")
        for kind in IMPORT_ORDER:
            if kind in synth.late_files:
                notify(f"importing the late delivery ({kind})")
                report = import_file(db, kind, synth.late_files[kind], key=key,
                                     vintage=f"synthetic-{seed}-late")
                if not report.valid:
                    raise DataError(f"the synthetic late {kind} file did not validate")
        # linked again with the late reports, as `thb link` after an import
        quality = _link(db, synth.ground_truth["report_persons"], notify)
        notify(f"releasing {year} again, protected together with {first.release.release_id}")
        freeze_release(db, year, actor="thb demo")
        release = latest_release(db, year)  # the report shows what was stored, as stored
        if release is None:
            raise DataError(f"the release of {year} was not stored")
        notify("writing the reports")
        result = DemoResult(out, db_path, year, key_file)
        for lang in ("nl", "en"):
            result.reports[lang] = write_report(release, out / f"report-{year}-{lang}.html", lang)
        figures = release["figures"]
        result.victims = int(figures["victims"]["total"])
        result.previous = int(figures["victims"]["previous"])
        result.true_registered = int(synth.registered_by_year[year])
        result.findings = [f["text"]["en"] for f in figures["findings"]]
        result.linkage = quality
        revised = len((release.revisions or {}).get("revisions") or [])
        result.extras["releases"] = (f"{first.release.release_id} before the late delivery, "
                                     f"{release.release_id} after it ({revised} published "
                                     "cells revised; `thb revisions`)")
        result.extras["organisations"] = (
            f"late: {faults.late_source} ({faults.late_reports} reports of {year} delivered "
            f"after release {first.release.release_id}); incomplete: "
            f"{faults.incomplete_source} ({faults.incomplete_field} empty on "
            f"{faults.blanked} of its {faults.incomplete_reports} reports of {year}); "
            "`thb quality` names both")
        result.extras["estimate"] = _estimate_line(release.get("estimate"),
                                                   synth.true_by_year[year])
        result.extras["patterns"] = _pattern_lines(db, synth.ground_truth["report_persons"].parent,
                                                   year)
        (out / f"figures-{year}.json").write_text(
            json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    finally:
        db.close()
        _write_marker(out, before, complete=True)
    return result


# -- the demo's folder: what it made, and only that, is removed again -----------------

MARKER = ".thb-demo.json"
#: What the demo writes in its folder (a file or folder of another name is never touched).
_PRODUCTS = ("data", "thb-demo.duckdb*", "report-*.html", "figures-*.json")


def _files(out: Path) -> set[str]:
    """Every file and symbolic link under `out`, as a path relative to it (the marker not)."""
    found: set[str] = set()
    for folder, dirs, names in os.walk(out):
        base = Path(folder)
        for name in names + [d for d in dirs if (base / d).is_symlink()]:
            found.add((base / name).relative_to(out).as_posix())
    found.discard(MARKER)
    return found


def _marker(out: Path) -> dict[str, Any] | None:
    path = out / MARKER
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not (isinstance(data, dict) and isinstance(data.get("made"), list)
            and isinstance(data.get("before"), list)):
        raise UsageError(f"{path} is not a marker `thb demo` can read; nothing was changed. "
                         "Remove the folder's content yourself or choose another --out")
    return data


def _inside(out: Path, relative: str) -> Path | None:
    """`out / relative` when it is really inside `out` (no `..`, no symlinked folder)."""
    if not relative or relative.startswith("/") or ".." in Path(relative).parts:
        return None
    path = out / relative
    if path.parent.resolve() != (out.resolve() / relative).parent:
        return None
    return path


def _made_by_demo(out: Path, marker: dict[str, Any]) -> set[str]:
    if marker.get("complete"):
        return {str(name) for name in marker["made"]}
    # An earlier run that stopped half-way: what was not there when it started is its own.
    return _files(out) - {str(name) for name in marker["before"]}


def prepare_folder(out: Path) -> list[str]:
    """Make `out` ready for a run; return the files that are not the demo's (they stay).

    A new or empty folder is used as it is. A folder with the demo's marker loses the
    files an earlier run made. Anything else is refused, before anything is changed.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder; choose a new folder")
    out.mkdir(parents=True, exist_ok=True)
    marker = _marker(out)
    present = _files(out)
    if marker is None and (present or any(out.iterdir())):
        raise UsageError(
            f"--out {out} is not empty and was not made by `thb demo` (it has no {MARKER}); "
            "nothing was changed. Choose a new or empty folder")
    made = _made_by_demo(out, marker) if marker is not None else set()
    foreign = sorted(name for name in present - made
                     if any(Path(name).parts[0] == p or Path(name).match(p) for p in _PRODUCTS))
    if foreign:
        raise UsageError(
            f"--out {out} holds {foreign[0]}, which `thb demo` did not make and would "
            "overwrite; nothing was changed. Move it away or choose another folder")
    for name in sorted(made, reverse=True):
        path = _inside(out, name)
        if path is not None and (path.is_symlink() or path.is_file()):
            path.unlink()
    for folder, _dirs, _names in sorted(os.walk(out), reverse=True):  # empty folders it made
        base = Path(folder)
        if base != out and not any(base.iterdir()) and not base.is_symlink():
            relative = base.relative_to(out).as_posix()
            if any(name.startswith(relative + "/") for name in made):
                base.rmdir()
    before = sorted(present - made)
    _write_marker(out, before, complete=False)
    return before


def _write_marker(out: Path, before: list[str], *, complete: bool) -> None:
    made = sorted(_files(out) - set(before)) if complete else []
    (out / MARKER).write_text(json.dumps({"made_by": "thb demo", "complete": complete,
                                          "before": before, "made": made}, indent=1),
                              encoding="utf-8")


def demo_key(seed: int) -> bytes:
    """The demo's pseudonymisation key, derived from its seed.

    The demo's data are synthetic, so its key need not be secret; deriving it
    from the seed makes every token, Bloom encoding and so every linked person
    and published number of the demo reproducible from the seed alone. A real
    deployment uses a random key (`thb init`), kept outside the database.
    """
    return hashlib.sha256(f"thb-demo-key:{seed}".encode()).digest()


def _link(db: Database, truth_file: Path, notify: Any) -> dict[str, Any]:
    """Link the reports stored so far; store the quality measured against the ground truth
    (of the reports in the store) with the run, where the release reads it."""
    notify("linking reports into persons")
    linked = link_persons(db)
    quality = _link_quality(db, truth_file)
    stored = db.scalar("SELECT quality FROM link_runs WHERE run_id = ?", [linked.run_id])
    merged = {**(json.loads(stored) if stored else {}), **quality}
    db.execute("UPDATE link_runs SET quality = ? WHERE run_id = ?",
               [json.dumps(merged), linked.run_id])
    return quality


def _link_quality(db: Database, truth_file: Path) -> dict[str, Any]:
    predicted = db.frame("SELECT source, report_id, person_id FROM person_reports")
    truth = pd.read_csv(truth_file, dtype=str, usecols=["source", "report_id", "person_id"])
    truth = truth.rename(columns={"person_id": "true_id"})
    quality = pairwise_quality(predicted, truth).to_dict()
    quality["measured_against"] = "synthetic ground truth"
    return quality


def _estimate_line(estimate: dict[str, Any] | None, truth: int) -> str:
    """The report's estimate beside the synthetic truth, and whether its interval holds it."""
    if not estimate or estimate.get("estimate") is None:
        reason = (estimate or {}).get("reason")
        return "no estimate" + (f" ({reason})" if reason else "")
    ci = estimate.get("ci")
    if ci:
        inside = "inside" if ci[0] <= truth <= ci[1] else "OUTSIDE"
        interval = f" (95% interval {ci[0]:,.0f} to {ci[1]:,.0f})"
        verdict = f"; the truth lies {inside} the interval"
    else:
        interval, verdict = " (no interval)", ""
    return (f"{estimate['estimate']:,.0f}{interval} from {estimate['observed']:,} seen, method "
            f"{estimate['method']}, published as {estimate.get('published_as', 'estimate')}; "
            f"synthetic truth: {truth:,} victims in all{verdict}")


def _pattern_lines(db: Database, truth_dir: Path, year: int) -> str:
    from thbmonitor.patterns import pattern_quality

    q = pattern_quality(db, truth_dir, year)
    rule, base, net = q["carousel"]["rule"], q["carousel"]["mobility_only"], q["networks"]
    return (f"carousel precision {rule['precision']:.2f}, recall {rule['recall']:.2f}, touring "
            f"look-alikes flagged {rule['touring_flagged']:.0%} (mobility only: precision "
            f"{base['precision']:.2f}, look-alikes {base['touring_flagged']:.0%}); networks "
            f"precision {net['precision']:.2f}, recall {net['recall']:.2f}")
