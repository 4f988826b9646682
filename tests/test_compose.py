import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def docker_compose() -> str:
    path = shutil.which("docker-compose")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("docker-compose is missing (scripts/test installs Debian's package)")
    pytest.skip("docker-compose is not installed")


def test_compose_file_is_valid() -> None:
    result = subprocess.run(
        [docker_compose(), "-f", "compose.yaml", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_compose_services_wait_for_healthy_dependencies() -> None:
    config = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = config["services"]
    assert set(services) == {"app", "worker", "redis", "postgres"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    for name in ("app", "worker"):
        for dependency in service_deps(services[name]):
            assert services[name]["depends_on"][dependency]["condition"] == "service_healthy"
        assert "/data" in " ".join(services[name]["volumes"])
        assert "/media" in " ".join(services[name]["volumes"])
        assert "PUID" in services[name]["user"]
    assert services["worker"]["command"] == ["crossfade", "worker"]


def service_deps(service: dict[str, object]) -> list[str]:
    depends = service["depends_on"]
    assert isinstance(depends, dict)
    return list(depends)


def test_dockerfile_is_non_root_with_a_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "\nUSER crossfade\n" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/api/v1/health" in dockerfile
    for folder in ("migrations", "templates", "static"):
        assert f"COPY {folder} ./{folder}" in dockerfile
