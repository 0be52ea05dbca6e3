"""A real uvicorn server for browser tests, on a free port chosen at run time, in a daemon thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.access.live import live_server


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 until the block ends (with its lifespan); yields the base URL."""
    with live_server(app, lifespan="auto") as base:
        yield base


CHROMIUM = "/usr/bin/chromium"


def launch_chromium(playwright: Any) -> Any:
    """Debian's chromium, headless, without network chatter of its own."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
    )
