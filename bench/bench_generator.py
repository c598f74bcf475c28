"""The generator's recording noise and name pools (issue 16 item 5), against a base revision.

The same seed and scales generated twice: by the base revision's generator
(`THB_BENCH_BASE_REV`, default `main`, exported with `git archive` and run in a
subprocess) and by this working tree's; both linked by this tree's linkage with
the default settings (`bench/link_eval.measure`) in the same run. Reported per
data set: the name pools (registered persons, distinct full names and the share
of persons who share their full name with another person of their nationality,
for the nationalities whose Faker pools are small, and for all), the noise
kinds `dob_digit` and `nationality_other`, pairwise precision, recall and F1,
candidate recall, the review queue's true-match share and the calibration
ratios (observed / expected non-match share) from 0.5 up.

`THB_BENCH_GEN_SCALES`: comma-separated scales (default `1,15.69`: the demo data
and about 100,000 reports).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

import pandas as pd

from bench.link_eval import Measured, import_synth, measure
from bench.results import write_section
from thbmonitor.synth import generate

SCALES = tuple(float(s) for s in os.environ.get("THB_BENCH_GEN_SCALES", "1,15.69").split(","))
BASE_REV = os.environ.get("THB_BENCH_BASE_REV", "main")
#: Nationalities whose names come from Faker's smallest pools (issue 16).
SMALL_POOLS = ("VN", "NG", "SL", "GH", "HU", "RO")
_ROOT = Path(__file__).resolve().parent.parent


def _export_base(into: Path) -> Path:
    """The base revision's `src/` (the generator) unpacked into `into`."""
    archive = subprocess.run(["git", "-C", str(_ROOT), "archive", BASE_REV, "src"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _generate_base(src: Path, out: Path, scale: float) -> None:
    code = ("import sys; from thbmonitor.synth import generate; "
            f"generate({str(out)!r}, scale={scale})")
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def pool_stats(out: Path) -> dict[str, dict[str, float]]:
    """Per nationality (and `all`): persons named, distinct full names, namesake share."""
    p = pd.read_csv(out / "ground_truth" / "persons.csv", dtype=str, keep_default_na=False,
                    usecols=["person_id", "nationality", "given_name", "family_name",
                             "family_name_2"]).drop_duplicates("person_id")
    p = p[p["given_name"] != ""]
    full = p["nationality"] + "|" + p["given_name"] + " " + p["family_name"] + " " + p[
        "family_name_2"]
    shared = full.map(full.value_counts()) > 1
    stats: dict[str, dict[str, float]] = {}
    for code in (*SMALL_POOLS, "all"):
        mask = p["nationality"] == code if code != "all" else p["nationality"] != "\0"
        stats[code] = {"persons": int(mask.sum()), "distinct": int(full[mask].nunique()),
                       "namesakes": float(shared[mask].mean())}
    return stats


def _noise_share(out: Path, tag: str) -> float:
    rp = pd.read_csv(out / "ground_truth" / "report_persons.csv", dtype=str,
                     keep_default_na=False, usecols=["noise"])
    return float(rp["noise"].str.split(";").apply(lambda t: tag in t).mean())


def _one(work: Path, name: str, out: Path) -> tuple[Measured, dict[str, Any]]:
    files = {k: out / f"{k}.csv" for k in ("investigations", "reports")}
    db_path, truth = import_synth(work, files, out / "ground_truth" / "report_persons.csv")
    facts: dict[str, Any] = {"pools": pool_stats(out),
                             "dob_digit": _noise_share(out, "dob_digit"),
                             "nationality_other": _noise_share(out, "nationality_other")}
    return measure(name, db_path, truth), facts


def _ratio(m: Measured, low: float) -> str:
    for band in m.calibration:
        if float(band["low"]) == low:
            return "-" if band["ratio"] is None else f"{band['ratio']:.2f}"
    return "-"


def run() -> None:
    rows: list[tuple[str, str, Measured, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="thb-bench-generator-") as tmp:
        work = Path(tmp)
        base_src = _export_base(work / "base")
        for scale in SCALES:
            for label in ("base", "this"):
                out = work / f"{label}-{scale}" / "files"
                t0 = time.perf_counter()
                if label == "base":
                    _generate_base(base_src, out, scale)
                else:
                    generate(out, scale=scale)
                print(f"{label} scale {scale}: generated in {time.perf_counter() - t0:.0f} s",
                      flush=True)
                m, facts = _one(out.parent, f"scale {scale}", out)
                rows.append((label, f"{scale:g}", m, facts))
                print(f"  F1 {m.quality['f1']:.4f}", flush=True)
    bands = (0.5, 0.8, 0.95, 0.99, 0.999)
    lines = [
        "## Generator noise and name pools (`bench/bench_generator.py`)", "",
        f"The same seed and scale generated by the generator of `{BASE_REV}` (base) and of "
        "this tree (this), both linked by this tree's default linkage in the same run; "
        "pairwise quality against the truth; calibration: observed / expected non-match "
        "share per band (1 is calibrated).", "",
        "| generator | scale | reports | dob_digit | nationality_other | precision | recall | "
        "F1 | candidate recall | candidate pairs | review queue true | "
        + " | ".join(f"ratio [{b}" for b in bands) + " | CPU |",
        "| --- " * (12 + len(bands)) + "|",
    ]
    for label, size, m, facts in rows:
        q, r = m.quality, m.recall
        queue = "-" if m.queue_true is None else f"{m.queue_true:.1%}"
        lines.append(
            f"| {label} | {size} | {q['reports']:,} | {facts['dob_digit']:.2%} | "
            f"{facts['nationality_other']:.2%} | {q['precision']:.4f} | {q['recall']:.4f} | "
            f"**{q['f1']:.4f}** | {r.get('recall', float('nan')):.4f} | "
            f"{r.get('candidate_pairs', 0):,} | {queue} | "
            + " | ".join(_ratio(m, b) for b in bands) + f" | {m.seconds:.0f} s |")
    lines += ["", "Name pools (registered persons named; distinct full names; share of "
              "persons sharing their full name with another person of their nationality):",
              "", "| generator | scale | " + " | ".join((*SMALL_POOLS, "all")) + " |",
              "| --- " * (3 + len(SMALL_POOLS)) + "|"]
    for label, size, _m, facts in rows:
        cells = [f"{s['persons']:,} / {s['distinct']:,} / {s['namesakes']:.1%}"
                 for s in facts["pools"].values()]
        lines.append(f"| {label} | {size} | " + " | ".join(cells) + " |")
    write_section("generator", "\n".join(lines) + "\n")
