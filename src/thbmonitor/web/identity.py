"""Users, passwords, sessions, API tokens and the sign-in lockout, kept in the store.

Passwords are hashed with Argon2id through `pwdlib` (a maintained library:
no home-made password hashing). Sessions and API tokens are opaque random
values (`secrets.token_urlsafe`, 256 bits); the store keeps only their
SHA-256, so a copy of the store lets nobody sign in. Sign-in attempts are
kept per SHA-256 of the login (a mistyped password in the login field is
never stored in clear); after `LOCKOUT_ATTEMPTS` failures within
`LOCKOUT_MINUTES` the login is refused for that long, whether it exists or
not, with the same message as a wrong password.

No module here imports FastAPI: `thb users` and `thb token` use it too.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from thbmonitor.errors import DataError, UsageError
from thbmonitor.store import Database, audit
from thbmonitor.web.permissions import ROLES, Actor

LOCKOUT_ATTEMPTS = 6
LOCKOUT_MINUTES = 30
IDLE_MINUTES = 30
MIN_PASSWORD = 12
SIGN_IN_FAILED = "Sign-in failed: unknown user or wrong password."

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


#: Argon2id cost: OWASP's recommended minimum (19 MiB, two passes, one lane).
ARGON2 = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}

_HASHER: Any = None


def hasher(**cost: int) -> Any:
    """The password hasher; `cost` replaces the Argon2id parameters (tests use less)."""
    global _HASHER
    if _HASHER is None or cost:
        from pwdlib import PasswordHash
        from pwdlib.hashers.argon2 import Argon2Hasher

        params = {**ARGON2, **cost}
        _HASHER = PasswordHash((Argon2Hasher(
            memory_cost=params["memory_cost"], time_cost=params["time_cost"],
            parallelism=params["parallelism"]),))
    return _HASHER


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


#: Bumped by every change to a user or a token made through this module, so that the web
#: app's token cache (`WebState.tokens`) is dropped at once: a disabled user or a revoked
#: token is refused from the next request on. Process-wide: it over-invalidates, never
#: under-invalidates, for changes made through these functions.
_generation = 0


def generation() -> int:
    return _generation


def _changed() -> None:
    global _generation
    _generation += 1


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class User:
    login: str
    role: str
    org: str | None
    locale: str | None
    created_at: str
    disabled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"login": self.login, "role": self.role, "org": self.org,
                "locale": self.locale, "created_at": self.created_at,
                "disabled": self.disabled}

    def actor(self, via: str = "session") -> Actor:
        return Actor(self.login, self.role, self.org, via)


@dataclass
class UserList:
    users: list[User]
    matrix: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"users": [u.to_dict() for u in self.users], "matrix": self.matrix}


def add_user(db: Database, login: str, role: str, password: str, *, org: str | None = None,
             actor: str | None = None) -> User:
    """A new user; the password is stored only as its Argon2id hash."""
    login = login.strip().lower()
    if not _LOGIN.match(login):
        raise UsageError("a login is 2 to 63 characters: lower-case letters, digits, '.', '_' "
                         "or '-', starting with a letter or digit")
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    if role == "registrar" and not org:
        raise UsageError("a registrar works for one organisation: give --org SOURCE")
    if role != "registrar" and org:
        raise UsageError("only a registrar has an organisation; leave out --org")
    if len(password) < MIN_PASSWORD:
        raise DataError(f"the password must be at least {MIN_PASSWORD} characters")
    if db.scalar("SELECT count(*) FROM users WHERE login = ?", [login]):
        raise UsageError(f"user {login!r} exists already")
    now = _now()
    with db.transaction():
        db.execute("INSERT INTO users (login, role, org, password_hash, locale, created_at) "
                   "VALUES (?, ?, ?, ?, NULL, ?)",
                   [login, role, org, hasher().hash(password), now])
        audit.record(db, "write", "users", actor=actor,
                     detail={"login": login, "role": role, "org": org})
    _changed()
    return User(login, role, org, None, now.isoformat())


def disable_user(db: Database, login: str, *, actor: str | None = None) -> int:
    """Disable `login`: no sign-in, its sessions ended and its API tokens revoked, at once.
    The row stays (the audit log names it). Returns the sessions and tokens ended."""
    login = login.strip().lower()
    if not db.scalar("SELECT count(*) FROM users WHERE login = ? AND NOT disabled", [login]):
        raise UsageError(f"no active user {login!r}; `thb users list` shows the users")
    with db.transaction():
        ended = int(db.scalar("SELECT (SELECT count(*) FROM sessions WHERE login = ?) + "
                              "(SELECT count(*) FROM api_tokens WHERE login = ?)",
                              [login, login]))
        db.execute("UPDATE users SET disabled = true WHERE login = ?", [login])
        db.execute("DELETE FROM sessions WHERE login = ?", [login])
        db.execute("DELETE FROM api_tokens WHERE login = ?", [login])
        audit.record(db, "write", "users", actor=actor,
                     detail={"login": login, "disabled": True, "ended": ended})
    _changed()
    return ended


def revoke_tokens(db: Database, login: str, *, actor: str | None = None) -> int:
    """Revoke every API token of `login` (a leaked one cannot be told apart: the store
    keeps only hashes); returns how many. The user can still sign in."""
    login = login.strip().lower()
    if not db.scalar("SELECT count(*) FROM users WHERE login = ?", [login]):
        raise UsageError(f"no user {login!r}; `thb users list` shows the users")
    with db.transaction():
        revoked = int(db.scalar("SELECT count(*) FROM api_tokens WHERE login = ?", [login]))
        db.execute("DELETE FROM api_tokens WHERE login = ?", [login])
        audit.record(db, "write", "tokens", actor=actor,
                     detail={"login": login, "revoked": revoked})
    _changed()
    return revoked


def get_user(db: Database, login: str) -> User | None:
    row = db.execute("SELECT login, role, org, locale, created_at FROM users "
                     "WHERE login = ? AND NOT disabled", [login]).fetchone()
    if row is None:
        return None
    return User(row[0], row[1], row[2], row[3], row[4].isoformat())


def list_users(db: Database) -> UserList:
    from thbmonitor.web.permissions import matrix_rows

    rows = db.rows("SELECT login, role, org, locale, created_at, disabled FROM users "
                   "ORDER BY login")
    return UserList([User(r[0], r[1], r[2], r[3], r[4].isoformat(), bool(r[5])) for r in rows],
                    matrix_rows())


def set_locale(db: Database, login: str, locale: str) -> None:
    db.execute("UPDATE users SET locale = ? WHERE login = ?", [locale, login])
    _changed()


# -- sign-in -------------------------------------------------------------------------


def locked(db: Database, login: str) -> bool:
    """True when the login had `LOCKOUT_ATTEMPTS` failures in the last `LOCKOUT_MINUTES`
    since its last success."""
    since = _now() - timedelta(minutes=LOCKOUT_MINUTES)
    key = digest(login.strip().lower())
    last_ok = db.scalar("SELECT max(attempted_at) FROM login_attempts WHERE login_hash = ? "
                        "AND succeeded", [key])
    start = max(since, last_ok) if last_ok is not None else since
    failures = int(db.scalar("SELECT count(*) FROM login_attempts WHERE login_hash = ? AND "
                             "NOT succeeded AND attempted_at > ?", [key, start]))
    return failures >= LOCKOUT_ATTEMPTS


def authenticate(db: Database, login: str, password: str) -> User | None:
    """The user when the login and password match and the login is not locked, else None.

    Unknown logins cost one Argon2 verification too, so timing does not tell
    which logins exist.
    """
    login = login.strip().lower()[:200]
    if locked(db, login):
        _attempt(db, login, False)
        return None
    row = db.execute("SELECT password_hash FROM users WHERE login = ? AND NOT disabled",
                     [login]).fetchone()
    stored = row[0] if row else _dummy_hash()
    ok = bool(hasher().verify(password, stored)) and row is not None
    _attempt(db, login, ok)
    return get_user(db, login) if ok else None


_DUMMY: str | None = None


def _dummy_hash() -> str:
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = str(hasher().hash(secrets.token_urlsafe(16)))
    return _DUMMY


def _attempt(db: Database, login: str, ok: bool) -> None:
    db.execute("INSERT INTO login_attempts VALUES (?, ?, ?)", [digest(login), _now(), ok])


# -- sessions ------------------------------------------------------------------------


def new_session(db: Database, user: User) -> str:
    """A new opaque session id (the cookie value); only its hash is stored."""
    value = secrets.token_urlsafe(32)
    now = _now()
    db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", [digest(value), user.login, now, now])
    return value


def end_session(db: Database, value: str) -> None:
    db.execute("DELETE FROM sessions WHERE session_hash = ?", [digest(value)])


def session_user(db: Database, value: str, *, idle_minutes: int = IDLE_MINUTES) -> User | None:
    """The user of a live session (and the session touched), else None; idle ones end."""
    key = digest(value)
    row = db.execute("SELECT s.last_seen, u.login, u.role, u.org, u.locale, u.created_at "
                     "FROM sessions s JOIN users u ON u.login = s.login "
                     "WHERE s.session_hash = ? AND NOT u.disabled", [key]).fetchone()
    if row is None:
        return None
    now = _now()
    if now - row[0] > timedelta(minutes=idle_minutes):
        db.execute("DELETE FROM sessions WHERE session_hash = ?", [key])
        return None
    if now - row[0] > timedelta(seconds=30):  # touch at most twice a minute
        db.execute("UPDATE sessions SET last_seen = ? WHERE session_hash = ?", [now, key])
    return User(row[1], row[2], row[3], row[4], row[5].isoformat())


# -- API tokens ----------------------------------------------------------------------

TOKEN_PREFIX = "thb_"


def create_token(db: Database, login: str, *, actor: str | None = None) -> str:
    """A new API token for `login`: returned once, stored only as its SHA-256."""
    if get_user(db, login) is None:
        raise UsageError(f"no user {login!r}; add one with `thb users add`")
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.transaction():
        db.execute("INSERT INTO api_tokens VALUES (?, ?, ?, NULL)",
                   [digest(value), login, _now()])
        audit.record(db, "write", "tokens", actor=actor, detail={"login": login})
    return value


def token_user(db: Database, value: str) -> User | None:
    row = db.execute("SELECT u.login, u.role, u.org, u.locale, u.created_at FROM api_tokens t "
                     "JOIN users u ON u.login = t.login WHERE t.token_hash = ? "
                     "AND NOT u.disabled", [digest(value)]).fetchone()
    return None if row is None else User(row[0], row[1], row[2], row[3], row[4].isoformat())
