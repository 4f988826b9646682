"""THE check of a path typed into the API or a form, before anything opens it.

A local path (a library root, a playlist folder, a mapping's local side, a diff's source or
target) must be absolute and hold no NUL byte: the operating system cannot take a NUL (Python
raises ``ValueError: embedded null byte`` deep inside whatever opens it), and a relative path
would depend on the server's working directory. A path as a media server reports it (a
mapping's Plex side, maybe ``D:\\Music``) is only checked for NUL.

Pure: strings in, :class:`~app.domain.errors.InvalidInput` out. Schemas call it from their
validators (pydantic turns the ``ValueError`` into a 422) and services on the way in.
"""

from __future__ import annotations

import posixpath

from app.domain.errors import InvalidInput

MAX_PATH_CHARS = 4096


def path_problem(path: str, *, absolute: bool = True) -> str | None:
    """Why ``path`` is not acceptable, or ``None``."""
    if "\x00" in path:
        return "a path cannot contain a NUL byte"
    if not path:
        return "the path is empty"
    if len(path) > MAX_PATH_CHARS:
        return f"a path has at most {MAX_PATH_CHARS} characters"
    if absolute and not posixpath.isabs(path):
        return f"{path!r} is not an absolute path (start it with /)"
    return None


def check_local_path(path: str, *, what: str = "path") -> str:
    """``path`` itself when it is an acceptable local path, else :class:`InvalidInput`."""
    problem = path_problem(path)
    if problem is not None:
        raise InvalidInput(f"{what}: {problem}")
    return path


def check_server_path(path: str, *, what: str = "path") -> str:
    """A path as a media server shows it (any style): only NUL and emptiness are refused."""
    problem = path_problem(path, absolute=False)
    if problem is not None:
        raise InvalidInput(f"{what}: {problem}")
    return path
