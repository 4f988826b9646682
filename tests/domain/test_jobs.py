import pytest

from app.domain.jobs import (
    JobStatus,
    RunnerId,
    estimate,
    format_duration,
    library_pair_lock_key,
    percent_done,
)


@pytest.mark.parametrize(
    ("status", "active"),
    [
        (JobStatus.QUEUED, True),
        (JobStatus.RUNNING, True),
        (JobStatus.SUCCEEDED, False),
        (JobStatus.FAILED, False),
        (JobStatus.CANCELLED, False),
        (JobStatus.INTERRUPTED, False),
    ],
)
def test_active_statuses(status: JobStatus, active: bool) -> None:
    assert status.is_active is active
    assert status.is_finished is not active


@pytest.mark.parametrize(("a", "b", "key"), [(3, 7, "lib:3+lib:7"), (7, 3, "lib:3+lib:7")])
def test_lock_key_ignores_order(a: int, b: int, key: str) -> None:
    assert library_pair_lock_key(a, b) == key


@pytest.mark.parametrize(
    ("done", "total", "pct"),
    [(0, None, None), (5, 0, None), (0, 10, 0.0), (5, 10, 50.0), (12, 10, 100.0)],
)
def test_percent(done: int, total: int | None, pct: float | None) -> None:
    assert percent_done(done, total) == pct


@pytest.mark.parametrize(
    ("done", "total", "in_phase", "elapsed", "rate", "eta"),
    [
        (0, 100, 0, 5.0, None, None),
        (10, 100, 10, 0.0, None, None),
        (10, 100, 10, 2.0, 5.0, 18.0),
        (60, 100, 20, 4.0, 5.0, 8.0),
        (10, None, 10, 2.0, 5.0, None),
        (120, 100, 10, 1.0, 10.0, 0.0),
    ],
)
def test_estimate(
    done: int,
    total: int | None,
    in_phase: int,
    elapsed: float,
    rate: float | None,
    eta: float | None,
) -> None:
    guess = estimate(done, total, in_phase, elapsed)
    assert (guess.rate_per_s, guess.eta_s) == (rate, eta)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "–"),
        (-1, "–"),
        (float("nan"), "–"),
        (0.4, "0s"),
        (59.6, "1m 00s"),
        (75.2, "1m 15s"),
        (3725, "1h 02m"),
    ],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("text", "runner"),
    [
        ("host:12:345", RunnerId("host", 12, "345")),
        ("my:host:12:-", RunnerId("my:host", 12, "-")),
        ("host:x:1", None),
        ("nothing", None),
    ],
)
def test_runner_id_parse(text: str, runner: RunnerId | None) -> None:
    assert RunnerId.parse(text) == runner
    if runner is not None:
        assert str(runner) == text
