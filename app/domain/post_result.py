"""What one outgoing POST came to (webhooks out): the HTTP status and what failed, if anything."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PostResult:
    """``status`` is the HTTP status (None when no answer came); ``error`` says what failed."""

    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300
