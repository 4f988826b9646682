"""The helpers that tell an absent form field from an empty one."""

import pytest
from fastapi.exceptions import RequestValidationError

from app.web.forms import checked, require


@pytest.mark.parametrize(
    ("values", "ticked"),
    [
        (["off"], False),
        (["off", "on"], True),
        (["on"], True),
        (["true"], True),
        (["off", "false"], False),
        ([], False),
    ],
)
def test_checked(values: list[str], ticked: bool) -> None:
    assert checked(values) is ticked


def test_require_names_every_missing_field() -> None:
    require({"a", "b"}, "a", "b")
    require({"a", "b", "extra"}, "a")
    with pytest.raises(RequestValidationError) as raised:
        require({"a"}, "a", "b", "c")
    assert [error["loc"] for error in raised.value.errors()] == [("body", "b"), ("body", "c")]
    assert all("Field required" in error["msg"] for error in raised.value.errors())
