"""`thb serve`, `thb users add|list|disable`, `thb token create|revoke`: the web app and its
users."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from thbmonitor.cli.app import (
    DbOption,
    JsonOption,
    app,
    console,
    default_db,
    emit,
    plain,
    store,
    user_errors,
)

users_app = typer.Typer(help="Users of the web app and what each role may do.",
                        no_args_is_help=True)
app.add_typer(users_app, name="users")
token_app = typer.Typer(help="API tokens for scripts (`Authorization: Bearer TOKEN`).",
                        no_args_is_help=True)
app.add_typer(token_app, name="token")


def _read_password() -> str:
    """The password from standard input: one line, or prompted twice on a terminal."""
    if sys.stdin.isatty():
        first = typer.prompt("password", hide_input=True)
        second = typer.prompt("again", hide_input=True)
        if first != second:
            from thbmonitor.errors import UsageError

            raise UsageError("the two passwords differ")
        return str(first)
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("add")
def users_add(
    login: Annotated[str, typer.Argument(help="Sign-in name (lower case, digits, . _ -).")],
    role: Annotated[str, typer.Option("--role", help="registrar, analyst, publisher or "
                                      "admin.")],
    org: Annotated[str | None, typer.Option("--org", help="A registrar's organisation (the "
                                            "`source` code of its reports).")] = None,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Add a user; the password is read from standard input and stored as an Argon2id hash."""
    from thbmonitor.store import audit
    from thbmonitor.web.identity import add_user

    with user_errors():
        password = _read_password()
        with store(db, "write") as opened:
            user = add_user(opened.db, login, role, password, org=org,
                            actor=audit.current_actor())
    emit(user, as_json, lambda _: console.print(
        f"user {plain(user.login)} added as {user.role}"
        + (f" of {plain(user.org)}" if user.org else "")))


@users_app.command("list")
def users_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The users, and the role × action matrix of what each role may do."""
    from thbmonitor.web.identity import list_users

    with user_errors(), store(db, "read") as opened:
        result = list_users(opened.db)
    emit(result, as_json, _render_users)


def _render_users(result: Any) -> None:
    table = Table("login", "role", "organisation", "since", title="users")
    for user in result.users:
        table.add_row(plain(user.login) + (" (disabled)" if user.disabled else ""),
                      user.role, plain(user.org or ""), user.created_at[:10])
    console.print(table)
    from thbmonitor.web.permissions import ROLES

    matrix = Table("action", *ROLES, "what", title="role × action (anything else is refused)")
    for row in result.matrix:
        matrix.add_row(row["action"], *(row[r] for r in ROLES), row["help"])
    console.print(matrix)


@users_app.command("disable")
def users_disable(
    login: Annotated[str, typer.Argument(help="The user to disable.")],
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Disable a user at once: no sign-in, sessions ended, API tokens revoked (the user's
    row stays, for the audit log)."""
    from thbmonitor.cli.app import emit_json
    from thbmonitor.store import audit
    from thbmonitor.web.identity import disable_user

    with user_errors(), store(db, "write") as opened:
        ended = disable_user(opened.db, login, actor=audit.current_actor())
    if as_json:
        emit_json({"login": login.strip().lower(), "disabled": True, "ended": ended})
    else:
        console.print(f"user {plain(login.strip().lower())} disabled; "
                      f"{ended} session(s) and token(s) ended")


@token_app.command("revoke")
def token_revoke(
    login: Annotated[str, typer.Argument(help="The user whose tokens are revoked.")],
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Revoke every API token of LOGIN (the store holds only hashes, so a leaked token is
    revoked with its siblings); create a new one for the scripts that still need it."""
    from thbmonitor.cli.app import emit_json
    from thbmonitor.store import audit
    from thbmonitor.web.identity import revoke_tokens

    with user_errors(), store(db, "write") as opened:
        revoked = revoke_tokens(opened.db, login, actor=audit.current_actor())
    if as_json:
        emit_json({"login": login.strip().lower(), "revoked": revoked})
    else:
        console.print(f"{revoked} token(s) of {plain(login.strip().lower())} revoked")


@token_app.command("create")
def token_create(
    login: Annotated[str, typer.Argument(help="The user the token acts as.")],
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Print a new API token for LOGIN (stored hashed: it is shown this once)."""
    from thbmonitor.cli.app import emit_json
    from thbmonitor.store import audit
    from thbmonitor.web.identity import create_token

    with user_errors(), store(db, "write") as opened:
        token = create_token(opened.db, login, actor=audit.current_actor())
    if as_json:
        emit_json({"login": login, "token": token})
    else:
        typer.echo(token)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on; behind a TLS "
                                      "proxy keep 127.0.0.1.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    db: DbOption = None,
) -> None:
    """The web app (docs/web.md): one process holding the store; the CLI's writes wait."""
    import uvicorn

    from thbmonitor.store import open_store
    from thbmonitor.web.app import create_app

    path = db or default_db()
    with user_errors(), open_store(path, "write", key=True) as opened:
        web = create_app(opened.db, key=opened.key)
        console.print(f"THB Monitor on http://{host}:{port}/ (store {plain(str(path))})")
        uvicorn.run(web, host=host, port=port, log_level="info", proxy_headers=True,
                    forwarded_allow_ips="127.0.0.1", server_header=False, access_log=False)
