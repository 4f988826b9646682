"""Playlists sync on a big library: Plex → files, a run with nothing to do, then every file
edited (entries moved and removed) → Plex.

The emulator serves a synthetic library (default 20,000 tracks) from this process, with
``--playlists`` playlists of ``--entries`` tracks each. The music files do not exist, so the
resolver is told every mapped path exists; everything else (listing, matching by path, diffs,
rendering, atomic writes, in-place Plex edits, the database) is the real code.

    python bench/playlists_sync.py [--tracks 20000] [--playlists 20] [--entries 500]

Prints the wall time of each run and the Plex requests it made, by method.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine, create_session_factory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.playlist_repo import PlaylistRepository
from app.adapters.plex import PlexServerClient
from app.domain.links import Mode
from app.domain.matching import MatchThresholds
from app.domain.paths import PathMapping
from app.services.playlists.matching import PlexFolderResolver
from app.services.playlists.run.run_state import (
    PlaylistRules,
    PlaylistSides,
    PlaylistsSummary,
)
from app.services.playlists.run.sync import PlaylistsSync
from app.services.playlists.sides import FolderPlaylistSide, PlexPlaylistSide
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from plex_emulator.synthetic import add_synthetic_music_section

TOKEN = "bench-owner-token"
PLEX_ROOT = "/srv/media/music"


class Quiet:
    """A reporter that only counts events."""

    def __init__(self) -> None:
        self.events = 0

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        return None

    def event(self, action: str, subject: str, **fields: object) -> None:
        self.events += 1

    def counter(self, name: str, n: int = 1) -> None:
        return None

    def check_cancelled(self) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=20_000)
    parser.add_argument("--playlists", type=int, default=20)
    parser.add_argument("--entries", type=int, default=500)
    args = parser.parse_args()

    state = EmulatorState()
    state.add_account("owner", TOKEN, owner=True)
    add_synthetic_music_section(state, args.tracks)
    with EmulatorServer(state) as server, tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        lists = base / "playlists"
        lists.mkdir()
        engine = create_db_engine(f"sqlite:///{base / 'bench.db'}")
        migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        libraries = LibraryRepository(sessions)
        plex_library = libraries.add_library(kind="plex_music", name="Plex", config={}, secret=None)
        folder_library = libraries.add_library(
            kind="music_folder", name="Files", config={}, secret=None
        )
        link = libraries.add_link(
            kind="playlists",
            library_a_id=plex_library.id,
            library_b_id=folder_library.id,
            direction="both",
            policy="ask",
            options={},
        )
        client = PlexServerClient(server.url, TOKEN)
        keys = [track.rating_key for track in client.iter_tracks(1)]
        rng = random.Random(7)
        for number in range(args.playlists):
            client.create_playlist(f"Bench {number:03d}", 1, rng.sample(keys, args.entries))
        service = PlaylistsSync(PlaylistRepository(sessions))
        music = str(base / "music")

        def run(label: str, mode: Mode = Mode.SYNC) -> PlaylistsSummary:
            plex = PlexPlaylistSide(
                PlexServerClient(server.url, TOKEN),
                [1],
                [PathMapping(PLEX_ROOT, music)],
                label="Plex",
            )
            sides = PlaylistSides(
                a=plex,
                b=FolderPlaylistSide(str(lists), label="Files"),
                resolver=PlexFolderResolver(
                    plex, None, MatchThresholds(), exists=lambda path: True
                ),
            )
            server.log.clear()
            reporter = Quiet()
            started = time.perf_counter()
            with sides:
                summary = service.run(
                    link_id=link.id,
                    sides=sides,
                    rules=PlaylistRules(),
                    mode=mode,
                    dry_run=False,
                    job_id=None,
                    reporter=reporter,
                )
            elapsed = time.perf_counter() - started
            methods = Counter(entry.method for entry in server.log.entries())
            print(
                f"{label:<34} {elapsed:7.2f} s  requests {dict(sorted(methods.items()))}  "
                f"events {reporter.events}"
            )
            return summary

        print(f"{args.tracks} tracks, {args.playlists} playlists of {args.entries} entries")
        summary = run("export (Plex → new files)")
        assert summary.created_b == args.playlists, summary
        summary = run("no change")
        assert summary.unchanged == args.playlists, summary
        for path in sorted(lists.iterdir()):
            lines = path.read_text("utf-8").splitlines()
            header, body = lines[:2], lines[2:]
            pairs = [body[i : i + 2] for i in range(0, len(body), 2)]
            edited = pairs[5:] + pairs[:5]  # five entries move to the end
            edited = edited[: int(len(edited) * 0.9)]  # and the last 10% go
            text = "\n".join(header + [line for pair in edited for line in pair]) + "\n"
            path.write_text(text, "utf-8")
        summary = run("files edited → Plex (in place)")
        assert summary.updated_a == args.playlists, summary
        client.close()
        engine.dispose()


if __name__ == "__main__":
    main()
