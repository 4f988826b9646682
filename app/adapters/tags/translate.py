"""Outside errors (OSError, mutagen's) -> our MediaFileError family, once, with the path."""

from __future__ import annotations

import errno

from mutagen import MutagenError

from app.domain.errors import (
    CorruptFile,
    FileAccessDenied,
    FileVanished,
    MediaFileError,
    ReadOnlyLocation,
    UnsupportedFormat,
)

_VANISHED = {errno.ENOENT, errno.ENOTDIR, errno.ESTALE}
_DENIED = {errno.EACCES, errno.EPERM}
_READ_ONLY = {errno.EROFS, errno.ENOSPC, errno.EDQUOT}


def from_os_error(exc: OSError, path: str, *, action: str) -> MediaFileError:
    """``action`` says what failed ("open", "read", "write", ...) for the message."""
    detail = exc.strerror or type(exc).__name__
    number = exc.errno
    if isinstance(exc, IsADirectoryError) or number == errno.EISDIR:
        return UnsupportedFormat("is a directory", path=path)
    if isinstance(exc, FileNotFoundError) or number in _VANISHED:
        return FileVanished(f"{action}: the file is gone ({detail})", path=path)
    if isinstance(exc, PermissionError) or number in _DENIED:
        return FileAccessDenied(f"{action}: permission denied", path=path)
    if number in _READ_ONLY:
        return ReadOnlyLocation(f"{action}: {detail}", path=path)
    return CorruptFile(f"{action}: I/O error ({detail})", path=path)


def from_parse_error(exc: BaseException, path: str, *, action: str) -> MediaFileError:
    """Anything mutagen raised while parsing or rendering. An OSError with an errno anywhere
    in the chain is a real I/O problem; everything else means the bytes are malformed."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if isinstance(link, OSError) and link.errno is not None:
            return from_os_error(link, path, action=action)
        link = link.__cause__ or link.__context__
    if isinstance(exc, MutagenError):
        reason = str(exc) or type(exc).__name__
    else:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return CorruptFile(f"{action}: malformed file ({reason})", path=path)
