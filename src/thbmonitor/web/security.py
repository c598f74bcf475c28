"""What every answer carries, and which requests are refused before any handler runs.

- Strict headers on every answer: a Content-Security-Policy that allows no
  script at all (the pages need none), no framing, no referrer, no MIME
  sniffing, and `Cache-Control: no-store` (every page may show person-level
  data or figures before release, so none is cached).
- Unsafe methods from another origin are refused with 403 before anything is
  read or written: by fetch metadata (`Sec-Fetch-Site` other than
  `same-origin` or `none`; `same-site` too, since a page on another port of
  the same host is same-site), else by an `Origin` that is not this server's.
  Clients that send neither (scripts with a Bearer token) are not browsers
  and carry no ambient credentials a third party could abuse.

A pure-ASGI middleware, so that it also covers errors raised by handlers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME = frozenset({"same-origin", "none"})


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def own_origin(scope: Scope, headers: dict[str, str]) -> str:
    scheme = scope.get("scheme", "http")
    host = headers.get("host", "")
    return f"{scheme}://{host}".lower()


def cross_origin(scope: Scope) -> bool:
    """True when an unsafe request comes from a page of another origin."""
    if scope.get("method", "GET").upper() in SAFE_METHODS:
        return False
    headers = _headers(scope)
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site.lower() not in SAME
    origin = headers.get("origin")
    if origin is not None:
        return origin.lower() == "null" or origin.lower() != own_origin(scope, headers)
    return False


class SecurityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = dict(HEADERS)
                if not scope["path"].startswith("/static/"):
                    extra["cache-control"] = "no-store"
                if secure:
                    extra["strict-transport-security"] = "max-age=31536000"
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"cache-control" or "cache-control" not in extra]
                headers += [(k.encode(), v.encode()) for k, v in extra.items()
                            if k.encode() not in present or k == "cache-control"]
                message["headers"] = headers
            await send(message)

        if cross_origin(scope):
            body = json.dumps({"ok": False, "status": 403,
                               "error": "refused: a request from another site may not change "
                                        "anything here"}).encode()
            await send_with_headers({"type": "http.response.start", "status": 403, "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send_with_headers)
