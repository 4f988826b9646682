"""docker/entrypoint.py as a process, started as root the way a container starts it: the
command runs as PUID:PGID with UMASK, in TZ; a root-owned data dir is handed over, nothing
else is. The command is a shell (Python itself lives under /root here, out of a dropped
user's reach; in the image it is /usr/local/bin/python)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker" / "entrypoint.py"
PUID, PGID = 12345, 23456

needs_root = pytest.mark.skipif(
    os.geteuid() != 0 and os.environ.get("CI") != "true",
    reason="the entrypoint drops privileges: run as root (scripts/test does)",
)

APP = (
    'touch "$CROSSFADE_DATA_DIR/written-by-app"; '
    'date +%Z > "$CROSSFADE_DATA_DIR/zone"; exec sleep 30'
)


def entrypoint(env: dict[str, str], *command: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ENTRYPOINT), *command],
        env={"PATH": "/usr/bin:/bin", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder a dropped user can reach (pytest's tmp_path lies under a 0700 folder)."""
    folder = Path(tempfile.mkdtemp(prefix="crossfade-entrypoint-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def proc_ids(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    uid = next(line for line in status if line.startswith("Uid:")).split()[1]
    gid = next(line for line in status if line.startswith("Gid:")).split()[1]
    return int(uid), int(gid)


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + 10
    while not (path.exists() and path.stat().st_size > 0):
        assert time.monotonic() < deadline, f"{path} was not written"
        time.sleep(0.02)


@needs_root
def test_the_app_runs_as_puid_with_umask_in_a_handed_over_data_dir(open_dir: Path) -> None:
    tmp_path = open_dir
    data = tmp_path / "config"
    (data / "logs").mkdir(parents=True)
    (data / "logs" / "old.log").write_text("root's")
    media = tmp_path / "media"
    media.mkdir()
    (media / "song.flac").write_text("untouched")
    env = {
        "PUID": str(PUID),
        "PGID": str(PGID),
        "UMASK": "027",
        "TZ": "Asia/Tokyo",
        "CROSSFADE_DATA_DIR": str(data),
    }
    process = entrypoint(env, "/bin/sh", "-c", APP)
    try:
        wait_for(data / "zone")
        assert proc_ids(process.pid) == (PUID, PGID)  # exec'd: the same pid, dropped
        written = (data / "written-by-app").stat()
        assert (written.st_uid, written.st_gid) == (PUID, PGID)
        assert stat.S_IMODE(written.st_mode) == 0o640  # 0666 & ~027
        assert (data / "zone").read_text().strip() == "JST"
        for path in (data, data / "logs", data / "logs" / "old.log"):
            assert (path.stat().st_uid, path.stat().st_gid) == (PUID, PGID), path
        assert (media / "song.flac").stat().st_uid == 0  # only the data volume
    finally:
        process.terminate()
        process.communicate(timeout=10)


@needs_root
def test_a_missing_data_dir_is_created_for_the_user(open_dir: Path) -> None:
    data = open_dir / "fresh" / "config"
    env = {"PUID": str(PUID), "PGID": str(PGID), "CROSSFADE_DATA_DIR": str(data)}
    done = entrypoint(env, "/bin/sh", "-c", 'id -u; touch "$CROSSFADE_DATA_DIR/x" && umask')
    out, err = done.communicate(timeout=10)
    assert done.returncode == 0, err
    assert out.split() == [str(PUID), "0022"]
    assert data.stat().st_uid == PUID
    assert (data / "x").stat().st_uid == PUID


@pytest.mark.parametrize(
    ("env", "message"),
    [({"PUID": "abc"}, "PUID='abc' is not a numeric id"), ({"UMASK": "999"}, "UMASK='999'")],
)
def test_bad_settings_stop_the_start_with_a_clear_message(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    done = entrypoint({**env, "CROSSFADE_DATA_DIR": str(tmp_path / "d")}, "/bin/true")
    _, err = done.communicate(timeout=10)
    assert done.returncode == 2
    assert message in err


def test_as_a_non_root_user_it_only_runs_the_command(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("needs a non-root start; covered by the other tests as root")
    done = entrypoint(
        {"UMASK": "077", "CROSSFADE_DATA_DIR": str(tmp_path)}, "/bin/sh", "-c", "umask"
    )
    out, _ = done.communicate(timeout=10)
    assert out.strip() == "0077"
