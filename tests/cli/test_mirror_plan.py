"""The plan a text dry run of ``crossfade mirror sync|import`` ends with (app/cli/mirror_plan.py):
totals per action on stdout, the first ``--limit`` changes, ``--all`` for every one, and a
count of the rest; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.mirror_plan import PlanTally, plan_sentence
from app.domain.mirror.reconcile import MirrorAction, Mode
from app.services.mirror.model import SyncOutcome, SyncSummary
from tests.cli.test_mirror_cli import BOOT, Done, mirror

MOVIES = [f"Movie {n} (20{n:02d})" for n in range(6)]


@pytest.fixture
def plex_library(tmp_path: Path) -> Path:
    for title in MOVIES:
        folder = tmp_path / "plex" / title
        folder.mkdir(parents=True)
        (folder / f"{title}.mkv").write_bytes(b"v")
    (tmp_path / "plex" / "notes.txt").write_bytes(b"t")
    return tmp_path / "plex"


def sync(*args: str | Path) -> Done:
    return mirror("sync", "--source-format", "plex", *args)


def plan_lines(stdout: bytes) -> list[str]:
    return stdout.decode().splitlines()


def test_a_dry_run_ends_with_the_totals_and_the_first_changes(
    plex_library: Path, tmp_path: Path
) -> None:
    target = tmp_path / "jf"
    done = sync("--create", "--dry-run", "--limit", "2", plex_library, target)
    assert done.returncode == 0, done.stderr
    lines = plan_lines(done.stdout)
    assert lines[0] == (
        f"Plan (dry run, nothing written): would create 6 files in {target} as hardlinks; 1 ignored"
    )
    assert [line.split()[0] for line in lines[1:3]] == ["LINK", "LINK"]
    assert lines[3] == "… 4 more (--limit N or --all to list them; --json has every event)"
    assert len(lines) == 4
    assert not target.exists()


def test_all_lists_every_change_and_the_default_is_twenty(
    plex_library: Path, tmp_path: Path
) -> None:
    every = sync("--create", "--dry-run", "--all", plex_library, tmp_path / "jf")
    assert len(plan_lines(every.stdout)) == 1 + len(MOVIES)
    listed = {line.split("/")[-2] for line in plan_lines(every.stdout)[1:]}
    assert len(listed) == len(MOVIES)
    default = sync("--create", "--dry-run", plex_library, tmp_path / "jf")
    assert len(plan_lines(default.stdout)) == 1 + len(MOVIES)  # under the 20 of the default


def test_a_mirror_in_step_has_nothing_to_change_and_strays_are_counted(
    plex_library: Path, tmp_path: Path
) -> None:
    target = tmp_path / "jf"
    assert sync("--create", "--copy", plex_library, target).returncode == 0
    (target / "stray.txt").write_bytes(b"s")
    done = sync("--dry-run", "--copy", plex_library, target)
    assert plan_lines(done.stdout) == [
        "Plan (dry run, nothing written): nothing to change; "
        "1 strays left (--delete removes them); 1 ignored"
    ]
    keeping = sync("--dry-run", "--copy", "--delete", plex_library, target)
    assert plan_lines(keeping.stdout) == [
        "Plan (dry run, nothing written): nothing to change; "
        "1 strays kept (the last link to their data); 1 ignored"
    ]
    deleting = sync("--dry-run", "--copy", "--delete", "--delete-last-copies", plex_library, target)
    lines = plan_lines(deleting.stdout)
    assert lines[0] == "Plan (dry run, nothing written): would remove 1 strays; 1 ignored"
    assert lines[1] == f"DELETE  {target / 'stray.txt'}"
    assert (target / "stray.txt").exists()


def test_a_real_run_keeps_stdout_for_the_plan_of_dry_runs_only(
    plex_library: Path, tmp_path: Path
) -> None:
    done = sync("--create", plex_library, tmp_path / "jf")
    assert done.returncode == 0 and done.stdout == b""


def test_an_import_dry_run_has_its_plan_too(tmp_path: Path) -> None:
    staged = tmp_path / "stage"
    staged.mkdir()
    (staged / f"{BOOT} [1080p].mkv").write_bytes(b"v")
    done = mirror("import", "--dry-run", "--create", staged, tmp_path / "jf")
    lines = plan_lines(done.stdout)
    assert lines[0].startswith("Plan (dry run, nothing written): would create 1 files in ")
    assert lines[0].endswith(" as copies; would then remove 1 staged videos from the source")
    assert lines[1].startswith("LINK ") and lines[2] == f"DELETE  {staged / BOOT} [1080p].mkv"
    assert (staged / f"{BOOT} [1080p].mkv").exists()


class Silent:
    def progress(self, phase: str, done: int, total: int | None = None) -> None: ...
    def event(self, action: str, subject: str, **_: object) -> None: ...
    def counter(self, name: str, n: int = 1) -> None: ...
    def check_cancelled(self) -> None: ...


@pytest.mark.parametrize(
    ("events", "mode", "delete", "summary", "sentence"),
    [
        ([], "hardlink", False, SyncSummary(), "nothing to change"),
        (
            ["link", "link", "skip"],
            "copy",
            False,
            SyncSummary(),
            "would create 2 files in /t as copies",
        ),
        (
            ["replace"],
            "force-copy",
            False,
            SyncSummary(clashes=2),
            "would replace 1; 2 skipped (two sources, one target name)",
        ),
        (
            ["remove", "keep", "error"],
            "hardlink",
            True,
            SyncSummary(strays_in_target=4),
            "would remove 1 strays; 1 strays kept (the last link to their data); 1 failed",
        ),
        (
            [],
            "hardlink",
            False,
            SyncSummary(strays_in_target=3),
            "nothing to change; 3 strays left (--delete removes them)",
        ),
    ],
)
def test_the_sentence(
    events: list[str], mode: Mode, delete: bool, summary: SyncSummary, sentence: str
) -> None:
    tally = PlanTally(Silent(), limit=1)
    for action in events:
        tally.event(action, f"/t/{action}")
    outcome = SyncOutcome(0, Path("/s"), Path("/t"), True, summary=summary)
    assert plan_sentence(tally, outcome, mode=mode, delete=delete) == sentence
    changes = [
        a for a in events if a in {MirrorAction.LINK, MirrorAction.REPLACE, MirrorAction.REMOVE}
    ]
    assert len(tally.listed) == min(1, len(changes)) and tally.changes == len(changes)
