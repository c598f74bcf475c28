"""The Typer application and what every command shares.

Each command module (`thbmonitor.cli.<group>`) registers its commands on
`app`; a command parses its options, calls one library function and prints
the result with `emit` (`--json` prints exactly the result's `to_dict()`).
Exit codes (CONTRACTS §2): 0 success, 1 invalid data or a failed check,
2 wrong usage.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer
from rich.console import Console

from thbmonitor.errors import ThbError, UsageError

app = typer.Typer(
    name="thb",
    help="THB Monitor: intake, linkage, figures, dark figure, patterns and safe publication.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def default_db() -> Path:
    """`$THB_DB`, else `./thb.duckdb` (CONTRACTS §2)."""
    return Path(os.environ.get("THB_DB") or "thb.duckdb")


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Database file (default: $THB_DB, else ./thb.duckdb)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


class Result(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


def emit_json(data: Any) -> None:
    """Print JSON to stdout, unformatted by Rich so that it parses exactly."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def emit(result: Result, as_json: bool, render: Callable[[Result], None]) -> None:
    """Print a result: its `to_dict()` as JSON, or the human rendering."""
    if as_json:
        emit_json(result.to_dict())
    else:
        render(result)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a ThbError into a one-line message and the right exit code, no traceback."""
    try:
        yield
    except UsageError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    except ThbError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_INVALID) from None
