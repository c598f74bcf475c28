"""Spark (`local[2]`) against DuckDB on 1,000,000 and 5,000,000 synthetic reports.

Data: `thbmonitor.synth.generate(scale=...)` (every kind) for 1,000,000 reports, five
such populations pooled for 5,000,000 (`_pooled`, the reports only), imported through
`import_file` and linked with exact keys (so the figures count persons);
none of that is timed. Then, each in a fresh process (`measure_subprocess`,
wall time; peak memory of the Python process plus the JVM it starts):

* **figures**: `compute_figures(db, 2024)` on DuckDB; on Spark the Parquet
  export of the figures' tables, the session start and `compute_figures_on_spark`
  (the same queries rendered), with the two JSON documents compared byte for byte;
* **linkage**: `link_persons` trained and scored on DuckDB, and that model scored on
  Spark (each on its own copy of the store), with pairwise F1 against the ground truth
  and whether the persons are the same, and how long each stage of `link_persons` took
  (the stage a linkage stopped at the timeout had reached, and for how long);
* **Dice on DuckDB**: the Bloom-filter Dice of `link.dialect` over BITSTRING (the
  store's type) and over the 64-bit words Spark uses, on the same pairs.

`THB_BENCH_SPARK_SIZES` (e.g. `1000000`) limits the sizes; `THB_BENCH_SPARK_LINK_TIMEOUT`
(seconds, default 2400) bounds each linkage, DuckDB's and Spark's, reported as not
finished past it; `THB_BENCH_SPARK_DATA=<folder>` keeps each size's prepared store in `<folder>/<size>/`
and uses it again in a later run (5,000,000 reports take about half an hour to generate,
import and link with exact keys).
"""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from bench.results import measure_subprocess, write_section
from thbmonitor.ingest import IMPORT_ORDER, import_file
from thbmonitor.link import link_persons, pairwise_quality
from thbmonitor.link.blocking import rule_pairs
from thbmonitor.store import Database
from thbmonitor.synth import generate

#: Reports -> synth scale with the default seed (bench_link: 156.9 gives 1,080,174).
SIZES = {1_000_000: 156.9, 5_000_000: 784.5}
#: 5,000,000 reports are pooled from this many populations of 1,000,000 (`_pooled`): one
#: generation at scale 784.5 was killed by the kernel at 12.7 GB on this 24 GB machine
#: (2026-12-03), and the pool is what the Spark engine is for (several countries' data).
POOLED = {5_000_000: 5}
#: DuckDB's memory limit in the measurements of a size (`THB_MEMORY_LIMIT`, unless set): the
#: store's default of 2 GB is too small for the figures of 5,399,072 reports (docs/store.md)
MEMORY_LIMITS = {5_000_000: "14GB"}
#: The Spark driver's heap in the measurements of a size (`THB_SPARK_DRIVER_MEMORY`, unless
#: set; default 4g): at 5,399,072 reports Spark's scoring with 4g stopped after 20 minutes
#: with its SparkContext shut down (2026-12-03)
DRIVER_MEMORY = {5_000_000: "10g"}
#: What the figures and the linkage read (`figures.spark.FIGURE_TABLES`); locations not: at
#: scale 156.9 one generated locations row of 1,034,734 is refused by the import.
NEEDED_KINDS = ("investigations", "reports", "suspects", "cases", "verdicts")
KEY = bytes.fromhex("5a" * 32)
YEAR = 2024

def _tree_peak_mb(pid: int) -> float:
    """The peak RSS (VmHWM) of `pid` and its descendants, summed, as `PEAK` counts it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    kb, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            found = re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{current}/status").read_text())
        except OSError:
            found = None
        kb += int(found.group(1)) if found else 0
        todo += children.get(current, [])
    return kb / 1024


#: Appended to each measured process: peak RSS of the Python process and of its children
#: (the JVM of a local Spark session), summed (`_tree_peak_mb`, the one count of both: this
#: one exact at the end, the bounded measurements' also sampled while they run).
PEAK = ("\nimport os, re\nfrom pathlib import Path\n" + inspect.getsource(_tree_peak_mb)
        + 'print(json.dumps({"peak_mb_all": _tree_peak_mb(os.getpid())}))\n')

FIGURES_DUCKDB = """
import json, time
from thbmonitor.figures import compute_figures
from thbmonitor.store import Database
with Database({path!r}, read_only=True) as db:
    start = time.perf_counter()
    figures = compute_figures(db, {year})
    seconds = time.perf_counter() - start
open({out!r}, 'w').write(json.dumps(figures.to_dict(), indent=2))
print(json.dumps({{"seconds": seconds}}))
"""

FIGURES_SPARK = """
import json, time
from thbmonitor.figures.spark import FIGURE_TABLES, SparkStore, compute_figures_on_spark
from thbmonitor.link.spark_engine import spark_session
from thbmonitor.store import Database
from thbmonitor.store.parquet import export_parquet
t0 = time.perf_counter()
with Database({path!r}, read_only=True) as db:
    export_parquet(db, {folder!r}, FIGURE_TABLES)
t1 = time.perf_counter()
spark = spark_session('local[2]', partitions=4)
t2 = time.perf_counter()
figures = compute_figures_on_spark(SparkStore(spark, {folder!r}), {year})
t3 = time.perf_counter()
open({out!r}, 'w').write(json.dumps(figures.to_dict(), indent=2))
print(json.dumps({{"seconds": t3 - t0, "export": t1 - t0, "start": t2 - t1, "queries": t3 - t2}}))
"""

LINK = """
import json, logging, time
from thbmonitor.link import link_persons
from thbmonitor.store import Database
# each stage and the training's notes, with the seconds since the start, as they happen:
# what a linkage stopped at the timeout had reached (`_reached`)
logging.basicConfig(filename={log!r}, level=logging.INFO, force=True,
                    format='%(relativeCreated).0f ms %(name)s %(message)s')
_stages = logging.getLogger('bench.stage')
model = None
if {model_from!r}:
    with Database({model_from!r}, read_only=True) as db:
        model = json.loads(db.scalar(
            'SELECT model FROM link_runs ORDER BY started_at DESC LIMIT 1'))
with Database({path!r}) as db:
    start = time.perf_counter()
    result = link_persons(db, engine={engine!r}, spark_master='local[2]', model=model,
                          progress=_stages.info)
    seconds = time.perf_counter() - start
    frame = db.frame("SELECT source, report_id, person_id FROM person_reports")
frame.to_parquet({out!r})
print(json.dumps({{"seconds": seconds, "persons": result.persons,
                  "pairs_scored": result.pairs_scored}}))
"""


def _kept(folder: Path, scale: float, parts: int | None = None
          ) -> tuple[Path, Path, int, float | None]:
    """The prepared store of an earlier run kept in `folder` (prepared seconds None), or
    one prepared there now."""
    marker = folder / "prepared.json"
    if marker.exists():
        kept = json.loads(marker.read_text())
        if kept["scale"] == scale and kept.get("parts") == parts:
            return folder / "thb.duckdb", folder / "truth.csv", int(kept["reports"]), None
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db_path, truth, n, seconds = (_pooled(folder, parts) if parts
                                  else _prepare(folder, scale))
    marker.write_text(json.dumps({"scale": scale, "parts": parts, "reports": n,
                                  "seconds": seconds}))
    return db_path, truth, n, seconds


def _import(db: Database, kind: str, path: Path, what: str) -> None:
    """`import_file` of the benchmark's data, which must import whole."""
    report = import_file(db, kind, path, key=KEY)
    if not report.succeeded:
        first = [e.message for e in report.errors[:3]]
        raise RuntimeError(f"import of {what} failed: {report.stats()} {first}")


def _pooled(work: Path, parts: int) -> tuple[Path, Path, int, float]:
    """`parts` populations of 1,000,000 reports (seeds DEFAULT_SEED + i, each its own
    persons) in one store, the reports only (what the linkage reads): report ids, person
    references and the truth's person ids prefixed `k<i>-` so that no two populations share
    one, the investigation references left out (their investigations are not imported).
    Names, dates of birth and phones are drawn from the same distributions, so namesakes
    across populations are the non-matches a pooled store has."""
    from thbmonitor.synth.generate import DEFAULT_SEED

    start = time.perf_counter()
    db_path, truths = work / "thb.duckdb", []
    with Database(db_path) as db:
        for i in range(parts):
            made = generate(work / "files", seed=DEFAULT_SEED + i, scale=SIZES[1_000_000])
            rep = pd.read_csv(made.files["reports"], dtype=str, keep_default_na=False)
            rep["report_id"] = f"k{i}-" + rep["report_id"]
            rep["person_ref"] = rep["person_ref"].mask(rep["person_ref"] != "",
                                                       f"k{i}-" + rep["person_ref"])
            rep["investigation_id"] = ""
            path = work / f"reports-{i}.csv"
            rep.to_csv(path, index=False)
            del rep
            truth = pd.read_csv(made.ground_truth["report_persons"], dtype=str,
                                usecols=["source", "report_id", "person_id"])
            truths.append(truth.assign(report_id=f"k{i}-" + truth["report_id"],
                                       person_id=f"k{i}-" + truth["person_id"]))
            shutil.rmtree(work / "files", ignore_errors=True)
            _import(db, "reports", path, f"part {i}")
            path.unlink()
            print(f"part {i + 1} of {parts} imported", flush=True)
        link_persons(db, method="exact")
        n = int(db.scalar("SELECT count(*) FROM reports"))
    kept = work / "truth.csv"
    pd.concat(truths).to_csv(kept, index=False)
    return db_path, kept, n, time.perf_counter() - start


def _prepare(work: Path, scale: float) -> tuple[Path, Path, int, float]:
    start = time.perf_counter()
    made = generate(work / "files", scale=scale)
    db_path = work / "thb.duckdb"
    with Database(db_path) as db:
        for kind in IMPORT_ORDER:
            if kind not in NEEDED_KINDS:
                continue
            _import(db, kind, made.files[kind], kind)
        link_persons(db, method="exact")
        n = int(db.scalar("SELECT count(*) FROM reports"))
    truth = Path(made.ground_truth["report_persons"])
    kept = work / "truth.csv"
    shutil.copyfile(truth, kept)
    shutil.rmtree(work / "files", ignore_errors=True)
    return db_path, kept, n, time.perf_counter() - start


def _measure(code: str, timeout: float | None = None) -> dict[str, Any]:
    """Run one measurement; its JSON lines merged, with wall time and the peaks. Bounded by
    `timeout`: stopped past it (`timeout`) or failed (`failed`, `error`), with the peak
    memory sampled while it ran (`peak_mb_sampled`)."""
    if timeout is None:
        m = measure_subprocess(code + PEAK)
        out: dict[str, Any] = {"process_seconds": m.seconds, "peak_mb_python": m.peak_mb}
        output = m.output
    else:
        try:
            seconds, output, peak, disk = _measure_with_timeout(code + PEAK, timeout)
        except MeasurementStopped as stopped:
            return {"timeout": timeout, "peak_mb_sampled": stopped.peak_mb,
                    "disk_mb_sampled": stopped.disk_mb}
        except MeasurementFailed as failed:
            # the whole error on the console; in the row its first line: the rows measured
            # before it are kept
            print(failed.stderr[-20000:], flush=True)
            return {"failed": failed.seconds, "error": failed.first,
                    "peak_mb_sampled": failed.peak_mb, "disk_mb_sampled": failed.disk_mb}
        out = {"process_seconds": seconds, "peak_mb_sampled": peak, "disk_mb_sampled": disk}
    for line in output.splitlines():
        if line.startswith("{"):
            out.update(json.loads(line))
    return out


def _temp_used_mb() -> float:
    """MB in use on the file system of the temporary folder: where DuckDB's store copies
    and spill and Spark's local folder (`spark.local.dir`: shuffle, spill) live."""
    return shutil.disk_usage(tempfile.gettempdir()).used / 2**20


def _measure_with_timeout(code: str, timeout: float) -> tuple[float, str, float, float]:
    """`code` in a fresh process (its own process group, with the JVM it starts): seconds,
    standard output, the peak memory and the peak growth of the temporary folder's file
    system (`_temp_used_mb`, anything else on it counts too), both sampled every 5 s;
    stopped after `timeout` seconds (`MeasurementStopped`), `MeasurementFailed` when it
    fails."""
    import signal
    import sys

    start, before = time.perf_counter(), _temp_used_mb()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    peak = disk = 0.0
    while True:
        # communicate again after its timeout loses no output (subprocess docs)
        try:
            out, err = proc.communicate(timeout=5)
            break
        except subprocess.TimeoutExpired:
            peak = max(peak, _tree_peak_mb(proc.pid))
            disk = max(disk, _temp_used_mb() - before)
            if time.perf_counter() - start > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise MeasurementStopped(peak, disk) from None
    if proc.returncode != 0:
        raise MeasurementFailed(time.perf_counter() - start, err, peak, disk)
    return time.perf_counter() - start, out, peak, disk


class MeasurementStopped(RuntimeError):
    """A bounded measurement stopped at its timeout, with the peak memory and temporary
    disk sampled."""

    def __init__(self, peak_mb: float, disk_mb: float = 0.0) -> None:
        self.peak_mb, self.disk_mb = peak_mb, disk_mb
        super().__init__(f"stopped at the timeout, peak {peak_mb:.0f} MB")


class MeasurementFailed(RuntimeError):
    """A bounded measurement whose process failed: after how long, and what it printed."""

    def __init__(self, seconds: float, stderr: str, peak_mb: float,
                 disk_mb: float = 0.0) -> None:
        self.seconds, self.stderr, self.peak_mb, self.disk_mb = seconds, stderr, peak_mb, disk_mb
        lines = [line.strip() for line in stderr.splitlines()]
        errors = [line for line in lines
                  if re.match(r"^(\S+\.)?\w+(Error|Exception)\b", line)
                  and "Py4JJavaError" not in line]
        self.first = (errors or lines[-1:] or ["no message"])[0][:300]
        super().__init__(f"failed after {seconds:.0f} s: {self.first}")


def _dice_cost(db_path: Path, pairs: int = 2_000_000) -> dict[str, float]:
    """Seconds for the Dice of `pairs` report pairs on DuckDB: BITSTRING against 64-bit words."""
    from thbmonitor.store.parquet import _words_sql

    with Database(db_path, read_only=True) as db:
        db.execute("SET threads = 2")
        db.execute(f"CREATE TEMP TABLE w AS SELECT row_number() OVER () AS i, given_bloom AS b, "
                   f"{_words_sql('given_bloom')} AS words FROM reports "
                   "WHERE given_bloom IS NOT NULL")
        n = int(db.scalar("SELECT count(*) FROM w"))
        join = (f"FROM w AS l JOIN w AS r ON r.i = (l.i * 7919) % {n} + 1 "
                f"CROSS JOIN range({max(1, pairs // n)})")
        t0 = time.perf_counter()
        db.scalar(f"SELECT sum(2.0 * bit_count(l.b & r.b) / (bit_count(l.b) + bit_count(r.b))) "
                  f"{join}")
        t1 = time.perf_counter()
        db.scalar("SELECT sum(2.0 * list_sum(list_transform(list_zip(l.words, r.words), "
                  "z -> bit_count(z[1] & z[2]))) / (list_sum(list_transform(l.words, "
                  "x -> bit_count(x))) + list_sum(list_transform(r.words, x -> bit_count(x))))) "
                  f"{join}")
        t2 = time.perf_counter()
    return {"bitstring": t1 - t0, "words": t2 - t1, "pairs": max(1, pairs // n) * n}


def _quality(persons: Path, truth: Path) -> float:
    frame = pd.read_parquet(persons)
    true = pd.read_csv(truth, dtype=str, usecols=["source", "report_id", "person_id"])
    return pairwise_quality(frame, true.rename(columns={"person_id": "true_id"})).f1


SMALL = """
import json, sys, time
from pathlib import Path
from thbmonitor.ingest import IMPORT_ORDER, import_file
from thbmonitor.link import link_persons, pairwise_quality
from thbmonitor.store import Database
work = Path({work!r})
if {name!r} == 'febrl4':
    from thbmonitor.synth.febrl import MAX_AGE_YEARS, write_febrl4
    paths, truth = write_febrl4(work / 'files')
    files = [('reports', p) for p in paths]
    options = {{}}
else:
    import pandas as pd
    from thbmonitor.synth import generate
    made = generate(work / 'files', seed=20241016)
    files = [(k, made.files[k]) for k in IMPORT_ORDER]
    truth = pd.read_csv(made.ground_truth['report_persons'], dtype=str)
    truth = truth.rename(columns={{'person_id': 'true_id'}})[['source', 'report_id', 'true_id']]
    options = {{}}
with Database(work / 'thb.duckdb') as db:
    if {name!r} == 'febrl4':
        db.set_setting('ingest.max_age_years', MAX_AGE_YEARS)
    for kind, path in files:
        assert import_file(db, kind, path, key=bytes.fromhex('5a' * 32)).succeeded
    def linked(**kw):
        start = time.perf_counter()
        result = link_persons(db, spark_master='local[2]', **options, **kw)
        seconds = time.perf_counter() - start
        persons = db.frame('SELECT source, report_id, person_id FROM person_reports')
        model = json.loads(db.scalar('SELECT model FROM link_runs ORDER BY started_at DESC LIMIT 1'))
        return seconds, persons, model, pairwise_quality(persons, truth).f1
    t_d, p_d, m_d, f_d = linked(engine='duckdb')
    t_x, p_x, _, f_x = linked(engine='spark', model=m_d)
    if {train!r}:
        t_s, p_s, m_s, f_s = linked(engine='spark')
    else:
        t_s, p_s, m_s, f_s = None, p_x, m_d, None
key = ['source', 'report_id']
same = p_d.sort_values(key).reset_index(drop=True).equals(p_x.sort_values(key).reset_index(drop=True))
same_trained = p_d.sort_values(key).reset_index(drop=True).equals(p_s.sort_values(key).reset_index(drop=True))
def texts(m):
    return [[lv['sql_condition'] for lv in c['comparison_levels']] for c in m['comparisons']]
print(json.dumps(dict(reports=len(p_d), duckdb=t_d, scored=t_x, spark=t_s, f1_duckdb=f_d,
                      f1_spark=f_s, f1_scored=f_x, same_scored=same, same_trained=same_trained,
                      persons_duckdb=int(p_d.person_id.nunique()),
                      persons_spark=int(p_x.person_id.nunique()),
                      same_text=texts(m_d) == texts(m_s))))
"""


def _small(name: str, train: bool, timeout: float) -> str:
    work = Path(tempfile.mkdtemp(prefix=f"bench-spark-{name}-"))
    try:
        r = _measure(SMALL.format(work=str(work), name=name, train=train),
                     timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if "timeout" in r:
        return f"| {name} | not finished in {timeout:.0f} s | | | | | | | |"
    trained = (f"{_fmt(r['spark'])} | {r['f1_spark']:.4f}" if train
               else "not run (`THB_BENCH_SPARK_TRAIN=1`) | -")
    return (f"| {name} | {r['reports']:,} | {_fmt(r['duckdb'])} | {r['f1_duckdb']:.4f} | "
            f"{_fmt(r['scored'])} | {r['f1_scored']:.4f} | {r['persons_duckdb']:,} / "
            f"{r['persons_spark']:,} | "
            f"{'the same persons' if r['same_scored'] else 'OTHER persons'} | {trained} |")


def run_small() -> str:
    """FEBRL4 and the demo: trained on DuckDB, that model scored on Spark (and, with
    `THB_BENCH_SPARK_TRAIN=1`, trained on Spark too)."""
    train = os.environ.get("THB_BENCH_SPARK_TRAIN", "0") == "1"
    timeout = float(os.environ.get("THB_BENCH_SPARK_SMALL_TIMEOUT", "1800"))
    rows = [_small(name, train, timeout) for name in ("febrl4", "demo")]
    return ("Linkage on both engines (`local[2]`): trained on DuckDB (train + score), the "
            "model scored on Spark (session start and Parquet export included), F1 against "
            "the ground truth.\n\n"
            "| data | reports | DuckDB | F1 | Spark (DuckDB's model) | F1 | persons DuckDB / "
            "Spark | persons | trained on Spark | F1 |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
            + "\n".join(rows) + "\n")


def _fmt(value: Any, unit: str = "s") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if unit == "MB":
        return f"{value / 1024:.1f} GB" if value >= 1024 else f"{value:.0f} MB"
    return f"{value:.0f} s" if value >= 10 else f"{value:.1f} s"


def run() -> None:
    wanted = os.environ.get("THB_BENCH_SPARK_SIZES")
    sizes = {n: s for n, s in SIZES.items()
             if not wanted or str(n) in wanted.replace("_", "").split(",")}
    timeout = float(os.environ.get("THB_BENCH_SPARK_LINK_TIMEOUT", "2400"))
    kept = os.environ.get("THB_BENCH_SPARK_DATA")
    rows, notes = [], []
    for target, scale in sizes.items():
        work = Path(tempfile.mkdtemp(prefix="bench-spark-"))
        own = {name: value for name, value in (("THB_MEMORY_LIMIT", MEMORY_LIMITS.get(target)),
                                                ("THB_SPARK_DRIVER_MEMORY",
                                                 DRIVER_MEMORY.get(target)))
               if value and name not in os.environ}
        os.environ.update(own)
        try:
            if kept:
                db_path, truth, n, prepared = _kept(Path(kept) / str(target), scale,
                                                    POOLED.get(target))
            elif target in POOLED:
                db_path, truth, n, prepared = _pooled(work, POOLED[target])
            else:
                db_path, truth, n, prepared = _prepare(work, scale)
            print(f"{n:,} reports " + (f"prepared in {prepared:.0f} s" if prepared
                                       else "kept from an earlier run"), flush=True)
            if os.environ.get("THB_BENCH_SPARK_FIGURES", "1") == "1":
                duck = _measure(FIGURES_DUCKDB.format(path=str(db_path), year=YEAR,
                                                      out=str(work / "duck.json")))
                spark = _measure(FIGURES_SPARK.format(path=str(db_path), year=YEAR,
                                                      folder=str(work / "parquet"),
                                                      out=str(work / "spark.json")))
                same = (work / "duck.json").read_bytes() == (work / "spark.json").read_bytes()
                rows.append(f"| figures {YEAR} | {n:,} | {_fmt(duck.get('process_seconds'))} "
                            f"({_fmt(duck.get('seconds'))} queries) | "
                            f"{_fmt(duck.get('peak_mb_all'), 'MB')} | "
                            f"{_fmt(spark.get('process_seconds'))} (export "
                            f"{_fmt(spark.get('export'))}, start {_fmt(spark.get('start'))}, "
                            f"queries {_fmt(spark.get('queries'))}) | "
                            f"{_fmt(spark.get('peak_mb_all'), 'MB')} | "
                            f"same JSON: {'yes' if same else 'NO'} |")
                print(rows[-1], flush=True)
            if target == min(sizes):
                dice = _dice_cost(db_path)
                notes.append(
                    f"Dice of {dice['pairs']:,} pairs of given-name filters on DuckDB: "
                    f"{dice['bitstring']:.2f} s over BITSTRING, {dice['words']:.2f} s over "
                    f"64-bit words ({dice['words'] / dice['bitstring']:.1f}x): the store keeps "
                    "BITSTRING, the words exist only in the Parquet hand-off and on Spark.")
            if os.environ.get("THB_BENCH_SPARK_LINK", "1") == "1":
                rows.append(_linkage_row(db_path, truth, n, work, timeout))
                print(rows[-1], flush=True)
                notes.append(_rule_pairs_note(db_path, n))
                print(notes[-1], flush=True)
        finally:
            for name in own:
                del os.environ[name]
            shutil.rmtree(work, ignore_errors=True)
    small = run_small() if os.environ.get("THB_BENCH_SPARK_SMALL", "1") == "1" else ""
    print(small, flush=True)
    write_section("spark", _markdown(rows, notes) + "\n" + small)


def _linkage_row(db_path: Path, truth: Path, n: int, work: Path, timeout: float) -> str:
    """DuckDB trains and scores a copy of the store; Spark scores another copy with
    DuckDB's model (the reproducible route, docs/scale.md: training on `local[2]` takes
    hours at this size). Each bounded by `timeout`; one stopped or failed is a row that
    says so, with the stage it was in and the peak memory sampled until then."""
    duck_db, spark_db = work / "duck.duckdb", work / "spark.duckdb"
    shutil.copyfile(db_path, duck_db)
    shutil.copyfile(db_path, spark_db)
    logs = {engine: work / f"{engine}-stages.log" for engine in ("duckdb", "spark")}
    link_d = _measure(LINK.format(path=str(duck_db), engine="duckdb", model_from="",
                                  out=str(work / "duck.parquet"), log=str(logs["duckdb"])),
                      timeout)
    duck = _linkage_cells(link_d, logs["duckdb"])
    if not _finished(link_d):
        return (f"| linkage | {n:,} | {duck} | not run (it scores DuckDB's model) | - | - |")
    f1_d = _quality(work / "duck.parquet", truth)
    link_s = _measure(LINK.format(path=str(spark_db), engine="spark",
                                  model_from=str(duck_db),
                                  out=str(work / "spark.parquet"), log=str(logs["spark"])),
                      timeout)
    spark = _linkage_cells(link_s, logs["spark"])
    if not _finished(link_s):
        return (f"| linkage (DuckDB: train + score; Spark: score) | {n:,} | {duck} | {spark} | "
                f"F1 {f1_d:.4f} (DuckDB) |")
    f1_s = _quality(work / "spark.parquet", truth)
    same = _same_persons(work / "duck.parquet", work / "spark.parquet")
    return (f"| linkage (DuckDB: train + score; Spark: score) | {n:,} | {duck} | {spark} | "
            f"F1 {f1_d:.4f} (DuckDB) / {f1_s:.4f} (Spark), "
            f"{link_s.get('pairs_scored', 0):,} pairs scored, "
            f"{'the same persons' if same else 'OTHER persons'} |")


def _scored_variants(db_path: Path, truth: Path, work: Path,
                     variants: tuple[tuple[str, str], ...], timeout: float
                     ) -> tuple[dict[str, Any], list[str]]:
    """DuckDB trains and scores a copy of the store; its model is then scored on Spark once
    per (name, code run first) of `variants`, each in a fresh process on its own copy, one
    after the other: DuckDB's measurement and a table row per linkage (time and stages,
    peak, F1, whether the persons are DuckDB's)."""
    duck_db = work / "duck.duckdb"
    shutil.copyfile(db_path, duck_db)
    duck = _measure(LINK.format(path=str(duck_db), engine="duckdb", model_from="",
                                out=str(work / "duck.parquet"),
                                log=str(work / "duck.log")), timeout)
    rows = [f"| DuckDB (trains and scores) | {_linkage_cells(duck, work / 'duck.log')} | "
            f"F1 {_quality(work / 'duck.parquet', truth):.4f} | - |"]
    print(rows[-1], flush=True)
    for k, (name, prefix) in enumerate(variants):
        tag = f"spark{k}"
        copy = work / f"{tag}.duckdb"
        shutil.copyfile(db_path, copy)
        m = _measure(prefix + LINK.format(path=str(copy), engine="spark",
                                          model_from=str(duck_db),
                                          out=str(work / f"{tag}.parquet"),
                                          log=str(work / f"{tag}.log")), timeout)
        copy.unlink()
        done = _finished(m)
        quality = f"F1 {_quality(work / f'{tag}.parquet', truth):.4f}" if done else "-"
        same = (("the same" if _same_persons(work / "duck.parquet", work / f"{tag}.parquet")
                 else "OTHER") if done else "-")
        rows.append(f"| {name} | {_linkage_cells(m, work / f'{tag}.log')} | {quality} | "
                    f"{same} |")
        print(rows[-1], flush=True)
    return duck, rows


def _variants_text(title: str, n: int, pairs: int | None, baseline: str,
                   rows: list[str]) -> str:
    """The section of a `_scored_variants` benchmark: its title, data, baseline and rows."""
    return (f"## {title}\n\n{n:,} synthetic reports, {pairs or 0:,} candidate pairs; DuckDB's "
            "model scored on Spark `local[2]`, each run a fresh process on its own copy of "
            f"the store, one after the other in the same run. Baseline: {baseline}\n\n"
            "| linkage | time (link: stages) | peak memory, temporary disk | F1 | "
            "persons as DuckDB's |\n"
            "| --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")


def _same_persons(a: Path, b: Path) -> bool:
    """Whether two linkages' persons (`LINK`'s Parquet output) are the same."""
    def read(path: Path) -> pd.DataFrame:
        return pd.read_parquet(path).sort_values(["source", "report_id"]).reset_index(drop=True)
    return read(a).equals(read(b))


def _finished(m: dict[str, Any]) -> bool:
    return "timeout" not in m and "failed" not in m


def _linkage_cells(m: dict[str, Any], log: Path) -> str:
    """The time and peak cells of one engine's linkage: finished, stopped or failed."""
    disk = f", temporary disk {_fmt(m.get('disk_mb_sampled'), 'MB')} (sampled)"
    if "timeout" in m:
        return (f"not finished in {m['timeout']:.0f} s ({_stages(log, m['timeout'])}) | "
                f"at least {_fmt(m.get('peak_mb_sampled'), 'MB')} (sampled){disk}")
    if "failed" in m:
        return (f"failed after {m['failed']:.0f} s ({_stages(log, m['failed'])}): "
                f"{m['error'].replace('|', '/')} | "
                f"at least {_fmt(m.get('peak_mb_sampled'), 'MB')} (sampled){disk}")
    return (f"{_fmt(m.get('process_seconds'))} (link {_fmt(m.get('seconds'))}: "
            f"{_stages(log)}) | {_fmt(m.get('peak_mb_all'), 'MB')}{disk}")


def _rule_pairs_note(db_path: Path, n: int) -> str:
    """The pairs each blocking rule generates alone (`blocking.rule_pairs`), numbered as in
    docs/linkage.md, with its largest block: the rules without a cap grow with its square."""
    with Database(db_path) as db:
        counted = rule_pairs(db)
    parts = [f"{k} {c.pairs:,}" + ("" if c.largest_block is None
                                   else f" ({c.largest_block})")
             for k, c in enumerate(counted, start=1)]
    return (f"Pairs each blocking rule generates alone at {n:,} reports (docs/linkage.md's "
            "numbers; in brackets the most reports sharing its keys, for a rule of "
            "equalities): " + ", ".join(parts) + ".")


def _stages(log: Path, stopped: float | None = None) -> str:
    """How long each stage of `link_persons` took, from the measurement's log (`LINK`):
    "training the model 412 s, scoring pairs 97 s, ...". `stopped`: the seconds after
    which the process was stopped; its last stage is then "unfinished after" that long."""
    starts, last = [], 0.0
    if log.exists():
        for line in log.read_text().splitlines():
            parts = line.split(" ", 3)
            if len(parts) < 4 or not parts[0].isdigit():
                continue  # a message's later lines (a traceback)
            ms, name, message = parts[0], parts[2], parts[3]
            last = float(ms) / 1000
            if name == "bench.stage":
                starts.append((message, last))
    if not starts:
        return "no stage reached"
    ends = [t for _, t in starts[1:]] + [last if stopped is None else stopped]
    parts = [f"{stage} {end - t:.0f} s" for (stage, t), end in zip(starts, ends, strict=True)]
    if stopped is not None:
        parts[-1] = f"{starts[-1][0]} unfinished after {ends[-1] - starts[-1][1]:.0f} s"
    return ", ".join(parts)


def _markdown(rows: list[str], notes: list[str]) -> str:
    head = (
        "## Spark (`local[2]`) against DuckDB (`bench/bench_spark.py`)\n\n"
        "Synthetic reports (`thbmonitor.synth.generate`): 1,000,000 of every kind the figures "
        "and the linkage read; 5,000,000 pooled from five populations of 1,000,000 (other "
        "seeds, the reports only, `_pooled`). Imported and linked with exact keys before "
        "timing. Each measurement in a fresh process on its own copy of the store; time is "
        "the whole process (Spark: the Parquet export, the JVM start and the queries), "
        "`link` the call of `link_persons`; peak is the RSS of the Python process plus the "
        "JVM (4 GB heap). Both engines of a row ran one after the other on the same machine "
        "in the same run. Spark scores with the model DuckDB trained (training on `local[2]` "
        "takes hours).\n\n"
        "| work | reports | DuckDB | DuckDB peak | Spark local[2] | Spark peak | check |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n")
    return head + "\n".join(rows) + "\n\n" + "\n\n".join(notes) + "\n"
