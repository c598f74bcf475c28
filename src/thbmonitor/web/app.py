"""The FastAPI application: routes declared with their action, each page with a JSON twin.

`create_app(db, key=...)` builds the app over one open store. Every route is
registered through `Web.route(method, path, action)`, which

- registers the JSON twin (`/x.json`, in the OpenAPI document) and the page
  (`/x`, rendered with Jinja2 on the server) on the same handler;
- resolves the actor (session cookie or `Authorization: Bearer`), answers
  401 (JSON) or a redirect to `/login` (page) without one, and calls
  `allowed(actor, action)` (default deny: 403);
- runs the handler under one lock: DuckDB allows one writer, and the app holds
  the store's only connection, so requests take turns on it;
- turns errors into the envelope `{"ok": false, "error", "status"}` or an error
  page. A handler that reads person-level data records the read in the
  audit log before it returns; when that write fails the answer is an error
  (fail closed), never the data.

Handlers parse, call one library function, and return a `View`.
"""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cachetools import LRUCache
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

import thbmonitor
from thbmonitor.errors import ThbError, UsageError
from thbmonitor.store import Database
from thbmonitor.web import i18n
from thbmonitor.web.errors import WebError
from thbmonitor.web.identity import (
    IDLE_MINUTES,
    User,
    digest,
    generation,
    session_user,
    token_user,
)
from thbmonitor.web.permissions import MATRIX, PUBLIC, Actor, allowed
from thbmonitor.web.security import SecurityMiddleware

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
SESSION_COOKIE = "thb_session"
LANG_COOKIE = "thb_lang"
#: Largest request body read (an upload of at most 20 MB with its form around it).
MAX_BODY_BYTES = 21 * 1024 * 1024
#: Entries of `WebState.cache` (a year's figures are the largest, some hundred kB).
CACHE_ENTRIES = 256


@dataclass
class View:
    """What a handler returns: the JSON payload and, for the page, a template and extras."""

    data: dict[str, Any]
    template: str | None = None
    page: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    redirect: str | None = None
    cookies: dict[str, str | None] = field(default_factory=dict)
    #: Set when the JSON answer is the same for every caller at a store version (the
    #: dashboard): its bytes are kept in the app's cache under this key, not re-encoded.
    json_key: tuple[Any, ...] | None = None


@dataclass
class Ctx:
    """One request as a handler sees it."""

    request: Request
    actor: Actor | None
    user: User | None
    lang: str
    form: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    state: WebState
    memo: dict[str, Any] = field(default_factory=dict)  # per request

    @property
    def db(self) -> Database:
        return self.state.db

    @property
    def who(self) -> str:
        assert self.actor is not None
        return self.actor.audit_name

    def _(self, message: str, **values: Any) -> str:
        text = str(i18n.translations(self.lang).gettext(message))
        return text % values if values else text


@dataclass
class WebState:
    db: Database
    key: bytes
    idle_minutes: int = IDLE_MINUTES
    lock: threading.RLock = field(default_factory=threading.RLock)
    #: Figures, charts, queues and JSON bodies per store version, least recently used out:
    #: the keys carry the version, so an old version's entries are never read again and
    #: age out instead of piling up (every review decision makes a new queue version).
    cache: MutableMapping[Any, Any] = field(default_factory=lambda: LRUCache(CACHE_ENTRIES))
    drafts: dict[str, Any] = field(default_factory=dict)
    #: API token (its SHA-256) -> user, valid while `identity.generation()` is unchanged:
    #: every change to a user or token made through `web.identity` bumps it, so a disabled
    #: user or revoked token is refused from the next request on (`thb serve` holds the
    #: store's only connection, so no other process changes them meanwhile).
    tokens: dict[str, User | None] = field(default_factory=dict)
    tokens_generation: int = -1


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html", "j2"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    return env


class Web:
    """The app and its route table (`routes`: (method, path) -> action)."""

    def __init__(self, state: WebState) -> None:
        self.state = state
        self.app = FastAPI(title="THB Monitor", version=thbmonitor.__version__,
                           docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                           description="The JSON twins of the THB Monitor web app "
                                       "(CONTRACTS §6). Sign in with POST /login or send "
                                       "`Authorization: Bearer TOKEN`.")
        self.env = _environment()
        self.routes: dict[tuple[str, str], str] = {}
        self.json_paths: set[str] = set()

    # -- registration -------------------------------------------------------------------

    def route(self, method: str, path: str, action: str, *, page: bool = True,
              twin: bool = True, raw: bool = False, summary: str = "",
              form: dict[str, Any] | None = None
              ) -> Callable[[Callable[..., View]], Callable[..., View]]:
        """Register `handler` for `path` (page) and `path.json` (twin); `raw`: `path` itself
        answers JSON (`/healthz`)."""
        if action not in MATRIX and action not in PUBLIC:
            raise ValueError(f"route {path} declares an unknown action {action!r}")

        def register(handler: Callable[..., View]) -> Callable[..., View]:
            signature = inspect.signature(handler)
            params = [p for name, p in signature.parameters.items() if name != "ctx"]

            async def endpoint(request: Request, **kwargs: Any) -> Response:
                return await self._run(request, handler, action, kwargs)

            endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
                parameters=[inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                              annotation=Request), *params],
                return_annotation=inspect.Signature.empty)
            endpoint.__name__ = handler.__name__
            endpoint.__doc__ = handler.__doc__
            endpoint.thb_action = action  # type: ignore[attr-defined]
            extra = {"requestBody": {"required": True, "content": {
                "application/x-www-form-urlencoded" if "file" not in (form or {})
                else "multipart/form-data": {"schema": {
                    "type": "object", "properties": form,
                    "required": [k for k, v in (form or {}).items() if v.pop("required", False)]
                }}}}} if form is not None else None
            responses = {401: {"description": "not signed in"},
                         403: {"description": "signed in without the right"}}
            if twin:
                self.app.add_api_route(path + ".json", endpoint, methods=[method],
                                       summary=summary or None, openapi_extra=extra,
                                       responses=responses)  # type: ignore[arg-type]
                self.routes[(method, path + ".json")] = action
            if raw:
                self.app.add_api_route(path, endpoint, methods=[method], summary=summary or None)
                self.routes[(method, path)] = action
                self.json_paths.add(path)
            elif page:
                self.app.add_api_route(path, endpoint, methods=[method], include_in_schema=False)
                self.routes[(method, path)] = action
            return handler

        return register

    # -- one request ----------------------------------------------------------------------

    def wants_json(self, request: Request) -> bool:
        return (request.url.path.endswith(".json") or request.url.path in self.json_paths
                or request.headers.get("authorization", "").lower().startswith("bearer "))

    def signed_in(self, request: Request) -> bool:
        with self.state.lock:
            return self._user(request)[0] is not None

    async def _run(self, request: Request, handler: Callable[..., View], action: str,
                   kwargs: dict[str, Any]) -> Response:
        as_json = self.wants_json(request)
        form: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        data: FormData | None = None
        try:
            if request.method == "POST":
                length = request.headers.get("content-length", "")
                if not length.isdigit() and "chunked" in request.headers.get(
                        "transfer-encoding", ""):
                    raise WebError(411, "send the length of the request (Content-Length)")
                if length.isdigit() and int(length) > MAX_BODY_BYTES:
                    raise WebError(413, f"the request is larger than "
                                        f"{MAX_BODY_BYTES // 1024 // 1024} MB")
                ctype = request.headers.get("content-type", "")
                if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
                    data = await request.form(max_files=1, max_fields=200)
                    for name, value in data.multi_items():
                        if isinstance(value, UploadFile):
                            files[name] = (value.filename or "upload.csv", await value.read())
                        else:
                            form[name] = value
            return await run_in_threadpool(self._sync, request, handler, action, kwargs, form,
                                           files, as_json)
        except Exception as exc:  # the form could not be read
            return self._error(request, as_json, _status(exc), _message(exc), None, "nl")
        finally:
            if data is not None:
                await data.close()

    def _sync(self, request: Request, handler: Callable[..., View], action: str,
              kwargs: dict[str, Any], form: dict[str, Any],
              files: dict[str, tuple[str, bytes]], as_json: bool) -> Response:
        started = time.perf_counter()
        lang = i18n.DEFAULT
        actor: Actor | None = None
        try:
            with self.state.lock:  # the store's one connection: requests take turns
                user, via = self._user(request)
                actor = user.actor(via) if user else None
                lang = i18n.negotiate(request.query_params.get("lang")
                                      or request.cookies.get(LANG_COOKIE)
                                      or (user.locale if user else None),
                                      request.headers.get("accept-language"))
                if action not in PUBLIC:
                    if actor is None:
                        if as_json:
                            raise WebError(401, "not signed in: sign in with POST /login or "
                                                "send Authorization: Bearer TOKEN")
                        target = request.url.path + (f"?{request.url.query}"
                                                     if request.url.query else "")
                        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
                    if not allowed(actor, action, None):
                        raise WebError(403, "your role does not allow this")
                ctx = Ctx(request, actor, user, lang, form, files, self.state)
                view = handler(ctx, **kwargs)
            # rendered outside the lock: the view holds everything the page shows
            response = self._respond(request, ctx, view, as_json)
        except WebError as exc:
            response = self._error(request, as_json, exc.status, exc.message, actor, lang)
        except UsageError as exc:
            response = self._error(request, as_json, 400, str(exc), actor, lang)
        except ThbError as exc:
            response = self._error(request, as_json, 422, str(exc), actor, lang)
        except Exception as exc:
            # No message or traceback of the exception is logged or shown: database
            # errors may quote values.
            route = request.scope.get("route")
            log.error("internal error on %s %s: %s", request.method,
                      getattr(route, "path", "?"), type(exc).__name__)
            response = self._error(request, as_json, 500, "internal error: nothing was "
                                   "shown; the administrator can find the time in the log",
                                   actor, lang)
        if "lang" in request.query_params and request.query_params["lang"] in i18n.LANGUAGES:
            response.set_cookie(LANG_COOKIE, request.query_params["lang"], httponly=True,
                                samesite="strict", secure=request.url.scheme == "https",
                                max_age=365 * 86400)
        log.debug("%s %s %s %.1f ms", request.method, request.url.path, response.status_code,
                  (time.perf_counter() - started) * 1000)
        return response

    def _user(self, request: Request) -> tuple[User | None, str]:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            token = digest(header[7:].strip())
            if (self.state.tokens_generation != generation()
                    or len(self.state.tokens) > 1024):
                self.state.tokens.clear()
                self.state.tokens_generation = generation()
            if token not in self.state.tokens:
                self.state.tokens[token] = token_user(self.state.db, header[7:].strip())
            return self.state.tokens[token], "token"
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            return session_user(self.state.db, cookie,
                                idle_minutes=self.state.idle_minutes), "session"
        return None, "session"

    def _respond(self, request: Request, ctx: Ctx, view: View, as_json: bool) -> Response:
        response: Response
        if as_json and view.json_key is not None and view.status < 400:
            key = ("json", *view.json_key)
            body = self.state.cache.get(key)
            if body is None:
                body = self.state.cache[key] = JSONResponse({"ok": True, **view.data}).body
            response = Response(body, status_code=view.status, media_type="application/json")
        elif as_json:
            response = JSONResponse({"ok": view.status < 400, **view.data}
                                    if view.status < 400 else
                                    {"ok": False, "status": view.status, **view.data},
                                    status_code=view.status)
        elif view.redirect:
            response = RedirectResponse(view.redirect, status_code=303)
        else:
            response = HTMLResponse(self.render(ctx, view.template or "error.html.j2",
                                                {**view.data, **view.page}),
                                    status_code=view.status)
        for name, value in view.cookies.items():
            if value is None:
                response.delete_cookie(name, httponly=True, samesite="strict",
                                       secure=request.url.scheme == "https")
            else:
                response.set_cookie(name, value, httponly=True, samesite="strict",
                                    secure=request.url.scheme == "https")
        return response

    def render(self, ctx: Ctx, template: str, context: dict[str, Any]) -> str:
        from thbmonitor.web import pages

        translations = i18n.translations(ctx.lang)
        env = self.env.overlay()
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        return env.get_template(template).render(
            **context, **pages.chrome(ctx, self), lang=ctx.lang)

    def _error(self, request: Request, as_json: bool, status: int, message: str,
               actor: Actor | None, lang: str) -> Response:
        if as_json:
            return JSONResponse({"ok": False, "error": message, "status": status},
                                status_code=status)
        ctx = Ctx(request, actor, None, lang, {}, {}, self.state)
        try:
            body = self.render(ctx, "error.html.j2", {"status": status, "error": message})
        except Exception:  # the error page itself failed: plain text, still no detail
            return Response(f"{status}: {message}", status_code=status, media_type="text/plain")
        return HTMLResponse(body, status_code=status)


def _status(exc: Exception) -> int:
    return exc.status if isinstance(exc, WebError) else 400


def _message(exc: Exception) -> str:
    return exc.message if isinstance(exc, WebError) else "the form could not be read"


def create_app(db: Database, *, key: bytes, idle_minutes: int = IDLE_MINUTES) -> FastAPI:
    """The web app over `db` (kept open by the app; close it after the server stops)."""
    from thbmonitor.web import pages

    web = Web(WebState(db, key, idle_minutes))
    pages.register(web)
    web.app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    async def healthz() -> JSONResponse:
        """Liveness: answers without the store or the lock (the benchmark's baseline)."""
        return JSONResponse({"ok": True, "status": "up"})

    healthz.thb_action = "public"  # type: ignore[attr-defined]
    web.app.add_api_route("/healthz", healthz, methods=["GET"], summary="liveness")
    web.routes[("GET", "/healthz")] = "public"

    async def http_error(request: Request, exc: Exception) -> Response:
        status = int(getattr(exc, "status_code", 500))
        message = {404: "not found", 405: "method not allowed"}.get(status, "refused")
        return web._error(request, web.wants_json(request), status, message, None,
                          i18n.negotiate(request.cookies.get(LANG_COOKIE),
                                         request.headers.get("accept-language")))

    async def invalid(request: Request, exc: Exception) -> Response:
        # Checked before the handler runs: without credentials the answer is still 401,
        # so a malformed request learns nothing about a route it may not use.
        route = request.scope.get("route")
        action = web.routes.get((request.method, getattr(route, "path", "")), "")
        as_json = web.wants_json(request)
        if action not in PUBLIC and not await run_in_threadpool(web.signed_in, request):
            if not as_json:
                return RedirectResponse("/login", status_code=303)
            return web._error(request, True, 401, "not signed in", None, "nl")
        fields = sorted({str(e.get("loc", ["", "?"])[-1]) for e in
                         getattr(exc, "errors", lambda: [])()})
        return web._error(request, as_json, 422, "invalid request: check "
                          + ", ".join(fields), None, i18n.DEFAULT)

    web.app.add_exception_handler(StarletteHTTPException, http_error)
    web.app.add_exception_handler(RequestValidationError, invalid)
    web.app.add_middleware(SecurityMiddleware)
    web.app.state.web = web
    return web.app
