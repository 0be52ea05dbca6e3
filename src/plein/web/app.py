"""Application factory: one FastAPI app serving the /v1 API and the Dutch HTML pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.routing import BaseRoute

from plein import __version__
from plein.auth.throttle import LoginThrottle
from plein.settings import Settings, get_settings
from plein.store.engine import session_factory
from plein.web import (
    admin_pages,
    api,
    audit_pages,
    auth_pages,
    follow_pages,
    ingest_pages,
    pages,
    privacy_pages,
    records_pages,
    search_pages,
    statement_pages,
    tasks_pages,
    webwatch_pages,
)
from plein.web.access import install_access
from plein.web.blank_query import BlankQueryMiddleware
from plein.web.demo_banner import DemoWorld
from plein.web.filters import install_filters
from plein.web.limits import BodyGuard, RequestSlots
from plein.web.oidc_pages import install_oidc
from plein.web.problems import document_problems, install_error_handlers
from plein.web.requires import PUBLIC
from plein.web.route_policy import Access, route_table
from plein.web.security import AssetFiles, install_security

API_VERSION = "1.0.0"
OPENAPI_URL = "/v1/openapi.json"
WEB_DIR = Path(__file__).parent


def create_app(engine: Engine, settings: Settings | None = None) -> FastAPI:
    """Build the app around an engine whose schema has been checked."""
    settings = settings or get_settings()
    app = FastAPI(
        title="plein API",
        version=API_VERSION,
        description="API van plein, volgens de NL API Design Rules.",
        openapi_url=None,  # served below, declared public like every other route
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
    app.add_middleware(BodyGuard, sessions=app.state.sessions, max_upload=settings.max_upload_mb * 1024 * 1024)
    app.add_middleware(RequestSlots, slots=settings.request_slots())
    install_security(app, settings.map_tile_url)  # outermost: every response, also the limits' refusals and 500s
    app.mount("/static/plein", AssetFiles(directory=WEB_DIR / "static"), name="static")
    vendor = settings.assets_dir.resolve()
    if vendor.is_dir():
        app.mount("/static/vendor", AssetFiles(directory=vendor), name="vendor")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(auth_pages.router)
    app.include_router(records_pages.router)
    app.include_router(search_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(audit_pages.router)
    app.include_router(ingest_pages.router)
    app.include_router(webwatch_pages.router)
    app.include_router(privacy_pages.router)
    app.include_router(follow_pages.router)
    app.include_router(tasks_pages.router)
    app.include_router(statement_pages.router)
    _document_problems_in_openapi(app)
    route_table(app.routes)  # deny by default: refuse to serve a route that does not declare its access
    return app


def app_from_settings() -> FastAPI:
    """The app of the configured settings with an engine of its own (``plein serve`` calls this once
    in each worker process, so that no two processes share pooled connections)."""
    from plein.runtime import ready_engine

    settings = get_settings()
    return create_app(ready_engine(settings), settings)


def public_routes(routes: Sequence[BaseRoute]) -> set[tuple[str, str]]:
    """(METHOD, path) of the routes anyone may call without logging in (no 401 or 403 to document)."""
    return {key for key, policy in route_table(routes).items() if policy.access == Access.PUBLIC}


def _document_problems_in_openapi(app: FastAPI) -> None:
    """Serve an OpenAPI document that shows the problem+json errors instead of FastAPI's 422."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate(), public_routes(app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get(OPENAPI_URL, include_in_schema=False, dependencies=[PUBLIC])
    def openapi_document() -> JSONResponse:
        """De API-specificatie (OpenAPI 3), zonder inloggen."""
        return JSONResponse(app.openapi())
