"""Forms send every field, also the empty ones (``van=&tot=``); an empty value means "not given".

A pure ASGI middleware drops blank query parameters from page requests before routing, so an
optional date or number left empty is simply absent instead of an invalid value. The API (``/v1``)
is left as sent: a client that sends ``van=`` gets its 400.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send


class BlankQueryMiddleware:
    """Remove ``name=`` (blank) pairs from the query string of non-API HTTP requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not str(scope.get("path", "")).startswith("/v1"):
            raw = scope.get("query_string", b"")
            if raw:
                pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
                kept = [(k, v) for k, v in pairs if v.strip()]
                if len(kept) != len(pairs):
                    scope = {**scope, "query_string": urlencode(kept).encode("latin-1")}
        await self.app(scope, receive, send)
