"""A reporter that passes everything on to another: the base of the command line's wrappers
(``ShowingProgress`` draws the progress, ``PlanTally`` counts the plan), each of which
overrides only what it adds."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.ports import Reporter


class ForwardingReporter:
    """``app.services.ports.Reporter``, every call passed on to ``reporter`` unchanged."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        self.reporter.progress(phase, done, total)

    def event(
        self,
        action: str,
        subject: str,
        *,
        level: str = "info",
        before: object = None,
        after: object = None,
        detail: str | None = None,
    ) -> None:
        self.reporter.event(action, subject, level=level, before=before, after=after, detail=detail)

    def counter(self, name: str, n: int = 1) -> None:
        self.reporter.counter(name, n)

    def check_cancelled(self) -> None:
        self.reporter.check_cancelled()
