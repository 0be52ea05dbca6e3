"""Login throttling per client address, on top of the per-account lockout.

The account lockout stops guessing one account's password; an address that tries many accounts
(password spraying) is slowed here: after ``MAX_FAILURES`` failed logins within ``WINDOW`` the
address gets no further attempts until the oldest failure leaves the window. Kept in the memory
of the server process (a restart forgets it; the account lockouts are in the database).
"""

from __future__ import annotations

import threading
import time
from collections import deque

MAX_FAILURES = 20
WINDOW_SECONDS = 15 * 60


class LoginThrottle:
    """Failed-login times per address within a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_seconds: float = WINDOW_SECONDS) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._failures.setdefault(address, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def wait_seconds(self, address: str) -> int:
        """Seconds before ``address`` may try again (0: it may now)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(address, now)
            if len(times) < self.max_failures:
                if not times:
                    self._failures.pop(address, None)
                return 0
            return max(1, int(self.window - (now - times[0])) + 1)

    def failed(self, address: str) -> None:
        """Count one failed login from ``address``."""
        now = time.monotonic()
        with self._lock:
            self._recent(address, now).append(now)
