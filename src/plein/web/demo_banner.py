"""Whether this database holds a demo world, for the DEMO banner every page shows on one.

Asked once per few seconds rather than per page: a seed run appears (or the database is replaced)
rarely, and the banner must not cost a query on every request.
"""

from __future__ import annotations

import time

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from plein.core.models import DemoSeedRun

TTL_SECONDS = 5.0


class DemoWorld:
    """Callable for templates: True when a demo seed run is recorded in the database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._value = False
        self._checked = float("-inf")

    def __call__(self) -> bool:
        now = time.monotonic()
        if now - self._checked >= TTL_SECONDS:
            try:
                with Session(self._engine) as session:
                    self._value = session.scalar(select(DemoSeedRun.id).limit(1)) is not None
            except SQLAlchemyError:  # a page (an error page too) never fails for want of the banner
                self._value = False
            self._checked = now
        return self._value
