"""The ``jellyfin`` library kind: a mirror link's refresh library. Through the kind registry and
a real library record, a real mirror run tells the (recorded-contract fake) server of the
folders it changed, by their server paths; a failing server is reported, never fatal."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.adapters.jellyfin import JellyfinClient
from app.adapters.plex import PlexServerClient
from app.bootstrap import build_container
from app.domain.errors import JellyfinUnauthorized, SetupError
from app.domain.jobs import JobStatus
from app.domain.kinds import LibraryKind
from app.domain.library_records import LibraryRecord
from app.domain.links import LinkKind
from app.services.libraries.builtin_kinds import builtin_kind_registry
from app.services.libraries.kind_jellyfin import check_connection
from app.services.libraries.kinds import JellyfinServer, RefreshClients
from app.services.mirror.model import MirrorRequest
from app.services.mirror.service import sync
from app.settings import Settings
from tests.adapters.jellyfin_fake import Call, FakeJellyfin, serving
from tests.conftest import FAST_TIMING

KEY = "k3y"
HEAT = "Heat (1995) {imdb-tt0113277}"
HEAT_JF = "Heat (1995) [imdbid-tt0113277]"


def record(config: dict[str, Any], mappings: tuple[tuple[str, str], ...] = ()) -> LibraryRecord:
    now = datetime.now(UTC)
    return LibraryRecord(7, "jellyfin", "Jellyfin", config, True, mappings, now, now)


def clients(fake: FakeJellyfin) -> RefreshClients:
    def jellyfin(base_url: str, api_key: str, timeout_s: float) -> JellyfinServer:
        return JellyfinClient(base_url, api_key, timeout_s=timeout_s, transport=fake.transport())

    def plex(base_url: str, token: str, timeout_s: float) -> PlexServerClient:
        raise AssertionError("a Jellyfin library never asks for a Plex client")

    return RefreshClients(plex, jellyfin)


def library(root: Path, count: int) -> Path:
    for number in range(count):
        folder = root / f"Movie {number} (200{number})"
        folder.mkdir(parents=True)
        (folder / f"Movie {number} (200{number}) [1080p].mkv").write_bytes(b"v")
    return root


def test_a_mirror_run_tells_jellyfin_of_the_changed_folders(tmp_path: Path) -> None:
    fake = FakeJellyfin(KEY)
    entry = builtin_kind_registry().entry("jellyfin")
    assert entry.refresh is not None and entry.secret is not None
    target = tmp_path / "jf"
    jellyfin = record({"base_url": "http://jf:8096"}, (("/media/movies", str(target)),))
    refresh = entry.refresh(jellyfin, KEY, clients(fake))

    source = library(tmp_path / "plex", 2)
    outcome = sync(MirrorRequest(source=source, target=target, create=True), on_changed=refresh)

    assert outcome.exit_code == 0 and outcome.refresh_error is None
    assert fake.calls == [
        Call(
            "POST",
            "/Library/Media/Updated",
            {
                "Updates": [
                    {"Path": "/media/movies/Movie 0 (2000)", "UpdateType": "Modified"},
                    {"Path": "/media/movies/Movie 1 (2001)", "UpdateType": "Modified"},
                ]
            },
        )
    ]
    # Nothing changed: nothing to tell.
    sync(MirrorRequest(source=source, target=target), on_changed=refresh)
    assert len(fake.calls) == 1


def test_many_changed_folders_are_one_full_refresh(tmp_path: Path) -> None:
    fake = FakeJellyfin(KEY)
    refresh = builtin_kind_registry().entry("jellyfin").refresh
    assert refresh is not None
    jellyfin = record({"base_url": "http://jf:8096", "full_refresh_over": 2})
    source = library(tmp_path / "plex", 3)
    request = MirrorRequest(source=source, target=tmp_path / "jf", create=True)
    sync(request, on_changed=refresh(jellyfin, KEY, clients(fake)))
    assert fake.calls == [Call("POST", "/Library/Refresh")]


def test_a_refused_key_is_reported_and_the_run_stands(tmp_path: Path) -> None:
    fake = FakeJellyfin("another key")
    refresh = builtin_kind_registry().entry("jellyfin").refresh
    assert refresh is not None
    source = library(tmp_path / "plex", 1)
    outcome = sync(
        MirrorRequest(source=source, target=tmp_path / "jf", create=True),
        on_changed=refresh(record({"base_url": "http://jf:8096"}), KEY, clients(fake)),
    )
    assert outcome.exit_code == 0 and (tmp_path / "jf" / "Movie 0 (2000)").is_dir()
    assert isinstance(outcome.refresh_error, JellyfinUnauthorized)
    assert KEY not in str(outcome.refresh_error)


def test_check_connection_and_config_validation() -> None:
    fake = FakeJellyfin(KEY)
    factory = clients(fake).jellyfin_client
    assert factory is not None
    info = check_connection("http://jf:8096/", KEY, factory)
    assert (info.server_name, info.version) == ("living-room", "10.9.11")
    with pytest.raises(JellyfinUnauthorized):
        check_connection("http://jf:8096", "nope", factory)
    with pytest.raises(ValueError, match="http:// or https://"):
        check_connection("jf:8096", KEY, factory)


def test_the_kind_is_a_refresh_target_only() -> None:
    entry = builtin_kind_registry().entry("jellyfin")
    assert not entry.joins and entry.path_mappings
    assert [f.name for f in entry.form_fields] == ["base_url", "api_key"]
    assert entry.refresh is not None
    without = RefreshClients(clients(FakeJellyfin(KEY)).plex_client)
    with pytest.raises(SetupError, match="no Jellyfin client"):
        entry.refresh(record({"base_url": "http://jf"}), KEY, without)


def test_a_mirror_link_job_refreshes_its_jellyfin_library(
    settings: Settings, tmp_path: Path
) -> None:
    """The whole path: the catalog stores the kind (key sealed), a mirror link names it, the
    job runs in the container and the loopback server hears of the changed folders."""
    fake = FakeJellyfin(KEY)
    source, target = library(tmp_path / "plex", 1), tmp_path / "jf"
    target.mkdir()
    container = build_container(settings, timing=FAST_TIMING)
    try:
        container.startup()
        catalog = container.domains.libraries
        with serving(fake) as url:
            jellyfin = catalog.add_library(
                kind=LibraryKind.JELLYFIN,
                name="Jellyfin",
                config={"base_url": url},
                secret=KEY,
                path_mappings=[f"/media/movies={target}"],
            )
            assert jellyfin.has_secret and KEY not in str(jellyfin.config)
            plex_side = catalog.add_library(
                kind=LibraryKind.MOVIE_FOLDER, name="P", config={"root": str(source)}
            )
            jf_side = catalog.add_library(
                kind=LibraryKind.MOVIE_FOLDER, name="J", config={"root": str(target)}
            )
            link = catalog.add_link(
                kind=LinkKind.MIRROR,
                library_a_id=plex_side.id,
                library_b_id=jf_side.id,
                direction="a_to_b",
                options={"refresh_library_id": jellyfin.id},
            )
            job = container.link_runs.run(link.id, dry_run=False)
            deadline = time.monotonic() + 60
            while job.status.is_active:
                assert time.monotonic() < deadline, f"job {job.id} did not end"
                time.sleep(0.05)
                job = container.jobs.get(job.id)
        assert job.status is JobStatus.SUCCEEDED, job.error
        assert [call.body for call in fake.calls] == [
            {"Updates": [{"Path": "/media/movies/Movie 0 (2000)", "UpdateType": "Modified"}]}
        ]
    finally:
        container.close()
