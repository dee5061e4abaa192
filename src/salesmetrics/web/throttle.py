"""Login throttling: a few wrong passwords, then a pause, per client address and email.

Each (address, email) pair may fail :data:`LIMIT` times within :data:`WINDOW` seconds; the next
attempt is refused (429, with ``Retry-After``) until the oldest failure leaves the window, even
with the right password. Keyed by the pair, so someone guessing a colleague's password from
one machine does not lock that colleague out of their own. Kept in the server process's memory
(a restart forgets it), which is enough to make guessing an argon2-hashed password by the web
form hopeless: five tries per quarter hour.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

LIMIT = 5
WINDOW = 15 * 60.0


class Throttle:
    """Recent login failures by key, and whether a key must wait."""

    def __init__(
        self,
        limit: int = LIMIT,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def wait(self, key: str) -> int:
        """Seconds ``key`` must wait before its next attempt (0: it may try now)."""
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if len(times) < self.limit:
                return 0
            return max(1, int(times[0] + self.window - now + 0.999))

    def failed(self, key: str) -> None:
        """Record a failed attempt of ``key``."""
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times

    def succeeded(self, key: str) -> None:
        """Forget ``key``'s failures (a successful login)."""
        with self._lock:
            self._failures.pop(key, None)
