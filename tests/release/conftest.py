"""Release tests: a small synthetic store released twice, with late reports in between.

Built once per session on real DuckDB files through the normal import path: the
synthetic data set (seed 20241016, scale 0.15, 2022 to 2024) without one report in
seven of 2024, linked and released as 2024-1; then the late reports (and their
locations) are imported, linked again and released as 2024-2. The dark figure is left
out of these releases (`with_estimate=False`): its 1,000-replicate bootstrap is not
what the releases are about, and `bench/bench_release.py` measures the full release.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from thbmonitor.store import Database

KEY = bytes.fromhex("5a" * 32)
YEAR = 2024


@dataclass(frozen=True)
class TwoReleases:
    """The store after both releases, and what the test needs to check them."""

    db_path: Path
    #: Release 2024-1's stored text and hash, read right after it was frozen.
    first_content: str
    first_hash: str
    #: The true counts (unprotected figures) just before each release.
    raw_before: dict[str, Any]
    raw_after: dict[str, Any]
    late_reports: int


def _write(path: Path, rows: list[dict[str, str]], fields: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _late(row: dict[str, str]) -> bool:
    """One report in seven of the release year arrives after the first release."""
    digest = hashlib.sha256(row["report_id"].encode()).hexdigest()
    return row["report_date"].startswith(str(YEAR)) and int(digest, 16) % 7 == 0


def split_late(files: dict[str, Path], out: Path) -> tuple[dict[str, Path], dict[str, Path],
                                                            int]:
    """The delivery without the late reports, and the late reports with their locations."""
    early, late = dict(files), {}
    reports = list(csv.DictReader(files["reports"].open(encoding="utf-8-sig")))
    late_keys = {(r["source"], r["report_id"]) for r in reports if _late(r)}
    for kind in ("reports", "locations"):
        rows = list(csv.DictReader(files[kind].open(encoding="utf-8-sig")))
        fields = list(rows[0])
        early[kind] = _write(out / f"early-{kind}.csv",
                             [r for r in rows if (r["source"], r["report_id"]) not in late_keys],
                             fields)
        late[kind] = _write(out / f"late-{kind}.csv",
                            [r for r in rows if (r["source"], r["report_id"]) in late_keys],
                            fields)
    return early, late, len(late_keys)


def build_two_releases(directory: Path) -> TwoReleases:
    from thbmonitor.figures import compute_figures
    from thbmonitor.ingest import IMPORT_ORDER, import_file
    from thbmonitor.link import link_persons
    from thbmonitor.publish.release import freeze_release
    from thbmonitor.synth import generate

    directory.mkdir(parents=True, exist_ok=True)
    synth = generate(directory / "synth", seed=20241016, years=range(2022, YEAR + 1),
                     scale=0.15)
    early, late, n_late = split_late(synth.files, directory)
    path = directory / "thb.duckdb"
    with Database(path) as db:
        for kind in IMPORT_ORDER:
            assert import_file(db, kind, early[kind], key=KEY).valid, kind
        link_persons(db)
        raw_before = compute_figures(db, YEAR).to_dict()
        freeze_release(db, YEAR, with_estimate=False)
        content, digest = db.execute(
            "SELECT content, content_hash FROM releases WHERE release_id = '2024-1'").fetchone()
        for kind in ("reports", "locations"):
            assert import_file(db, kind, late[kind], key=KEY).valid, kind
        link_persons(db)
        raw_after = compute_figures(db, YEAR).to_dict()
        freeze_release(db, YEAR, with_estimate=False)
    key_file = path.with_name(path.name + ".key")
    key_file.write_text(KEY.hex() + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    return TwoReleases(path, content, digest, raw_before, raw_after, n_late)


@pytest.fixture(scope="session")
def two_releases(once: Any) -> TwoReleases:
    """Built once per run; never write to it (use `two_releases_copy`). Each xdist worker
    reads its own copy of the file."""
    from dataclasses import replace

    built = once.build("two-releases", build_two_releases)
    return replace(built, db_path=once.copy(built.db_path, "releases"))


@pytest.fixture
def two_releases_copy(two_releases: TwoReleases, tmp_path: Path) -> Path:
    """A private copy of the store with both releases, with its key file."""
    target = tmp_path / "copy" / "thb.duckdb"
    target.parent.mkdir()
    shutil.copyfile(two_releases.db_path, target)
    key_file = target.with_name(target.name + ".key")
    shutil.copyfile(two_releases.db_path.with_name(two_releases.db_path.name + ".key"),
                    key_file)
    key_file.chmod(0o600)
    return target
