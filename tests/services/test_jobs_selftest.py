from typing import Any

import pytest

from app.domain.errors import InvalidInput
from app.services.jobs.selftest import parse_selftest_params, selftest_kind


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ({}, {"steps": 20, "step_s": 0.5, "fail_at": None}),
        ({"steps": 3, "step_s": 0}, {"steps": 3, "step_s": 0.0, "fail_at": None}),
        ({"steps": 3, "fail_at": 3}, {"steps": 3, "step_s": 0.5, "fail_at": 3}),
        ({"steps": 10_000, "step_s": 60}, {"steps": 10_000, "step_s": 60.0, "fail_at": None}),
    ],
)
def test_parse_valid(raw: dict[str, Any], parsed: dict[str, Any]) -> None:
    assert parse_selftest_params(raw) == parsed


@pytest.mark.parametrize(
    "raw",
    [
        {"steps": 0},
        {"steps": 10_001},
        {"steps": "5"},
        {"steps": True},
        {"steps": 2.5},
        {"step_s": -1},
        {"step_s": 61},
        {"step_s": "fast"},
        {"steps": 3, "fail_at": 4},
        {"fail_at": 0},
        {"colour": "red"},
    ],
)
def test_parse_invalid(raw: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        parse_selftest_params(raw)


def test_kind_is_described() -> None:
    kind = selftest_kind()
    assert (kind.name, kind.lock_key, kind.title) == ("selftest", "selftest", "Self-test")
