"""``import_media``: a staging area into a library, on real files. --move removes a staged video
only once its copy is verified; a failed copy keeps it; a dry run writes nothing anywhere."""

from __future__ import annotations

import os
from pathlib import Path

from app.domain.mirror.reconcile import MirrorAction, StrayContext
from app.services.mirror.importing import import_media
from app.services.mirror.model import (
    EXIT_ITEM_ERRORS,
    EXIT_OK,
    EXIT_SETUP_ERROR,
    MirrorEvent,
    MirrorRequest,
    NullReporter,
)

HEAT = "Heat (1995) {imdb-tt0113277}"
HEAT_JF = "Heat (1995) [imdbid-tt0113277]"


class Events(NullReporter):
    def __init__(self) -> None:
        self.events: list[MirrorEvent] = []

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
        _ = level
        self.events.append(
            MirrorEvent.reported(action, subject, before=before, after=after, detail=detail)
        )


def stage(root: Path) -> Path:
    (root / "deep").mkdir(parents=True)
    (root / f"{HEAT} [1080p].mkv").write_bytes(b"bd")
    (root / "deep" / f"{HEAT} [2160p].mkv").write_bytes(b"uhd")
    (root / "readme.txt").write_bytes(b"r")
    for path in root.rglob("*.mkv"):
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return root


def names(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def request(source: Path, target: Path, **kw: object) -> MirrorRequest:
    return MirrorRequest(source=source, target=target, create=True, **kw)  # type: ignore[arg-type]


def test_move_copies_then_removes_the_verified_sources(tmp_path: Path) -> None:
    source, target = stage(tmp_path / "stage"), tmp_path / "lib"
    reporter = Events()
    outcome = import_media(request(source, target), move=True, reporter=reporter)
    assert outcome.exit_code == EXIT_OK
    assert names(target) - {".crossfade/mirror.lock"} == {
        f"{HEAT_JF}/{HEAT_JF} - BD.mkv",
        f"{HEAT_JF}/{HEAT_JF} - 4k.mkv",
    }
    assert (target / HEAT_JF / f"{HEAT_JF} - 4k.mkv").read_bytes() == b"uhd"
    assert names(source) == {"readme.txt"}
    removed = [e for e in reporter.events if e.context is StrayContext.IMPORTED_SOURCE]
    assert len(removed) == 2 and outcome.summary.sources_removed == 2
    # Again with the same files staged: the copies match, the staged ones go.
    stage(tmp_path / "again")
    again = import_media(request(tmp_path / "again", target), move=True)
    assert again.exit_code == EXIT_OK and again.summary.files_updated == 0
    assert names(tmp_path / "again") == {"readme.txt"}


def test_copy_keeps_the_sources(tmp_path: Path) -> None:
    source, target = stage(tmp_path / "stage"), tmp_path / "lib"
    before = names(source)
    outcome = import_media(request(source, target), move=False)
    assert outcome.exit_code == EXIT_OK and outcome.summary.files_updated == 2
    assert names(source) == before


def test_dry_run_writes_nothing_anywhere(tmp_path: Path) -> None:
    source, target = stage(tmp_path / "stage"), tmp_path / "lib"
    before = names(source)
    reporter = Events()
    outcome = import_media(request(source, target, dry_run=True), move=True, reporter=reporter)
    assert outcome.exit_code == EXIT_OK
    assert not target.exists() and names(source) == before
    actions = sorted(e.action for e in reporter.events)
    assert actions == [
        MirrorAction.LINK,
        MirrorAction.LINK,
        MirrorAction.REMOVE,
        MirrorAction.REMOVE,
    ]


def test_a_failed_copy_keeps_the_staged_video(tmp_path: Path) -> None:
    source, target = stage(tmp_path / "stage"), tmp_path / "lib"
    in_the_way = target / HEAT_JF / f"{HEAT_JF} - BD.mkv"
    (in_the_way / "mine").mkdir(parents=True)  # a folder holding the file's place
    reporter = Events()
    outcome = import_media(request(source, target), move=True, reporter=reporter)
    assert outcome.exit_code == EXIT_ITEM_ERRORS
    assert f"{HEAT} [1080p].mkv" in names(source)
    assert f"deep/{HEAT} [2160p].mkv" not in names(source)  # the other one went on
    assert (in_the_way / "mine").is_dir()
    assert any(e.action is MirrorAction.ERROR for e in reporter.events)


def test_a_missing_target_without_create_is_a_setup_error(tmp_path: Path) -> None:
    source = stage(tmp_path / "stage")
    req = MirrorRequest(source=source, target=tmp_path / "none")
    outcome = import_media(req, move=True)
    assert outcome.exit_code == EXIT_SETUP_ERROR and outcome.error is not None


def test_a_folder_clash_leaves_both_staged_and_the_rest_goes_on(tmp_path: Path) -> None:
    source, target = stage(tmp_path / "stage"), tmp_path / "lib"
    (source / "Twin (2000) {imdb-tt1} {tmdb-2}.mkv").write_bytes(b"a")
    (source / "Twin (2000) {imdb-tt1}.mkv").write_bytes(b"b")
    outcome = import_media(request(source, target), move=True)
    assert outcome.exit_code == EXIT_OK
    assert outcome.plan is not None and len(outcome.plan.folder_clashes) == 1
    assert outcome.summary.sources_removed == 2  # Heat's two versions
    assert {"Twin (2000) {imdb-tt1} {tmdb-2}.mkv", "Twin (2000) {imdb-tt1}.mkv"} <= names(source)
    assert not (target / "Twin (2000) [imdbid-tt1]").exists()
