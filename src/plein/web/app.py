"""Application factory: one FastAPI app serving the /v1 API and the Dutch HTML pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from plein import __version__
from plein.auth.throttle import LoginThrottle
from plein.settings import Settings, get_settings
from plein.store.engine import session_factory
from plein.web import (
    admin_pages,
    api,
    audit_pages,
    auth_pages,
    ingest_pages,
    pages,
    records_pages,
    search_pages,
    statement_pages,
    webwatch_pages,
)
from plein.web.access import install_access
from plein.web.blank_query import BlankQueryMiddleware
from plein.web.demo_banner import DemoWorld
from plein.web.filters import install_filters
from plein.web.oidc_pages import install_oidc
from plein.web.problems import document_problems, install_error_handlers
from plein.web.route_policy import ROUTES, Access

API_VERSION = "1.0.0"
WEB_DIR = Path(__file__).parent


def create_app(engine: Engine, settings: Settings | None = None) -> FastAPI:
    """Build the app around an engine whose schema has been checked."""
    settings = settings or get_settings()
    app = FastAPI(
        title="plein API",
        version=API_VERSION,
        description="API van plein, volgens de NL API Design Rules.",
        openapi_url="/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        contact={"name": "plein", "url": "https://plein.example"},
        license_info={"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
    )
    # A trailing slash is another resource: 404, never a redirect (NL API Design Rules).
    app.router.redirect_slashes = False
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.settings = settings
    app.state.login_throttle = LoginThrottle()
    app.state.templates = Jinja2Templates(directory=WEB_DIR / "templates")
    app.state.templates.env.globals["plein_version"] = __version__
    install_filters(app.state.templates.env)
    app.state.templates.env.globals["demo_world"] = DemoWorld(engine)

    @app.middleware("http")
    async def api_version_header(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["API-Version"] = API_VERSION
        return response

    install_error_handlers(app)
    app.add_middleware(BlankQueryMiddleware)
    install_access(app)
    install_oidc(app, settings)
    app.mount("/static/plein", StaticFiles(directory=WEB_DIR / "static"), name="static")
    vendor = settings.assets_dir.resolve()
    if vendor.is_dir():
        app.mount("/static/vendor", StaticFiles(directory=vendor), name="vendor")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(auth_pages.router)
    app.include_router(records_pages.router)
    app.include_router(search_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(audit_pages.router)
    app.include_router(ingest_pages.router)
    app.include_router(webwatch_pages.router)
    app.include_router(statement_pages.router)
    _document_problems_in_openapi(app)
    return app


def public_routes() -> set[tuple[str, str]]:
    """(METHOD, path) of the routes anyone may call without logging in (no 401 or 403 to document)."""
    return {key for key, policy in ROUTES.items() if policy.access == Access.PUBLIC}


def _document_problems_in_openapi(app: FastAPI) -> None:
    """Serve an OpenAPI document that shows the problem+json errors instead of FastAPI's 422."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate(), public_routes())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
