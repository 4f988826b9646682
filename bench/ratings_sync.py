"""The ratings sync, Plex ⇄ a music folder, on a generated library of N tracks.

    python bench/ratings_sync.py [--n 20000] [--skip-pmrs] [--profile first,rerun]

What it does, in order (every sync is the real job path: a job row, ``JobExecutor.run_job``,
the ``ratings_sync`` job kind, events and progress stored in the database):

1. builds (once per N, cached on tmpfs) a library of N tracks: a tiny fixture per format (mp3,
   flac, m4a, ogg, opus) copied into Artist/Album/NN Title.ext and tagged with mutagen; 10% of
   tracks rated in files only (several dialects), 10% in Plex only, 5% in both alike, 5% in
   both differently (Plex wins: link policy prefer_a);
2. copies it, serves the copy with ``crossfade emulator`` in its own process (its start-up is
   timed separately and is not part of any figure), and rates tracks in Plex through its API;
3. times our first full sync, a no-change re-run and the floor (listing the section with our
   adapter's ``iter_tracks`` plus one ``os.stat()`` per file), best of ``--repeat``, and a
   re-run after 1% of ratings changed on each side, by phase;
4. runs PlexMusicRatingsSync 2.2.0 (its own virtualenv under ~/.cache/crossfade-bench) for its
   first sync on a fresh copy of the same library behind a fresh emulator with the same Plex
   ratings, timed;
5. prints the table and the ratios: no-change re-run / floor (target ≤ 1.5) and PMRS first
   sync / our first sync (target ≥ 10). Exits 1 when a sync went wrong or a target is missed.

Our runs use the settings a server would (``CROSSFADE_WORKER_PROCESSES`` from the environment,
default one per core, at most 4): the Plex listing is parsed in a child process and tags of
many files are written on worker processes. ``CROSSFADE_WORKER_PROCESSES=1`` measures
everything in the job's own process. The machine is noisy (a VM with 2 cores): compare figures
from one run, and use ``--repeat``.

``--profile first,rerun`` writes cProfile stats of those runs next to the work folder and
prints the top functions.

One script on purpose (over 500 lines): a benchmark is read top to bottom as the recipe it runs
(build, our runs, the floor, PMRS, the verdict).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _ratings_world import (
    BenchTrack,
    RunningEmulator,
    cached_library,
    change_one_percent,
    copy_library,
    emulator_process,
    expected_first_sync,
    seed_plex,
)

from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine, create_session_factory
from app.adapters.db.jobs import JobRepository
from app.adapters.processes import current_runner_id, runner_alive
from app.bootstrap import build_domains, build_job_kinds
from app.domain.jobs import JobStatus, JobTrigger
from app.domain.links import Mode
from app.domain.ratings.value import Rating
from app.services.jobs.executor import JobExecutor
from app.services.jobs.service import JobService
from app.services.libraries.link_runs import LinkRuns
from app.services.ports import (
    RatingSide,
    RatingWrite,
    Reporter,
    SideItem,
    Written,
)
from app.services.ratings.run.concurrency import SyncSides
from app.services.ratings.run.sync import RatingsSync
from app.services.ratings.run.values import LinkRules, SyncSummary
from app.settings import Settings

PMRS_VERSION = "2.2.0"
PHASES = ("scan", "match", "plan", "write")
SCANS = ("scan_plex", "scan_files")


# --- timing our runs by phase ----------------------------------------------------------------


@dataclass
class PhaseMarks:
    """Where the service's phases begin (on the job's thread), and how long each side's scan
    took on its own (the two scans overlap: the Plex side scans on a helper thread)."""

    marks: list[tuple[str, float]] = field(default_factory=list)
    scans: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str) -> None:
        self.marks.append((name, time.perf_counter()))

    def durations(self) -> dict[str, float]:
        spans: dict[str, float] = {}
        for (name, start), (_, end) in zip(self.marks, self.marks[1:], strict=False):
            if name != "end":
                spans[name] = spans.get(name, 0.0) + end - start
        return {**spans, **self.scans}


class TimedSide:
    """A side whose scan is timed on its own (it forwards everything else)."""

    def __init__(self, inner: RatingSide, marks: PhaseMarks, phase: str) -> None:
        self._inner = inner
        self._marks = marks
        self._phase = phase
        self.label = inner.label
        self.holds_files = inner.holds_files
        self.scans_in_child = inner.scans_in_child

    def scan(self, reporter: Reporter, phase: str) -> list[SideItem]:
        started = time.perf_counter()
        try:
            return self._inner.scan(reporter, phase)
        finally:
            self._marks.scans[self._phase] = time.perf_counter() - started

    def write(self, key: str, rating: Rating | None, *, rated_at_s: float | None) -> Rating | None:
        return self._inner.write(key, rating, rated_at_s=rated_at_s)

    def write_many(
        self, writes: Sequence[RatingWrite], *, should_stop: Callable[[], bool] = lambda: False
    ) -> Iterator[Written]:
        return self._inner.write_many(writes, should_stop=should_stop)

    def read(self, key: str) -> Rating | None:
        return self._inner.read(key)

    def load_state(self) -> None:
        self._inner.load_state()

    def commit(self) -> None:
        self._inner.commit()

    def close(self) -> None:
        self._inner.close()


class PhaseReporter:
    """Forwards to the job's context and marks where the service's phases begin."""

    STARTS: ClassVar[dict[str, str]] = {
        "matching": "match",
        "planning": "plan",
        "writing": "write",
    }

    def __init__(self, inner: Reporter, marks: PhaseMarks) -> None:
        self._inner = inner
        self._marks = marks
        self._seen: set[str] = set()

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        named = self.STARTS.get(phase)
        if named is not None and named not in self._seen:
            self._seen.add(named)
            self._marks.mark(named)
        self._inner.progress(phase, done, total)

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
        self._inner.event(action, subject, level=level, before=before, after=after, detail=detail)

    def counter(self, name: str, n: int = 1) -> None:
        self._inner.counter(name, n)

    def check_cancelled(self) -> None:
        self._inner.check_cancelled()


class TimedRatingsSync(RatingsSync):
    """The real service, with its run's phases marked (the job kind calls it as usual)."""

    last: PhaseMarks = PhaseMarks()

    def run(
        self,
        *,
        link_id: int,
        sides: SyncSides,
        rules: LinkRules,
        mode: Mode,
        dry_run: bool,
        job_id: int | None,
        reporter: Reporter,
    ) -> SyncSummary:
        marks = PhaseMarks()
        self.last = marks
        marks.mark("scan")
        scan_names = {True: "scan_files", False: "scan_plex"}
        timed = SyncSides(
            a=TimedSide(sides.a, marks, scan_names[sides.a.holds_files]),
            b=TimedSide(sides.b, marks, scan_names[sides.b.holds_files]),
        )
        try:
            return super().run(
                link_id=link_id,
                sides=timed,
                rules=rules,
                mode=mode,
                dry_run=dry_run,
                job_id=job_id,
                reporter=PhaseReporter(reporter, marks),
            )
        finally:
            marks.mark("end")


class HeldRunner:
    """A runner that keeps submitted ids; the bench runs them on its own thread."""

    mode = "bench"

    def __init__(self) -> None:
        self.submitted: list[int] = []

    def submit(self, job_id: int) -> None:
        self.submitted.append(job_id)

    def close(self) -> None:
        self.submitted.clear()


@dataclass(frozen=True)
class Measured:
    name: str
    total_s: float
    phases: dict[str, float]
    counters: dict[str, int]
    job_id: int


class OurSync:
    """Crossfade wired as ``build_container`` wires it, with the timed service and a held
    runner, over one database."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.settings = Settings(data_dir=data_dir, database_url=database_url)
        self.engine = create_db_engine(database_url)
        migrate.upgrade(self.engine)
        sessions = create_session_factory(self.engine)
        plain = build_domains(self.settings, sessions)
        self.service = TimedRatingsSync(plain.sync_repository, now=lambda: datetime.now(UTC))
        self.domains = dataclasses.replace(plain, ratings=self.service)
        kinds = build_job_kinds(self.domains)
        self.job_repository = JobRepository(sessions)
        self.executor = JobExecutor(
            self.job_repository,
            kinds,
            runner_id=str(current_runner_id()),
            runner_alive=runner_alive,
        )
        self.runner = HeldRunner()
        jobs = JobService(self.job_repository, kinds, self.runner)
        self.link_runs = LinkRuns(self.domains.libraries.repository, jobs)

    def link(self, emulator: RunningEmulator, music: Path) -> int:
        section_id = emulator.music_section_id()
        catalog = self.domains.libraries
        plex = catalog.add_library(
            kind="plex_music",
            name="Plex (emulator)",
            config={"base_url": emulator.url, "section_ids": [section_id], "timeout_s": 120},
            secret=emulator.token,
        )
        folder = catalog.add_library(
            kind="music_folder",
            name="Music folder",
            config={"root": str(music), "write_profile": "musicbee"},
        )
        link = catalog.add_link(
            kind="ratings", library_a_id=plex.id, library_b_id=folder.id, policy="prefer_a"
        )
        return link.id

    def run(self, name: str, link_id: int, profile_to: Path | None = None) -> Measured:
        job = self.link_runs.run(link_id, mode="sync", trigger=JobTrigger.CLI)
        assert self.runner.submitted == [job.id]
        self.runner.submitted.clear()
        profiler = cProfile.Profile() if profile_to else None
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        status = self.executor.run_job(job.id)
        if profiler is not None:
            profiler.disable()
        total_s = time.perf_counter() - started
        finished = self.job_repository.get(job.id)
        if status is not JobStatus.SUCCEEDED:
            raise RuntimeError(f"{name}: job {job.id} ended {status}: {finished.error}")
        if profiler is not None and profile_to is not None:
            profiler.dump_stats(profile_to)
        return Measured(name, total_s, self.service.last.durations(), finished.counters, job.id)

    def close(self) -> None:
        self.executor.request_stop()
        self.executor.close()
        self.engine.dispose()


def floor_s(emulator: RunningEmulator) -> tuple[float, int]:
    """Listing the section with our adapter plus one os.stat() per file: the least any sync
    that looks at every item can do."""
    section_id = emulator.music_section_id()
    with emulator.client() as client:
        started = time.perf_counter()
        count = 0
        for track in client.iter_tracks(section_id):
            os.stat(track.file_paths[0])
            count += 1
        return time.perf_counter() - started, count


# --- PlexMusicRatingsSync ------------------------------------------------------------------


@dataclass(frozen=True)
class PmrsResult:
    wall_s: float
    exit_code: int
    cached_files: int
    log_tail: str
    plex_rated_before: int
    plex_rated_after: int


def pmrs_venv(cache: Path) -> Path:
    """PlexMusicRatingsSync 2.2.0 in its own virtualenv (made once)."""
    venv = cache / f"pmrs-{PMRS_VERSION}"
    script = venv / "bin" / "pmrs"
    if not script.exists():
        print(f"installing PlexMusicRatingsSync {PMRS_VERSION} into {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(venv / "bin" / "pip"), "install", "--quiet",
                f"PlexMusicRatingsSync=={PMRS_VERSION}",
            ],
            check=True,
        )  # fmt: skip
    return script


def plex_rated(emulator: RunningEmulator) -> int:
    section_id = emulator.music_section_id()
    with emulator.client() as client:
        return sum(1 for t in client.iter_tracks(section_id) if t.user_rating is not None)


def run_pmrs(script: Path, emulator: RunningEmulator, home: Path, *, quiet: bool) -> PmrsResult:
    """Its first sync (empty cache), configured through PMRS_* variables and a private HOME."""
    for sub in ("config", "cache", "log", "xdg-config", "xdg-cache", "xdg-state"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "xdg-config"),
        "XDG_CACHE_HOME": str(home / "xdg-cache"),
        "XDG_STATE_HOME": str(home / "xdg-state"),
        "PMRS_CONFIG_DIR": str(home / "config"),
        "PMRS_CACHE_DIR": str(home / "cache"),
        "PMRS_LOG_DIR": str(home / "log"),
        "PMRS_PLEX_URL": emulator.url,
        "PMRS_PLEX_TOKEN": emulator.token,
        "PMRS_PLEX_LIBRARIES": "Music",
        "PLEXAPI_CONFIG_PATH": os.devnull,
        "LANG": "C.UTF-8",
    }
    before = plex_rated(emulator)
    command = [str(script), "sync"] + (["--quiet"] if quiet else [])
    started = time.perf_counter()
    completed = subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    wall_s = time.perf_counter() - started
    cache_file = home / "cache" / "cache.json"
    cached = 0
    if cache_file.exists():
        cached = len(json.loads(cache_file.read_text()).get("entries", {}))
    log_files = sorted((home / "log").glob("*.log"))
    tail = ""
    if log_files:
        lines = log_files[0].read_text(errors="replace").splitlines()
        tail = "\n".join(lines[-6:])
    if completed.stderr.strip():
        tail = (tail + "\n" + completed.stderr.strip()[-2000:]).strip()
    return PmrsResult(wall_s, completed.returncode, cached, tail, before, plex_rated(emulator))


# --- reporting -------------------------------------------------------------------------------


def print_profile(path: Path, top: int) -> None:
    print(f"\n-- cProfile of {path.name} (top {top} by own time; full stats in {path})")
    stats = pstats.Stats(str(path))
    stats.sort_stats(pstats.SortKey.TIME).print_stats(top)


def row(name: str, total_s: float, n: int, phases: dict[str, float]) -> str:
    cells = "".join(
        f"{phases[p]:>10.2f}" if p in phases else f"{'':>10}" for p in (*PHASES, *SCANS)
    )
    other = total_s - sum(phases.get(p, 0.0) for p in PHASES) if phases else 0.0
    other_cell = f"{other:>8.2f}" if phases else f"{'':>8}"
    return f"{name:<34}{total_s:>9.2f}{n / total_s:>10,.0f}{cells}{other_cell}"


def check_counters(
    name: str, counters: dict[str, int], want: dict[str, int], failures: list[str]
) -> None:
    for key, value in want.items():
        got = counters.get(key, 0)
        if got != value:
            failures.append(f"{name}: {key} = {got}, expected {value}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="tracks in the library")
    parser.add_argument("--dir", default=None, help="cache and work folder (default /dev/shm)")
    parser.add_argument("--repeat", type=int, default=2, help="no-change re-runs and floors")
    parser.add_argument("--database-url", default=None, help="default: SQLite in the work dir")
    parser.add_argument("--skip-pmrs", action="store_true", help="do not run PMRS")
    parser.add_argument(
        "--pmrs-verbose", action="store_true", help="run PMRS with its default logging"
    )
    parser.add_argument(
        "--profile", default="", help="comma list of runs to profile: first, rerun, changed"
    )
    parser.add_argument("--profile-top", type=int, default=25)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    options = parser.parse_args(argv)
    profiled = {p.strip() for p in options.profile.split(",") if p.strip()}

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    library, tracks, build_s = cached_library(options.n, options.dir)
    if build_s:
        print(f"library built in {build_s:.1f}s ({options.n / build_s:,.0f} files/s)")
    base = Path(options.dir) if options.dir else library.parent.parent
    work = Path(tempfile.mkdtemp(prefix="ratings-run-", dir=base))
    print(f"work folder: {work}")
    failures: list[str] = []
    try:
        ours, floors, reruns, emulator_start_s = measure_ours(
            options, library, tracks, work, profiled, failures
        )
        pmrs = None if options.skip_pmrs else measure_pmrs(options, library, tracks, work)
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)

    n = options.n
    print(f"\nN = {n:,} tracks; emulator start-up (scan of the folder) {emulator_start_s:.1f}s,")
    print("not counted anywhere below. Seconds; tracks/s is N / total. scan is both sides (they")
    print("overlap: Plex lists on a helper thread); scan_plex and scan_files are each side alone.")
    head = "".join(f"{p:>10}" for p in (*PHASES, *SCANS))
    print(f"{'run':<34}{'total s':>9}{'tracks/s':>10}{head}{'other':>8}")
    for measured in ours:
        print(row(measured.name, measured.total_s, n, measured.phases))
    for index, rerun in enumerate(reruns, start=1):
        print(row(f"  no-change re-run #{index}", rerun.total_s, n, rerun.phases))
    for index, (seconds, _) in enumerate(floors, start=1):
        print(row(f"  floor #{index} (list + stat)", seconds, n, {}))
    if pmrs is not None:
        print(row(f"PMRS {PMRS_VERSION} first sync", pmrs.wall_s, n, {}))

    first = ours[0]
    best_rerun = min(r.total_s for r in reruns)
    best_floor = min(seconds for seconds, _ in floors)
    print("\ncounters:")
    for measured in ours:
        shown = {k: v for k, v in measured.counters.items() if v}
        print(f"  {measured.name}: {shown}")
    ratio_floor = best_rerun / best_floor
    print(f"\nno-change re-run / floor: {best_rerun:.2f}s / {best_floor:.2f}s = {ratio_floor:.2f}")
    print("  (target ≤ 1.5)")
    if ratio_floor > 1.5:
        failures.append(f"no-change re-run is {ratio_floor:.2f}× the floor (target ≤ 1.5)")
    if pmrs is not None:
        failures.extend(pmrs_verdict(pmrs, first.total_s, n))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


def pmrs_verdict(pmrs: PmrsResult, ours_s: float, n: int) -> list[str]:
    """Print PMRS against our first sync; what failed (the ≥ 10 target, a PMRS that broke)."""
    ratio = pmrs.wall_s / ours_s
    print(
        f"PMRS first sync / our first sync: {pmrs.wall_s:.2f}s / {ours_s:.2f}s "
        f"= {ratio:.1f} (target ≥ 10)"
    )
    print(
        f"  PMRS exit {pmrs.exit_code}; files in its cache {pmrs.cached_files:,}; "
        f"Plex tracks rated before {pmrs.plex_rated_before:,}, after "
        f"{pmrs.plex_rated_after:,}"
    )
    if pmrs.log_tail:
        print("  its log ends:\n    " + pmrs.log_tail.replace("\n", "\n    "))
    if pmrs.exit_code != 0:
        return [f"PMRS exited {pmrs.exit_code}"]
    if pmrs.cached_files < n:
        return [f"PMRS looked at {pmrs.cached_files:,} of {n:,} files"]
    if ratio < 10:
        return [f"PMRS / ours is {ratio:.1f} (target ≥ 10)"]
    return []


def measure_ours(
    options: argparse.Namespace,
    library: Path,
    tracks: Sequence[BenchTrack],
    work: Path,
    profiled: set[str],
    failures: list[str],
) -> tuple[list[Measured], list[tuple[float, int]], list[Measured], float]:
    music = work / "ours" / "music"
    copy_s = copy_library(library, music)
    print(f"copied the library in {copy_s:.1f}s")
    with emulator_process(music) as emulator:
        print(f"emulator up in {emulator.startup_s:.1f}s at {emulator.url}")
        seed_s = seed_plex(emulator, music, tracks)
        print(f"Plex ratings seeded in {seed_s:.1f}s")
        ours = OurSync(
            options.database_url or f"sqlite:///{work / 'ours' / 'crossfade.db'}",
            work / "ours" / "data",
        )
        try:
            link_id = ours.link(emulator, music)

            def profile_path(name: str) -> Path | None:
                return (
                    work.parent / f"ratings-{name}-n{options.n}.pstats"
                    if name in profiled
                    else None
                )

            first = ours.run("our first sync", link_id, profile_path("first"))
            print(f"first sync: {first.total_s:.2f}s", flush=True)
            expected = expected_first_sync(tracks)
            check_counters(
                "first sync",
                first.counters,
                {"written_a": expected.plex, "written_b": expected.files, "errors": 0,
                 "files_read": len(tracks), "pairs": len(tracks)},
                failures,
            )  # fmt: skip
            floors: list[tuple[float, int]] = []
            reruns: list[Measured] = []
            for index in range(max(1, options.repeat)):
                floors.append(floor_s(emulator))
                name = "rerun" if index == 0 else f"rerun{index + 1}"
                rerun = ours.run("no-change re-run", link_id, profile_path(name))
                reruns.append(rerun)
                print(
                    f"floor {floors[-1][0]:.2f}s, no-change re-run {rerun.total_s:.2f}s",
                    flush=True,
                )
                check_counters(
                    "no-change re-run",
                    rerun.counters,
                    {"written_a": 0, "written_b": 0, "files_read": 0, "errors": 0,
                     "files_cached": len(tracks), "unchanged": len(tracks)},
                    failures,
                )  # fmt: skip
            changes = change_one_percent(emulator, music, tracks, seed=options.n + 1)
            changed = ours.run(
                "re-run after 1% changed each side", link_id, profile_path("changed")
            )
            check_counters(
                "changed re-run",
                changed.counters,
                {"written_a": changes.files, "written_b": changes.plex, "errors": 0,
                 "files_read": changes.files},
                failures,
            )  # fmt: skip
        finally:
            ours.close()
        startup_s = emulator.startup_s
    for name in ("first", "rerun", "changed"):
        path = work.parent / f"ratings-{name}-n{options.n}.pstats"
        if name in profiled and path.exists():
            print_profile(path, options.profile_top)
    return [first, changed], floors, reruns, startup_s


def measure_pmrs(
    options: argparse.Namespace, library: Path, tracks: Sequence[BenchTrack], work: Path
) -> PmrsResult:
    script = pmrs_venv(Path.home() / ".cache" / "crossfade-bench")
    music = work / "pmrs" / "music"
    copy_library(library, music)
    with emulator_process(music) as emulator:
        seed_plex(emulator, music, tracks)
        print(f"running PMRS {PMRS_VERSION} on a fresh copy ...", flush=True)
        result = run_pmrs(
            script,
            emulator,
            work / "pmrs" / "home",
            quiet=not options.pmrs_verbose,
        )
        print(f"PMRS: {result.wall_s:.2f}s (exit {result.exit_code})", flush=True)
        return result


if __name__ == "__main__":
    raise SystemExit(main())
