"""Permissions as data, default deny: who may do what (CONTRACTS §6).

`MATRIX` maps each action to the roles allowed it and the scope of the
grant; anything not listed is refused. Every route declares its action and
calls `allowed(actor, action, resource)`; a registrar's grants hold for the
own organisation only (`scope="org"`): the resource must name that
organisation, or the check says no.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ROLES = ("registrar", "analyst", "publisher", "admin")


@dataclass(frozen=True)
class Actor:
    """Who is asking: a signed-in user (session or API token), never anonymous here."""

    login: str
    role: str
    org: str | None = None
    via: str = "session"

    @property
    def audit_name(self) -> str:
        """The actor as written to the audit log."""
        return f"web:{self.login}"


@dataclass(frozen=True)
class Grant:
    roles: frozenset[str]
    scope: str = "all"  # "all", or "org": only resources of the actor's organisation
    help: str = ""


def _grant(roles: str, help: str, scope: str = "all") -> Grant:
    return Grant(frozenset(roles.split()), scope, help)


#: action -> grant. An action absent here is refused for everyone.
MATRIX: dict[str, Grant] = {
    "dashboard.view": _grant("registrar analyst publisher admin", "dashboard (protected)"),
    "figures.protected": _grant("registrar analyst publisher admin", "protected figures"),
    "figures.unprotected": _grant("analyst", "unprotected figures"),
    "reports.create": _grant("registrar", "type in one report", "org"),
    "imports.create": _grant("registrar", "upload a file", "org"),
    "quarantine.view": _grant("registrar", "rejected rows", "org"),
    "quarantine.fix": _grant("registrar", "fix a rejected row", "org"),
    "review.view": _grant("registrar", "review queue"),
    "review.decide": _grant("registrar", "decide a pair"),
    "patterns.view": _grant("analyst", "carousel and network leads"),
    "releases.view": _grant("analyst publisher", "releases"),
    "releases.create": _grant("publisher", "freeze a release"),
    "audit.view": _grant("admin", "audit log"),
    "users.view": _grant("admin", "users"),
    "users.create": _grant("admin", "add a user"),
    "account.view": _grant("registrar analyst publisher admin", "own account, language"),
}

#: Actions anyone may take, signed in or not (the sign-in page, health, static files).
PUBLIC = frozenset({"public"})


def allowed(actor: Actor | None, action: str, resource: dict[str, Any] | None = None) -> bool:
    """True when `actor` may take `action` on `resource`; everything else is refused.

    `resource` may carry `org`: for an org-scoped grant it must equal the
    actor's organisation (a registrar without an organisation may do nothing
    org-scoped).
    """
    if action in PUBLIC:
        return True
    if actor is None:
        return False
    grant = MATRIX.get(action)
    if grant is None or actor.role not in grant.roles:
        return False
    if grant.scope == "org":
        if not actor.org:
            return False
        wanted = (resource or {}).get("org", actor.org)
        return bool(wanted == actor.org)
    return True


def matrix_rows() -> list[dict[str, Any]]:
    """The role × action matrix as rows (`thb users list`, `/users`)."""
    rows = []
    for action, grant in MATRIX.items():
        cells = {}
        for role in ROLES:
            if role not in grant.roles:
                cells[role] = "-"
            else:
                cells[role] = "own org" if grant.scope == "org" else "yes"
        rows.append({"action": action, "help": grant.help, **cells})
    return rows
