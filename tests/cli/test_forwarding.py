"""ForwardingReporter passes every call on unchanged (app/cli/forwarding.py)."""

from __future__ import annotations

from app.cli.forwarding import ForwardingReporter


class Recording:
    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        self.calls.append(("progress", phase, done, total))

    def event(self, action: str, subject: str, **fields: object) -> None:
        self.calls.append(("event", action, subject, tuple(sorted(fields.items()))))

    def counter(self, name: str, n: int = 1) -> None:
        self.calls.append(("counter", name, n))

    def check_cancelled(self) -> None:
        self.calls.append(("check_cancelled",))


def test_every_call_reaches_the_wrapped_reporter() -> None:
    inner = Recording()
    outer = ForwardingReporter(inner)
    outer.progress("scan", 3, 10)
    outer.event("link", "/t/a", level="warning", before="/s/a", after=None, detail="d")
    outer.counter("files", 2)
    outer.check_cancelled()
    assert inner.calls == [
        ("progress", "scan", 3, 10),
        (
            "event",
            "link",
            "/t/a",
            (("after", None), ("before", "/s/a"), ("detail", "d"), ("level", "warning")),
        ),
        ("counter", "files", 2),
        ("check_cancelled",),
    ]
