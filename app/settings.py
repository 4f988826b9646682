"""Runtime settings: one pydantic-settings object, environment prefix ``CROSSFADE_``.

The object is never built at import time: entrypoints call :func:`load_settings` once and pass
the result down (see ``app.bootstrap``).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

KEY_FILE_NAME = "secret_key"
APP_NAME = "crossfade"


def default_data_dir() -> Path:
    """The per-user data directory, the same from whatever directory a command runs:
    ``~/.local/share/crossfade`` on Linux (``$XDG_DATA_HOME`` honoured),
    ``%LOCALAPPDATA%\\crossfade`` on Windows, ``~/Library/Application Support/crossfade`` on
    macOS. The container image sets ``CROSSFADE_DATA_DIR=/data``."""
    from platformdirs import user_data_dir  # small, and only when no directory is given

    return Path(user_data_dir(APP_NAME, appauthor=False, roaming=False))


class Settings(BaseSettings):
    """Everything a Crossfade process can be configured with."""

    model_config = SettingsConfigDict(env_prefix="CROSSFADE_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description=(
            "Where state files live (the database, the secret key). Default: the per-user "
            "data directory, the same whatever the current directory; `/data` in the image."
        ),
        json_schema_extra={"shown_default": "per user (`crossfade info` prints it)"},
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file in the data dir."
    )
    redis_url: str | None = Field(
        default=None, description="arq/redis URL; unset means in-process jobs."
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Signs sessions; generated into the data dir when unset."
    )
    host: str = Field(default="127.0.0.1", description="Address `crossfade serve` binds.")
    port: int = Field(default=8080, description="Port `crossfade serve` binds.")
    admin_password: SecretStr | None = Field(
        default=None, description="Creates the admin user on first start (headless setup)."
    )
    cookie_secure: Literal["auto", "always", "never"] = Field(
        default="auto",
        description=(
            "`Secure` flag of the session and device cookies: `auto` when the request came "
            "over HTTPS (directly or as a trusted proxy's X-Forwarded-Proto says), `always`, "
            "or `never`."
        ),
    )
    inline_workers: int = Field(default=2, ge=1, le=16, description="In-process job pool size.")
    preserve_mtime: bool = Field(
        default=False, description="Keep audio files' mtime after writing a rating."
    )
    hardlinked_writes: Literal["in_place_or_skip", "always", "skip"] = Field(
        default="in_place_or_skip",
        description="How to write tags into a file with more than one hardlink.",
    )
    worker_processes: int = Field(
        default=0,
        ge=0,
        le=32,
        description=(
            "Worker processes for a run's CPU-bound work: writing (and, from 3, reading) tags "
            "of many files, parsing Plex listings (0: one per core, at most 4; 1: none, "
            "everything in the job's own process)."
        ),
    )
    log_level: str = Field(default="INFO", description="Python logging level.")
    # Deployment (issue 17): served prefix, trusted proxies, log format, time zone.
    root_path: str = Field(
        default="",
        description=(
            "URL prefix the app is served under behind a reverse proxy (`/crossfade`); "
            "empty: served at the root."
        ),
    )
    trusted_proxies: str = Field(
        default="",
        description=(
            "Comma-separated addresses or networks (`172.18.0.0/16`) of reverse proxies whose "
            "X-Forwarded-For and X-Forwarded-Proto are believed; `*` trusts every peer; empty "
            "(the default): none, the peer's own address and scheme are used."
        ),
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="`text` lines or one JSON object per line (log shippers)."
    )
    timezone: str | None = Field(
        default=None,
        description=(
            "IANA zone (`Europe/Paris`) for schedules and the times the dashboard shows; "
            "unset: the `TZ` environment variable, else UTC."
        ),
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'crossfade.db').resolve()}"

    @property
    def queue_mode(self) -> Literal["inline", "arq"]:
        return "arq" if self.redis_url else "inline"

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file of the embedded default, or None (another database)."""
        url = self.effective_database_url
        prefix = "sqlite:///"
        return Path(url[len(prefix) :]) if url.startswith(prefix) else None

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: secrets live here

    def effective_secret_key(self) -> str:
        """The configured secret key, or one generated once into the data dir (mode 0600)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        self.ensure_data_dir()
        key_path = self.data_dir / KEY_FILE_NAME
        if key_path.exists():
            return key_path.read_text().strip()
        key = secrets.token_urlsafe(48)
        key_path.touch(mode=0o600)
        key_path.write_text(key)
        return key

    def masked(self) -> dict[str, object]:
        """Effective settings for display, with secrets and URL passwords masked."""
        shown: dict[str, object] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown[name] = "********" if value.get_secret_value() else None
            elif name in {"database_url", "redis_url"} and isinstance(value, str):
                shown[name] = mask_url_password(value)
            else:
                shown[name] = str(value) if isinstance(value, Path) else value
        shown["effective_database_url"] = mask_url_password(self.effective_database_url)
        shown["queue_mode"] = self.queue_mode
        return shown


def mask_url_password(url: str) -> str:
    """``postgresql://u:pw@h/db`` -> ``postgresql://u:***@h/db``."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user, colon, _password = creds.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{host}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides winning."""
    return Settings(**overrides)  # type: ignore[arg-type]
