"""``crossfade admin set-password``: sets the password and signs every browser out."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.bootstrap import build_container
from app.cli.main import app
from app.main import create_app
from app.settings import load_settings
from tests.auth_support import ADMIN_PASSWORD, sign_in
from tests.conftest import FAST_TIMING

NEW_PASSWORD = "set from the host shell"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("CROSSFADE_DATA_DIR", str(data))
    monkeypatch.setenv("CROSSFADE_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.delenv("CROSSFADE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CROSSFADE_REDIS_URL", raising=False)
    return data


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def live_client() -> TestClient:
    application = create_app(
        load_settings(), container_factory=lambda s: build_container(s, timing=FAST_TIMING)
    )
    return TestClient(application)


def test_set_password_from_stdin_signs_every_browser_out(data_dir: Path) -> None:
    with live_client() as client:
        sign_in(client)
        assert client.get("/api/v1/jobs").status_code == 200

        code, out, err = run("admin", "set-password", "--password-stdin", stdin=NEW_PASSWORD + "\n")
        assert code == 0, err
        assert "password of admin 'admin' set; 1 sessions signed out" in out
        assert NEW_PASSWORD not in out + err

        assert client.get("/api/v1/jobs").status_code == 401
        fresh = TestClient(client.app)
        with pytest.raises(AssertionError):
            sign_in(fresh)
        sign_in(fresh, password=NEW_PASSWORD)


def test_set_password_prompts_twice(data_dir: Path) -> None:
    with live_client():
        pass  # the lifespan created the admin
    code, out, err = run("admin", "set-password", stdin=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert code == 0, err
    assert "set;" in out
    code, _, err = run("admin", "set-password", stdin=f"{NEW_PASSWORD}\nsomething else\n")
    assert code != 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--username", "nobody"], "no such admin"),
        ([], "password rejected"),
    ],
)
def test_set_password_refuses(data_dir: Path, args: list[str], message: str) -> None:
    with live_client():
        pass
    password = NEW_PASSWORD if args else "short"
    code, _, err = run("admin", "set-password", "--password-stdin", *args, stdin=password + "\n")
    assert code == 1
    assert message in err
