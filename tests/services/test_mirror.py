"""The mirror service on real trees: sync, diff, plan, the safety rules and the index."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from app.adapters.file_placement import TargetLock
from app.domain.errors import (
    CrossDeviceTarget,
    DeleteRefused,
    PlexUnavailable,
    SetupError,
    TargetLocked,
    UnsafeLayout,
)
from app.services.jobs.context import JobCancelled
from app.services.mirror.documents import diff_document
from app.services.mirror.model import (
    EXIT_CANCELLED,
    EXIT_FOLDER_CLASH,
    EXIT_ITEM_ERRORS,
    EXIT_OK,
    EXIT_SETUP_ERROR,
    INDEX_NAME,
    STATE_DIR,
    MirrorEvent,
    MirrorRequest,
)
from app.services.mirror.service import diff, plan, sync

BOOT = "Das Boot (1981) {imdb-tt0082096}"
BOOT_JF = "Das Boot (1981) [imdbid-tt0082096]"
SEVEN = "Seven (1995) {imdb-tt0114369}"
SEVEN_JF = "Seven (1995) [imdbid-tt0114369]"

LIBRARY: dict[str, Any] = {
    BOOT: {
        f"{BOOT} {{edition-Director's Cut}} [1080p].mkv": b"boot dc",
        f"{BOOT} [2160p].mkv": b"boot 4k",
        f"{BOOT}.nfo": b"<movie/>",
        "poster.jpg": b"jpg",
        "Featurettes": {"Making of.mkv": b"making of"},
    },
    SEVEN: {f"{SEVEN} [DVD].mkv": b"seven", "Other": {"Deep": {"clip.mkv": b"clip"}}},
    "manifest.json": b"{}",
}

EXPECTED_JF = {
    f"{BOOT_JF}/{BOOT_JF} - BD Director's Cut.mkv",
    f"{BOOT_JF}/{BOOT_JF} - 4k.mkv",
    f"{BOOT_JF}/{BOOT_JF}.nfo",
    f"{BOOT_JF}/poster.jpg",
    f"{BOOT_JF}/Featurettes/Making of.mkv",
    f"{SEVEN_JF}/{SEVEN_JF} - DVD.mkv",
    f"{SEVEN_JF}/Other/Deep/clip.mkv",
}


def build(root: Path, spec: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, value in spec.items():
        if isinstance(value, dict):
            build(root / name, value)
        else:
            (root / name).write_bytes(value)
    return root


def files_under(root: Path) -> set[str]:
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        rel = os.path.relpath(dirpath, root)
        for name in filenames:
            found.add(name if rel == "." else f"{rel}/{name}")
    return found


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry below ``root`` (dot entries included) with inode, size and mtime."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            st = os.lstat(os.path.join(dirpath, name))
            result[os.path.relpath(os.path.join(dirpath, name), root)] = (
                st.st_ino,
                st.st_size,
                st.st_mtime_ns,
            )
    return result


@dataclass
class Recorder:
    """A reporter that keeps what it is told (and can ask to stop after some movies)."""

    cancel_after: int | None = None
    events: list[MirrorEvent] = field(default_factory=list)
    progress_calls: list[tuple[str, int, int]] = field(default_factory=list)

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        assert total is not None
        self.progress_calls.append((phase, done, total))

    def event(
        self,
        action: str,
        subject: str,
        *,
        level: str = "info",
        before: object = None,
        after: object = None,
        detail: str | None = None,
    ) -> None:
        self.events.append(
            MirrorEvent.reported(action, subject, before=before, after=after, detail=detail)
        )

    def counter(self, name: str, n: int = 1) -> None:
        pass

    def check_cancelled(self) -> None:
        done = sum(1 for phase, _d, _t in self.progress_calls if phase == "apply")
        if self.cancel_after is not None and done >= self.cancel_after:
            raise JobCancelled

    def actions(self) -> list[tuple[str, str]]:
        return [(e.action, e.target) for e in self.events]

    def count(self, action: str) -> int:
        return sum(1 for e in self.events if e.action == action)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return build(tmp_path / "plex", LIBRARY)


def request(source: Path, target: Path, **options: Any) -> MirrorRequest:
    return MirrorRequest(source=source, target=target, **options)


def settle_clock() -> None:
    """Let fresh directory stamps age past the racy window."""
    time.sleep(0.15)


# --------------------------------------------------------------------------------------------
# sync
# --------------------------------------------------------------------------------------------


def test_first_sync_links_videos_and_copies_metadata(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    recorder = Recorder()
    outcome = sync(request(library, target, create=True), recorder)
    assert (outcome.exit_code, outcome.error) == (EXIT_OK, None)
    assert (outcome.source_format, outcome.target_format) == ("plex", "jellyfin")
    assert files_under(target) == EXPECTED_JF
    video = target / BOOT_JF / f"{BOOT_JF} - 4k.mkv"
    assert video.stat().st_ino == (library / BOOT / f"{BOOT} [2160p].mkv").stat().st_ino
    nfo, source_nfo = target / BOOT_JF / f"{BOOT_JF}.nfo", library / BOOT / f"{BOOT}.nfo"
    assert nfo.stat().st_ino != source_nfo.stat().st_ino
    assert (nfo.read_bytes(), nfo.stat().st_mtime_ns) == (
        b"<movie/>",
        source_nfo.stat().st_mtime_ns,
    )
    summary = outcome.summary
    assert (summary.movies_total, summary.movies_processed, summary.files_updated) == (2, 2, 7)
    assert summary.items_ignored == 1
    assert recorder.count("link") == 7
    assert outcome.changed_folders == (target / BOOT_JF, target / SEVEN_JF)
    assert (target / STATE_DIR / INDEX_NAME).is_file()
    assert recorder.progress_calls[-1][0] == "index"
    assert ("apply", 2, 2) in recorder.progress_calls


def test_rerun_skips_then_settles(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    sync(request(library, target, create=True))
    second = Recorder()
    outcome = sync(request(library, target), second)
    assert outcome.summary.files_updated == 0 and second.count("skip") == 7
    assert outcome.changed_folders == ()
    settle_clock()
    sync(request(library, target))  # finds both in sync with stamps old enough: records them
    fourth = Recorder()
    outcome = sync(request(library, target), fourth)
    assert outcome.summary.movies_settled == 2
    assert sorted(fourth.actions()) == sorted(second.actions())
    index_before = (target / STATE_DIR / INDEX_NAME).stat().st_mtime_ns
    assert sync(request(library, target)).summary.movies_settled == 2
    assert (target / STATE_DIR / INDEX_NAME).stat().st_mtime_ns == index_before


def settled(library: Path, target: Path) -> None:
    """Sync, then sync again once the stamps are old enough to settle the movies."""
    sync(request(library, target, create=True))
    settle_clock()
    sync(request(library, target))
    assert sync(request(library, target)).summary.movies_settled == 2


def test_settled_movies_notice_source_changes(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    settled(library, target)
    (library / SEVEN / "Other" / "Deep" / "new.mkv").write_bytes(b"new")
    outcome = sync(request(library, target))
    assert outcome.summary.files_updated == 1
    assert (target / SEVEN_JF / "Other" / "Deep" / "new.mkv").read_bytes() == b"new"
    assert outcome.summary.movies_settled == 1


def test_settled_movies_notice_target_changes(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    settled(library, target)
    (target / SEVEN_JF / f"{SEVEN_JF} - DVD.mkv").unlink()
    (target / BOOT_JF / "Featurettes" / "stray.mkv").write_bytes(b"stray")
    nfo = target / BOOT_JF / f"{BOOT_JF}.nfo"
    with open(nfo, "r+b") as handle:  # an agent rewriting the copy in place
        handle.write(b"<edited/>")
    recorder = Recorder()
    outcome = sync(request(library, target), recorder)
    assert outcome.summary.movies_settled == 0
    assert (target / SEVEN_JF / f"{SEVEN_JF} - DVD.mkv").read_bytes() == b"seven"
    assert nfo.read_bytes() == b"<movie/>"
    assert outcome.nested_strays == (f"{BOOT_JF}/Featurettes/stray.mkv",)


def test_full_scan_ignores_the_index(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    settled(library, target)
    outcome = sync(request(library, target, full_scan=True))
    assert outcome.summary.movies_settled == 0 and outcome.summary.files_skipped == 7


def test_dry_run_writes_nothing_and_announces_the_same(library: Path, tmp_path: Path) -> None:
    target = build(tmp_path / "jf", {"Stray (2000)": {"x.mkv": b"x"}})
    os.link(library / SEVEN / f"{SEVEN} [DVD].mkv", target / "Stray (2000)" / "y.mkv")
    before = snapshot(target)
    dry = Recorder()
    outcome = sync(
        request(library, target, dry_run=True, delete=True, delete_last_copies=True), dry
    )
    assert outcome.exit_code == EXIT_OK and outcome.dry_run
    assert snapshot(target) == before
    real = Recorder()
    sync(request(library, target, delete=True, delete_last_copies=True), real)
    assert dry.actions() == real.actions()
    assert ("remove", str(target / "Stray (2000)")) in real.actions()


def test_dry_run_into_a_missing_target_creates_nothing(library: Path, tmp_path: Path) -> None:
    recorder = Recorder()
    outcome = sync(request(library, tmp_path / "new", dry_run=True, create=True), recorder)
    assert outcome.exit_code == EXIT_OK and recorder.count("link") == 7
    assert not (tmp_path / "new").exists()


def test_missing_target_without_create_is_a_setup_error(library: Path, tmp_path: Path) -> None:
    outcome = sync(request(library, tmp_path / "missing"))
    assert outcome.exit_code == EXIT_SETUP_ERROR
    assert isinstance(outcome.error, SetupError) and "does not exist" in str(outcome.error)


def test_undetectable_format_is_a_setup_error(tmp_path: Path) -> None:
    source = build(tmp_path / "src", {"Movie": {"Movie.mkv": b"x"}})
    outcome = sync(request(source, tmp_path / "dst", create=True))
    assert outcome.exit_code == EXIT_SETUP_ERROR
    assert "--source-format" in str(outcome.error)
    ok = sync(request(source, tmp_path / "dst", create=True, source_format="jellyfin"))
    assert ok.exit_code == EXIT_OK and ok.target_format == "plex"


def test_copy_modes(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    first = sync(request(library, target, create=True, mode="copy"))
    assert first.summary.files_updated == 7
    video = target / SEVEN_JF / f"{SEVEN_JF} - DVD.mkv"
    assert video.stat().st_nlink == 1 and video.read_bytes() == b"seven"
    assert sync(request(library, target, mode="copy")).summary.files_updated == 0
    assert sync(request(library, target, mode="force-copy")).summary.files_updated == 7


# --------------------------------------------------------------------------------------------
# strays and deletion
# --------------------------------------------------------------------------------------------


def test_delete_removes_strays_in_every_context(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    sync(request(library, target, create=True))
    keep_link = library / SEVEN / f"{SEVEN} [DVD].mkv"
    build(target, {"Gone (1990)": {}, BOOT_JF: {"Old": {}}, SEVEN_JF: {"Other": {}}})
    os.link(keep_link, target / "Gone (1990)" / "g.mkv")
    os.link(keep_link, target / BOOT_JF / "old.mkv")
    os.link(keep_link, target / SEVEN_JF / "Other" / "o.mkv")
    (target / "root.nfo").write_bytes(b"n")

    without = sync(request(library, target))
    assert without.strays_in_target == ("Gone (1990)", "root.nfo")
    assert set(without.nested_strays) == {
        f"{BOOT_JF}/Old",
        f"{BOOT_JF}/old.mkv",
        f"{SEVEN_JF}/Other/o.mkv",
    }

    recorder = Recorder()
    outcome = sync(request(library, target, delete=True), recorder)
    assert outcome.exit_code == EXIT_OK
    removed = {(e.target, e.context) for e in recorder.events if e.action == "remove"}
    assert removed == {
        (str(target / "Gone (1990)"), "library_stray"),
        (str(target / "root.nfo"), "library_stray"),
        (str(target / BOOT_JF / "Old"), "movie_stray"),
        (str(target / BOOT_JF / "old.mkv"), "movie_stray"),
        (str(target / SEVEN_JF / "Other" / "o.mkv"), "asset_stray"),
    }
    assert outcome.summary.files_removed == 4
    assert files_under(target) == EXPECTED_JF
    assert outcome.changed_folders == tuple(
        sorted([target / BOOT_JF, target / "Gone (1990)", target / SEVEN_JF, target / "root.nfo"])
    )


def test_last_copies_are_kept_unless_confirmed(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    sync(request(library, target, create=True))
    (target / BOOT_JF / "only copy.mkv").write_bytes(b"unique data")
    recorder = Recorder()
    outcome = sync(request(library, target, delete=True), recorder)
    assert outcome.exit_code == EXIT_ITEM_ERRORS
    assert outcome.summary.removals_refused == 1
    (kept,) = [e for e in recorder.events if e.action == "keep"]
    assert kept.target == str(target / BOOT_JF / "only copy.mkv") and kept.context == "movie_stray"
    assert (target / BOOT_JF / "only copy.mkv").exists()
    confirmed = sync(request(library, target, delete=True, delete_last_copies=True))
    assert confirmed.exit_code == EXIT_OK
    assert not (target / BOOT_JF / "only copy.mkv").exists()


def test_empty_source_with_delete_removes_nothing(tmp_path: Path) -> None:
    source = build(tmp_path / "mnt", {})  # an unmounted mount point
    target = build(tmp_path / "jf", {SEVEN_JF: {"x.mkv": b"x"}})
    before = snapshot(target)
    outcome = sync(request(source, target, delete=True, source_format="plex"))
    assert outcome.exit_code == EXIT_SETUP_ERROR
    assert isinstance(outcome.error, DeleteRefused) and "no movies" in str(outcome.error)
    assert snapshot(target) == before


def test_shrunk_source_with_delete_is_refused(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    sync(request(library, target, create=True))
    shutil.rmtree(library / SEVEN)
    before = snapshot(target)
    outcome = sync(request(library, target, delete=True))
    assert outcome.exit_code == EXIT_SETUP_ERROR
    assert isinstance(outcome.error, DeleteRefused)
    assert "--max-shrink 50" in str(outcome.error)
    assert snapshot(target) == before
    allowed = sync(request(library, target, delete=True, max_shrink=0.5, delete_last_copies=True))
    assert allowed.exit_code == EXIT_OK
    assert not (target / SEVEN_JF).exists()


def test_marked_folders_are_never_touched(library: Path, tmp_path: Path) -> None:
    target = build(tmp_path / "jf", {"Mine (2000)": {".crossfade-ignore": b"", "a.mkv": b"a"}})
    build(target, {BOOT_JF: {"Featurettes": {".jellyplex-sync-ignore": b"", "mine.txt": b"m"}}})
    outcome = sync(request(library, target, delete=True, delete_last_copies=True))
    assert outcome.exit_code == EXIT_OK
    assert (target / "Mine (2000)" / "a.mkv").exists()
    assert sorted(os.listdir(target / BOOT_JF / "Featurettes")) == [
        ".jellyplex-sync-ignore",
        "mine.txt",
    ]
    assert outcome.plan is not None
    assert outcome.plan.marked_in_target == (f"{BOOT_JF}/Featurettes", "Mine (2000)")


@pytest.mark.parametrize("side", ["source", "target"])
def test_a_marked_library_root_stops_the_run(library: Path, tmp_path: Path, side: str) -> None:
    target = build(tmp_path / "jf", {"Stray": {"x.mkv": b"x"}})
    ((library if side == "source" else target) / ".jellyplex-sync-ignore").write_bytes(b"")
    before = snapshot(target)
    outcome = sync(request(library, target, delete=True, delete_last_copies=True))
    assert outcome.exit_code == EXIT_OK
    assert snapshot(target) == before
    assert diff(request(library, target)).exit_code == 2


# --------------------------------------------------------------------------------------------
# layout and device safety
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_rel", "target_rel", "message"),
    [
        ("lib", "lib/mirror", "inside the source"),
        ("lib/inner", "lib", "inside the target"),
        ("lib", "lib", "into itself"),
    ],
)
def test_nested_layouts_are_refused(
    tmp_path: Path, source_rel: str, target_rel: str, message: str
) -> None:
    build(tmp_path / "lib" / "inner", LIBRARY)
    before = snapshot(tmp_path)
    outcome = sync(request(tmp_path / source_rel, tmp_path / target_rel, create=True))
    assert outcome.exit_code == EXIT_SETUP_ERROR
    assert isinstance(outcome.error, UnsafeLayout) and message in str(outcome.error)
    assert snapshot(tmp_path) == before


def test_symlinked_target_inside_the_source_is_refused(library: Path, tmp_path: Path) -> None:
    (tmp_path / "alias").symlink_to(library)
    outcome = sync(request(library, tmp_path / "alias" / "mirror", create=True))
    assert isinstance(outcome.error, UnsafeLayout)
    assert not (library / "mirror").exists()


@pytest.fixture
def other_device(tmp_path: Path) -> Iterator[Path]:
    """A writable directory on another file system than ``tmp_path`` (see test_files)."""
    base_dev = tmp_path.stat().st_dev
    for candidate in ("/dev/shm", "/run", "/var/tmp", "/tmp", str(Path.home())):
        path = Path(candidate)
        if path.is_dir() and os.access(path, os.W_OK) and path.stat().st_dev != base_dev:
            place = Path(tempfile.mkdtemp(prefix="crossfade-xdev-", dir=path))
            yield place
            shutil.rmtree(place, ignore_errors=True)
            return
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)], capture_output=True
    )
    if mounted.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("no second file system for the cross-device test")
        pytest.skip("no second file system for the cross-device test")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_cross_device_target_fails_before_creating_anything(
    library: Path, other_device: Path
) -> None:
    outcome = sync(request(library, other_device / "new" / "jf", create=True))
    assert outcome.exit_code == EXIT_SETUP_ERROR
    assert isinstance(outcome.error, CrossDeviceTarget) and "--copy" in str(outcome.error)
    assert os.listdir(other_device) == []


def test_cross_device_copy_works(library: Path, other_device: Path) -> None:
    target = other_device / "jf"
    outcome = sync(request(library, target, create=True, mode="copy"))
    assert outcome.exit_code == EXIT_OK and files_under(target) == EXPECTED_JF
    assert sync(request(library, target, mode="copy")).summary.files_updated == 0


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A read-only file system: a small tmpfs mounted read-only (needs root)."""
    mount_point = tmp_path / "ro"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a read-only file system here (not root?)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_a_read_only_target_fails_before_anything(library: Path, read_only_dir: Path) -> None:
    outcome = sync(request(library, read_only_dir, mode="copy"))
    assert outcome.exit_code == EXIT_SETUP_ERROR
    assert "Read-only file system" in str(outcome.error)


def test_one_run_at_a_time_per_target(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    sync(request(library, target, create=True))
    with TargetLock(target / STATE_DIR / "mirror.lock"):
        outcome = sync(request(library, target))
        assert isinstance(outcome.error, TargetLocked) and outcome.exit_code == EXIT_SETUP_ERROR
        assert sync(request(library, target, dry_run=True)).exit_code == EXIT_OK


# --------------------------------------------------------------------------------------------
# clashes, item errors, names
# --------------------------------------------------------------------------------------------


def test_folder_clash_writes_nothing(tmp_path: Path) -> None:
    source = build(
        tmp_path / "src", {"A (2000) [x]": {"a.mkv": b"a"}, "A (2000) [y]": {"b.mkv": b"b"}}
    )
    outcome = sync(
        request(source, tmp_path / "dst", create=True, source_format="plex", target_format="plex")
    )
    assert outcome.exit_code == EXIT_FOLDER_CLASH
    assert outcome.plan is not None
    assert outcome.plan.folder_clashes[0].source_folder_names == ("A (2000) [x]", "A (2000) [y]")
    assert files_under(tmp_path / "dst") == set()


def test_an_item_that_cannot_be_placed_is_an_event(library: Path, tmp_path: Path) -> None:
    target = build(tmp_path / "jf", {SEVEN_JF: {f"{SEVEN_JF} - DVD.mkv": {"in the way": b"x"}}})
    recorder = Recorder()
    outcome = sync(request(library, target), recorder)
    assert outcome.exit_code == EXIT_ITEM_ERRORS and outcome.summary.item_errors == 1
    (error,) = [e for e in recorder.events if e.action == "error"]
    assert error.detail == "a directory is in the way"
    assert files_under(target) >= EXPECTED_JF - {f"{SEVEN_JF}/{SEVEN_JF} - DVD.mkv"}


def test_names_that_are_not_utf8_are_mirrored_byte_for_byte(tmp_path: Path) -> None:
    source = tmp_path / "src"
    folder = os.fsencode(source) + b"/Caf\xe9 (1999) {imdb-tt1}"
    os.makedirs(folder)
    with open(folder + b"/Caf\xe9 (1999) {imdb-tt1} [1080p].mkv", "wb") as handle:
        handle.write(b"v")
    outcome = sync(request(source, tmp_path / "dst", create=True))
    assert outcome.exit_code == EXIT_OK and outcome.plan is not None
    assert len(outcome.plan.undecodable) == 2
    assert os.listdir(os.fsencode(tmp_path / "dst")) == [
        b".crossfade",
        b"Caf\xe9 (1999) [imdbid-tt1]",
    ] or set(os.listdir(os.fsencode(tmp_path / "dst"))) == {
        b".crossfade",
        b"Caf\xe9 (1999) [imdbid-tt1]",
    }
    inner = os.listdir(os.fsencode(tmp_path / "dst") + b"/Caf\xe9 (1999) [imdbid-tt1]")
    assert inner == [b"Caf\xe9 (1999) [imdbid-tt1] - BD.mkv"]


def test_symlinks_out_of_the_source_and_special_files_are_ignored(
    library: Path, tmp_path: Path
) -> None:
    outside = build(tmp_path / "etc", {"passwd": b"root:x:0:0"})
    movie = library / SEVEN
    (movie / f"{SEVEN} [1080p].mkv").symlink_to(outside / "passwd")
    (movie / "Featurettes").symlink_to(outside)
    (movie / "zero.mkv").symlink_to("/dev/zero")
    (movie / "loop").symlink_to("loop")
    os.mkfifo(movie / "pipe.mkv")
    (library / "Etc (2000)").symlink_to(outside)
    # A symlink inside the root is still followed (jellyplex-sync follows them).
    (movie / "inner.nfo").symlink_to(library / BOOT / f"{BOOT}.nfo")
    before = snapshot(outside)

    target = tmp_path / "jf"
    recorder = Recorder()
    outcome = sync(request(library, target, create=True), recorder)
    assert outcome.exit_code == EXIT_OK and outcome.plan is not None
    ignored = {i.path: i.reason for i in outcome.plan.ignored}
    outside_reason = "symlink that leads outside the library root, not followed"
    assert {path: ignored[path] for path in ignored if path != "manifest.json"} == {
        "Etc (2000)": outside_reason,
        f"{SEVEN}/{SEVEN} [1080p].mkv": outside_reason,
        f"{SEVEN}/Featurettes": outside_reason,
        f"{SEVEN}/loop": "symlink loop, not followed",
        f"{SEVEN}/pipe.mkv": "named pipe (FIFO), not opened",
        f"{SEVEN}/zero.mkv": outside_reason,
    }
    assert files_under(target) == EXPECTED_JF | {f"{SEVEN_JF}/inner.nfo"}
    assert (target / SEVEN_JF / "inner.nfo").read_bytes() == b"<movie/>"
    linked = {p.stat().st_ino for p in target.rglob("*") if p.is_file()}
    assert (outside / "passwd").stat().st_ino not in linked
    assert snapshot(outside) == before

    document = diff_document(diff(request(library, target)), request(library, target))
    reasons = {i["path"]: i["reason"] for i in document["ignored"]}  # type: ignore[attr-defined]
    assert reasons[f"{library}/{SEVEN}/Featurettes"] == outside_reason
    assert reasons[f"{library}/Etc (2000)"] == outside_reason
    assert document["in_sync"] is True


def test_leftovers_of_an_interrupted_run_are_cleaned(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    sync(request(library, target, create=True))
    leftover = target / BOOT_JF / ".crossfade-0123456789abcdef.tmp"
    leftover.write_bytes(b"half")
    sync(request(library, target, full_scan=True))
    assert not leftover.exists()


# --------------------------------------------------------------------------------------------
# refresh hook, cancellation
# --------------------------------------------------------------------------------------------


def test_changed_folders_are_handed_to_the_refresh_port(library: Path, tmp_path: Path) -> None:
    calls: list[Sequence[Path]] = []
    target = tmp_path / "jf"
    sync(request(library, target, create=True), on_changed=calls.append)
    assert calls == [(target / BOOT_JF, target / SEVEN_JF)]
    sync(request(library, target), on_changed=calls.append)
    sync(request(library, tmp_path / "dry", create=True, dry_run=True), on_changed=calls.append)
    assert len(calls) == 1


def test_a_failing_refresh_is_reported_not_fatal(library: Path, tmp_path: Path) -> None:
    def refresh(folders: Sequence[Path]) -> None:
        raise PlexUnavailable("timed out", server="http://127.0.0.1:1")

    outcome = sync(request(library, tmp_path / "jf", create=True), on_changed=refresh)
    assert outcome.exit_code == EXIT_OK
    assert isinstance(outcome.refresh_error, PlexUnavailable)


def test_cancellation_stops_between_movies(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    outcome = sync(request(library, target, create=True), Recorder(cancel_after=1))
    assert (outcome.exit_code, outcome.cancelled) == (EXIT_CANCELLED, True)
    assert outcome.summary.movies_processed == 1
    assert not (target / STATE_DIR / INDEX_NAME).exists()


def test_custom_index_path(library: Path, tmp_path: Path) -> None:
    index = tmp_path / "state" / "index.json"
    sync(request(library, tmp_path / "jf", create=True, index_path=index))
    assert index.is_file() and not (tmp_path / "jf" / STATE_DIR / INDEX_NAME).exists()


# --------------------------------------------------------------------------------------------
# diff and plan
# --------------------------------------------------------------------------------------------


def test_diff_exit_codes_and_findings(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    assert diff(request(library, target)).exit_code == 2
    sync(request(library, target, create=True))
    assert diff(request(library, target)).exit_code == 0
    (target / SEVEN_JF / "Other" / "Deep" / "clip.mkv").unlink()
    (target / SEVEN_JF / "Other" / "Deep" / "clip.mkv").write_bytes(b"clip")
    (target / BOOT_JF / "Featurettes" / "Making of.mkv").unlink()
    outcome = diff(request(library, target))
    assert outcome.exit_code == 1 and outcome.report is not None
    found = {d.target_movie_name: d for d in outcome.report.differing_movies}
    assert found[BOOT_JF].only_in_source == ("Featurettes/Making of.mkv",)
    assert found[SEVEN_JF].differing == ("Other/Deep/clip.mkv",)
    assert diff(request(library, target, mode="copy")).report is not None


def test_diff_uses_the_index_but_not_for_a_full_scan(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    settled(library, target)
    assert diff(request(library, target)).exit_code == 0
    assert diff(replace(request(library, target), full_scan=True)).exit_code == 0


def test_plan_needs_no_target(library: Path, tmp_path: Path) -> None:
    outcome = plan(request(library, tmp_path / "nowhere"))
    assert outcome.exit_code == 0 and outcome.plan is not None
    assert {f.target for m in outcome.plan.movies for f in m.all_files()} == EXPECTED_JF
    assert not (tmp_path / "nowhere").exists()
    assert plan(request(tmp_path / "missing", tmp_path / "x")).exit_code == 2
