"""Every route of the web app (CONTRACTS §6), each with its declared action.

Handlers parse, call one library function and return a `View`: its `data` is
the JSON twin's answer, and the page renders the same data.
"""

from __future__ import annotations

import base64
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from thbmonitor.errors import UsageError
from thbmonitor.store import audit
from thbmonitor.web import i18n
from thbmonitor.web.errors import WebError
from thbmonitor.web.identity import (
    SIGN_IN_FAILED,
    add_user,
    authenticate,
    end_session,
    list_users,
    new_session,
)
from thbmonitor.web.permissions import ROLES, allowed

if TYPE_CHECKING:
    from thbmonitor.web.app import Ctx, Web

from thbmonitor.web.app import LANG_COOKIE, SESSION_COOKIE, View

#: The navigation: (label, path, action), shown when the actor is allowed the action.
NAV = (
    ("Dashboard", "/", "dashboard.view"),
    ("New report", "/reports/new", "reports.create"),
    ("Upload a file", "/imports/new", "imports.create"),
    ("Quarantine", "/quarantine", "quarantine.view"),
    ("Review", "/review", "review.view"),
    ("Carousel leads", "/patterns/carousel/latest", "patterns.view"),
    ("Networks", "/patterns/networks/latest", "patterns.view"),
    ("Releases", "/releases", "releases.view"),
    ("Audit log", "/audit", "audit.view"),
    ("Users", "/users", "users.view"),
)
DRAFT_SECONDS = 600


def chrome(ctx: Ctx, web: Web) -> dict[str, Any]:
    """What the layout needs: the navigation, the language switch, who is signed in."""
    path = ctx.request.url.path
    params = {k: v for k, v in ctx.request.query_params.items() if k != "lang"}
    switch = {lang: path + "?" + urlencode({**params, "lang": lang}) for lang in i18n.LANGUAGES}
    nav = [{"label": ctx._(label), "path": p, "current": path == p}
           for label, p, action in NAV if ctx.actor and allowed(ctx.actor, action)]
    from thbmonitor.publish.texts import texts_for

    texts = texts_for(ctx.lang)
    return {"nav": nav, "switch": switch, "actor": ctx.actor, "path": path,
            "n": lambda v, d=0: _number(ctx.lang, v, d),
            "label": lambda table, key: _label(texts, table, key),
            "table_title": texts.table_title}


def _label(texts: Any, table: str, key: str) -> str:
    """A category's label as the report words it (publish.texts), else the key itself."""
    try:
        return str(texts.label(table, key))
    except (KeyError, LookupError, ValueError):
        return key


def _number(lang: str, value: Any, digits: int = 0) -> str:
    from babel.numbers import format_decimal

    if value is None:
        return "·"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=lang))


def _version(ctx: Ctx) -> tuple[Any, ...]:
    """Changes whenever the figures could: imports, link runs (which apply the review
    decisions), settings."""
    if "version" not in ctx.memo:
        ctx.memo["version"] = _store_version(ctx)
    version: tuple[Any, ...] = ctx.memo["version"]
    return version


def _store_version(ctx: Ctx) -> tuple[Any, ...]:
    # Small tables only (a scan of `reports` on every request cost the dashboard 3 ms):
    # reports reach the store only through an import, which always writes its `imports`
    # row, so the import log stands for the reports; persons change only with a link run.
    return tuple(ctx.db.execute(
        "SELECT (SELECT count(*) FROM imports), (SELECT max(import_id) FROM imports), "
        "(SELECT max(started_at) FROM link_runs), "
        "(SELECT max(updated_at) FROM settings)").fetchone())


def _latest_year(ctx: Ctx) -> int | None:
    """The latest year with a report, cached per store version."""
    key = ("latest_year", _version(ctx))
    if key not in ctx.state.cache:
        latest = ctx.db.scalar("SELECT max(year(report_date)) FROM reports")
        ctx.state.cache[key] = None if latest is None else int(latest)
    year: int | None = ctx.state.cache[key]
    return year


def _figures(ctx: Ctx, year: int, protected: bool) -> dict[str, Any]:
    from thbmonitor.release import figures_with_findings

    key = ("figures", year, protected, _version(ctx))
    if key not in ctx.state.cache:
        ctx.state.cache[key] = figures_with_findings(ctx.db, year, protected=protected)
    figures: dict[str, Any] = ctx.state.cache[key]
    return figures


def _dark_figure(ctx: Ctx, year: int) -> dict[str, Any] | None:
    """The report's default estimate of the dark figure (the Dutch practice), cached per
    store version."""
    from thbmonitor.release import dark_figure

    key = ("dark_figure", year, _version(ctx))
    if key not in ctx.state.cache:
        estimate = dark_figure(ctx.db, year)
        keys = ("observed", "estimate", "dark_figure", "ci", "ci_level", "method", "lists",
                "published_as", "warnings")
        shown = None if estimate is None else estimate.to_dict()
        ctx.state.cache[key] = None if shown is None else {k: shown.get(k) for k in keys}
    result: dict[str, Any] | None = ctx.state.cache[key]
    return result


def _charts(ctx: Ctx, figures: dict[str, Any]) -> list[dict[str, Any]]:
    from thbmonitor.publish.charts import render_charts

    key = ("charts", figures["year"], ctx.lang, _version(ctx))
    if key not in ctx.state.cache:
        charts = []
        for chart in render_charts(figures, ctx.lang):
            records = chart.spec["data"]["values"]
            columns = [k for k in (records[0] if records else {})
                       if k not in ("order", "current", "value")]
            charts.append({
                "name": chart.name, "title": chart.title, "description": chart.description,
                "table": {"columns": columns, "rows": [[r[c] for c in columns] for r in records]},
                "svg_data": "data:image/svg+xml;base64,"
                            + base64.b64encode(chart.svg.encode()).decode(),
            })
        ctx.state.cache[key] = charts
    charts_: list[dict[str, Any]] = ctx.state.cache[key]
    return charts_


def register(web: Web) -> None:  # noqa: C901 (one list of routes, read top to bottom)
    route = web.route

    # -- signing in -----------------------------------------------------------------------

    @route("GET", "/login", "public", summary="whether the request is signed in")
    def login_page(ctx: Ctx, next: str = "/") -> View:
        return View({"signed_in": ctx.actor is not None}, "login.html.j2",
                    {"next": _safe_next(next)})

    @route("POST", "/login", "public", summary="sign in (sets the session cookie)",
           form={"username": {"type": "string", "required": True},
                 "password": {"type": "string", "required": True}})
    def login(ctx: Ctx) -> View:
        username = str(ctx.form.get("username", ""))
        password = str(ctx.form.get("password", ""))
        user = authenticate(ctx.db, username, password) if username and password else None
        if user is None:
            return View({"error": SIGN_IN_FAILED}, "login.html.j2",
                        {"failed": True, "next": _safe_next(str(ctx.form.get("next", "/")))},
                        status=401)
        old = ctx.request.cookies.get(SESSION_COOKIE)
        if old:
            end_session(ctx.db, old)  # rotated: a session id known before sign-in is dead
        session = new_session(ctx.db, user)
        return View({"login": user.login, "role": user.role, "org": user.org}, None,
                    redirect=_safe_next(str(ctx.form.get("next", "/"))),
                    cookies={SESSION_COOKIE: session})

    @route("POST", "/logout", "public", summary="sign out (ends the session)")
    def logout(ctx: Ctx) -> View:
        cookie = ctx.request.cookies.get(SESSION_COOKIE)
        if cookie:
            end_session(ctx.db, cookie)
        return View({"signed_in": False}, None, redirect="/login",
                    cookies={SESSION_COOKIE: None})

    # -- figures --------------------------------------------------------------------------

    @route("GET", "/", "dashboard.view", twin=False)
    def home(ctx: Ctx) -> View:
        return dashboard(ctx)

    @route("GET", "/dashboard", "dashboard.view",
           summary="the latest year's protected figures and the report's charts")
    def dashboard(ctx: Ctx) -> View:
        year = _latest_year(ctx)
        if year is None:
            return View({"year": None, "figures": None, "charts": []}, "dashboard.html.j2")
        figures = _figures(ctx, year, True)
        charts = _charts(ctx, figures)
        data = {"year": year, "figures": figures,
                "charts": [{k: c[k] for k in ("name", "title", "description", "table")}
                           for c in charts]}
        return View(data, "dashboard.html.j2", {"charts_svg": charts},
                    json_key=("dashboard", year, ctx.lang, _version(ctx)))

    @route("GET", "/figures/{year}", "figures.protected",
           summary="a year's figures: protected; ?protected=0 unprotected (analysts)")
    def figures(ctx: Ctx, year: int, protected: int = 1) -> View:
        if not 1900 < year < 2200:
            raise WebError(404, f"no figures for {year}")
        if not protected:
            if not allowed(ctx.actor, "figures.unprotected"):
                raise WebError(403, "only analysts see unprotected figures")
            audit.record(ctx.db, "read", "figures.unprotected", actor=ctx.who,
                         detail={"year": year})
        data = _figures(ctx, year, bool(protected))
        return View({"year": year, "protected": bool(protected), "figures": data,
                     "dark_figure": _dark_figure(ctx, year)}, "figures.html.j2")

    # -- intake (registrars, own organisation) -------------------------------------------

    from thbmonitor.web import intake
    from thbmonitor.web import review as review_lib

    def _org(ctx: Ctx) -> str:
        assert ctx.actor is not None and ctx.actor.org
        return ctx.actor.org

    @route("GET", "/reports/new", "reports.create", summary="the fields of a report")
    def report_form(ctx: Ctx) -> View:
        return View({"fields": intake.report_columns(), "source": _org(ctx)},
                    "report_form.html.j2", {"values": {}, "errors": []})

    report_fields: dict[str, Any] = {c["name"]: {"type": "string", "required": c["required"]}
                     for c in intake.report_columns() if c["name"] != "source"}
    report_fields["confirm"] = {"type": "string"}
    report_fields["draft"] = {"type": "string"}

    @route("POST", "/reports", "reports.create", form=report_fields,
           summary="one report typed in: validated and pseudonymised as an import")
    def report_create(ctx: Ctx) -> View:
        org = _org(ctx)
        fields = dict(ctx.form)
        draft_id = str(fields.pop("draft", "") or "")
        confirm = bool(fields.pop("confirm", ""))
        _expire_drafts(ctx)
        if draft_id:
            draft = ctx.state.drafts.pop(draft_id, None)
            if draft is None or draft["login"] != ctx.actor.login:  # type: ignore[union-attr]
                raise WebError(409, "this draft is no longer there (it expires after 10 "
                                    "minutes); type the report again")
            fields, confirm = draft["fields"], True
        if not confirm:
            checked = intake.submit_report(ctx.db, ctx.state.key, fields, org=org,
                                           actor=ctx.who, dry_run=True)
            if checked.errors:
                return _invalid_report(fields, checked, org)
            hint = intake.existing_person_hint(ctx.db, ctx.state.key, fields)
            if hint["same_name"]:
                new_id = secrets.token_urlsafe(16)
                # Held in this process's memory only, for DRAFT_SECONDS: never stored.
                ctx.state.drafts[new_id] = {"login": ctx.actor.login,  # type: ignore[union-attr]
                                            "fields": fields, "at": time.monotonic()}
                audit.record(ctx.db, "read", "reports.existing-person-hint", actor=ctx.who,
                             detail={"source": org, "same_name": hint["same_name"]})
                return View({"stored": False, "hint": hint, "draft": new_id},
                            "report_hint.html.j2", status=200)
        result = intake.submit_report(ctx.db, ctx.state.key, fields, org=org, actor=ctx.who)
        if result.errors:
            return _invalid_report(fields, result, org)
        return View(result.to_dict(), "report_saved.html.j2")

    def _invalid_report(fields: dict[str, Any], result: Any, org: str) -> View:
        """The form again with its problems; personal values are never put back."""
        shown = {k: v for k, v in fields.items() if k not in intake.personal_columns("reports")}
        return View(result.to_dict(), "report_form.html.j2",
                    {"fields": intake.report_columns(), "values": shown,
                     "errors": result.errors, "source": org}, status=422)

    @route("GET", "/imports/new", "imports.create", summary="the kinds a registrar uploads")
    def import_form(ctx: Ctx) -> View:
        return View({"kinds": list(intake.UPLOAD_KINDS), "source": _org(ctx)},
                    "import_form.html.j2")

    @route("POST", "/imports", "imports.create",
           form={"kind": {"type": "string", "enum": list(intake.UPLOAD_KINDS), "required": True},
                 "file": {"type": "string", "format": "binary", "required": True}},
           summary="a file upload, answered with the validation report")
    def import_create(ctx: Ctx) -> View:
        if "file" not in ctx.files:
            raise WebError(422, "choose a file to upload")
        name, data = ctx.files["file"]
        report = intake.upload_file(ctx.db, ctx.state.key, str(ctx.form.get("kind", "reports")),
                                    name, data, org=_org(ctx), actor=ctx.who)
        return View(report.to_dict(), "import_result.html.j2",
                    status=200 if report.succeeded else 422)

    @route("GET", "/quarantine", "quarantine.view",
           summary="rejected rows of the own organisation")
    def quarantine(ctx: Ctx) -> View:
        rows = intake.org_quarantine(ctx.db, _org(ctx), actor=ctx.who)
        return View({"count": len(rows), "rows": rows}, "quarantine.html.j2")

    @route("GET", "/quarantine/{qid}", "quarantine.view", summary="one rejected row")
    def quarantine_row(ctx: Ctx, qid: int) -> View:
        entry = intake.quarantine_entry(ctx.db, qid, _org(ctx), actor=ctx.who)
        return View(entry, "quarantine_fix.html.j2", {"fields": _kind_fields(entry["kind"])})

    fix_fields: dict[str, Any] = {c["name"]: {"type": "string"} for c in intake.report_columns()}
    fix_fields["version"] = {"type": "string", "required": True}

    @route("POST", "/quarantine/{qid}", "quarantine.fix", form=fix_fields,
           summary="fix one rejected row and validate it again (stale edit: 409)")
    def quarantine_fix(ctx: Ctx, qid: int) -> View:
        fields = dict(ctx.form)
        version = str(fields.pop("version", ""))
        fix = intake.fix_quarantined(ctx.db, ctx.state.key, qid, version, fields,
                                     org=_org(ctx), actor=ctx.who)
        if fix.fixed:
            return View(fix.to_dict(), "quarantine_fixed.html.j2")
        entry = intake.quarantine_entry(ctx.db, qid, _org(ctx), actor=ctx.who)
        return View({**fix.to_dict(), **{k: entry[k] for k in ("row_data", "kind", "row",
                                                                "file")}},
                    "quarantine_fix.html.j2",
                    {"fields": _kind_fields(entry["kind"]), "version": entry["version"],
                     "quarantine_id": qid}, status=422)

    @route("GET", "/review", "review.view", summary="pairs to decide (no clear names)")
    def review(ctx: Ctx, limit: int = 50) -> View:
        org, limit = _org(ctx), max(1, min(limit, 500))
        # The queue is kept per organisation, limit, store and decisions version (the join
        # over the reports was most of a request: 38 ms); every read is still audited,
        # before the answer leaves.
        key = ("review", org, limit, _version(ctx), review_lib.decisions_version(ctx.db))
        if key not in ctx.state.cache:
            ctx.state.cache[key] = review_lib.org_review_pairs(ctx.db, org, limit=limit)
        queue = ctx.state.cache[key]
        review_lib.audit_review_read(ctx.db, org, queue, limit=limit, actor=ctx.who)
        return View(queue.to_dict(), "review.html.j2", json_key=key)

    @route("POST", "/review/{pair}", "review.decide",
           form={"decision": {"type": "string", "enum": ["same", "different"],
                              "required": True}},
           summary="decide a pair: same or different")
    def review_decide(ctx: Ctx, pair: str) -> View:
        decision = str(ctx.form.get("decision", ""))
        if decision not in ("same", "different"):
            raise WebError(422, "choose same or different")
        result = review_lib.org_decide(ctx.db, _org(ctx), pair, decision, actor=ctx.who)
        return View(result.to_dict(), None, redirect="/review?decided=" + result.pair_id)

    # -- pattern leads (analysts) ---------------------------------------------------------

    def _year(ctx: Ctx, year: str) -> int:
        if year == "latest":
            latest = _latest_year(ctx)
            if latest is None:
                raise WebError(404, "no reports yet")
            return latest
        try:
            return int(year)
        except ValueError:
            raise WebError(404, f"no year {year[:10]!r}") from None

    @route("GET", "/patterns/carousel/{year}", "patterns.view",
           summary="carousel leads of a year (restricted, audited)")
    def carousel(ctx: Ctx, year: str) -> View:
        from thbmonitor.patterns import carousel_leads

        result = carousel_leads(ctx.db, _year(ctx, year), "year", actor=ctx.who)
        return View(result.to_dict(), "carousel.html.j2")

    @route("GET", "/patterns/networks/{year}", "patterns.view",
           summary="networks of a year (restricted, audited)")
    def networks(ctx: Ctx, year: str) -> View:
        from thbmonitor.patterns import find_networks

        result = find_networks(ctx.db, _year(ctx, year), actor=ctx.who)
        return View(result.to_dict(), "networks.html.j2")

    # -- releases (CONTRACTS §7) -----------------------------------------------------------

    @route("GET", "/releases", "releases.view",
           summary="the stored releases, each checked against its hash; ?year=Y: revisions")
    def releases(ctx: Ctx, year: int | None = None) -> View:
        from thbmonitor.web.releases import listing

        data = listing(ctx.db, year)
        return View(data, "releases.html.j2",
                    {"may_freeze": allowed(ctx.actor, "releases.create"),
                     "released": ctx.request.query_params.get("released")})

    @route("POST", "/releases/{year}", "releases.create",
           form={"confirm": {"type": "string", "required": True}},
           summary="freeze the year as its next release (confirm: the year again)")
    def release_create(ctx: Ctx, year: int) -> View:
        from thbmonitor.web.releases import freeze

        frozen = freeze(ctx.db, year, str(ctx.form.get("confirm", "")), actor=ctx.who)
        return View(frozen, None, redirect=f"/releases?year={year}&released="
                    + str(frozen["release_id"]), status=201)

    # -- administration -------------------------------------------------------------------

    @route("GET", "/audit", "audit.view", summary="the audit log and whether its chain holds")
    def audit_page(ctx: Ctx, last: int = 200) -> View:
        listing = audit.list_entries(ctx.db, last=max(1, min(last, 5000)))
        checked = audit.verify(ctx.db)
        audit.record(ctx.db, "read", "audit", actor=ctx.who, detail={"last": last})
        return View({**listing.to_dict(), "verify": checked.to_dict()}, "audit.html.j2")

    @route("GET", "/users", "users.view", summary="users and the role × action matrix")
    def users(ctx: Ctx) -> View:
        return View(list_users(ctx.db).to_dict(), "users.html.j2", {"roles": ROLES})

    @route("POST", "/users", "users.create",
           form={"login": {"type": "string", "required": True},
                 "role": {"type": "string", "enum": list(ROLES), "required": True},
                 "org": {"type": "string"},
                 "password": {"type": "string", "required": True}},
           summary="add a user")
    def users_create(ctx: Ctx) -> View:
        try:
            user = add_user(ctx.db, str(ctx.form.get("login", "")),
                            str(ctx.form.get("role", "")), str(ctx.form.get("password", "")),
                            org=str(ctx.form.get("org") or "") or None, actor=ctx.who)
        except UsageError as exc:
            raise WebError(422, str(exc)) from None
        return View(user.to_dict(), None, redirect="/users", status=201)


def _kind_fields(kind: str) -> list[dict[str, Any]]:
    from thbmonitor.ingest import KINDS

    return [{"name": c.name, "required": c.required, "vocabulary": list(c.vocabulary),
             "personal": c.personal or c.pseudonymised, "type": c.type.value}
            for c in KINDS[kind].columns]


def _safe_next(target: str) -> str:
    """Only a path on this site (no `//host`, no scheme): an open redirect is refused."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _expire_drafts(ctx: Ctx) -> None:
    now = time.monotonic()
    for key in [k for k, d in ctx.state.drafts.items() if now - d["at"] > DRAFT_SECONDS]:
        del ctx.state.drafts[key]


__all__ = ["LANG_COOKIE", "NAV", "chrome", "register"]
