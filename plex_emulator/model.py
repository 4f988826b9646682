"""The emulator's records: accounts, sections, library items, per-account user data, playlists.

Items are mutable records owned by :class:`plex_emulator.state.EmulatorState` and only touched
under its lock. Sources (:class:`TrackSource`, :class:`MovieSource`) are what a folder scan or a
synthetic builder produces; the state turns them into items with rating keys and timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MUSIC = "artist"  # the Plex section type of a music library
MOVIE = "movie"

TYPE_MOVIE = 1
TYPE_ARTIST = 8
TYPE_ALBUM = 9
TYPE_TRACK = 10
TYPE_PLAYLIST = 15
TYPE_COLLECTION = 18


@dataclass(frozen=True)
class Account:
    """A PMS account; ``section_ids`` None means every section is visible."""

    account_id: int
    name: str
    token: str
    is_owner: bool
    section_ids: frozenset[int] | None = None

    def sees(self, section_id: int) -> bool:
        return self.is_owner or self.section_ids is None or section_id in self.section_ids


@dataclass(frozen=True)
class Location:
    """A section folder: ``plex_path`` as the server shows it, ``local_dir`` where it really is.

    ``local_dir`` is None for synthetic sections, which are never re-scanned.
    """

    plex_path: str
    local_dir: str | None


@dataclass(frozen=True)
class TrackSource:
    """One audio file as a scan (or a synthetic builder) saw it."""

    plex_path: str
    local_path: str | None
    title: str
    album_artist: str
    track_artist: str | None
    album: str
    track_no: int | None
    disc_no: int | None
    duration_ms: int
    year: int | None
    mbid_recording: str | None
    mbid_release: str | None
    mbid_artist: str | None
    size_bytes: int
    container: str
    bitrate_kbps: int
    stat_sig: tuple[int, int] | None = None  # (size, mtime_ns) of the file when read


@dataclass(frozen=True)
class MoviePartSource:
    plex_path: str
    local_path: str | None
    size_bytes: int
    container: str
    stat_sig: tuple[int, int] | None = None


@dataclass(frozen=True)
class MovieSource:
    """One movie (one edition): its versions are its parts, one ``<Media>`` each."""

    title: str
    year: int | None
    edition: str | None
    external_ids: tuple[str, ...]  # e.g. ("imdb://tt0083658", "tmdb://78")
    parts: tuple[MoviePartSource, ...]
    folder: str  # identity of the movie folder (plex path)


@dataclass
class Section:
    section_id: int
    title: str
    kind: str  # MUSIC or MOVIE
    uuid: str
    locations: list[Location]
    created_at: int
    updated_at: int
    scanned_at: int
    refreshing: bool = False
    leaf_keys: list[int] = field(default_factory=list)  # tracks or movies, by rating key
    artist_keys: list[int] = field(default_factory=list)
    album_keys: list[int] = field(default_factory=list)

    @property
    def scannable(self) -> bool:
        return any(loc.local_dir is not None for loc in self.locations)


@dataclass
class Fragment:
    """Prebuilt XML of one item; per-account attributes go between ``head`` and ``tail``."""

    tag: str
    head: str  # attributes from ratingKey up to the user attributes, each with a leading space
    tail: str  # attributes after the user attributes, each with a leading space
    media: str  # <Media>... as in listings
    media_detail: str  # <Media>... with Part accessible/exists and <Stream>
    guids: str  # <Guid .../> children (only with includeGuids=1 or in detail views)
    section_attrs: str  # librarySectionTitle/ID/Key (detail views and playlist items)


@dataclass
class Track:
    rating_key: int
    section_id: int
    source: TrackSource
    album_key: int
    artist_key: int
    part_id: int
    guid: str
    added_at: int
    updated_at: int
    fragment: Fragment | None = None

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def duration_ms(self) -> int:
        return self.source.duration_ms


@dataclass
class Movie:
    rating_key: int
    section_id: int
    source: MovieSource
    part_ids: tuple[int, ...]
    guid: str
    added_at: int
    updated_at: int
    edition_title: str | None = None
    title_override: str | None = None
    fragment: Fragment | None = None

    @property
    def title(self) -> str:
        return self.title_override or self.source.title

    @property
    def duration_ms(self) -> int:
        return 0


@dataclass
class Album:
    rating_key: int
    section_id: int
    title: str
    artist_key: int
    year: int | None
    guid: str
    mbid_release: str | None
    added_at: int
    updated_at: int
    track_keys: list[int] = field(default_factory=list)


@dataclass
class Artist:
    rating_key: int
    section_id: int
    title: str
    guid: str
    added_at: int
    updated_at: int
    album_keys: list[int] = field(default_factory=list)


Item = Track | Movie | Album | Artist


@dataclass
class UserData:
    """One account's data about one item."""

    rating: float | None = None
    last_rated_at: int | None = None
    view_count: int = 0
    last_viewed_at: int | None = None

    @property
    def empty(self) -> bool:
        return (
            self.rating is None
            and self.last_rated_at is None
            and self.view_count == 0
            and self.last_viewed_at is None
        )


@dataclass
class PlaylistEntry:
    item_id: int  # playlistItemID, unique server-wide, stable across moves
    rating_key: int


@dataclass
class Playlist:
    playlist_id: int
    account_id: int
    title: str
    playlist_type: str  # audio | video | photo
    smart: bool
    guid: str
    added_at: int
    updated_at: int
    summary: str = ""
    content: str | None = None  # smart playlists: the library URI of the rules
    section_id: int | None = None
    entries: list[PlaylistEntry] = field(default_factory=list)
