"""Security headers on every response, error pages included, and only asset files from node_modules.

The headers are set by an ASGI middleware around the app and again on the server-error handler,
which Starlette runs outside every middleware (so a 500 carries them too). The Content-Security-
Policy allows scripts, styles, fonts and images from plein itself only: plein's templates have no
inline script or style (htmx is told not to inject its indicator style; Leaflet positions its map
through the CSS object model, which the policy allows); map tiles may come from the configured
tile server.
"""

from __future__ import annotations

import inspect
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ASSET_SUFFIXES = frozenset(
    {".css", ".js", ".mjs", ".woff", ".woff2", ".ttf", ".otf", ".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp", ".ico"}
)


def content_security_policy(tile_url: str = "") -> str:
    """The policy: plein's own origin only, plus the tile server's origin for map images."""
    images = "'self' data:"
    parts = urlsplit(tile_url) if tile_url else None
    if parts and parts.scheme in ("https", "http") and parts.netloc:
        images += f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; font-src 'self'; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def security_headers(path: str, csp: str) -> dict[str, str]:
    """The headers every response carries (static assets may be cached, nothing else)."""
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if not path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return headers


def _apply(headers: MutableHeaders, path: str, csp: str) -> None:
    for name, value in security_headers(path, csp).items():
        headers.setdefault(name, value)


class SecurityHeaders:
    """Adds the security headers to every response that passes through it."""

    def __init__(self, app: ASGIApp, *, csp: str) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _apply(MutableHeaders(scope=message), path, self.csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def secure_server_errors(app: FastAPI, csp: str) -> None:
    """Give the 500 handler's response the headers too (Starlette runs it outside all middleware)."""
    key: Any = 500 if 500 in app.exception_handlers else Exception
    handler = app.exception_handlers.get(key)
    if handler is None:
        return

    async def with_headers(request: Request, exc: Exception) -> Response:
        result = handler(request, exc)
        response: Response = await result if inspect.isawaitable(result) else result
        _apply(response.headers, request.url.path, csp)
        return response

    app.exception_handlers[key] = with_headers


class AssetFiles(StaticFiles):
    """Static files limited to what a page loads (styles, scripts, fonts, images): no package.json,
    README, LICENSE or other metadata of the installed front-end packages."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        name = PurePosixPath(path)
        if name.suffix.lower() not in ASSET_SUFFIXES or any(part.startswith(".") for part in name.parts):
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)


def install_security(app: FastAPI, map_tile_url: str = "") -> None:
    """The headers middleware (outermost) and the 500 handler's headers (map tiles allowed as images)."""
    csp = content_security_policy(map_tile_url)
    app.add_middleware(SecurityHeaders, csp=csp)
    secure_server_errors(app, csp)
