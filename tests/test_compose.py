"""The two compose files (one container; the scaled stack) and the Dockerfile: valid for
docker-compose, and saying what the README promises."""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILES = ("compose.yaml", "compose.scale.yaml")
RUNTIME_SETTINGS = ("PUID", "PGID", "UMASK", "TZ")


def docker_compose() -> str:
    path = shutil.which("docker-compose")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("docker-compose is missing (scripts/test installs Debian's package)")
    pytest.skip("docker-compose is not installed")


def services(name: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((ROOT / name).read_text())["services"]
    return found


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_compose_file_is_valid(name: str) -> None:
    result = subprocess.run(
        [docker_compose(), "-f", name, "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_default_is_one_container_on_sqlite_with_in_process_jobs() -> None:
    (service,) = services("compose.yaml").values()
    environment = service["environment"]
    assert not any("DATABASE_URL" in key or "REDIS_URL" in key for key in environment)
    assert set(RUNTIME_SETTINGS) <= set(environment)
    volumes = " ".join(service["volumes"])
    assert ":/data" in volumes and ":/media" in volumes
    assert "user" not in service  # the entrypoint drops to PUID:PGID itself


def test_the_scaled_stack_waits_for_healthy_dependencies() -> None:
    stack = services("compose.scale.yaml")
    assert set(stack) == {"app", "worker", "redis", "postgres"}
    for name, service in stack.items():
        assert "healthcheck" in service, name
    for name in ("app", "worker"):
        for dependency, rule in stack[name]["depends_on"].items():
            assert rule["condition"] == "service_healthy", (name, dependency)
        assert set(RUNTIME_SETTINGS) <= set(stack[name]["environment"])
        assert ":/data" in " ".join(stack[name]["volumes"])
    assert stack["worker"]["command"] == ["crossfade", "worker"]


def test_the_worker_healthcheck_reads_the_workers_own_heartbeat() -> None:
    test = services("compose.scale.yaml")["worker"]["healthcheck"]["test"]
    assert test == ["CMD", "python", "-m", "worker.heartbeat"]


def test_dockerfile_drops_privileges_at_run_time_and_is_labelled() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "\nUSER " not in dockerfile  # the entrypoint drops to PUID:PGID
    assert 'ENTRYPOINT ["python", "/usr/local/bin/crossfade-entrypoint"]' in dockerfile
    assert "COPY docker/entrypoint.py /usr/local/bin/crossfade-entrypoint" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/api/v1/health" in dockerfile
    for label in ("title", "version", "revision", "created", "licenses", "description"):
        assert f"org.opencontainers.image.{label}=" in dockerfile
    for folder in ("migrations", "templates", "static"):
        assert f"COPY {folder} ./{folder}" in dockerfile


def test_dockerfile_has_no_architecture_specific_step() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text().lower()
    assert not re.search(
        r"amd64|x86_64|aarch64|arm64|--platform|dpkg --print-architecture",
        dockerfile.split("from ", 1)[1],
    )
