"""Pictures of the demo report's pages for docs/screenshots/ (see docs/report.md).

    .venv/bin/python scripts/screenshots.py [--demo-dir DIR] [--out docs/screenshots]

Runs the demo (synthetic data, seed 20241016) unless ``--demo-dir`` already
holds its reports, lays the Dutch report out as a PDF with the report's own
print stylesheet, renders chosen pages with ``pdftoppm`` (poppler-utils,
installed by ``make setup``) and takes a screenshot of the English HTML's
first screen with Debian's Chromium (``--headless --screenshot``). Needs no
network.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Pages of the Dutch PDF to show, by a text on the page (the first page holding it).
PAGES = {
    "cover": "Gepubliceerd op",
    "contents": "Inhoud",
    "key-figures": "Kerncijfers 2024 vergeleken met 2023",
    "victims-charts": "Slachtoffers per jaar naar vorm van uitbuiting",
    "victims-tables": "Slachtoffers naar leeftijdsgroep",
    "chain": "Zaken bij het Openbaar Ministerie en afdoeningen",
    "annex": "Bescherming van kleine aantallen",
    "colophon": "Citeren als",
}


def _reports(demo_dir: Path | None) -> tuple[Path, Path]:
    if demo_dir is not None and (demo_dir / "report-2024-nl.html").exists():
        return demo_dir / "report-2024-nl.html", demo_dir / "report-2024-en.html"
    from thbmonitor.demo import run_demo

    target = demo_dir or Path(tempfile.mkdtemp(prefix="thb-demo-"))
    result = run_demo(target, seed=20241016)
    return result.reports["nl"], result.reports["en"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is missing: run `make setup` (installs poppler-utils)")
    from pypdf import PdfReader

    from thbmonitor.publish.report import pdf_bytes

    nl, en = _reports(args.demo_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report-2024-nl.pdf"
        pdf.write_bytes(pdf_bytes(nl.read_text(encoding="utf-8")))
        texts = [page.extract_text() or "" for page in PdfReader(pdf).pages]
        for name, marker in PAGES.items():
            number = next((i for i, text in enumerate(texts, 1) if marker in text), None)
            if number is None:
                sys.exit(f"no page of the report holds {marker!r}; update PAGES")
            stem = args.out / f"report-nl-{name}"
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(number),
                            "-l", str(number), str(pdf), str(stem)], check=True, timeout=120)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--screenshot={args.out / 'report-en-html.png'}",
                        "--window-size=1100,1500", en.resolve().as_uri()],
                       check=True, timeout=120, capture_output=True)
    for path in sorted(args.out.glob("*.png")):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
