"""The mirror's file system writer, on real files: materializers, removal, preflight, lock,
small state files.

Includes the crash test: a real process replacing a file is SIGKILLed at random moments, and
the target must always be the old or the new file, whole.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.adapters.file_placement import (
    TargetLock,
    check_target,
    leftover_paths,
    make_dir,
    place_copy,
    place_link,
    read_bytes,
    remove_entries,
    remove_leftovers,
    write_atomically,
)
from app.adapters.files import is_temp_name, scan_tree, temp_name
from app.domain.errors import (
    CrossDeviceTarget,
    FileChangedSinceRead,
    FileVanished,
    MediaFileError,
    MirrorError,
    TargetLocked,
)

REPO = Path(__file__).resolve().parents[2]


def write(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------------------------
# another file system
# --------------------------------------------------------------------------------------------


def _writable_dirs(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    for candidate in ("/dev/shm", "/run/user", "/run", "/var/tmp", "/tmp", str(Path.home())):
        path = Path(candidate)
        if path.is_dir() and os.access(path, os.W_OK):
            yield path


@pytest.fixture
def other_device(tmp_path: Path) -> Iterator[Path]:
    """A writable directory on another file system than ``tmp_path``: /dev/shm or another
    real mount when there is one, else a small tmpfs mounted for the test (as root)."""
    base_dev = tmp_path.stat().st_dev
    for path in _writable_dirs(tmp_path):
        if path.stat().st_dev != base_dev:
            place = Path(tempfile.mkdtemp(prefix="crossfade-xdev-", dir=path))
            yield place
            shutil.rmtree(place, ignore_errors=True)
            return
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        message = "no second file system to test cross-device behaviour on"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: {mounted.stderr.decode(errors='replace')}")
        pytest.skip(message)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


# --------------------------------------------------------------------------------------------
# sources that changed or are not regular files; leftovers of an interrupted run
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("replace", [False, True])
def test_a_source_that_changed_since_the_scan_is_not_placed(tmp_path: Path, replace: bool) -> None:
    """A symlink retargeted out of the library between the scan and the link (or a file
    replaced) has another identity than the scan saw: nothing is left in the target."""
    lib = tmp_path / "lib"
    inside = write(lib / "M" / "inside.mkv", b"inside")
    secret = write(tmp_path / "secret.mkv", b"secret")
    link = lib / "M" / "link.mkv"
    link.symlink_to(inside)
    seen = inside.stat()
    identity = (seen.st_dev, seen.st_ino)
    link.unlink()
    link.symlink_to(secret)  # retargeted since the scan
    target = tmp_path / "target"
    target.mkdir()
    if replace:
        write(target / "a.mkv", b"old")
    for place in (place_link, place_copy):
        with pytest.raises(FileChangedSinceRead):
            place(str(link), str(target / "a.mkv"), replace=replace, identity=identity)
        assert [p.read_bytes() for p in target.iterdir()] == ([b"old"] if replace else [])
    place_link(str(inside), str(target / "a.mkv"), replace=replace, identity=identity)
    assert (target / "a.mkv").stat().st_ino == seen.st_ino


def test_a_fifo_in_place_of_a_source_never_blocks_a_copy(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.nfo")
    with pytest.raises(FileChangedSinceRead, match="not a regular file"):
        place_copy(str(tmp_path / "pipe.nfo"), str(tmp_path / "copy.nfo"), replace=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.nfo"]


def test_leftovers_are_found_and_removed(tmp_path: Path) -> None:
    write(tmp_path / "M" / temp_name())
    write(tmp_path / "M" / ".crossfade-nothex.tmp")
    tree = scan_tree(tmp_path, follow_symlinks=False)
    (found,) = leftover_paths(tree)
    assert is_temp_name(found.split("/")[1])
    assert remove_leftovers(tmp_path, [found]) == 1
    assert sorted(os.listdir(tmp_path / "M")) == [".crossfade-nothex.tmp"]


# --------------------------------------------------------------------------------------------
# materializers
# --------------------------------------------------------------------------------------------


def test_place_link_creates_and_replaces_hardlinks(tmp_path: Path) -> None:
    source = write(tmp_path / "s.mkv", b"source")
    target = tmp_path / "t.mkv"
    place_link(str(source), str(target), replace=False)
    assert target.stat().st_ino == source.stat().st_ino
    other = write(tmp_path / "o.mkv", b"other")
    place_link(str(other), str(target), replace=True)
    assert target.stat().st_ino == other.stat().st_ino
    place_link(str(source), str(target), replace=False)  # appeared since the scan: replaced
    assert target.stat().st_ino == source.stat().st_ino
    assert sorted(os.listdir(tmp_path)) == ["o.mkv", "s.mkv", "t.mkv"]


def test_place_link_of_a_vanished_source(tmp_path: Path) -> None:
    with pytest.raises(FileVanished):
        place_link(str(tmp_path / "gone.mkv"), str(tmp_path / "t.mkv"), replace=False)


def test_place_link_across_devices_fails_per_file(tmp_path: Path, other_device: Path) -> None:
    source = write(tmp_path / "s.mkv")
    with pytest.raises(MediaFileError, match="cross-device"):
        place_link(str(source), str(other_device / "t.mkv"), replace=False)
    assert os.listdir(other_device) == []


def test_place_copy_copies_bytes_mode_and_mtime(tmp_path: Path) -> None:
    source = write(tmp_path / "s.nfo", b"<movie/>" * 1000)
    source.chmod(0o640)
    os.utime(source, ns=(1_000_000_000, 1_234_567_891_234_567_891))
    target = tmp_path / "t.nfo"
    write(target, b"old")
    place_copy(str(source), str(target), replace=True)
    st, tt = source.stat(), target.stat()
    assert target.read_bytes() == source.read_bytes()
    assert (tt.st_mtime_ns, tt.st_mode, tt.st_nlink) == (st.st_mtime_ns, st.st_mode, 1)
    assert tt.st_ino != st.st_ino
    assert sorted(os.listdir(tmp_path)) == ["s.nfo", "t.nfo"]


def test_place_copy_works_across_devices(tmp_path: Path, other_device: Path) -> None:
    source = write(tmp_path / "s.mkv", b"data")
    place_copy(str(source), str(other_device / "t.mkv"), replace=False)
    assert (other_device / "t.mkv").read_bytes() == b"data"


def test_place_copy_failure_leaves_no_temporary(tmp_path: Path) -> None:
    with pytest.raises(FileVanished):
        place_copy(str(tmp_path / "gone"), str(tmp_path / "t"), replace=False)
    assert os.listdir(tmp_path) == []


def test_make_dir(tmp_path: Path) -> None:
    make_dir(str(tmp_path / "a" / "b"))
    make_dir(str(tmp_path / "a" / "b"))
    assert (tmp_path / "a" / "b").is_dir()
    write(tmp_path / "file")
    with pytest.raises(MediaFileError):
        make_dir(str(tmp_path / "file"))


def test_remove_entries_goes_on_after_a_failure(tmp_path: Path) -> None:
    write(tmp_path / "d" / "a")
    write(tmp_path / "d" / "sub" / "keep")
    result = remove_entries(str(tmp_path), ["d/a", "d/missing"], ["d/sub", "d"])
    assert result.files_removed == 1
    assert [e.path for e in result.errors] == [str(tmp_path / "d/sub"), str(tmp_path / "d")]
    assert (tmp_path / "d" / "sub" / "keep").exists()


# --------------------------------------------------------------------------------------------
# preflight and lock
# --------------------------------------------------------------------------------------------


def test_check_target_on_one_device_leaves_nothing_behind(tmp_path: Path) -> None:
    sample = write(tmp_path / "src" / "a.mkv")
    (tmp_path / "dst").mkdir()
    check_target(tmp_path / "src", tmp_path / "dst", link_sample=sample)
    check_target(tmp_path / "src", tmp_path / "new" / "dst", link_sample=sample)
    check_target(tmp_path / "src", tmp_path / "dst", link_sample=None)
    assert os.listdir(tmp_path / "dst") == []
    assert sorted(os.listdir(tmp_path)) == ["dst", "src"]


def test_check_target_refuses_another_device_before_creating_anything(
    tmp_path: Path, other_device: Path
) -> None:
    sample = write(tmp_path / "src" / "a.mkv")
    with pytest.raises(CrossDeviceTarget, match="use --copy"):
        check_target(tmp_path / "src", other_device / "new" / "dst", link_sample=sample)
    assert os.listdir(other_device) == []
    check_target(tmp_path / "src", other_device / "dst", link_sample=None)  # copies are fine
    assert os.listdir(other_device) == []


def test_check_target_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = write(tmp_path / "blocker")
    with pytest.raises(MirrorError, match="cannot write"):
        check_target(tmp_path, blocker / "dst", link_sample=None)


def test_one_lock_holder_per_target(tmp_path: Path) -> None:
    lock_path = tmp_path / ".crossfade" / "mirror.lock"
    with TargetLock(lock_path):
        with pytest.raises(TargetLocked, match="another run"):
            TargetLock(lock_path).acquire()
        assert lock_path.read_text().strip() == str(os.getpid())
    with TargetLock(lock_path):
        pass


def test_write_atomically_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "state" / "index.json"
    assert read_bytes(path) is None
    write_atomically(path, b"one")
    write_atomically(path, b"two")
    assert read_bytes(path) == b"two"
    assert os.listdir(path.parent) == ["index.json"]


# --------------------------------------------------------------------------------------------
# SIGKILL during a replace
# --------------------------------------------------------------------------------------------

REPLACER = textwrap.dedent(
    """
    import sys
    from app.adapters.file_placement import place_copy, place_link
    old, new, target = sys.argv[1:4]
    print("ready", flush=True)
    while True:
        place_copy(new, target, replace=True)
        place_link(old, target, replace=True)
        place_copy(old, target, replace=True)
        place_link(new, target, replace=True)
    """
)


def test_sigkill_during_replace_leaves_old_or_new_never_none(tmp_path: Path) -> None:
    old = write(tmp_path / "old.mkv", os.urandom(1 << 20))
    new = write(tmp_path / "new.mkv", os.urandom(3 << 20))
    contents = {old.read_bytes(), new.read_bytes()}
    target = tmp_path / "lib" / "movie.mkv"
    target.parent.mkdir()
    shutil.copyfile(old, target)
    rng = random.Random(20260101)
    for _ in range(12):
        child = subprocess.Popen(
            [sys.executable, "-c", REPLACER, str(old), str(new), str(target)],
            cwd=REPO,
            stdout=subprocess.PIPE,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 0.05))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        assert target.read_bytes() in contents, "the target is torn or gone"
        names = os.listdir(target.parent)
        assert "movie.mkv" in names
        assert all(name == "movie.mkv" or is_temp_name(name) for name in names)
