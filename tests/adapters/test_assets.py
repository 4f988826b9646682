import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from app.adapters.assets import ASSETS_DIR_ENV, asset_dir, candidate_roots
from app.domain.errors import SetupError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["migrations", "templates", "static"])
def test_found_in_the_checkout(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ASSETS_DIR_ENV, raising=False)
    assert asset_dir(name) == ROOT / name


def test_override_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "base.html").write_text("x")
    monkeypatch.setenv(ASSETS_DIR_ENV, str(tmp_path))
    assert candidate_roots()[0] == tmp_path
    assert asset_dir("templates") == tmp_path / "templates"


def test_missing_names_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ASSETS_DIR_ENV, str(tmp_path))
    monkeypatch.setattr("app.adapters.assets.candidate_roots", lambda: [tmp_path])
    with pytest.raises(SetupError, match=str(tmp_path / "static")):
        asset_dir("static")


def test_every_asset_file_is_packaged() -> None:
    """Each file under migrations/, templates/ and static/ matches a data-files pattern."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = [p for ps in config["tool"]["setuptools"]["data-files"].values() for p in ps]
    files = [
        path.relative_to(ROOT).as_posix()
        for name in ("migrations", "templates", "static")
        for path in (ROOT / name).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    unpackaged = [
        f
        for f in files
        if not any(fnmatch(f, p) and f.count("/") == p.count("/") for p in patterns)
    ]
    assert unpackaged == []
