"""The one error tree of Crossfade.

Adapters translate every outside error (mutagen, OSError, httpx, plexapi, SQLAlchemy) into one
of these exactly once, with context. Services turn per-item errors into job events; entrypoints
map errors to HTTP statuses with one table (``app.api.errors``) and to exit codes in the CLI.

::

    CrossfadeError
    ├── InvalidInput                 a request or argument that cannot be honoured     (422)
    ├── NotFound                     a named resource does not exist                   (404)
    ├── AlreadyRunning               one running job per library pair                  (409)
    ├── StateConflict                the resource is not in a state allowing this      (409)
    ├── AuthError                                                                      (401)
    │   ├── Forbidden                authenticated but not allowed                     (403)
    │   ├── SetupRequired            no admin exists yet: open /setup first            (401)
    │   └── TooManyAttempts          too many failed logins (carries ``retry_after_s``) (429)
    ├── SetupError                   configuration or environment prevents any work    (400)
    │   ├── PathOutsideRoots         a path outside the configured library roots       (403)
    │   └── QueueUnavailable         the job queue (redis) cannot be reached           (503)
    ├── MediaFileError               one file (carries ``path``)                       (422)
    │   ├── FileVanished             it was there when listed and is gone now
    │   ├── FileAccessDenied         permission denied reading or writing
    │   ├── EmptyFile                zero bytes
    │   ├── CorruptFile              truncated or malformed; mutagen could not parse it
    │   ├── UnsupportedFormat        not an audio format we handle
    │   ├── ReadOnlyLocation         the file system refuses writes
    │   ├── WriteNotVerified         written, but the re-read did not show the value
    │   ├── FileChangedSinceRead     changed by someone else since we read it; not overwritten
    │   └── HardlinkSkipped          more than one hardlink and a rewrite was needed
    ├── PlexError                    the Plex server (carries ``server`` and ``key``)  (502)
    │   ├── PlexUnauthorized         the token was refused                              (502)
    │   ├── PlexUnavailable          5xx, timeout or connection refused after retries   (503)
    │   └── PlexNotFound             the key or section does not exist                 (404)
    ├── JellyfinError                a Jellyfin server (carries ``server``)             (502)
    │   └── JellyfinUnauthorized     the API key was refused                            (502)
    ├── SubsonicError                a Subsonic server (carries ``server`` and ``key``) (502)
    │   ├── SubsonicUnauthorized     credentials refused or not allowed                 (502)
    │   ├── SubsonicUnavailable      5xx, timeout or connection refused after retries   (503)
    │   └── SubsonicNotFound         the id does not exist (error 70)                  (404)
    └── MirrorError                  the movie mirror (carries ``path``)               (400)
        ├── CrossDeviceTarget        hardlinks impossible: target on another device
        ├── UnsafeLayout             target inside source, source inside target, ...
        ├── DeleteRefused            a --delete that would wipe the target
        └── TargetLocked             another run holds the target's lock               (409)

Messages never contain secrets (tokens, passwords): adapters must not put them there.
"""

from __future__ import annotations


class CrossfadeError(Exception):
    """Base of every error Crossfade raises on purpose."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(CrossfadeError):
    code = "invalid_input"


class NotFound(CrossfadeError):
    code = "not_found"


class AlreadyRunning(CrossfadeError):
    """A job touching the same libraries is running; ``job_id`` names it."""

    code = "already_running"

    def __init__(self, message: str, *, job_id: int) -> None:
        super().__init__(message)
        self.job_id = job_id


class StateConflict(CrossfadeError):
    code = "state_conflict"


class AuthError(CrossfadeError):
    code = "unauthorized"


class Forbidden(AuthError):
    code = "forbidden"


class SetupRequired(AuthError):
    code = "setup_required"


class TooManyAttempts(AuthError):
    """Failed logins hit the rate limit; retry after ``retry_after_s`` seconds."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class SetupError(CrossfadeError):
    code = "setup_error"


class PathOutsideRoots(SetupError):
    code = "path_outside_roots"

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class QueueUnavailable(SetupError):
    code = "queue_unavailable"


class MediaFileError(CrossfadeError):
    """A problem with one media file; ``path`` says which."""

    code = "media_file_error"

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.reason = message

    def __reduce__(self) -> tuple[object, tuple[type[MediaFileError], str, str]]:
        """Pickled by its parts, so it crosses from a worker process intact."""
        return _media_file_error, (type(self), self.reason, self.path)


def _media_file_error(cls: type[MediaFileError], reason: str, path: str) -> MediaFileError:
    return cls(reason, path=path)


class FileVanished(MediaFileError):
    code = "file_vanished"


class FileAccessDenied(MediaFileError):
    code = "file_access_denied"


class EmptyFile(MediaFileError):
    code = "empty_file"


class CorruptFile(MediaFileError):
    code = "corrupt_file"


class UnsupportedFormat(MediaFileError):
    code = "unsupported_format"


class ReadOnlyLocation(MediaFileError):
    code = "read_only"


class WriteNotVerified(MediaFileError):
    code = "write_not_verified"


class FileChangedSinceRead(MediaFileError):
    code = "file_changed_since_read"


class HardlinkSkipped(MediaFileError):
    code = "hardlink_skipped"


class PlexError(CrossfadeError):
    """A Plex server error; ``server`` is the base URL (never the token), ``key`` what was asked."""

    code = "plex_error"

    def __init__(self, message: str, *, server: str, key: str | None = None) -> None:
        where = f"{server}{' ' + key if key else ''}"
        super().__init__(f"{message} ({where})")
        self.server = server
        self.key = key
        self.reason = message

    def __reduce__(self) -> tuple[object, tuple[type[PlexError], str, str, str | None]]:
        """Pickled by its parts, so it crosses from a worker process intact."""
        return _plex_error, (type(self), self.reason, self.server, self.key)


def _plex_error(cls: type[PlexError], reason: str, server: str, key: str | None) -> PlexError:
    return cls(reason, server=server, key=key)


class PlexUnauthorized(PlexError):
    code = "plex_unauthorized"


class PlexUnavailable(PlexError):
    code = "plex_unavailable"


class PlexNotFound(PlexError):
    code = "plex_not_found"


class JellyfinError(CrossfadeError):
    """A Jellyfin server error; ``server`` is the base URL (never the API key)."""

    code = "jellyfin_error"

    def __init__(self, message: str, *, server: str) -> None:
        super().__init__(f"{message} ({server})")
        self.server = server
        self.reason = message

    def __reduce__(self) -> tuple[object, tuple[type[JellyfinError], str, str]]:
        """Pickled by its parts, so it crosses from a worker process intact."""
        return _jellyfin_error, (type(self), self.reason, self.server)


def _jellyfin_error(cls: type[JellyfinError], reason: str, server: str) -> JellyfinError:
    return cls(reason, server=server)


class JellyfinUnauthorized(JellyfinError):
    code = "jellyfin_unauthorized"


class SubsonicError(CrossfadeError):
    """A Subsonic server error; ``server`` is the base URL (never a password or key), ``key``
    the method asked; ``api_code`` the server's error code (``None``: not an API answer)."""

    code = "subsonic_error"

    def __init__(
        self, message: str, *, server: str, key: str | None = None, api_code: int | None = None
    ) -> None:
        where = f"{server}{' ' + key if key else ''}"
        super().__init__(f"{message} ({where})")
        self.server = server
        self.key = key
        self.reason = message
        self.api_code = api_code

    def __reduce__(
        self,
    ) -> tuple[object, tuple[type[SubsonicError], str, str, str | None, int | None]]:
        """Pickled by its parts, so it crosses from a worker process intact."""
        return _subsonic_error, (type(self), self.reason, self.server, self.key, self.api_code)


def _subsonic_error(
    cls: type[SubsonicError], reason: str, server: str, key: str | None, api_code: int | None
) -> SubsonicError:
    return cls(reason, server=server, key=key, api_code=api_code)


class SubsonicUnauthorized(SubsonicError):
    code = "subsonic_unauthorized"


class SubsonicUnavailable(SubsonicError):
    code = "subsonic_unavailable"


class SubsonicNotFound(SubsonicError):
    code = "subsonic_not_found"


class MirrorError(CrossfadeError):
    code = "mirror_error"

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class CrossDeviceTarget(MirrorError):
    code = "cross_device_target"


class UnsafeLayout(MirrorError):
    code = "unsafe_layout"


class DeleteRefused(MirrorError):
    code = "delete_refused"


class TargetLocked(MirrorError):
    code = "target_locked"
