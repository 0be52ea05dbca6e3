"""Progress of long work (an import, a crawl, a resolution run): done of total, rate and time left.

One calculation for the command line and the browser, so both say the same in the same Dutch words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from plein.core.labels import number


def duration(seconds: float) -> str:
    """``45 s``, ``3 min 20 s``, ``1 u 05 min``: a span as people read it."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} u {minutes:02d} min"


def rows_at_density(rows: int, position: int | None, size: int | None) -> int:
    """The rows a file will hold when the rest is as dense as the part read (``position`` of ``size`` bytes)."""
    if rows and position and size and position < size:
        return max(rows, round(rows * size / position))
    return rows


@dataclass(frozen=True, slots=True)
class Estimate:
    """How far work is: ``done`` of ``total`` (None when unknown) after ``elapsed`` seconds."""

    done: int
    total: int | None
    elapsed: float

    @classmethod
    def since(cls, done: int, total: int | None, started: dt.datetime, now: dt.datetime | None = None) -> Estimate:
        moment = now or dt.datetime.now(dt.UTC)
        if started.tzinfo is None:
            started = started.replace(tzinfo=dt.UTC)
        return cls(done, total, max(0.0, (moment - started).total_seconds()))

    @property
    def fraction(self) -> float | None:
        """0..1 when the total is known."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)

    @property
    def rate(self) -> float | None:
        """Units per second, once there is something to measure."""
        if self.elapsed <= 0 or self.done <= 0:
            return None
        return self.done / self.elapsed

    @property
    def remaining(self) -> float | None:
        """Seconds left at the rate so far, when the total is known."""
        rate = self.rate
        if self.total is None or rate is None:
            return None
        return max(0, self.total - self.done) / rate

    def describe(self, unit: str = "regels") -> str:
        """``1.200 van 10.000 regels (12 %) · 400 per seconde · nog ongeveer 22 s``."""
        parts = [
            f"{number(self.done)} van {number(self.total)} {unit}" if self.total else f"{number(self.done)} {unit}"
        ]
        if self.fraction is not None:
            parts[0] += f" ({round(self.fraction * 100)} %)"
        if self.rate is not None and round(self.rate) > 0:  # slow steps (a few per minute) have no useful rate
            parts.append(f"{number(round(self.rate))} per seconde")
        if self.remaining is not None:
            parts.append(f"nog ongeveer {duration(self.remaining)}")
        parts.append(f"bezig sinds {duration(self.elapsed)}")
        return " · ".join(parts)
