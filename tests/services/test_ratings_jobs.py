"""The ratings job kinds' parameters: mode and the file-state cache's use."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.errors import InvalidInput
from app.services.ratings.jobs import parse_sync_params


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({}, {"mode": "sync"}),
        ({"mode": "export"}, {"mode": "export"}),
        ({"mode": "import", "file_cache": "ignore"}, {"mode": "import", "file_cache": "ignore"}),
        ({"file_cache": "clear"}, {"mode": "sync", "file_cache": "clear"}),
        ({"file_cache": "use"}, {"mode": "sync", "file_cache": "use"}),
    ],
)
def test_parse_sync_params(raw: dict[str, Any], expected: dict[str, Any]) -> None:
    assert parse_sync_params(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"mode": "both"}, "unknown mode 'both'"),
        ({"file_cache": "off"}, "unknown file_cache 'off'; use use, ignore, clear"),
        ({"cache": "off"}, "unknown ratings sync parameters: cache"),
    ],
)
def test_bad_sync_params_are_refused(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_sync_params(raw)
