"""The Typer application and what every command shares.

Each command module (`thbmonitor.cli.<group>`) registers its commands on
`app`; a command parses its options, calls one library function and prints
the result with `emit` (`--json` prints exactly the result's `to_dict()`).
Exit codes (CONTRACTS §2, docs/CONTRACTS.md): 0 success, 1 invalid data or a
failed check, 2 wrong usage, 130 interrupted (Ctrl-C).

Start-up is kept cheap: nothing here imports DuckDB, pandas, SciPy or the
pipeline; command modules import the library inside the command, so
`thb --help` loads Typer and little else (bench/bench_cli_startup.py).
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import typer

from thbmonitor import __version__, interrupts
from thbmonitor.errors import ThbError

if TYPE_CHECKING:
    from types import FrameType

    from rich.console import Console
    from rich.progress import Progress

    from thbmonitor.store import Store

app = typer.Typer(
    name="thb",
    help="THB Monitor: intake, linkage, figures, dark figure, patterns and safe publication.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: no Rich markup (or emoji) in help texts and no `<bool>` after flags.
    rich_markup_mode=None,
)

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


class _LazyConsole:
    """A Rich console made on first use (Rich costs start-up time `thb --help` need not pay).

    Emoji codes and automatic highlighting are off: values from data (a list named
    `NG`, a file name with brackets) must print as they are (`LA:NG:PFNCA` must not
    become an emoji). Markup is on for the messages' own styling; data inserted into a
    styled message goes through `plain()`. Whatever is printed loses its control
    characters but line breaks (`thbmonitor.safe_text`), so that an escape sequence from
    data never reaches the terminal, even where `plain()` was forgotten.
    """

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def get(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, soft_wrap=self._stderr, emoji=False,
                                    highlight=False)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        from thbmonitor.safe_text import without_controls

        self.get().print(*(without_controls(o, keep_lines=True) if isinstance(o, str) else o
                           for o in objects), **kwargs)


console = _LazyConsole(stderr=False)
err_console = _LazyConsole(stderr=True)


def plain(value: object) -> str:
    """A value from data, shown literally inside a styled message: its Rich markup escaped,
    its control characters (escape sequences) stripped (`thbmonitor.safe_text`)."""
    from thbmonitor.safe_text import terminal_text

    return terminal_text(value)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 problem`, `2 problems`, `1,000 rows` (counts with thousands separators)."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def default_db() -> Path:
    """`$THB_DB`, else `./thb.duckdb` (docs/CONTRACTS.md §2)."""
    from thbmonitor.store import default_path

    return default_path()


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Database file (default: $THB_DB, else ./thb.duckdb).",
                 show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ForceOption = Annotated[bool, typer.Option(
    "--force", help="Replace an existing output file (never a store, its WAL or key file).")]


def stores_of(db: Path | None) -> list[Path]:
    """The stores an output must never replace: `--db` and `$THB_DB` (or ./thb.duckdb)."""
    return [default_db()] + ([db] if db is not None else [])


@contextmanager
def store(db: Path | None, mode: str, *, key: bool = False) -> Iterator[Store]:
    """`thbmonitor.store.open_store` for a command: `mode` create, write or read."""
    from thbmonitor.store import open_store

    with open_store(db, mode, key=key) as opened:
        yield opened


class Result(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


def emit_json(data: Any) -> None:
    """Print JSON to stdout, unformatted by Rich so that it parses exactly.

    JSON escapes the C0 controls itself; DEL, the C1 controls (U+009B is a CSI to some
    terminals) and the bidirectional overrides are written as `\\uXXXX` escapes too, so
    that the same data parse back and no escape sequence reaches a terminal.
    """
    from thbmonitor.safe_text import json_text

    typer.echo(json_text(json.dumps(data, ensure_ascii=False, indent=2, default=str)))


def emit(result: Result, as_json: bool, render: Callable[[Result], None]) -> None:
    """Print a result: its `to_dict()` as JSON, or the human rendering."""
    if as_json:
        emit_json(result.to_dict())
    else:
        render(result)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a ThbError into a one-line message and its exit code, no traceback."""
    try:
        yield
    except ThbError as exc:
        err_console.print(f"[red]error:[/red] {plain(exc)}")
        raise typer.Exit(exc.exit_code) from None


def progress(description: str, *, total: float | None = None, disable: bool = False
             ) -> Progress:
    """A Rich progress bar on stderr (off with --json and when stderr is not a terminal);
    a spinner when the total is unknown."""
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TimeElapsedColumn())
    target = err_console.get()
    bar = Progress(*columns, console=target, transient=True,
                   disable=disable or not target.is_terminal)
    bar.add_task(description, total=total)
    return bar


def stage_updater(bar: Progress, stages: tuple[str, ...] | None = None) -> Callable[[str], None]:
    """A library `progress(stage)` callback that moves `bar` (its first task) on."""
    task = bar.task_ids[0]

    def update(stage: str) -> None:
        if stages and stage in stages:
            bar.update(task, completed=stages.index(stage), description=stage)
        else:
            bar.update(task, description=stage)

    return update


# -- --version ----------------------------------------------------------------------


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"thb (THB Monitor) {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", help="Print the version and exit.", callback=_show_version,
        is_eager=True)] = False,
) -> None:
    """THB Monitor: intake, linkage, figures, dark figure, patterns and safe publication."""


# -- interrupts and warnings: one handler for every command ---------------------------

#: What a command that writes registers while it runs: called after Ctrl-C, it looks at
#: the store and says what was stored ("finished: 590 stored") or returns None (nothing).
_on_interrupt: list[Callable[[], str | None]] = []


def on_interrupt(probe: Callable[[], str | None]) -> None:
    """Register `probe` for the rest of the command: after Ctrl-C it looks at the store and
    says what was stored (`finished: 590 stored`), or returns None when nothing was."""
    _on_interrupt.append(probe)


def _interrupted() -> int:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the message
    message = "interrupted; nothing was stored"
    for probe in reversed(_on_interrupt):
        try:
            said = probe()
        except Exception:  # the store cannot be read: do not claim either way
            said = "interrupted; run `thb status` to see what was stored"
        if said:
            message = said
            break
    _on_interrupt.clear()
    try:
        sys.stderr.write(f"\n{message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return EXIT_INTERRUPTED


class Interrupted(BaseException):
    """Ctrl-C, raised by the handler `run` installs. Not a KeyboardInterrupt, which Typer
    would turn into a silent exit 130 before the store could be asked what it holds."""


_signalled: list[bool] = []


#: Seconds after which a Ctrl-C that landed inside an import is delivered again.
REDELIVER_SECONDS = 0.05
_handling: list[bool] = []  # `run`'s handler is installed (a redelivery checks it)


def _in_an_import(frame: FrameType | None) -> bool:
    """Whether `frame` runs inside Python's import machinery (a module being imported)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib."):
            return True
        frame = frame.f_back
    return False


def _redeliver() -> None:
    import signal
    import threading

    if _handling:
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


def _raise_interrupted(_signum: int, frame: FrameType | None) -> None:
    """Ctrl-C: no commit from now on, and `Interrupted` raised where it cannot be lost.

    Raised inside a module's import, the exception was lost when C code had asked for the
    import (DuckDB's C++ imports pandas and ignores an import that fails): the command
    went on and committed. There the signal is delivered again a moment later instead,
    once the import is done; the store's commit refuses in any case (`interrupts`).
    """
    import threading

    _signalled.append(True)
    interrupts.request()
    if _in_an_import(frame):
        threading.Timer(REDELIVER_SECONDS, _redeliver).start()
        return
    raise Interrupted


def _is_interrupt(exc: BaseException) -> bool:
    """Ctrl-C as Python, Click or DuckDB ("Query interrupted") reports it, or any failure
    after Ctrl-C (an import of a module cut short by the signal fails later)."""
    if _signalled or isinstance(exc, Interrupted | KeyboardInterrupt | typer.Abort):
        return True
    return isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower()


def _note_warnings(caught: list[warnings.WarningMessage]) -> None:
    """One line on stderr for the Python warnings a computation raised (never raw).

    The estimator's own caveats (`SparseDataWarning`) are already in the result's
    `warnings`, which the command prints; they are not repeated here.
    """
    caught = [w for w in caught  # by name: importing the estimator here would cost SciPy
              if not any(c.__name__ == "SparseDataWarning" for c in w.category.__mro__)]
    if not caught:
        return
    counts: dict[str, int] = {}
    for item in caught:
        text = f"{item.category.__name__}: {str(item.message).splitlines()[0][:100]}"
        counts[text] = counts.get(text, 0) + 1
    parts = [f"{text} (x{n})" if n > 1 else text for text, n in counts.items()]
    sys.stderr.write(f"note: {plural(len(caught), 'numerical warning')} during the "
                     f"computation: {'; '.join(parts[:3])}"
                     f"{'; ...' if len(parts) > 3 else ''}. The result's warnings say what "
                     "they mean for the numbers.\n")


def _is_out_of_memory(exc: BaseException) -> bool:
    """DuckDB ran out of its memory limit (duckdb is only looked up, never imported: a
    command that never opened a store cannot have raised it)."""
    duckdb = sys.modules.get("duckdb")
    return duckdb is not None and isinstance(exc, duckdb.OutOfMemoryException)


def out_of_memory_message() -> str:
    """What to do when DuckDB ran out of the memory the store may use."""
    from thbmonitor.store.database import DEFAULT_MEMORY, MEMORY_ENV

    limit = os.environ.get(MEMORY_ENV, DEFAULT_MEMORY)
    return (f"the work needed more memory than the store may use ({MEMORY_ENV}={limit}); "
            "what it was doing was not stored. Set a higher limit within this machine's "
            f"memory, for example {MEMORY_ENV}=8GB, and run the command again "
            "(docs/store.md, Memory).")


def run(args: list[str] | None = None, *, exiting: bool = False) -> int:
    """Run `thb` with `args`; return the exit code. Interrupts and warnings end here.

    `exiting`: the process ends after this (the `thb` script). Ctrl-C is then ignored
    once the command has finished and said what it did, instead of the previous handler
    coming back and a late signal ending the process as killed (exit -2, issue #10).
    """
    import signal
    import threading

    from typer._click.exceptions import ClickException

    command = typer.main.get_command(app)
    code: int = EXIT_OK
    _on_interrupt.clear()
    _signalled.clear()
    interrupts.clear()
    handled = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _raise_interrupted) if handled else None
    if handled:
        _handling.append(True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
        try:
            result = command.main(args=args, prog_name="thb", standalone_mode=False)
            code = result if isinstance(result, int) else EXIT_OK
            # A KeyboardInterrupt Typer turned into an exit, or a Ctrl-C that some C code
            # swallowed while the command went on to finish: say what was stored.
            if code == EXIT_INTERRUPTED or _signalled:
                code = _interrupted()
        except typer.Exit as exc:
            code = exc.exit_code
        except ClickException as exc:
            exc.show()
            code = exc.exit_code
        except BaseException as exc:
            if _is_out_of_memory(exc):
                err_console.print(f"[red]error:[/red] {out_of_memory_message()}")
                code = EXIT_INVALID
            elif not _is_interrupt(exc):
                raise
            else:
                code = _interrupted()
        finally:
            _on_interrupt.clear()
            interrupts.clear()  # said and done: a library call after `run` commits again
            if handled:
                _handling.clear()
                signal.signal(signal.SIGINT, signal.SIG_IGN if exiting else previous)
    _note_warnings(list(caught))
    return code
