"""Knobs of docs/PLEX.md §9.3: page caps, strict container sizes, latency and faults, scan timing.

A :class:`Knobs` object is shared by the running server and may be changed at any time (tests
flip knobs between requests); each request reads the values it needs once.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Literal


@dataclass
class Fault:
    """Misbehave on requests whose path matches ``path_pattern`` (a regex, searched).

    ``status`` answers that status instead of the real response; ``drop`` closes the
    connection without an answer; ``delay_s`` waits first. ``times`` limits how many requests
    are hit (None: all of them).
    """

    path_pattern: str
    status: int | None = None
    drop: bool = False
    delay_s: float = 0.0
    methods: frozenset[str] | None = None
    times: int | None = None

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path_pattern)

    def matches(self, method: str, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        return self._regex.search(path) is not None


@dataclass
class Knobs:
    page_cap: int | None = None
    require_container_size: bool = False
    max_container_size: int | None = None
    over_max: Literal["serve", "reject"] = "serve"
    latency_s: float = 0.0
    scan_delay_s: float = 0.0
    scan_async: bool = True
    webhooks_sync: bool = False
    gzip: bool = False
    faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first fault that applies to this request, counting it against ``times``."""
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path) and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None
