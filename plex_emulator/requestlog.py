"""The request log (docs/PLEX.md §9.2.9): every request with its method, path, query and status.

Tokens are never stored: the ``X-Plex-Token`` header and query value are replaced by the name
of the account they belong to (or ``"<unknown>"``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

REDACTED_HEADERS = frozenset({"x-plex-token", "authorization", "cookie"})


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    account: str | None
    status: int
    at: float

    def param(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def record(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: list[tuple[str, str]],
        account: str | None,
        status: int,
    ) -> None:
        shown = account or "<unknown>"
        entry = LoggedRequest(
            method=method,
            path=path,
            query=tuple((k, shown if k == "X-Plex-Token" else v) for k, v in query),
            headers=tuple((k, shown if k.lower() in REDACTED_HEADERS else v) for k, v in headers),
            account=account,
            status=status,
            at=time.time(),
        )
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def count(self, path_prefix: str = "", method: str | None = None) -> int:
        return sum(
            1
            for e in self.entries()
            if e.path.startswith(path_prefix) and (method is None or e.method == method)
        )

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
