"""The emulator's errors: each refusal of the state answers the HTTP status PMS answers, with the
state's detail kept for the log."""

from __future__ import annotations

import pytest

from plex_emulator.errors import (
    InvalidRequest,
    NotShared,
    StateError,
    UnknownItem,
    http_error_of,
)


@pytest.mark.parametrize(
    ("refusal", "status", "title"),
    [
        (InvalidRequest("ratedAt is in the future"), 400, "Bad Request"),
        (UnknownItem("no item 1234"), 404, "Not Found"),
        (NotShared("item 1234 is not shared with bob"), 403, "Forbidden"),
    ],
)
def test_http_error_of(refusal: StateError, status: int, title: str) -> None:
    error = http_error_of(refusal)
    assert (error.status, error.title, error.detail) == (status, title, str(refusal))
