"""``crossfade token``: a headless first run creates a token the API then accepts."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.bootstrap import build_container
from app.cli.main import app
from app.domain.auth import is_token_shaped
from app.main import create_app
from app.settings import load_settings
from tests.auth_support import ADMIN_PASSWORD, bearer
from tests.conftest import FAST_TIMING


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("CROSSFADE_DATA_DIR", str(data))
    monkeypatch.setenv("CROSSFADE_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.delenv("CROSSFADE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CROSSFADE_REDIS_URL", raising=False)
    return data


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_create_list_revoke_and_use(data_dir: Path) -> None:
    code, out, err = run("token", "create", "--name", "home assistant", "--scope", "trigger")
    assert code == 0, err
    token = out.strip()
    assert is_token_shaped(token)
    assert out == token + "\n"
    assert "not shown again" in err
    assert token not in err

    code, out, _ = run("token", "list")
    assert code == 0
    assert token not in out
    assert token[:11] in out
    assert "home assistant" in out
    assert "trigger" in out

    code, out, _ = run("token", "list", "--json")
    listed = json.loads(out)
    assert token not in out
    assert [(t["id"], t["name"], t["scopes"], t["active"]) for t in listed] == [
        (1, "home assistant", ["trigger"], True)
    ]

    settings = load_settings()
    application = create_app(
        settings, container_factory=lambda s: build_container(s, timing=FAST_TIMING)
    )
    with TestClient(application) as client:
        started = client.post(
            "/api/v1/jobs",
            json={"kind": "selftest", "params": {"steps": 1, "step_s": 0}},
            headers=bearer(token),
        )
        assert started.status_code == 202
        refused = client.post(
            "/api/v1/libraries",
            json={"kind": "music_folder", "name": "m", "config": {"root": "/x"}},
            headers=bearer(token),
        )
        assert refused.status_code == 403

        code, out, _ = run("token", "revoke", "1")
        assert code == 0
        assert "revoked" in out
        assert client.get("/api/v1/jobs", headers=bearer(token)).status_code == 401

    code, out, _ = run("token", "list", "--active")
    assert out.strip() == "no tokens"


@pytest.mark.parametrize(
    "args",
    [
        ["token", "create", "--name", "x", "--scope", "root"],
        ["token", "create", "--name", "   ", "--scope", "read"],
        ["token", "revoke", "42"],
    ],
)
def test_bad_input_is_an_error_message(data_dir: Path, args: list[str]) -> None:
    code, out, err = run(*args)
    assert code == 1
    assert err.startswith("error: ")
    assert "Traceback" not in out + err


def test_several_scopes(data_dir: Path) -> None:
    code, out, _ = run("token", "create", "-n", "ops", "-s", "read", "-s", "admin")
    assert code == 0
    code, out, _ = run("token", "list", "--json")
    assert json.loads(out)[0]["scopes"] == ["read", "admin"]
