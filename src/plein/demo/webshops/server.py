"""The demo webshops served on 127.0.0.1, one port per site, with a log of every request.

Besides normal shop pages they serve what the web throws at a crawler: robots.txt with Disallow and
Crawl-delay, a 404, a 500, a page that fails once and then works, a slow page, malformed HTML, a
huge page, binary content labelled as HTML, a redirect loop, endless pagination and another
encoding. The log lets tests measure politeness and duplicate fetches from the server's side.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from plein.demo.webshops.catalog import SITES, DemoOffer, assign_sellers, build_catalog
from plein.demo.webshops.pages import THEME_NAMES, home, layout, listing, product_page

ROBOTS = {
    "koelshop": "User-agent: *\nDisallow: /account/\nDisallow: /winkelwagen\n",
    "stepwinkel": "User-agent: *\nDisallow: /intern/\n",
    "bouwshop": "User-agent: *\nCrawl-delay: {delay}\nDisallow: /beheer/\n",
    "tweedehands": "User-agent: *\nDisallow: /mijn/\n",
}
SLOW_SECONDS = 1.5
HUGE_BYTES = 6_000_000


@dataclass
class RequestLogEntry:
    """One request as the server saw it."""

    time: float  # when the request arrived
    site: str
    path: str
    status: int
    user_agent: str


@dataclass
class Webshops:
    """Running demo sites: their base URLs, the catalogue, the request log and a stop switch."""

    sites: dict[str, str]
    offers: list[DemoOffer]
    servers: list[ThreadingHTTPServer]
    log: list[RequestLogEntry] = field(default_factory=list)
    crawl_delay: float = 0.5
    log_path: Path | None = None
    operators: dict[str, tuple[str, str]] = field(default_factory=dict)  # shop -> (name, KvK) in its footer
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, entry: RequestLogEntry) -> None:
        with self._lock:
            self.log.append(entry)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(entry.__dict__) + "\n")

    def ground_truth(self) -> dict[str, Any]:
        """Which offer is where, which rules it breaks, which strings are personal data."""
        return {
            "sites": {name: {"url": url, "kind": SITES[name]} for name, url in self.sites.items()},
            "disallowed": {
                "koelshop": ["/account/", "/winkelwagen"],
                "stepwinkel": ["/intern/"],
                "bouwshop": ["/beheer/"],
                "tweedehands": ["/mijn/"],
            },
            "crawl_delay": {"bouwshop": self.crawl_delay},
            "offers": [o.as_json(self.sites[o.site]) for o in self.offers],
        }

    def write_ground_truth(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.ground_truth(), ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def _handler(site: str, shops: Webshops) -> type[BaseHTTPRequestHandler]:
    offers = [o for o in shops.offers if o.site == site]
    by_path = {o.path: o for o in offers}
    operator = shops.operators.get(site)
    attempts: dict[str, int] = {}
    flaky = offers[0].path if site == "tweedehands" and offers else ""

    class Handler(BaseHTTPRequestHandler):
        server_version = "plein-demo"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the shops keep their own log."""

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            arrived = getattr(self, "arrived", time.time())
            shops.record(RequestLogEntry(arrived, site, self.path, status, self.headers.get("User-Agent", "")))

        def _html(self, html: str, status: int = 200) -> None:
            self._send(status, html.encode("utf-8"))

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            self.arrived = time.time()
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            page = _page_number(query)
            path = url.path
            if path == "/robots.txt":
                self._send(200, ROBOTS[site].format(delay=shops.crawl_delay).encode(), "text/plain")
            elif path == "/":
                self._html(home(site, offers, operator))
            elif path.startswith("/categorie/") and path.removeprefix("/categorie/") in THEME_NAMES:
                theme = path.removeprefix("/categorie/")
                chosen = [o for o in offers if o.theme == theme]
                self._html(listing(site, THEME_NAMES[theme], chosen, page, path, operator))
            elif path == "/zoeken":
                term = (query.get("q") or [""])[0].lower()
                chosen = [o for o in offers if term and (term in o.title.lower() or term in o.description.lower())]
                self._html(listing(site, f"Zoekresultaten voor {term}", chosen, page, f"/zoeken?q={term}", operator))
            elif path in by_path:
                attempts[path] = attempts.get(path, 0) + 1
                if path == flaky and attempts[path] % 2 == 1:  # every first try fails; the retry works
                    self._html(layout(site, "Storing", "<h1>Tijdelijke storing</h1>"), 500)
                    return
                html = product_page(site, by_path[path])
                if site == "bouwshop":
                    self._send(200, html.encode("cp1252", errors="replace"), "text/html; charset=windows-1252")
                else:
                    self._html(html)
            elif site == "tweedehands" and (path.startswith("/kapot/") or path == "/eindeloos"):
                self._bad(path, page)
            elif path.startswith("/img/"):
                self._send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
            else:
                self._html(layout(site, "Niet gevonden", "<h1>Pagina niet gevonden</h1>"), 404)

        def _bad(self, path: str, page: int) -> None:
            if path == "/kapot/html":
                self._send(
                    200,
                    b"<html><head><title>Kapot<body><h1>Fles R32 <b><i>bijna</b> gratis</h1><p>"
                    b"<div><table><tr><td>prijs: \xe2\x82\xac 5,00<td></html></html><<<>>",
                )
            elif path == "/kapot/groot":
                self._send(
                    200,
                    b"<html><body><h1>Groot</h1>"
                    + b"<p>vulling vulling vulling</p>" * (HUGE_BYTES // 28)
                    + b"</body></html>",
                )
            elif path == "/kapot/binair":
                self._send(200, bytes(range(256)) * 64)
            elif path in ("/kapot/lus", "/kapot/lus2"):
                target = "/kapot/lus2" if path == "/kapot/lus" else "/kapot/lus"
                self._send(302, b"", headers={"Location": target})
            elif path == "/eindeloos":
                self._html(
                    layout(
                        site,
                        f"Eindeloos {page}",
                        f'<h1>Pagina {page}</h1><a href="/eindeloos?pagina={page + 1}">Volgende</a>',
                    )
                )
            elif path == "/kapot/500":
                self._html(layout(site, "Fout", "<h1>Interne fout</h1>"), 500)
            elif path == "/kapot/traag":
                time.sleep(SLOW_SECONDS)
                self._html(layout(site, "Traag", "<h1>Eindelijk</h1>"))
            elif path == "/kapot/latin1":
                html = layout(
                    site, "Oude pagina", "<h1>Oude helm (geen keurmerk) – ç’est très cool</h1>", charset="iso-8859-1"
                )
                self._send(200, html.encode("latin-1", errors="replace"), "text/html")
            else:
                self._html(layout(site, "Niet gevonden", "<h1>Weg</h1>"), 404)

    return Handler


class QuietServer(ThreadingHTTPServer):
    """A threading server that does not print a trace when a crawler hangs up early (size caps)."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _page_number(query: dict[str, list[str]]) -> int:
    try:
        return max(1, min(1_000_000, int((query.get("pagina") or ["1"])[0])))
    except ValueError:
        return 1


def start_webshops(
    seed: int = 1,
    host: str = "127.0.0.1",
    base_port: int = 0,
    crawl_delay: float = 0.5,
    log_path: Path | None = None,
    scale: int = 2,
    sellers: Sequence[tuple[str, str]] | None = None,
) -> Webshops:
    """Start the four sites in background threads; ports base_port…base_port+3, or free ones for 0.

    ``sellers`` (name, KvK number) replaces the built-in business sellers, e.g. with companies of the
    demo world so that their dossiers show the web offers a crawl finds (see ``demo_world_sellers``).
    """
    shops = Webshops(
        sites={},
        offers=build_catalog(seed, scale, sellers),
        servers=[],
        crawl_delay=crawl_delay,
        log_path=log_path,
        operators=assign_sellers(sellers)[0],
    )
    for index, site in enumerate(SITES):
        server = QuietServer((host, base_port + index if base_port else 0), _handler(site, shops))
        shops.servers.append(server)
        shops.sites[site] = f"http://{host}:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, name=f"webshop-{site}", daemon=True).start()
    return shops
