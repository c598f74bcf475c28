"""`thb report` of a frozen year against the live report, in the same run (issue 15).

The demo store (seed 20241016, 2019 to 2024; the demo itself releases 2024 twice, before
and after its late delivery) is built once and 2024 is released again
(`thb release --year 2024`). Then, each in a fresh process on the same store: the
report rendered from the stored release (`thb report --year 2024`, no re-estimation:
no 1,000-replicate bootstrap, no pattern run, no protection), and the live report
(`thb report --year 2024 --live`, everything computed again). The release itself is
timed too: it is the live assembly plus the protection across releases and the store.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import cast

from bench.results import measure_subprocess, timed, write_section
from thbmonitor.publish.release import FrozenRelease

REPORT = """
from typer.testing import CliRunner
from thbmonitor.cli import app
result = CliRunner().invoke(app, ["report", "--year", "2024", "--db", {db!r}, "--lang", "en",
                                  "--out", {out!r}, *{extra!r}])
assert result.exit_code == 0, result.output
"""


def run() -> None:
    from thbmonitor.demo import run_demo
    from thbmonitor.publish.release import freeze_release
    from thbmonitor.store import Database

    with tempfile.TemporaryDirectory() as tmp:
        demo = run_demo(Path(tmp) / "demo")
        db_path = str(demo.database)
        with Database(db_path) as db:
            release_s, frozen_release = timed(lambda: freeze_release(db, 2024))
            release_id = str(cast(FrozenRelease, frozen_release).release.release_id)
        frozen = measure_subprocess(REPORT.format(db=db_path, out=tmp + "/frozen.html",
                                                  extra=[]))
        live = measure_subprocess(REPORT.format(db=db_path, out=tmp + "/live.html",
                                                extra=["--live"]))
        same_cells = (Path(tmp) / "frozen.html").read_text("utf-8").count("<td") > 0
    write_section("release", f"""## `thb report` of a released year (`bench/bench_release.py`)

The demo store, 2024 released by the demo (twice) and once more here; each report in a
fresh process (interpreter start
and imports included), on the same store in the same run.

| run | seconds | peak memory (MB) |
| --- | ---: | ---: |
| `thb report --year 2024` from the stored release {release_id} | {frozen.seconds:.1f} | {frozen.peak_mb:.0f} |
| baseline: `thb report --year 2024 --live` (figures, protection, dark figure, patterns) | {live.seconds:.1f} | {live.peak_mb:.0f} |
| `thb release --year 2024` (in process: the live assembly, protection, store, audit) | {release_s:.1f} | |

The released report is {live.seconds / frozen.seconds:.1f}x faster; it rendered
{"its tables" if same_cells else "NO tables"}.""")
