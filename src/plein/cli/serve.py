"""``plein serve``: the web interface and the /v1 API."""

from __future__ import annotations

import ipaddress

import typer

from plein.audit.appender import Appender, checkpoint_log
from plein.audit.keys import audit_keys
from plein.runtime import ready_engine
from plein.settings import get_settings


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    engine = ready_engine(settings)
    typer.echo(f"plein draait op http://{host}:{port}")
    # The one audit appender of this server: seals the entries requests write (they never wait for it).
    with Appender(engine, audit_keys(settings), checkpoint_log(settings), settings.audit_seal_interval):
        uvicorn.run(
            create_app(engine=engine, settings=settings), host=host, port=port, log_level="info", proxy_headers=True
        )
