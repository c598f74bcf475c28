"""Synthetic population with known ground truth, written in the public file formats.

`generate(out_dir, seed=..., scale=...)` simulates the true victims of
2019-2024 calibrated to the published Dutch figures, who reports them, what
the reports say (with recording noise), their location histories, planted
pattern groups and the criminal-justice chain, and writes the six CONTRACTS §1
files plus a `ground_truth/` directory the pipeline never reads.
Nothing else in `thbmonitor` is imported here.
"""

from __future__ import annotations

from thbmonitor.synth.generate import DEFAULT_SEED, SynthResult, generate
from thbmonitor.synth.noise import NoiseRates

__all__ = ["DEFAULT_SEED", "NoiseRates", "SynthResult", "generate"]
