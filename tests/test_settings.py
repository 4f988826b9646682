from pathlib import Path

import pytest

from app.settings import default_data_dir, load_settings, mask_url_password


def test_defaults_put_sqlite_in_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSFADE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CROSSFADE_REDIS_URL", raising=False)
    settings = load_settings(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path.resolve()}/crossfade.db"
    assert settings.queue_mode == "inline"


def test_env_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CROSSFADE_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("CROSSFADE_PORT", "9999")
    settings = load_settings(data_dir=tmp_path)
    assert settings.queue_mode == "arq"
    assert settings.port == 9999


def test_secret_key_generated_once_private(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "d")
    first = settings.effective_secret_key()
    assert len(first) > 40
    assert load_settings(data_dir=tmp_path / "d").effective_secret_key() == first
    assert (tmp_path / "d" / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
        ("redis://h:6379/0", "redis://h:6379/0"),
        ("redis://:pw@h:6379/0", "redis://:***@h:6379/0"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_mask_url_password(url: str, shown: str) -> None:
    assert mask_url_password(url) == shown


def test_masked_never_shows_secrets(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path, secret_key="s3cr3t", database_url="postgresql://u:pw@h/db"
    )
    text = repr(settings.masked())
    assert "s3cr3t" not in text
    assert "pw@" not in text


def test_default_data_dir_is_per_user_not_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CROSSFADE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    first = tmp_path / "one"
    second = tmp_path / "two"
    first.mkdir()
    second.mkdir()
    monkeypatch.chdir(first)
    from_first = load_settings().data_dir
    monkeypatch.chdir(second)
    assert load_settings().data_dir == from_first == tmp_path / "xdg" / "crossfade"


def test_data_dir_env_overrides_the_per_user_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSFADE_DATA_DIR", str(tmp_path / "mine"))
    assert load_settings().data_dir == tmp_path / "mine"


def test_default_data_dir_follows_the_platform() -> None:
    # Linux here: the XDG data home (Windows: %LOCALAPPDATA%, in platformdirs' own tests)
    assert default_data_dir().name == "crossfade"
    assert default_data_dir().is_absolute()


@pytest.mark.parametrize(
    ("database_url", "sqlite_file"),
    [
        (None, "DATA/crossfade.db"),
        ("sqlite:////srv/x.db", "/srv/x.db"),
        ("postgresql+psycopg://u@h/db", None),
    ],
)
def test_sqlite_path(tmp_path: Path, database_url: str | None, sqlite_file: str | None) -> None:
    settings = load_settings(data_dir=tmp_path, database_url=database_url)
    expected = None if sqlite_file is None else sqlite_file.replace("DATA", str(tmp_path.resolve()))
    assert (None if settings.sqlite_path is None else str(settings.sqlite_path)) == expected
