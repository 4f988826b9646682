"""Debounce and coalesce triggers per key: many triggers within ``delay_s`` become one action.

The first trigger of a key schedules its action ``delay_s`` later; triggers that arrive before
then join it (the action runs at most ``delay_s`` after the first, however busy the stream).
The action answers whether it is done; ``False`` (e.g. the link is running already, so a run
started now could miss the newest change) tries again ``delay_s`` later, for at most
``give_up_after_s`` from the first trigger. One daemon thread serves every key.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

Action = Callable[[int], bool]


@dataclass
class _Pending:
    due: float
    first: float
    triggers: int


class Debouncer:
    def __init__(
        self,
        action: Action,
        *,
        delay_s: float,
        give_up_after_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        name: str = "crossfade-debounce",
    ) -> None:
        self._action = action
        self._delay_s = delay_s
        self._give_up_after_s = give_up_after_s
        self._clock = clock
        self._name = name
        self._pending: dict[int, _Pending] = {}
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    @property
    def delay_s(self) -> float:
        return self._delay_s

    def trigger(self, key: int) -> bool:
        """Schedule ``key``'s action; False if it joined one already pending (coalesced)."""
        with self._wake:
            if self._closed:
                logger.warning("%s is closed; trigger of %s dropped", self._name, key)
                return False
            pending = self._pending.get(key)
            if pending is not None:
                pending.triggers += 1
                return False
            now = self._clock()
            self._pending[key] = _Pending(due=now + self._delay_s, first=now, triggers=1)
            self._ensure_thread()
            self._wake.notify()
            return True

    def pending(self) -> dict[int, int]:
        """``key -> triggers`` waiting for their action."""
        with self._wake:
            return {key: item.triggers for key, item in self._pending.items()}

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._wake:
                key = self._next_due()
                while key is None:
                    if self._closed:
                        return
                    self._wake.wait(self._wait_s())
                    key = self._next_due()
                pending = self._pending[key]
                seen = pending.triggers
            done = self._call(key, seen)
            with self._wake:
                if done and pending.triggers > seen and not self._closed:
                    # triggered again while the action ran: once more, after a fresh delay
                    now = self._clock()
                    pending.due, pending.first, pending.triggers = now + self._delay_s, now, 1
                elif done or self._closed:
                    self._pending.pop(key, None)
                elif self._clock() - pending.first >= self._give_up_after_s:
                    logger.warning(
                        "%s: gave up on %s after %.0fs", self._name, key, self._give_up_after_s
                    )
                    self._pending.pop(key, None)
                else:
                    pending.due = self._clock() + self._delay_s

    def _next_due(self) -> int | None:
        now = self._clock()
        due = [(item.due, key) for key, item in self._pending.items() if item.due <= now]
        return min(due)[1] if due else None

    def _wait_s(self) -> float | None:
        if not self._pending:
            return None
        return max(0.0, min(item.due for item in self._pending.values()) - self._clock())

    def _call(self, key: int, triggers: int) -> bool:
        try:
            return self._action(key)
        except Exception:
            logger.exception("%s: action for %s (%s triggers) failed", self._name, key, triggers)
            return True

    def flush(self) -> list[int]:
        """Run every pending action now, once (no retries); returns their keys."""
        with self._wake:
            keys = list(self._pending)
            self._pending.clear()
        for key in keys:
            self._call(key, 0)
        return keys

    def close(self, *, flush: bool = True) -> list[int]:
        """Stop the thread; pending actions run once first when ``flush``, else are dropped."""
        with self._wake:
            self._closed = True
            thread, self._thread = self._thread, None
            self._wake.notify_all()
        if thread is not None:
            thread.join()
        if flush:
            return self.flush()
        with self._wake:
            dropped = list(self._pending)
            self._pending.clear()
        if dropped:
            logger.warning("%s: dropped pending %s", self._name, dropped)
        return dropped
