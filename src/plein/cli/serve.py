"""``plein serve``: the web interface and the /v1 API, in several worker processes."""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

import typer
from sqlalchemy import Engine

from plein.audit.appender import Appender, checkpoint_log
from plein.audit.keys import audit_keys
from plein.errors import ConfigurationError
from plein.runtime import ready_engine
from plein.settings import Settings, get_settings

MAX_AUTO_WORKERS = 8


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def worker_count(settings: Settings, engine: Engine, requested: int | None = None) -> int:
    """Worker processes: as asked, else ``PLEIN_WORKERS``, else one per CPU core (at most 8).

    Both databases allow several: PostgreSQL by design; SQLite because plein opens it in WAL mode
    (readers never block the one writer) with a busy timeout (a writer waits for the lock instead of
    failing). An in-memory SQLite database lives in one process, so it gets one worker.
    """
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return 1
    wanted = requested or settings.workers
    if wanted:
        return wanted
    return max(1, min(MAX_AUTO_WORKERS, os.cpu_count() or 1))


def _require_free_port(host: str, port: int) -> None:
    """Refuse a port another process listens on with one clear line, before uvicorn logs its own."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise ConfigurationError(
            f"poort {port} op {host} is niet beschikbaar ({exc.strerror or exc}); "
            "kies een andere met --port of PLEIN_PORT, of stop het proces dat hem gebruikt."
        ) from None


def serve_command(
    host: str | None = typer.Option(None, help="Adres om op te luisteren (standaard PLEIN_HOST)."),
    port: int | None = typer.Option(None, help="Poort (standaard PLEIN_PORT)."),
    workers: int | None = typer.Option(
        None, min=1, max=64, help="Aantal serverprocessen (standaard PLEIN_WORKERS, anders één per processorkern)."
    ),
) -> None:
    """Start de webinterface en de API."""
    import uvicorn

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    if not _is_loopback(host):
        # Login exists (issue #3); off loopback, session cookies are Secure, so put TLS in front.
        typer.echo(
            f"Let op: plein luistert op {host}. Inloggen werkt daar alleen via HTTPS "
            "(zet een TLS-proxy voor plein; sessiecookies zijn Secure)."
        )
    _require_free_port(host, port)
    engine = ready_engine(settings)  # the schema is checked once, before any worker starts
    count = worker_count(settings, engine, workers)
    typer.echo(
        f"plein draait op http://{host}:{port} met {count} {'proces' if count == 1 else 'processen'} "
        f"({settings.request_slots()} verzoeken tegelijk per proces)"
    )
    # The one audit appender of this server, in this (the main) process: it seals the entries every
    # worker's requests write; requests never wait for it.
    with Appender(engine, audit_keys(settings), checkpoint_log(settings), settings.audit_seal_interval):
        uvicorn.run(
            "plein.web.app:app_from_settings",
            factory=True,
            host=host,
            port=port,
            workers=count,
            log_level="info",
            **proxy_options(settings),
        )
    engine.dispose()


def proxy_options(settings: Settings) -> dict[str, Any]:
    """Trust ``X-Forwarded-For`` (the client address the login throttle counts) only from the
    configured proxies (``PLEIN_TRUSTED_PROXIES``); without them the peer's own address counts."""
    proxies = [part.strip() for part in settings.trusted_proxies.split(",") if part.strip()]
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": proxies}
