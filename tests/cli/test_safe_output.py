"""Output that cannot hurt (issue 11 item 9), through the real CLI on real DuckDB files.

- CSV/XLSX injection: a cell that a spreadsheet would run as a formula gets a leading
  `'` (OWASP's rule), in every writer; numbers stay numbers.
- Rich markup and terminal escape sequences from data never reach the terminal raw.
- `--out` never replaces an existing file without `--force`, and never a store, its WAL
  or key file even with it; a failed write leaves nothing half-written.
- `thb demo --out DIR` never deletes what it did not make.
- Read-only commands leave the store byte-for-byte as it was and never migrate it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner, Result

from thbmonitor.cli import app

INJECTION = "=cmd|' /C calc'!A0"
#: OSC 0 (set the window title) and CSI 2J (clear the screen), as a terminal obeys them.
ESCAPES = "\x1b]0;pwned\x07\x1b[2J"
HEADER = ("report_id,source,source_type,report_date,given_name,family_name,date_of_birth,"
          "sex,nationality,exploitation,sector\n")
REPORTS = HEADER + (
    f'"{INJECTION}",police-oost,police,2024-03-01,Testa,Voorbeeldt,1990-02-01,female,NL,'
    "sexual,window\n"
    "@SUM(1+1),police-oost,police,2024-03-02,Proef,Monsterman,1985-05-05,male,PL,labour,\n"
    "-2+3,fairwork,ngo,2024-03-03,Proef,Monsterman,1985-05-05,male,PL,labour,\n"
    "-7,fairwork,ngo,2024-03-04,Testa,Anders,1991-02-01,female,NL,sexual,\n"
)
#: Values that would break the terminal output: Rich markup and escape sequences.
HOSTILE = HEADER + (
    "Q-1,police-oost,police,2024-03-01,Testa,Voorbeeldt,1990-02-01,female,NL,sexual,[/red]\n"
    f"Q-2,police-oost,police,2024-03-01,Testa,Voorbeeldt,1990-02-01,female,NL,sexual,"
    f"x{ESCAPES}[bold]\x9b31m\u202ey\n"
)


def thb(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of four linked reports whose identifiers are shaped like formulas."""
    base = tmp_path_factory.mktemp("safe-output")
    path = base / "thb.duckdb"
    assert thb("init", "--db", path).exit_code == 0
    reports = base / "reports.csv"
    reports.write_text(REPORTS, encoding="utf-8")
    imported = thb("import", "reports", reports, "--db", path)
    assert imported.exit_code == 0, imported.output
    assert thb("link", "--db", path, "--method", "exact").exit_code == 0
    return path


@pytest.fixture
def db(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built store, with its key file; $THB_DB and $THB_KEY unset."""
    monkeypatch.delenv("THB_DB", raising=False)
    monkeypatch.delenv("THB_KEY", raising=False)
    folder = tmp_path / "store"
    folder.mkdir()
    copy = folder / built.name
    shutil.copyfile(built, copy)
    shutil.copy(built.with_name(built.name + ".key"), copy.with_name(copy.name + ".key"))
    return copy


# -- CSV and XLSX injection -------------------------------------------------------------


def test_export_persons_neutralises_formulas(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "persons.csv"
    result = thb("export", "persons", "--db", db, "--out", out)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        ids = {row["report_id"] for row in csv.DictReader(handle)}
    # OWASP: `= + - @ TAB CR` first get a single quote; a plain number stays as it is.
    assert ids == {"'" + INJECTION, "'@SUM(1+1)", "'-2+3", "-7"}
    assert out.stat().st_mode & 0o077 == 0, "person-level output is private (0600)"


def test_the_quarantine_export_neutralises_formulas(db: Path, tmp_path: Path) -> None:
    from thbmonitor.ingest.quarantine import QuarantineList

    listed = QuarantineList(rows=[{
        "quarantine_id": 1, "import_id": 1, "kind": "reports", "file": "+reports.csv",
        "line": 2, "row": 1, "row_data": {"report_id": INJECTION, "region": "\t=1+1"},
        "errors": [{"column": "sector", "code": "unknown-value", "message": "-x"}],
    }])
    out = tmp_path / "quarantine.csv"
    listed.export(out)
    with out.open(encoding="utf-8", newline="") as handle:
        header, row = list(csv.reader(handle))
    cells = dict(zip(header, row, strict=True))
    assert cells["report_id"] == "'" + INJECTION
    assert cells["region"] == "'\t=1+1"
    assert cells["file"] == "'+reports.csv"
    assert cells["line"] == "2"


def test_every_export_writer_goes_through_the_neutraliser(tmp_path: Path) -> None:
    """`write_rows` writes eurostat, sdg and ctdc: text is neutralised, numbers are not."""
    import io

    from thbmonitor.publish.exports.csv_out import write_rows

    handle = io.StringIO()
    write_rows(handle, ["geo", "obs_value", "note"],
               [{"geo": "=HYPERLINK(\"http://x\")", "obs_value": -3, "note": "+1.5"}])
    rows = list(csv.DictReader(io.StringIO(handle.getvalue())))
    assert rows == [{"geo": "'=HYPERLINK(\"http://x\")", "obs_value": "-3", "note": "+1.5"}]


def test_report_tables_neutralise_formulas_in_xlsx_and_csv(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table label from data (an organisation's name) shaped like a formula is text in
    the workbook (openpyxl would otherwise store it as a formula) and in the CSV files;
    a negative change stays a number."""
    from openpyxl import load_workbook

    from thbmonitor.publish import workbook
    from thbmonitor.publish.tables import Row, Table

    table = Table(id="sources", title="=1+2", row_header="@source", years=[2024],
                  rows=[Row(label="=cmd|' /C calc'!A0", values=[-3]),
                        Row(label="\rsplit", values=[5])])
    release = {"figures": {"year": 2024}, "publication": {"publisher": "-THB"},
               "provenance": {}}
    monkeypatch.setattr(workbook, "report_tables", lambda _release, _t: [table])
    book = workbook.write_tables(release, tmp_path / "tables.xlsx", "en", "xlsx")
    folder = workbook.write_tables(release, tmp_path / "tables", "en", "csv")
    sheet = load_workbook(book)["sources"]
    cells = {(c.row, c.column): c for row in sheet.iter_rows() for c in row if c.value is not None}
    formulas = [c.coordinate for c in cells.values() if c.data_type == "f"]
    assert formulas == []
    assert cells[(1, 1)].value == "'=1+2"
    assert cells[(4, 1)].value == "'" + INJECTION
    assert cells[(4, 2)].value == -3 and cells[(4, 2)].data_type == "n"
    assert cells[(5, 1)].value.startswith("'")  # XML reads the CR back as a line feed
    with (folder / "sources.csv").open(encoding="utf-8", newline="") as handle:
        grid = list(csv.reader(handle))
    assert grid[0][0] == "'@source"
    assert grid[1][:2] == ["'" + INJECTION, "-3"]
    legend = (folder / "legend.csv").read_text(encoding="utf-8")
    assert "'-THB" in legend


# -- terminal output ----------------------------------------------------------------------


def test_import_output_shows_markup_and_escapes_literally(db: Path, tmp_path: Path) -> None:
    """A sector `[/red]` and escape sequences in the data: no MarkupError, no ESC byte."""
    hostile = tmp_path / "hostile[bold].csv"
    hostile.write_text(HOSTILE, encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "reports", str(hostile), "--db", str(db),
                                      "--partial"], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code == 1, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    # An out-of-vocabulary value is never echoed (issue 11 item 8: it may be a name typed in
    # the wrong column); markup in what is shown, the file's name, is printed literally.
    assert "[/red]" not in result.output
    assert "hostile[bold].csv" in result.output, "markup in a shown text is printed literally"
    listing = CliRunner().invoke(app, ["quarantine", "--db", str(db)], catch_exceptions=True)
    assert listing.exit_code == 0, listing.output
    assert "\x1b" not in listing.output
    as_json = CliRunner().invoke(app, ["import", "reports", str(hostile), "--db", str(db),
                                       "--partial", "--json"], catch_exceptions=True)
    assert not any(ch in as_json.stdout for ch in "\x1b\x07\x9b\u202e"), as_json.stdout
    json.loads(as_json.stdout)  # escaped as \uXXXX: the same data, parsed back


def test_terminal_text_strips_controls_and_escapes_markup() -> None:
    from rich.console import Console

    from thbmonitor.cli.app import plain

    text = plain(f"a[/red]{ESCAPES}\u202eb\nc\x9b1m")
    console = Console(force_terminal=False, width=200)
    with console.capture() as captured:
        console.print(f"[bold]{text}[/bold]")
    # ESC, BEL, the C1 CSI and the right-to-left override are gone; the line feed is a space
    assert captured.get() == "a[/red]]0;pwned[2Jb c1m\n"


# -- --out ------------------------------------------------------------------------------


def test_export_out_refuses_the_store_itself(db: Path) -> None:
    before = digest(db)
    for force in ([], ["--force"]):
        result = thb("export", "persons", "--db", db, "--out", db, *force)
        assert result.exit_code == 2, result.output
        assert "store" in result.output
    assert digest(db) == before


def test_export_out_refuses_key_and_wal_even_with_force(db: Path) -> None:
    key = db.with_name(db.name + ".key")
    kept = key.read_bytes()
    for target in (key, db.with_name(db.name + ".wal")):
        for force in ([], ["--force"]):
            result = thb("export", "persons", "--db", db, "--out", target, *force)
            assert result.exit_code == 2, result.output
            assert "key file" in result.output
    assert key.read_bytes() == kept
    assert not db.with_name(db.name + ".wal").exists(), "no fake WAL to replay beside a store"


def test_export_out_refuses_a_store_under_another_name(db: Path, tmp_path: Path) -> None:
    """By its content: another DuckDB file, a symlink to the store, a hard link to it."""
    other = tmp_path / "persons.csv"
    duckdb.connect(str(other)).close()
    link = tmp_path / "link.csv"
    link.symlink_to(db)
    hard = tmp_path / "hard.csv"
    hard.hardlink_to(db)
    before = digest(db), digest(other)
    for target in (other, link, hard):
        result = thb("export", "ctdc", "--year", "2024", "--db", db, "--out", target, "--force")
        assert result.exit_code == 2, result.output
        assert "DuckDB database" in result.output or "is the store" in result.output
    assert (digest(db), digest(other)) == before
    assert link.is_symlink()


def test_export_out_needs_force_to_replace_a_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "eurostat.csv"
    out.write_text("mine\n", encoding="utf-8")
    refused = thb("export", "eurostat", "--year", "2024", "--db", db, "--out", out)
    assert refused.exit_code == 2 and "--force" in refused.output
    assert out.read_text(encoding="utf-8") == "mine\n"
    forced = thb("export", "eurostat", "--year", "2024", "--db", db, "--out", out, "--force")
    assert forced.exit_code in (0, 1), forced.output
    if forced.exit_code == 0:
        assert out.read_text(encoding="utf-8").startswith("dataset,geo,")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize("args", [
    ["quarantine", "--export"],
    ["report", "--year", "2024", "--out"],
    ["export", "sdg", "--year", "2024", "--out"],
])
def test_every_out_option_refuses_existing_files_and_stores(db: Path, tmp_path: Path,
                                                            args: list[str]) -> None:
    mine = tmp_path / "mine.txt"
    mine.write_text("mine\n", encoding="utf-8")
    assert thb(*args, mine, "--db", db).exit_code == 2
    assert mine.read_text(encoding="utf-8") == "mine\n"
    before = digest(db)
    assert thb(*args, db, "--db", db, "--force").exit_code == 2
    assert digest(db) == before


def test_report_tables_refuse_an_existing_workbook(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    tables = tmp_path / "report-tables.xlsx"
    tables.write_bytes(b"mine")
    result = thb("report", "--year", "2024", "--db", db, "--out", out, "--tables", "xlsx")
    assert result.exit_code == 2, result.output
    assert tables.read_bytes() == b"mine" and not out.exists()


def test_out_refuses_what_is_not_a_regular_file(db: Path, tmp_path: Path) -> None:
    """`--out /dev/stdout --force` must not rename a file over the device's link."""
    dangling = tmp_path / "gone.csv"
    dangling.symlink_to(tmp_path / "nowhere")
    for target in (Path("/dev/null"), dangling):
        result = thb("export", "persons", "--db", db, "--out", target, "--force")
        assert result.exit_code == 2 and "regular file" in result.output, result.output
    assert Path("/dev/null").is_char_device() and dangling.is_symlink()


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    from thbmonitor.output_file import output_file

    target = tmp_path / "export.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), output_file(target, force=True) as handle:
        handle.write("half a fi")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


# -- thb demo --out -------------------------------------------------------------------------


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    (out / "data").mkdir(parents=True)
    (out / "data" / "precious.csv").write_text("keep me\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert "not made by `thb demo`" in result.output
    assert (out / "data" / "precious.csv").read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in out.iterdir()) == ["data"]


def test_demo_removes_only_what_it_made(tmp_path: Path) -> None:
    """The marker of an earlier run names its files; a file added later stays, and one put
    where the demo writes is refused before anything is removed."""
    from thbmonitor.demo import MARKER, prepare_folder

    out = tmp_path / "demo"
    prepare_folder(out)  # new folder: marked
    (out / "data").mkdir()
    (out / "data" / "reports.csv").write_text("synthetic\n", encoding="utf-8")
    (out / "thb-demo.duckdb").write_bytes(b"store")
    from thbmonitor.demo import _write_marker

    _write_marker(out, [], complete=True)
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    kept = prepare_folder(out)
    assert kept == ["notes.txt"]
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "notes.txt"]
    _write_marker(out, kept, complete=True)  # the run finished (it made nothing here)
    (out / "data").mkdir()
    (out / "data" / "precious.csv").write_text("keep me\n", encoding="utf-8")
    with pytest.raises(Exception, match="did not make"):
        prepare_folder(out)
    assert (out / "data" / "precious.csv").exists()
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    marker["made"] = ["../outside.txt", "/etc/passwd"]
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    shutil.rmtree(out / "data")
    prepare_folder(out)
    assert (tmp_path / "outside.txt").exists(), "a marker never reaches outside its folder"


# -- read-only commands ----------------------------------------------------------------------

READ_ONLY = [
    ["status", "--json"],
    ["figures", "--year", "2024", "--protected", "--json"],
    ["estimate", "--year", "2024", "--nboot", "20", "--json"],
    ["settings", "--json"],
    ["settings", "publication.threshold", "--json"],
    ["audit", "list", "--json"],
    ["audit", "verify", "--json"],
    ["audit", "head", "--json"],
    ["users", "list", "--json"],
]


def test_read_only_commands_leave_the_store_byte_for_byte(db: Path) -> None:
    before = {p.name: digest(p) for p in db.parent.iterdir()}
    for args in READ_ONLY:
        result = CliRunner().invoke(app, [*args, "--db", str(db)], catch_exceptions=False)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert "Traceback" not in result.output
        after = {p.name: digest(p) for p in db.parent.iterdir()}
        assert after == before, f"{' '.join(args)} changed the store"


def test_read_only_commands_never_migrate(db: Path) -> None:
    """A store that lacks this version's newest migration: refused, never brought up."""
    with duckdb.connect(str(db)) as conn:
        newest = conn.execute("SELECT max(name) FROM migrations").fetchone()
        assert newest is not None
        conn.execute("DELETE FROM migrations WHERE name = ?", [newest[0]])
    before = digest(db)
    for args in (["status"], ["settings"], ["audit", "list"]):
        result = CliRunner().invoke(app, [*args, "--db", str(db)], catch_exceptions=False)
        assert result.exit_code == 2, (args, result.output)
        assert "thb init" in result.output
    assert digest(db) == before


def test_synth_out_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "reports.csv").write_text("mine\n", encoding="utf-8")
    result = thb("synth", "--out", tmp_path, "--scale", "0.05")
    assert result.exit_code == 2 and "--force" in result.output, result.output
    assert (tmp_path / "reports.csv").read_text(encoding="utf-8") == "mine\n"
    duckdb.connect(str(tmp_path / "reports.csv.db")).close()
    (tmp_path / "reports.csv").unlink()
    (tmp_path / "reports.csv.db").rename(tmp_path / "reports.csv")  # a store, renamed
    before = digest(tmp_path / "reports.csv")
    forced = thb("synth", "--out", tmp_path, "--scale", "0.05", "--force")
    assert forced.exit_code == 2 and "DuckDB database" in forced.output, forced.output
    assert digest(tmp_path / "reports.csv") == before
