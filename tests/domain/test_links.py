"""The link vocabulary: kinds, sides, and which sides a run may write."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidInput
from app.domain.links import Direction, LinkKind, Mode, Side, writable_sides

A, B = Side.A, Side.B


@pytest.mark.parametrize(
    ("kind", "stored"),
    [(LinkKind.RATINGS, "ratings"), (LinkKind.PLAYLISTS, "playlists"), (LinkKind.MIRROR, "mirror")],
)
def test_link_kinds_keep_their_stored_values(kind: LinkKind, stored: str) -> None:
    assert kind.value == stored
    assert LinkKind(stored) is kind


@pytest.mark.parametrize(("side", "other"), [(A, B), (B, A)])
def test_the_other_side(side: Side, other: Side) -> None:
    assert side.other is other
    assert side.other.other is side


@pytest.mark.parametrize(
    ("direction", "mode", "files_side", "writable"),
    [
        (Direction.BOTH, Mode.SYNC, None, {A, B}),
        (Direction.A_TO_B, Mode.SYNC, None, {B}),
        (Direction.B_TO_A, Mode.SYNC, None, {A}),
        (Direction.BOTH, Mode.SYNC, A, {A, B}),
        (Direction.BOTH, Mode.IMPORT, A, {B}),
        (Direction.BOTH, Mode.IMPORT, B, {A}),
        (Direction.BOTH, Mode.EXPORT, A, {A}),
        (Direction.BOTH, Mode.EXPORT, B, {B}),
        (Direction.A_TO_B, Mode.IMPORT, A, {B}),
        (Direction.A_TO_B, Mode.EXPORT, A, set()),
        (Direction.A_TO_B, Mode.EXPORT, B, {B}),
        (Direction.B_TO_A, Mode.IMPORT, A, set()),
        (Direction.B_TO_A, Mode.IMPORT, B, {A}),
    ],
)
def test_writable_sides(
    direction: Direction, mode: Mode, files_side: Side | None, writable: set[Side]
) -> None:
    assert writable_sides(direction, mode, files_side) == writable


@pytest.mark.parametrize("mode", [Mode.IMPORT, Mode.EXPORT])
def test_import_and_export_need_the_files_side(mode: Mode) -> None:
    with pytest.raises(InvalidInput, match="holds the files"):
        writable_sides(Direction.BOTH, mode, None)
