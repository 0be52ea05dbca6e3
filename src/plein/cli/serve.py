"""``plein serve``: the web interface and the /v1 API."""

from __future__ import annotations

import ipaddress
import socket

import typer

from plein.errors import ConfigurationError
from plein.runtime import ready_engine
from plein.settings import get_settings


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
) -> None:
    """Start de webinterface en de API."""
    import uvicorn

    from plein.web.app import create_app

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
    engine = ready_engine(settings)
    typer.echo(f"plein draait op http://{host}:{port}")
    uvicorn.run(
        create_app(engine=engine, settings=settings), host=host, port=port, log_level="info", proxy_headers=True
    )
