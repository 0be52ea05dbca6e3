"""The spider: start at listing and search pages, follow pagination and offer links within each site."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from twisted.python.failure import Failure

PAGE_PARAMS = frozenset({"pagina", "page", "p", "pg", "offset", "start", "pagenr", "paginanummer"})


def listing_key(url: str) -> str:
    """The listing a URL belongs to: host, path and query without its page number."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in PAGE_PARAMS]
    path = re.sub(r"/(?:page|pagina)/\d+/?$", "", parts.path)
    return f"{parts.netloc}{path}?{urlencode(sorted(query))}"


def describe_failure(failure: Failure) -> tuple[int, bytes, str, str]:
    """(status, body, content type, Dutch problem) of a failed request."""
    value = failure.value
    response = getattr(value, "response", None)
    name = type(value).__name__
    if response is not None:
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        return response.status, response.body, content_type, f"HTTP {response.status}"
    text = str(value)
    if "maxsize" in text.lower() or "larger than download max size" in text.lower() or "Cancelling" in text:
        return 0, b"", "", "pagina te groot, niet opgehaald"
    if name in ("TimeoutError", "TCPTimedOutError", "DNSLookupError", "ConnectionRefusedError"):
        return 0, b"", "", f"niet bereikbaar ({name})"
    if name == "IgnoreRequest" and "redirect" in text.lower():
        return 0, b"", "", "omleidingslus of te veel omleidingen"
    return 0, b"", "", f"ophalen mislukt ({name}: {text[:200]})"


class OfferSpider(scrapy.Spider):
    """Crawls the given sites; every response (or failure) becomes one page item for the pipelines."""

    name = "plein-webwatch"

    def __init__(
        self,
        start_urls: list[str] | None = None,
        max_pagination: int = 50,
        max_pages_per_site: int = 2000,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.start_urls = list(start_urls or [])
        self.max_pagination = max_pagination
        self.max_pages_per_site = max_pages_per_site
        self.hosts = {urlsplit(u).netloc for u in self.start_urls}
        self.listing_pages: dict[str, set[str]] = {}
        self.site_pages: dict[str, set[str]] = {}
        self.links = LinkExtractor(unique=True)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        problems: list[str] = []
        requests: list[scrapy.Request] = []
        if isinstance(response, TextResponse) and b"html" in (response.headers.get("Content-Type") or b"html").lower():
            try:
                links = self.links.extract_links(response)
            except (ValueError, AttributeError) as exc:  # undecodable or non-HTML text
                links = []
                problems.append(f"links onleesbaar: {exc}")
            for link in links:
                request = self._follow(link.url, problems)
                if request is not None:
                    requests.append(request)
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        yield {
            "url": response.url,
            "status": response.status,
            "content_type": content_type,
            "headers": [(k.decode("latin-1"), b", ".join(v).decode("latin-1")) for k, v in response.headers.items()],
            "body": response.body,
            "fetched_at": dt.datetime.now(dt.UTC),
            "problems": problems,
            "replayed": response.meta.get("plein_replayed"),
        }
        yield from requests

    def _follow(self, url: str, problems: list[str]) -> scrapy.Request | None:
        """A request for ``url`` when it stays on a crawled site and within the pagination and size caps."""
        parts = urlsplit(url)
        if parts.netloc not in self.hosts:
            return None
        paged = any(k.lower() in PAGE_PARAMS for k, _ in parse_qsl(parts.query)) or bool(
            re.search(r"/(?:page|pagina)/\d+", parts.path)
        )
        if paged:
            key = listing_key(url)
            seen = self.listing_pages.setdefault(key, set())
            if url not in seen and len(seen) >= self.max_pagination:
                problems.append(f"paginering afgebroken na {self.max_pagination} pagina's ({key})")
                return None
            seen.add(url)
        pages = self.site_pages.setdefault(parts.netloc, set())
        if url not in pages and len(pages) >= self.max_pages_per_site:
            return None
        pages.add(url)
        return scrapy.Request(url, callback=self.parse, errback=self.failed)

    def failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        request = failure.request  # type: ignore[attr-defined]
        status, body, content_type, problem = describe_failure(failure)
        if "Forbidden by robots.txt" in str(failure.value):
            return
        yield {
            "url": request.url,
            "status": status,
            "content_type": content_type,
            "headers": [],
            "body": body,
            "fetched_at": dt.datetime.now(dt.UTC),
            "problems": [problem],
            "replayed": None,
            "failed": True,
        }
