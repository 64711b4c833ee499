"""Per-user question limit: a sliding window, with the users' recent hits kept in a bounded cache."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from cachetools import TTLCache

MAX_TRACKED_USERS = 10_000  # beyond this the least recently seen user's window starts afresh


@dataclass
class _Window:
    hits: deque[float] = field(default_factory=deque)
    warned_until: float = 0.0


class Decision(NamedTuple):
    allowed: bool
    wait: float = 0.0  # seconds until the next question is allowed
    notify: bool = False  # tell the user (once per blocked stretch)


class RateLimiter:
    """At most ``limit`` hits per key in any ``window`` seconds; a key is forgotten a window after its last hit."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._windows: TTLCache[int, _Window] = TTLCache(MAX_TRACKED_USERS, ttl=window, timer=clock)

    def hit(self, key: int) -> Decision:
        now = self.clock()
        state = self._windows.get(key) or _Window()
        self._windows[key] = state  # (re)starts the entry's time to live
        while state.hits and state.hits[0] <= now - self.window:
            state.hits.popleft()
        if len(state.hits) < self.limit:
            state.hits.append(now)
            return Decision(True)
        free_at = state.hits[0] + self.window
        notify = now >= state.warned_until
        if notify:
            state.warned_until = free_at
        return Decision(False, free_at - now, notify)
