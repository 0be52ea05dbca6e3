"""Limits before work: who may send a body, how large it may be, and how many requests run at once.

Two ASGI middlewares, outside the routes:

* ``BodyGuard``: a request that carries a body is authenticated from its headers (token or session
  cookie) before one byte of the body is read, so an anonymous caller cannot make plein read, parse
  or spool anything (401 on the API, the login page elsewhere; the login form itself excepted), and
  the body is limited per route, by ``Content-Length`` first and by counting the streamed bytes
  (413 ``Invoer te groot``).
* ``RequestSlots``: at most ``pool_size + max_overflow`` requests of one server process work at a
  time, each with at most one pooled connection, so a request never waits for (or times out on) a
  connection; the others wait in line before they start.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from dataclasses import dataclass
from typing import Any

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plein.auth.sessions import COOKIE, check_session
from plein.auth.tokens import token_user
from plein.web.problems import PROBLEM_JSON, TITLES

KB = 1024
MB = 1024 * KB
JSON_LIMIT = 1 * MB
FORM_LIMIT = 100 * KB
KVK_FILE_LIMIT = 5 * MB
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ANONYMOUS_BODY_PATHS = frozenset({"/inloggen"})  # the login form: no credential yet, form limit applies
UPLOAD_PATH = re.compile(r"^/bronnen/[^/]+/imports$")
KVK_FILE_PATH = "/v1/registraties/_zoek-kvk-bestand"
KVK_LIST_PATHS = frozenset({"/v1/registraties/_zoek", "/v1/registraties/_zoek/export"})  # lists of KvK numbers


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The largest body a route accepts, and how to say so."""

    size: int
    what: str


def body_limit(path: str, content_type: str, max_upload: int) -> BodyLimit:
    """The limit for one request: uploads the configured maximum, forms 100 kB, the rest (JSON) 1 MB."""
    if UPLOAD_PATH.match(path):
        return BodyLimit(max_upload, "een exportbestand")
    if path == KVK_FILE_PATH:
        return BodyLimit(KVK_FILE_LIMIT, "een bestand met KvK-nummers")
    if path in KVK_LIST_PATHS:  # room for a list longer than allowed, so that it gets its own clear 400
        return BodyLimit(KVK_FILE_LIMIT, "een zoekvraag met KvK-nummers")
    if content_type.startswith("application/x-www-form-urlencoded") or content_type.startswith("multipart/"):
        return BodyLimit(FORM_LIMIT, "een formulier")
    return BodyLimit(JSON_LIMIT, "een verzoek")


def _readable(size: int) -> str:
    return f"{size // MB} MB" if size >= MB else f"{size // KB} kB"


def too_large_detail(limit: BodyLimit) -> str:
    return f"De inhoud van het verzoek is te groot: {limit.what} mag hoogstens {_readable(limit.size)} zijn."


def _is_api(path: str) -> bool:
    return path == "/v1" or path.startswith("/v1/")


def _too_large(path: str, limit: BodyLimit) -> Response:
    body = {
        "type": "https://plein.example/problemen/413",
        "title": TITLES[413],
        "status": 413,
        "detail": too_large_detail(limit),
        "instance": path,
    }
    return JSONResponse(body, status_code=413, media_type=PROBLEM_JSON, headers={"Connection": "close"})


def _login_required(path: str, query: str) -> Response:
    if _is_api(path):
        body = {
            "type": "https://plein.example/problemen/401",
            "title": TITLES[401],
            "status": 401,
            "detail": "Log in of stuur een geldig persoonlijk token mee (Authorization: Bearer …).",
            "instance": path,
        }
        headers = {"WWW-Authenticate": 'Bearer realm="plein"', "Connection": "close"}
        return JSONResponse(body, status_code=401, media_type=PROBLEM_JSON, headers=headers)
    from urllib.parse import quote

    target = path + ("?" + query if query else "")
    return RedirectResponse(
        f"/inloggen?volgende={quote(target, safe='')}", status_code=303, headers={"Connection": "close"}
    )


def credentials_live(sessions: Any, headers: Headers) -> bool:
    """True when the request's token or session cookie belongs to a live login (a short read, no write)."""
    authorization = headers.get("authorization", "")
    cookie = _cookie(headers.get("cookie", ""))
    if not authorization.lower().startswith("bearer ") and not cookie:
        return False
    with sessions() as session:
        if authorization.lower().startswith("bearer "):
            return token_user(session, authorization[7:].strip()) is not None
        row, _write = check_session(session, cookie)
        return row is not None


def _cookie(header: str) -> str:
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value.strip('"')
    return ""


def _has_body(scope: Scope, headers: Headers) -> bool:
    if scope["method"] not in BODY_METHODS:
        return False
    length = headers.get("content-length")
    return "transfer-encoding" in headers or (length is not None and length.strip() not in ("", "0"))


class BodyGuard:
    """Authenticate before the body; limit the body per route (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, sessions: Any, max_upload: int) -> None:
        self.app = app
        self.sessions = sessions
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not _has_body(scope, headers):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path not in ANONYMOUS_BODY_PATHS and not await run_in_threadpool(credentials_live, self.sessions, headers):
            await _login_required(path, scope.get("query_string", b"").decode("latin-1"))(scope, receive, send)
            return
        limit = body_limit(path, headers.get("content-type", ""), self.max_upload)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit.size:
            await _too_large(path, limit)(scope, receive, send)
            return
        await _guarded(self.app, scope, receive, send, path, limit)


async def _guarded(app: ASGIApp, scope: Scope, receive: Receive, send: Send, path: str, limit: BodyLimit) -> None:
    """Run the app with a body that may not grow past its limit (a lying or absent Content-Length):
    past it, plein answers 413 itself and the app sees the client gone (its own answer is dropped)."""
    seen = 0
    started = refused = False

    async def guarded_send(message: Message) -> None:
        nonlocal started
        if refused:
            return
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    async def counted_receive() -> Message:
        nonlocal seen, refused
        if refused:
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit.size:
                if not started and not refused:
                    await _too_large(path, limit)(scope, receive, send)
                refused = True
                return {"type": "http.disconnect"}
        return message

    await app(scope, counted_receive, guarded_send)


class RequestSlots:
    """At most ``slots`` requests at work at once in this process (static files do not count)."""

    def __init__(self, app: ASGIApp, *, slots: int) -> None:
        self.app = app
        self.slots = slots
        self._semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()  # one per event loop (a server has one; test clients may make more)
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.slots)
        async with semaphore:
            await self.app(scope, receive, send)
