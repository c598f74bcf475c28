"""Publish tests: make the hand-made figures builder importable in any import mode."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


# -- the published release of the synthetic demo data, built once per session ----------------
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def published_release(realistic_db_path: Path, once) -> dict:
    """`build_release` on the session's realistic store (estimate, patterns, breakdowns),
    once per run (also across xdist workers)."""
    from thbmonitor.release import build_release
    from thbmonitor.store import Database

    def build(_directory: Path) -> dict:
        with Database(realistic_db_path, create=False) as db:
            return build_release(db, 2024)

    return once.build("published-release", build)


@pytest.fixture(scope="session")
def published_html(published_release: dict) -> dict[str, str]:
    from thbmonitor.publish import render_report

    release = {**published_release,
               "downloads": [{"kind": "xlsx", "href": "report-2024-tables.xlsx"}]}
    return {lang: render_report(release, lang=lang) for lang in ("nl", "en")}


@pytest.fixture(scope="session")
def published_pdf(published_html: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    """The Dutch PDF, laid out once: (WeasyPrint document, path of the written PDF)."""
    from thbmonitor.publish.report import pdf_document

    document = pdf_document(published_html["nl"])
    path = tmp_path_factory.mktemp("pdf") / "report-2024-nl.pdf"
    document.write_pdf(path)
    return document, path
