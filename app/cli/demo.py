"""``crossfade demo``: every feature working in two minutes, without a Plex server.

Directly in the data directory it writes a small music library (real tagged audio files, some
rated, and a sample M3U playlist in ``music/Playlists``) and a movie library in Plex's layout
(empty ``.mkv`` files, with editions, versions and extras), starts the Plex emulator over them
(showing them as ``/data/music`` and ``/data/movies``, so a path mapping is needed, as with a
real server in Docker), configures the libraries, a ratings link Plex ⇄ files with a nightly
schedule, a playlists link Plex ⇄ the sample playlist folder, a mirror link Plex layout →
Jellyfin layout when this installation can run mirrors, and a Plex webhook the emulator calls
when a rating changes; then it creates the admin with a generated password and serves
the app until interrupted. Run it again: it picks up where it left off.

First run, on purpose: some tracks are rated only in the files, some only in Plex, and one in
both with different values, so the first sync copies ratings both ways and leaves a conflict
in the inbox.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import typer

from app.cli.system import configure_logging, reported_errors
from app.domain.errors import SetupError
from app.domain.hooks import hook_url
from app.domain.kinds import LibraryKind
from app.domain.links import LinkKind

if TYPE_CHECKING:
    from app.bootstrap import Container, HookTiming
    from app.domain.library_records import LibraryRecord
    from app.settings import Settings
    from plex_emulator.demo_files import DemoTrack
    from plex_emulator.server import EmulatorServer

# The emulator, the database and the web stack are imported where they are used, so that this
# module is light to import (``crossfade --help`` must not load them; see app/cli/main.py).

logger = logging.getLogger(__name__)

PLEX_MUSIC = "/data/music"
PLEX_MOVIES = "/data/movies"
PLEX_LIBRARY = "Demo Plex (emulated)"
MUSIC_LIBRARY = "Demo music files"
PLEX_MOVIES_LIBRARY = "Demo movies (Plex layout)"
JELLYFIN_LIBRARY = "Demo movies (Jellyfin layout)"
WEBHOOK_NAME = "Demo Plex webhook"
PLAYLIST_FOLDER = "Playlists"
# a sample playlist in the music folder (paths relative to the playlist file)
SAMPLE_PLAYLISTS = {
    "Demo favourites.m3u": (
        "../Artist/Album/01 First.flac",
        "../Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a",
        "../Artist/Album/03 Third.mp3",
    ),
}
NIGHTLY = "0 3 * * *"


def demo_tracks() -> tuple[DemoTrack, ...]:
    """The emulator package's sample tracks and two more (a function: it imports the package)."""
    from plex_emulator.demo_files import DEFAULT_TRACKS, DemoTrack

    return (
        *DEFAULT_TRACKS,
        DemoTrack("Artist/Album/03 Third.mp3", "Third", "Artist", "Album", None, 3, 1),
        DemoTrack(
            "Artist/Other Album/01 Opening.flac", "Opening", "Artist", "Other Album", None, 1
        ),
    )


# half stars written into the files (MusicBee's dialect) and set in Plex on the first run
FILE_RATINGS = {
    "Artist/Album/01 First.flac": 8,
    "Artist/Album/02 Café & Crema.mp3": 5,
    "Various Artists/Hits/04 Wave.wav": 10,
}
PLEX_RATINGS = {
    "Artist/Album/02 Café & Crema.mp3": 7,  # rated in both, differently: a conflict
    "Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a": 9,
    "Artist/Album/03 Third.mp3": 6,
}
MOVIE_FILES = (
    "Blade Runner (1982) {imdb-tt0083658}/"
    "Blade Runner (1982) {imdb-tt0083658} {edition-The Final Cut}.mkv",
    "Blade Runner (1982) {imdb-tt0083658}/"
    "Blade Runner (1982) {imdb-tt0083658} {edition-Theatrical Cut}.mkv",
    "Heat (1995) {imdb-tt0113277}/Heat (1995) {imdb-tt0113277} [1080p].mkv",
    "Heat (1995) {imdb-tt0113277}/Heat (1995) {imdb-tt0113277} [2160p].mkv",
    "Das Boot (1981) {imdb-tt0082096}/"
    "Das Boot (1981) {imdb-tt0082096} {edition-Director's Cut}.mkv",
    "Das Boot (1981) {imdb-tt0082096}/Trailers/Das Boot Trailer.mkv",
    "Das Boot (1981) {imdb-tt0082096}/Featurettes/Making of.mkv",
    "Amélie (2001) {imdb-tt0211915}/Amélie (2001) {imdb-tt0211915}.mkv",
    "Amélie (2001) {imdb-tt0211915}/Amélie (2001) {imdb-tt0211915}.en.srt",
)


@dataclass(frozen=True)
class DemoPaths:
    root: Path

    @property
    def music(self) -> Path:
        return self.root / "music"

    @property
    def movies(self) -> Path:
        return self.root / "movies-plex"

    @property
    def jellyfin(self) -> Path:
        return self.root / "movies-jellyfin"

    @property
    def playlists(self) -> Path:
        return self.music / PLAYLIST_FOLDER

    @property
    def plex_state(self) -> Path:
        return self.root / "plex-state.json"

    @property
    def plex_token(self) -> Path:
        return self.root / "plex-token"

    @property
    def admin_password(self) -> Path:
        return self.root / "admin-password"


def _secret_file(path: Path, make: bool = True) -> str | None:
    """A secret kept in a 0600 file in the demo folder (made on first use when ``make``)."""
    if path.exists():
        return path.read_text().strip()
    if not make:
        return None
    value = secrets.token_urlsafe(18)
    path.touch(mode=0o600)
    path.write_text(value)
    return value


# -- sample files -------------------------------------------------------------------------------


def write_sample_music(paths: DemoPaths, *, cache_dir: Path | None = None) -> bool:
    """The tagged files, some rated; False when they exist already. ``cache_dir`` keeps the
    silent audio the files are made from (default: ``.templates`` beside them)."""
    from app.adapters.tags import WriteOptions, write_rating
    from app.domain.ratings.profiles import preset
    from app.domain.ratings.value import Rating
    from plex_emulator.demo_files import make_library

    if paths.music.exists():
        return False
    partial = paths.root / "music.partial"  # renamed when complete: a failed run starts over
    shutil.rmtree(partial, ignore_errors=True)
    make_library(partial, demo_tracks(), cache_dir=cache_dir or paths.root / ".templates")
    profile = preset("musicbee")
    for relative, half_stars in FILE_RATINGS.items():
        write_rating(partial / relative, Rating(half_stars), profile, options=WriteOptions())
    partial.rename(paths.music)
    write_sample_playlists(paths)
    return True


def write_sample_playlists(paths: DemoPaths) -> bool:
    """The sample M3U playlists in the music folder; False when the folder exists already."""
    if paths.playlists.exists():
        return False
    paths.playlists.mkdir(parents=True)
    for name, entries in SAMPLE_PLAYLISTS.items():
        lines = ["#EXTM3U", *entries]
        (paths.playlists / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return True


def write_sample_movies(paths: DemoPaths) -> bool:
    """Empty video files in Plex's layout; False when they exist already."""
    paths.jellyfin.mkdir(parents=True, exist_ok=True)
    if paths.movies.exists():
        return False
    for relative in MOVIE_FILES:
        target = paths.movies / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    return True


# -- the Plex emulator --------------------------------------------------------------------------


def start_emulator(paths: DemoPaths, *, port: int) -> tuple[EmulatorServer, bool]:
    """The emulator over the sample folders; True when its state is new (first run)."""
    from plex_emulator.builder import EmulatorConfig, Folder, build_emulator
    from plex_emulator.knobs import Knobs

    first_run = not paths.plex_state.exists()
    token = _secret_file(paths.plex_token) or ""
    config = EmulatorConfig(
        owner_token=token,
        music=[Folder(str(paths.music), PLEX_MUSIC)],
        movies=[Folder(str(paths.movies), PLEX_MOVIES)],
        state_file=str(paths.plex_state),
        port=port,
    )
    server = build_emulator(config, knobs=Knobs())
    server.start()
    return server, first_run


def rate_in_plex(emulator: EmulatorServer) -> None:
    from app.adapters.plex import PlexServerClient

    with PlexServerClient(emulator.url, emulator.owner_token) as plex:
        section = next(s for s in plex.list_sections() if s.is_music)
        keys = {
            path: track.rating_key
            for track in plex.iter_tracks(section.section_id)
            for path in track.file_paths
        }
        for relative, half_stars in PLEX_RATINGS.items():
            plex.rate(keys[f"{PLEX_MUSIC}/{relative}"], half_stars)


def music_section_id(emulator: EmulatorServer) -> int:
    from app.adapters.plex import PlexServerClient

    with PlexServerClient(emulator.url, emulator.owner_token) as plex:
        return next(s.section_id for s in plex.list_sections() if s.is_music)


# -- configuration ----------------------------------------------------------------------------


def _library(container: Container, name: str, **fields: Any) -> LibraryRecord:
    """Create the library, or bring the existing one of that name up to date."""
    catalog = container.domains.libraries
    existing = {library.name: library for library in catalog.libraries()}
    if name in existing:
        library = existing[name]
        return catalog.update_library(
            library.id,
            config=fields["config"],
            secret=fields.get("secret"),
            path_mappings=fields.get("path_mappings")
            if catalog.kinds.entry(library.kind).path_mappings
            else None,
        )
    return catalog.add_library(name=name, **fields)


def _link(container: Container, kind: str, a: int, b: int, **fields: Any) -> int:
    for link in container.domains.libraries.links(kind=kind):
        if {link.library_a_id, link.library_b_id} == {a, b}:
            return link.id
    return container.domains.libraries.add_link(
        kind=kind, library_a_id=a, library_b_id=b, **fields
    ).id


@dataclass(frozen=True)
class Configured:
    ratings_link: int
    mirror_link: int | None
    webhook_secret: str
    playlists_link: int | None = None


def configure(container: Container, paths: DemoPaths, emulator: EmulatorServer) -> Configured:
    plex = _library(
        container,
        PLEX_LIBRARY,
        kind=LibraryKind.PLEX_MUSIC,
        config={"base_url": emulator.url, "section_ids": [music_section_id(emulator)]},
        secret=emulator.owner_token,
        path_mappings=[f"{PLEX_MUSIC}={paths.music}"],
    )
    write_sample_playlists(paths)  # a demo made before playlists came gets them now
    files = _library(
        container,
        MUSIC_LIBRARY,
        kind=LibraryKind.MUSIC_FOLDER,
        config={"root": str(paths.music), "playlist_dir": str(paths.playlists)},
    )
    ratings = _link(container, LinkKind.RATINGS, plex.id, files.id, policy="ask", schedule=NIGHTLY)
    playlists = None
    if "playlists_sync" in container.job_kinds:
        playlists = _link(container, LinkKind.PLAYLISTS, plex.id, files.id, policy="ask")
    movies = _library(
        container,
        PLEX_MOVIES_LIBRARY,
        kind=LibraryKind.MOVIE_FOLDER,
        config={"root": str(paths.movies), "layout": "plex"},
    )
    jellyfin = _library(
        container,
        JELLYFIN_LIBRARY,
        kind=LibraryKind.MOVIE_FOLDER,
        config={"root": str(paths.jellyfin), "layout": "jellyfin"},
    )
    mirror = None
    if "mirror" in container.job_kinds:
        mirror = _link(
            container,
            "mirror",
            movies.id,
            jellyfin.id,
            direction="a_to_b",
            policy="prefer_a",
            options={"source_format": "plex", "target_format": "jellyfin"},
        )
    return Configured(ratings, mirror, _webhook_secret(container, ratings), playlists)


def _webhook_secret(container: Container, link_id: int) -> str:
    """The demo's Plex webhook, with a fresh secret (the old one was shown once, and lost)."""
    hooks = container.hooks.inbound
    for endpoint in hooks.endpoints():
        if endpoint.name == WEBHOOK_NAME:
            return hooks.rotate_secret(endpoint.id).secret
    return hooks.create_endpoint(name=WEBHOOK_NAME, source="plex", link_ids=[link_id]).secret


def ensure_admin(container: Container, paths: DemoPaths, settings: Settings) -> str | None:
    """The admin's password when the demo made it (now or on an earlier run), else None."""
    from app.services.auth.service import DEFAULT_ADMIN_USERNAME

    auth = container.auth
    if not auth.needs_setup():
        return _secret_file(paths.admin_password, make=False)
    if settings.admin_password is not None:
        password = settings.admin_password.get_secret_value()
        auth.ensure_admin(password)
        return password
    password = _secret_file(paths.admin_password) or ""
    auth.create_admin(DEFAULT_ADMIN_USERNAME, password)
    return password


# -- the command ------------------------------------------------------------------------------


@contextmanager
def _running(server: EmulatorServer) -> Iterator[EmulatorServer]:
    try:
        yield server
    finally:
        server.stop()


def _local(host: str) -> str:
    """An address to reach ``host`` from this machine (a wildcard bind: the loopback)."""
    try:
        wildcard = not host or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        wildcard = False
    return "127.0.0.1" if wildcard else host


def demo(
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Where the demo lives (default: the data directory)."
    ),
    host: str | None = typer.Option(None, help="Address to bind (default: CROSSFADE_HOST)."),
    port: int | None = typer.Option(None, help="Port to bind (default: CROSSFADE_PORT)."),
    plex_port: int = typer.Option(
        0, "--plex-port", help="Port of the Plex emulator on 127.0.0.1 (0: any free port)."
    ),
    webhook_delay_s: float = typer.Option(
        5.0,
        "--webhook-delay",
        min=0.1,
        max=600,
        help="Seconds a Plex webhook waits for more ratings before its sync starts.",
    ),
) -> None:
    """Sample music and movies, a Plex emulator, and the app configured for them."""
    from app.adapters.db import migrate
    from app.adapters.log_redaction import remember
    from app.bootstrap import HookTiming, build_container
    from app.settings import load_settings

    overrides: dict[str, object] = {}
    for name, value in (("data_dir", data_dir), ("host", host), ("port", port)):
        if value is not None:
            overrides[name] = value
    settings = load_settings(**overrides)
    configure_logging(settings, quiet=False)  # a server: logs at CROSSFADE_LOG_LEVEL
    paths = DemoPaths(settings.data_dir.resolve())
    with reported_errors():
        paths.root.mkdir(parents=True, exist_ok=True)
        typer.echo(f"Preparing the demo in {paths.root} …")
        try:
            write_sample_music(paths)
        except FileNotFoundError as exc:
            raise SetupError(
                f"could not make the sample audio; is ffmpeg installed? ({exc})"
            ) from exc
        except subprocess.CalledProcessError as exc:
            raise SetupError(f"ffmpeg could not make the sample audio: {exc}") from exc
        write_sample_movies(paths)
        emulator, first_run = start_emulator(paths, port=plex_port)
        with _running(emulator):
            if first_run:
                rate_in_plex(emulator)
            container = build_container(settings)
            try:
                # no startup: nothing may run in here
                migrate.upgrade(container.engine, secret_box=container.secret_box)
                configured = configure(container, paths, emulator)
                password = ensure_admin(container, paths, settings)
                remember(configured.webhook_secret, password, emulator.owner_token)
            finally:
                container.close()
            base = f"http://{_local(settings.host)}:{settings.port}"
            emulator.webhooks.add_target(hook_url(base, "plex", configured.webhook_secret))
            _print_welcome(settings, base, emulator, configured, password, paths)
            _serve(settings, HookTiming(debounce_s=webhook_delay_s))


def _print_welcome(
    settings: Settings,
    base: str,
    emulator: EmulatorServer,
    configured: Configured,
    password: str | None,
    paths: DemoPaths,
) -> None:
    from app.services.auth.service import DEFAULT_ADMIN_USERNAME

    typer.echo("")
    typer.secho(f"Crossfade demo: open {base}/", bold=True)
    if password is not None:
        typer.echo(f"  sign in as:  {DEFAULT_ADMIN_USERNAME}")
        typer.echo(f"  password:    {password}")
    else:
        typer.echo("  sign in with the admin password you chose")
    typer.echo(f"  Plex emulator: {emulator.url} (token in {paths.plex_token})")
    typer.echo(f"  ratings link {configured.ratings_link}: Plex ⇄ {paths.music}")
    if configured.playlists_link is not None:
        typer.echo(f"  playlists link {configured.playlists_link}: Plex ⇄ {paths.playlists}")
    if configured.mirror_link is not None:
        typer.echo(f"  mirror link {configured.mirror_link}: {paths.movies} → {paths.jellyfin}")
    else:
        typer.echo("  (mirror runs are not available on this installation yet: no mirror link)")
    typer.echo("Try: Links → Preview, then Run; the conflict inbox; rate a track in the emulator")
    typer.echo("(PUT /:/rate) and watch its webhook start a sync. Stop with Ctrl+C.")
    typer.echo("")


def _serve(settings: Settings, hook_timing: HookTiming) -> None:
    """Until Ctrl+C or SIGTERM. uvicorn shuts the app down cleanly on either, then raises the
    signal again: here that ends the wait, so the emulator is stopped too and the exit is 0."""
    import uvicorn

    from app.bootstrap import build_container
    from app.main import create_app

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        uvicorn.run(
            create_app(
                settings,
                container_factory=lambda s: build_container(s, hook_timing=hook_timing),
            ),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level.lower(),
        )
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    typer.echo("stopped")
