import json
import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine
from app.adapters.secret_box import SecretBox
from app.cli.main import app
from tests.auth_support import set_up_admin

Waiter = Callable[..., None]
START_CLI = "from app.cli.main import main; main()"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("CROSSFADE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("CROSSFADE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CROSSFADE_REDIS_URL", raising=False)
    monkeypatch.setenv("CROSSFADE_SECRET_KEY", "top-secret-value")
    return data_dir


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["serve", "--help"],
        ["worker", "--help"],
        ["info", "--help"],
        ["db", "--help"],
        ["db", "upgrade", "--help"],
        ["db", "downgrade", "--help"],
        ["db", "revision", "--help"],
    ],
)
def test_help_everywhere(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_info_masks_secrets(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["info", "--json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert "top-secret-value" not in result.output
    assert facts["settings"]["secret_key"] == "********"
    assert facts["queue_mode"] == "inline"
    assert facts["data_dir"] == str(cli_env.resolve())
    assert facts["schema"].startswith("no database file yet")
    assert not cli_env.exists()
    text = CliRunner().invoke(app, ["info"])
    assert "version:" in text.output and "top-secret-value" not in text.output


def test_db_upgrade_current_downgrade(cli_env: Path) -> None:
    runner = CliRunner()
    up = runner.invoke(app, ["db", "upgrade"])
    assert up.exit_code == 0, up.output
    head = migrate.head_revision()
    assert f"database at revision {head}" in up.output
    assert f"{head} (up to date)" in runner.invoke(app, ["db", "current"]).output
    down = runner.invoke(app, ["db", "downgrade", "base"])
    assert down.exit_code == 0, down.output
    assert "database at revision base" in down.output
    assert "empty" in runner.invoke(app, ["db", "current"]).output


def test_db_upgrade_seals_stored_secrets_with_the_installations_key(cli_env: Path) -> None:
    """A database at 0007 with a clear Plex token: ``db upgrade`` seals it (key from
    CROSSFADE_SECRET_KEY), ``db downgrade 0007`` opens it again; the data dir is private."""
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade", "--revision", "0007"]).exit_code == 0
    engine = create_db_engine(f"sqlite:///{cli_env / 'crossfade.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO library (kind, name, config, secret, created_at, updated_at) "
                    "VALUES ('plex_music', 'P', '{}', 'clear-token-123', :now, :now)"
                ),
                {"now": "2026-01-01 00:00:00"},
            )
        up = runner.invoke(app, ["db", "upgrade"])
        assert up.exit_code == 0, up.output
        with engine.connect() as connection:
            sealed = connection.execute(text("SELECT secret FROM library")).scalar_one()
        assert "clear-token-123" not in sealed
        assert SecretBox("top-secret-value").open(sealed) == "clear-token-123"
        down = runner.invoke(app, ["db", "downgrade", "0007"])
        assert down.exit_code == 0, down.output
        with engine.connect() as connection:
            clear = connection.execute(text("SELECT secret FROM library")).scalar_one()
        assert clear == "clear-token-123"
    finally:
        engine.dispose()
    assert stat.S_IMODE(cli_env.stat().st_mode) == 0o700


def test_db_errors_are_reported_not_raised(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["db", "downgrade", "nonexistent-revision"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_serve_reports_a_schema_it_cannot_create(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSFADE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 1, result.output
    assert "error: the database could not be migrated: " in result.output
    assert "OperationalError" in result.output  # the child's reason, passed on
    assert "Traceback" not in result.output


def test_worker_without_redis_says_why(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 1
    assert "CROSSFADE_REDIS_URL" in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CROSSFADE_DATA_DIR": str(data_dir),
            "CROSSFADE_LOG_LEVEL": "INFO",
        }
        self.env.pop("CROSSFADE_REDIS_URL", None)
        self.env.pop("CROSSFADE_DATABASE_URL", None)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, wait: Waiter) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", START_CLI, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait(self.healthy, timeout_s=60, what="crossfade serve to answer")

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.base}/api/v1/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    started = Server(tmp_path / "serve-data", tmp_path / "serve.log")
    try:
        yield started
    finally:
        if started.process is not None:
            started.stop(signal.SIGKILL)


@pytest.mark.slow
def test_serve_end_to_end_and_restart_after_sigkill(server: Server, wait: Waiter) -> None:
    server.start(wait)
    health = httpx.get(f"{server.base}/api/v1/health").json()
    assert (health["status"], health["queue"]["mode"]) == ("ok", "inline")
    first_log = server.log.read_text()
    # the schema was created by a child `crossfade db upgrade`: Alembic never ran in the server
    assert "schema: database at revision " in first_log
    assert "Running upgrade" not in first_log
    with httpx.Client(base_url=server.base) as client:
        set_up_admin(client)
        job = client.post(
            "/api/v1/jobs", json={"kind": "selftest", "params": {"steps": 1000, "step_s": 0.02}}
        ).json()
        url = f"/api/v1/jobs/{job['id']}"
        wait(lambda: client.get(url).json()["done"] > 2, what="progress")
        assert "Self-test" in client.get("/jobs").text or "selftest" in client.get("/jobs").text
        server.stop(signal.SIGKILL)
        server.start(wait)
        after = client.get(url).json()
        assert after["status"] == "interrupted", server.log.read_text()
        assert "is gone" in after["error"]
        assert server.stop() in (0, -signal.SIGTERM)
    log_text = server.log.read_text()
    assert "Application shutdown complete" in log_text
    assert log_text.count("schema: database at revision ") == 1  # the restart found it at head
