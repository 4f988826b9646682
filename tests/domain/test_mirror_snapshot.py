"""Snapshot rules: when a directory stamp is too fresh to trust."""

from __future__ import annotations

import pytest

from app.domain.mirror.snapshot import (
    DirStamp,
    is_racy,
)

# --------------------------------------------------------------------------------------------
# stamps
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mtime", "ctime", "now", "racy"),
    [
        (1_000_000_001, 1_000_000_001, 2_000_000_000, False),
        (1_950_000_001, 1_000_000_001, 2_000_000_000, True),
        (1_000_000_001, 1_990_000_001, 2_000_000_000, True),
        (1_000_000_000, 1_000_000_000, 2_500_000_000, True),  # whole seconds: 2 s window
        (1_000_000_000, 1_000_000_000, 3_500_000_000, False),
    ],
)
def test_racy_stamps(mtime: int, ctime: int, now: int, racy: bool) -> None:
    assert is_racy(DirStamp(1, mtime, ctime), now) is racy
