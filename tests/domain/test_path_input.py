"""The one check of a path typed into the API or a form."""

import pytest

from app.domain.errors import InvalidInput
from app.domain.path_input import (
    MAX_PATH_CHARS,
    check_local_path,
    check_server_path,
    path_problem,
)


@pytest.mark.parametrize(
    ("path", "absolute", "problem"),
    [
        ("/data/music", True, None),
        ("/", True, None),
        ("/data/Caf\udce9", True, None),  # a non-UTF-8 name as Python decodes it: fine
        ("/data/a\nb", True, None),
        ("/data/\x00etc", True, "NUL byte"),
        ("\x00", False, "NUL byte"),
        ("", True, "empty"),
        ("", False, "empty"),
        ("data/music", True, "not an absolute path"),
        ("./music", True, "not an absolute path"),
        ("D:\\Music", True, "not an absolute path"),
        ("D:\\Music", False, None),
        ("relative/is/fine/for/a/server", False, None),
        ("/" + "a" * MAX_PATH_CHARS, True, "at most"),
    ],
)
def test_path_problem(path: str, absolute: bool, problem: str | None) -> None:
    found = path_problem(path, absolute=absolute)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_check_local_and_server_paths() -> None:
    assert check_local_path("/music") == "/music"
    assert check_server_path("D:\\Music") == "D:\\Music"
    with pytest.raises(InvalidInput, match="root: a path cannot contain a NUL byte"):
        check_local_path("/mu\x00sic", what="root")
    with pytest.raises(InvalidInput, match="not an absolute path"):
        check_local_path("music")
    with pytest.raises(InvalidInput, match="NUL"):
        check_server_path("D:\\\x00")
