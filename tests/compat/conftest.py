"""The ``jps_bin`` fixture: jellyplex-sync 0.5.0 and jellyplex-gen 0.1.1, installed from PyPI
into a virtualenv under ``~/.cache/crossfade-test`` (``CROSSFADE_TEST_CACHE`` overrides), reused
when present. With ``CI=true`` a test that needs them runs or fails; elsewhere it is skipped
when PyPI cannot be reached."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

PACKAGES = ("jellyplex-sync==0.5.0", "jellyplex-gen==0.1.1")


def _cache_dir() -> Path:
    base = os.environ.get("CROSSFADE_TEST_CACHE")
    return Path(base) if base else Path.home() / ".cache" / "crossfade-test"


def install(env_dir: Path) -> None:
    """A virtualenv with the packages; filled by our own pip when it has none (no ensurepip)."""
    python = env_dir / "bin" / "python"
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
        pip = [str(python), "-m", "pip"]
    except (OSError, subprocess.CalledProcessError):
        venv.EnvBuilder(with_pip=False, clear=True).create(env_dir)
        pip = [sys.executable, "-m", "pip", "--python", str(python)]
    subprocess.run(
        [*pip, "install", "-q", "--disable-pip-version-check", *PACKAGES],
        check=True,
        capture_output=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def jps_bin() -> Path:
    """The bin directory of a virtualenv with jellyplex-sync and jellyplex-gen."""
    env_dir = _cache_dir() / "jps-0.5.0"
    bin_dir = env_dir / "bin"
    if (bin_dir / "jellyplex").exists() and (bin_dir / "jellyplex-gen").exists():
        return bin_dir
    try:
        install(env_dir)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        message = (
            f"cannot install {' '.join(PACKAGES)}: {exc} {detail.decode(errors='replace')[-500:]}"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return bin_dir
