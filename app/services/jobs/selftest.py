"""The built-in ``selftest`` job kind: timed steps with progress and events.

Useful to see the job system work end to end (dashboard, API, both runners) without touching
any media. Parameters: ``steps`` (1..10000, default 20), ``step_s`` (0..60 seconds, default
0.5) and ``fail_at`` (a step number at which the job fails, to show failure handling).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from app.domain.errors import InvalidInput, SetupError
from app.domain.jobs import EventLevel
from app.services.jobs.context import JobContext
from app.services.jobs.kinds import JobHandler, JobKind

SELFTEST = "selftest"
SELFTEST_LOCK_KEY = "selftest"
MAX_STEPS = 10_000
MAX_STEP_S = 60.0
CHECKPOINT_EVERY = 5


def parse_selftest_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(raw) - {"steps", "step_s", "fail_at"}
    if unknown:
        raise InvalidInput(f"unknown selftest parameters: {', '.join(sorted(unknown))}")
    steps = _int(raw.get("steps", 20), "steps", 1, MAX_STEPS)
    step_s = _float(raw.get("step_s", 0.5), "step_s", 0.0, MAX_STEP_S)
    fail_at_raw = raw.get("fail_at")
    fail_at = None if fail_at_raw is None else _int(fail_at_raw, "fail_at", 1, steps)
    return {"steps": steps, "step_s": step_s, "fail_at": fail_at}


def _int(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return value


def _float(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidInput(f"{name} must be a number from {low} to {high}, not {value!r}")
    return float(value)


def selftest_handler(sleep: Callable[[float], None] = time.sleep) -> JobHandler:
    def run(ctx: JobContext) -> None:
        steps: int = ctx.params["steps"]
        step_s: float = ctx.params["step_s"]
        fail_at: int | None = ctx.params.get("fail_at")
        ctx.progress("preparing", 0, None)
        ctx.check_cancelled()
        for step in range(1, steps + 1):
            ctx.check_cancelled()
            ctx.progress("stepping", step - 1, steps)
            sleep(step_s)
            subject = f"step {step} of {steps}"
            if step == fail_at:
                ctx.event("fail", subject, level=EventLevel.ERROR, detail="fail_at asked for it")
                raise SetupError(f"selftest failed at step {step}, as fail_at asked")
            ctx.event(
                "step",
                subject,
                before=step - 1,
                after=step,
                detail="dry run: nothing changed" if ctx.dry_run else None,
            )
            ctx.counter("steps")
            if step % CHECKPOINT_EVERY == 0:
                ctx.event(
                    "checkpoint",
                    subject,
                    level=EventLevel.WARNING,
                    detail=f"a warning every {CHECKPOINT_EVERY} steps, for filters to find",
                )
                ctx.counter("checkpoints")
        ctx.progress("stepping", steps, steps)

    return run


def selftest_kind(sleep: Callable[[float], None] = time.sleep) -> JobKind:
    return JobKind(
        name=SELFTEST,
        title="Self-test",
        handler=selftest_handler(sleep),
        lock_key=SELFTEST_LOCK_KEY,
        parse_params=parse_selftest_params,
    )
