"""A new outside system is one package plus one registry entry: a toy library kind whose ratings
live in a JSON file, registered in a registry the test builds and hands to the container, syncs
ratings with a real music folder through the real job path (link run, job, side factory,
ratings sync, tag writes re-read with mutagen)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from app.adapters.tags import WriteOptions, read_file, write_rating
from app.bootstrap import build_container
from app.domain.errors import CrossfadeError, InvalidInput
from app.domain.jobs import JobStatus
from app.domain.kinds import FormField, KindForm, LibraryKind
from app.domain.library_records import LibraryRecord
from app.domain.links import LinkKind, Side
from app.domain.match_keys import TrackInfo
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from app.services.libraries.builtin_kinds import builtin_kind_registry
from app.services.libraries.configs import KindConfig
from app.services.libraries.kinds import KindEntry, KindRegistry, SideContext
from app.services.ports import RatingSide, RatingWrite, Reporter, SideItem, Written, never_stop
from app.settings import Settings
from tests.conftest import FAST_TIMING
from tests.emulator.support import write_library

# --- The toy system: one JSON file of {key: {"title", "artist", "album", "rating"}} ----------


class ToyConfig(KindConfig):
    store: str


class ToyRatingSide:
    """A rating side over the JSON store: scan lists its items, a write rewrites the file."""

    holds_files = False
    scans_in_child = False

    def __init__(self, store: Path, *, label: str) -> None:
        self._store = store
        self.label = label

    def _load(self) -> dict[str, dict[str, object]]:
        loaded: dict[str, dict[str, object]] = json.loads(self._store.read_text("utf-8"))
        return loaded

    @staticmethod
    def _rating(item: dict[str, object]) -> Rating | None:
        half_stars = item.get("rating")
        return Rating(half_stars) if isinstance(half_stars, int) else None

    def load_state(self) -> None:
        """Nothing cached: the store is the state."""

    def scan(self, reporter: Reporter, phase: str) -> list[SideItem]:
        items = self._load()
        reporter.progress(phase, 0, len(items))
        return [
            SideItem(
                key=key,
                track=TrackInfo(
                    id=key,
                    path=None,
                    title=str(item["title"]),
                    artist=str(item["artist"]),
                    album=str(item["album"]),
                ),
                rating=self._rating(item),
                rated_at_s=None,
                evidence=f"toy {item.get('rating')}",
            )
            for key, item in items.items()
        ]

    def write(self, key: str, rating: Rating | None, *, rated_at_s: float | None) -> Rating | None:
        items = self._load()
        items[key]["rating"] = None if rating is None else rating.half_stars
        self._store.write_text(json.dumps(items), "utf-8")
        return self.read(key)

    def write_many(
        self, writes: Sequence[RatingWrite], *, should_stop: Callable[[], bool] = never_stop
    ) -> Iterator[Written]:
        for write in writes:
            if should_stop():
                return
            try:
                yield self.write(write.key, write.rating, rated_at_s=write.rated_at_s)
            except CrossfadeError as error:
                yield error

    def read(self, key: str) -> Rating | None:
        return self._rating(self._load()[key])

    def commit(self) -> None:
        """Every write is already in the file."""

    def close(self) -> None:
        """Nothing held open."""


def toy_rating_side(library: LibraryRecord, secret: str | None, ctx: SideContext) -> RatingSide:
    return ToyRatingSide(Path(ToyConfig.model_validate(library.config).store), label=library.name)


TOY = KindEntry(
    kind="toy_json",
    display_name="Toy JSON",
    config_model=ToyConfig,
    joins={LinkKind.RATINGS: frozenset({Side.A, Side.B})},
    rating_side=toy_rating_side,
    form=KindForm(
        anchor="add-toy",
        title="Add a toy store",
        button="Add toy store",
        name_placeholder="Toy",
        fields=(FormField("store", "Store file", required=True),),
    ),
)

# --- The test ---------------------------------------------------------------------------------

FIRST = "Artist/Album/01 First.flac"
CAFE = "Artist/Album/02 Café & Crema.mp3"


def file_half_stars(path: Path) -> int | None:
    rating = read_file(path).resolve(ReadPolicy.for_profile(preset("musicbee"))).rating
    return None if rating is None else rating.half_stars


def toy_registry() -> KindRegistry:
    registry = builtin_kind_registry()
    registry.register(TOY)
    return registry


def test_a_toy_kind_syncs_ratings_with_a_music_folder(
    settings: Settings, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    music = write_library(tmp_path / "music", tmp_path_factory)
    tracks = {
        rel_path: read_file(music / rel_path).meta for rel_path in (FIRST, CAFE)
    }  # the toy system knows the files' tracks by their tags, not their paths
    store = tmp_path / "toy.json"
    store.write_text(
        json.dumps(
            {
                f"toy-{n}": {
                    "title": meta.title,
                    "artist": meta.artist,
                    "album": meta.album,
                    "rating": 6 if rel_path == CAFE else None,  # 3★ in the toy only
                }
                for n, (rel_path, meta) in enumerate(tracks.items())
            }
        ),
        "utf-8",
    )
    container = build_container(settings, timing=FAST_TIMING, library_kinds=toy_registry())
    try:
        container.startup()
        catalog = container.domains.libraries
        toy = catalog.add_library(kind="toy_json", name="Toy", config={"store": str(store)})
        folder = catalog.add_library(
            kind=LibraryKind.MUSIC_FOLDER, name="Music", config={"root": str(music)}
        )
        write_rating(music / FIRST, Rating(8), preset("musicbee"), options=WriteOptions())
        link = catalog.add_link(
            kind=LinkKind.RATINGS, library_a_id=toy.id, library_b_id=folder.id, policy="ask"
        )

        job = container.link_runs.run(link.id)
        deadline = time.monotonic() + 60
        while job.status.is_active:
            assert time.monotonic() < deadline, f"job {job.id} did not end"
            time.sleep(0.05)
            job = container.jobs.get(job.id)

        assert job.status is JobStatus.SUCCEEDED, job.error
        stored = json.loads(store.read_text("utf-8"))
        assert stored["toy-0"]["rating"] == 8  # the file's 4★ reached the toy store
        assert file_half_stars(music / CAFE) == 6  # the toy's 3★ reached the file's tags
        assert file_half_stars(music / FIRST) == 8
    finally:
        container.close()


def test_the_toy_kind_is_validated_by_its_entry() -> None:
    registry = toy_registry()
    assert registry.entry("toy_json").display_name == "Toy JSON"
    assert "toy_json" in registry.joining(LinkKind.RATINGS, Side.A)
    assert "toy_json" not in registry.joining(LinkKind.MIRROR, Side.A)
    with pytest.raises(InvalidInput, match="unknown library kind 'nope'"):
        registry.entry("nope")
