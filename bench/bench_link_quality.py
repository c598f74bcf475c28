"""Linkage quality that stays right at scale (issue 16): FEBRL4 and synthetic populations.

For each data set (imported through the public `import_file`; generation and import
not timed): the default linkage (threshold `link.threshold`) and, as the baselines in
the same run, the exact-key linkage and the supervised ceiling (`bench.link_ceiling`:
the truth trains the scores, cross-fitted); pairwise precision, recall and F1 against the
truth; the candidate-pair recall of the blocking rules and the number of pairs they
generate; the calibration table (observed non-match share per probability band
against the model's expected share, ratio observed / expected; the target is a ratio
within [0.5, 2] in every band from 0.5 up); CPU seconds of `link_persons` (all
threads of the process: `time.process_time`).

Targets (issue 16): FEBRL4 F1 >= 0.97 at the default threshold; synthetic F1 >= 0.95
at 100,000 reports; candidate recall >= 0.95; `thb link` on 10,000 reports at most
15 s of CPU. `SCALES` sets the synthetic sizes (`THB_BENCH_LINK_SCALES`, comma-separated
scales; 156.9 is about 1,000,000 reports and needs about 5 minutes and 4 GB).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench.link_eval import Measured, calibration_rows, febrl_set, measure, synth_set
from bench.results import write_section

SCALES = tuple(float(s) for s in os.environ.get("THB_BENCH_LINK_SCALES", "15.69").split(","))


def _row(m: Measured, baseline: Measured) -> str:
    q, b, r = m.quality, baseline.quality, m.recall
    return (f"| {m.name} | {q['reports']:,} | {m.result['threshold']} | {q['precision']:.4f} | "
            f"{q['recall']:.4f} | **{q['f1']:.4f}** | {b['f1']:.4f} | "
            f"{m.ceiling.get('f1', float('nan')):.4f} | "
            f"{r.get('recall', float('nan')):.4f} | {r.get('candidate_pairs', 0):,} | "
            f"{'-' if m.queue_true is None else f'{m.queue_true:.1%}'} | {m.seconds:.1f} s |")


def _calibration(m: Measured) -> str:
    return f"Calibration, {m.name}:\n\n" + calibration_rows(m.calibration)


def run() -> None:
    measured: list[tuple[Measured, Measured]] = []
    with tempfile.TemporaryDirectory(prefix="thb-bench-link-quality-") as tmp:
        work = Path(tmp)
        db_path, truth = febrl_set(work / "febrl")
        measured.append((measure("FEBRL4", db_path, truth, with_ceiling=True),
                         measure("FEBRL4", db_path, truth, method="exact")))
        for scale in SCALES:
            db_path, truth = synth_set(work / f"synth-{scale}", scale)
            name = f"synthetic, scale {scale}"
            measured.append((measure(name, db_path, truth, with_ceiling=True),
                             measure(name, db_path, truth, method="exact")))
    rows = "\n".join(_row(m, b) for m, b in measured)
    markdown = (
        "## Linkage quality at scale (`bench/bench_link_quality.py`)\n\n"
        "Default linkage against the baselines of the same run: the exact-key linkage, and "
        "the supervised ceiling (`bench/link_ceiling.py`: the same candidate pairs and "
        "comparisons scored by a gradient-boosted classifier that the ground truth trains, "
        "cross-fitted on two folds, linked from 0.5; no deployment has it); pairwise "
        "quality against the truth; candidate recall: share of the true pairs the blocking "
        "rules generate; CPU: `link_persons`, all threads.\n\n"
        "| data | reports | threshold | precision | recall | F1 | F1 exact keys | "
        "F1 supervised ceiling | candidate recall | candidate pairs | review queue true | "
        "CPU |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        + rows + "\n\n" + "\n".join(_calibration(m) for m, _ in measured))
    write_section("link_quality", markdown)
