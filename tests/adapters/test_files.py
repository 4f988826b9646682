"""The mirror's file system reader, on real files: the walker, stats and listings."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.adapters.files import dir_stamp, file_meta, list_names, scan_tree
from app.domain.errors import (
    SetupError,
)
from app.domain.special_files import SpecialKind

REPO = Path(__file__).resolve().parents[2]


def write(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------------------------
# walking
# --------------------------------------------------------------------------------------------


def test_scan_sorts_skips_dot_entries_and_stats_files(tmp_path: Path) -> None:
    write(tmp_path / "b" / "2.mkv", b"22")
    write(tmp_path / "b" / "1.mkv", b"1")
    write(tmp_path / "a.txt")
    write(tmp_path / ".hidden" / "x")
    write(tmp_path / "b" / ".DS_Store")
    (tmp_path / "c").mkdir()
    tree = scan_tree(tmp_path, follow_symlinks=True)
    assert [f.name for f in tree.files] == ["a.txt"]
    assert [d.name for d in tree.dirs] == ["b", "c"]
    one, two = tree.dirs[0].files
    assert (one.name, one.meta.size, two.name, two.meta.size) == ("1.mkv", 1, "2.mkv", 2)
    st = (tmp_path / "b" / "2.mkv").stat()
    assert (two.meta.ino, two.meta.dev, two.meta.mtime_ns, two.meta.nlink) == (
        st.st_ino,
        st.st_dev,
        st.st_mtime_ns,
        1,
    )


@pytest.mark.parametrize("marker", [".jellyplex-sync-ignore", ".crossfade-ignore"])
def test_marked_directories_are_not_read(tmp_path: Path, marker: str) -> None:
    write(tmp_path / "M" / marker, b"")
    write(tmp_path / "M" / "secret.mkv")
    (node,) = scan_tree(tmp_path, follow_symlinks=True).dirs
    assert node.marked and node.files == () and node.dirs == ()
    assert scan_tree(tmp_path / "M", follow_symlinks=False).marked


def test_skip_leaves_out_top_level_entries(tmp_path: Path) -> None:
    write(tmp_path / "A" / "a.mkv")
    write(tmp_path / "B" / "b.mkv")
    tree = scan_tree(tmp_path, follow_symlinks=True, skip=frozenset({"A"}))
    assert [d.name for d in tree.dirs] == ["B"]


def test_symlinks_are_followed_in_the_source_only(tmp_path: Path) -> None:
    real = write(tmp_path / "lib" / "real.mkv", b"abc")
    write(tmp_path / "lib" / "M" / "x.mkv")
    (tmp_path / "lib" / "M" / "link.mkv").symlink_to(real)
    (tmp_path / "lib" / "M" / "dangling.mkv").symlink_to(tmp_path / "nowhere")
    (tmp_path / "lib" / "M" / "loop").symlink_to(tmp_path / "lib")
    (tmp_path / "lib" / "Linked").symlink_to(tmp_path / "lib" / "M")

    source = scan_tree(tmp_path / "lib", follow_symlinks=True)
    movie = next(d for d in source.dirs if d.name == "M")
    link = next(f for f in movie.files if f.name == "link.mkv")
    assert link.symlink and (link.meta.ino, link.meta.size) == (real.stat().st_ino, 3)
    assert {s.name: s.kind for s in movie.specials} == {
        "dangling.mkv": SpecialKind.DANGLING,
        "loop": SpecialKind.SYMLINK_LOOP,
    }
    assert [d.name for d in source.dirs] == ["Linked", "M"]

    target = scan_tree(tmp_path / "lib", follow_symlinks=False)
    movie = next(d for d in target.dirs if d.name == "M")
    names = {f.name: f for f in movie.files}
    assert names["link.mkv"].symlink
    assert names["link.mkv"].meta.ino == (tmp_path / "lib" / "M" / "link.mkv").lstat().st_ino
    assert {"dangling.mkv", "loop"} <= set(names)
    assert "Linked" in {f.name for f in target.files}


def test_symlinks_out_of_the_root_and_special_files_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "secret.mkv", b"secret")
    write(tmp_path / "lib" / "M" / "x.mkv")
    movie = tmp_path / "lib" / "M"
    (movie / "secret.mkv").symlink_to(outside / "secret.mkv")
    (movie / "etc").symlink_to(outside)
    (movie / "zero.mkv").symlink_to("/dev/zero")
    (movie / "up").symlink_to("../../outside/secret.mkv")
    (movie / "self").symlink_to("self")
    os.mkfifo(movie / "pipe.mkv")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(movie / "sock.mkv"))
    listener.close()
    (tmp_path / "alias").symlink_to(tmp_path / "lib")

    # The root may itself be reached through a symlink: the fence is its resolved path.
    source = scan_tree(tmp_path / "alias", follow_symlinks=True)
    (node,) = source.dirs
    assert [f.name for f in node.files] == ["x.mkv"]
    assert node.dirs == ()
    assert {s.name: s.kind for s in node.specials} == {
        "etc": SpecialKind.OUTSIDE_ROOT,
        "pipe.mkv": SpecialKind.FIFO,
        "secret.mkv": SpecialKind.OUTSIDE_ROOT,
        "self": SpecialKind.SYMLINK_LOOP,
        "sock.mkv": SpecialKind.SOCKET,
        "up": SpecialKind.OUTSIDE_ROOT,
        "zero.mkv": SpecialKind.OUTSIDE_ROOT,
    }
    # In a target a FIFO is a special entry too (to remove), never opened.
    target = scan_tree(tmp_path / "lib", follow_symlinks=False)
    assert {s.name: s.kind for s in target.dirs[0].specials} == {
        "pipe.mkv": SpecialKind.FIFO,
        "sock.mkv": SpecialKind.SOCKET,
    }


def test_names_that_are_not_utf8_survive_the_walk(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/Caf\xe9 (1999)"
    os.mkdir(raw)
    fd = os.open(raw + b"/Caf\xe9 (1999) \xff.mkv", os.O_CREAT | os.O_WRONLY)
    os.close(fd)
    (movie,) = scan_tree(tmp_path, follow_symlinks=True).dirs
    assert os.fsencode(movie.name) == b"Caf\xe9 (1999)"
    assert os.fsencode(movie.files[0].name) == b"Caf\xe9 (1999) \xff.mkv"


def test_unreadable_directories_are_reported_not_raised(tmp_path: Path) -> None:
    write(tmp_path / "lib" / "Open (2000)" / "a.mkv")
    closed = tmp_path / "lib" / "Closed (2001)"
    write(closed / "b.mkv")
    closed.chmod(0)
    code = textwrap.dedent(
        f"""
        import json
        from pathlib import Path
        from app.adapters.files import scan_tree
        tree = scan_tree(Path({str(tmp_path / "lib")!r}), follow_symlinks=True)
        print(json.dumps({{d.name: d.error for d in tree.dirs}}))
        """
    )
    command = [sys.executable, "-c", code]
    if os.geteuid() == 0:  # root reads anything: drop the capabilities that allow it
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a directory unreadable")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=True)
    finally:
        closed.chmod(0o755)
    assert json.loads(done.stdout) == {"Closed (2001)": "Permission denied", "Open (2000)": None}


def test_scan_of_a_missing_root_is_a_setup_error(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match="cannot read"):
        scan_tree(tmp_path / "missing", follow_symlinks=True)


def test_list_names(tmp_path: Path) -> None:
    write(tmp_path / "b")
    write(tmp_path / ".a")
    assert list_names(tmp_path) == ("b",)
    assert list_names(tmp_path / "missing") == ()


def test_stamps_change_with_the_entries(tmp_path: Path) -> None:
    folder = tmp_path / "M"
    folder.mkdir()
    before = dir_stamp(str(folder), follow_symlinks=False)
    assert before is not None
    time.sleep(0.01)
    write(folder / "new.mkv")
    after = dir_stamp(str(folder), follow_symlinks=False)
    assert after is not None and after != before
    assert dir_stamp(str(folder / "new.mkv"), follow_symlinks=False) is None
    assert dir_stamp(str(tmp_path / "missing"), follow_symlinks=False) is None
    meta = file_meta(str(folder / "new.mkv"), follow_symlinks=False)
    assert meta is not None and meta.size == 1
    assert file_meta(str(folder), follow_symlinks=False) is None
