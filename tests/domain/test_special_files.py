"""Kinds of special entries and the root fence for symlinks."""

from __future__ import annotations

import stat

import pytest

from app.domain.special_files import SpecialKind, is_inside, special_kind


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        (stat.S_IFIFO | 0o644, SpecialKind.FIFO),
        (stat.S_IFCHR | 0o666, SpecialKind.DEVICE),
        (stat.S_IFBLK | 0o660, SpecialKind.DEVICE),
        (stat.S_IFSOCK | 0o755, SpecialKind.SOCKET),
        (stat.S_IFLNK | 0o777, SpecialKind.OTHER),
        (stat.S_IFREG | 0o644, SpecialKind.OTHER),
    ],
)
def test_special_kind_by_mode(mode: int, kind: SpecialKind) -> None:
    assert special_kind(mode) == kind


@pytest.mark.parametrize(
    ("real", "root", "inside"),
    [
        ("/lib", "/lib", True),
        ("/lib/a/b.mkv", "/lib", True),
        ("/lib/a", "/lib/", True),
        ("/library/a", "/lib", False),
        ("/etc/passwd", "/lib", False),
        ("/lib", "/lib/a", False),
        ("/etc", "/", True),
        ("/dev/zero", "/srv/music", False),
    ],
)
def test_is_inside_the_root(real: str, root: str, inside: bool) -> None:
    assert is_inside(real, root) is inside
