"""XML rendering: attribute escaping, prebuilt item fragments, containers.

Everything PMS-shaped the emulator sends is built here. Booleans are ``0``/``1``, timestamps
are epoch ints, unset attributes are absent (never empty), and text is escaped so that Unicode,
``&``, ``"`` and ``<`` round-trip. Characters XML 1.0 cannot carry are dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from plex_emulator.model import (
    Album,
    Artist,
    Fragment,
    Movie,
    Playlist,
    Section,
    Track,
    UserData,
)

XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
CONTENT_TYPE = "text/xml;charset=utf-8"
LIBRARY_ID = "com.plexapp.plugins.library"

_ESCAPES: dict[int, str | None] = {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("\t"): "&#9;",
    ord("\n"): "&#10;",
    ord("\r"): "&#13;",
}
for _c in range(0x20):
    _ESCAPES.setdefault(_c, None)  # not allowed in XML 1.0
for _c in range(0xD800, 0xE000):
    _ESCAPES[_c] = "\ufffd"  # lone surrogates (undecodable file names)
_ESCAPES[0xFFFE] = None
_ESCAPES[0xFFFF] = None


_NEEDS_ESCAPE = re.compile('[&<>"\x00-\x1f\ud800-\udfff\ufffe\uffff]')


def esc(value: str) -> str:
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_ESCAPES)


AttrValue = str | int | float | bool | None


def attrs(pairs: Iterable[tuple[str, AttrValue]]) -> str:
    """`` k="v"`` for every pair whose value is not None; bools become 0/1."""
    out: list[str] = []
    for name, value in pairs:
        if value is None:
            continue
        if isinstance(value, bool):
            text = "1" if value else "0"
        elif isinstance(value, int):
            text = str(value)
        elif isinstance(value, float):
            text = f"{value:.1f}"
        else:
            text = esc(value)
        out.append(f' {name}="{text}"')
    return "".join(out)


def element(tag: str, pairs: Iterable[tuple[str, AttrValue]], children: str = "") -> str:
    if children:
        return f"<{tag}{attrs(pairs)}>{children}</{tag}>"
    return f"<{tag}{attrs(pairs)} />"


def document(container_attrs: str, children: Iterable[str] = ()) -> bytes:
    body = "\n".join(children)
    text = f"{XML_DECL}<MediaContainer{container_attrs}>\n{body}\n</MediaContainer>\n"
    return text.encode("utf-8")


def html_error(status: int, title: str) -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body><h1>{status} {title}</h1></body></html>"
    ).encode()


def hex_id(*parts: str, length: int = 24) -> str:
    data = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()[:length]


def user_attrs(data: UserData | None) -> str:
    if data is None:
        return ""
    return attrs(
        (
            ("userRating", data.rating),
            ("lastRatedAt", data.last_rated_at),
            ("viewCount", data.view_count or None),
            ("lastViewedAt", data.last_viewed_at),
        )
    )


def section_attrs(section: Section) -> str:
    return attrs(
        (
            ("librarySectionTitle", section.title),
            ("librarySectionID", section.section_id),
            ("librarySectionKey", f"/library/sections/{section.section_id}"),
        )
    )


def _file_ext(path: str) -> str:
    dot = path.rfind(".")
    return path[dot + 1 :].lower() if dot >= 0 and "/" not in path[dot:] else "bin"


def track_fragment(track: Track, album: Album, artist: Artist, section_xml: str) -> Fragment:
    """The XML pieces of one track; written out by hand because 100,000 of them are built."""
    src = track.source
    rk = track.rating_key
    ark, grk = album.rating_key, artist.rating_key
    thumb = f"/library/metadata/{ark}/thumb/{album.updated_at}"
    original = ""
    if src.track_artist and src.track_artist != artist.title:
        original = f' originalTitle="{esc(src.track_artist)}"'
    index = f' index="{src.track_no}"' if src.track_no is not None else ""
    head = (
        f' ratingKey="{rk}" key="/library/metadata/{rk}" parentRatingKey="{ark}"'
        f' grandparentRatingKey="{grk}" guid="{esc(track.guid)}" parentGuid="{esc(album.guid)}"'
        f' grandparentGuid="{esc(artist.guid)}" type="track" title="{esc(src.title)}"'
        f' grandparentKey="/library/metadata/{grk}" parentKey="/library/metadata/{ark}"'
        f' grandparentTitle="{esc(artist.title)}" parentTitle="{esc(album.title)}"{original}'
        f' summary=""{index} parentIndex="{src.disc_no or 1}"'
    )
    year = f' parentYear="{src.year}"' if src.year is not None else ""
    tail = (
        f'{year} thumb="{thumb}" parentThumb="{thumb}" duration="{src.duration_ms}"'
        f' addedAt="{track.added_at}" updatedAt="{track.updated_at}"'
    )
    pid = track.part_id
    container = esc(src.container)
    media_open = (
        f'<Media id="{pid}" duration="{src.duration_ms}" bitrate="{src.bitrate_kbps}"'
        f' audioChannels="2" audioCodec="{container}" container="{container}">'
    )
    part_attrs = (
        f' id="{pid}" key="/library/parts/{pid}/{track.added_at}/file.{_file_ext(src.plex_path)}"'
        f' duration="{src.duration_ms}" file="{esc(src.plex_path)}" size="{src.size_bytes}"'
        f' container="{container}" hasThumbnail="0"'
    )
    stream = (
        f'<Stream id="{pid}" streamType="2" selected="1" codec="{container}" index="0"'
        f' channels="2" bitrate="{src.bitrate_kbps}" audioChannelLayout="stereo"'
        f' samplingRate="44100" displayTitle="{container.upper()} (Stereo)" />'
    )
    guids = f'<Guid id="mbid://{esc(src.mbid_recording)}" />' if src.mbid_recording else ""
    return Fragment(
        tag="Track",
        head=head,
        tail=tail,
        media=f"{media_open}<Part{part_attrs} /></Media>",
        media_detail=(
            f'{media_open}<Part accessible="1" exists="1"{part_attrs}>{stream}</Part></Media>'
        ),
        guids=guids,
        section_attrs=section_xml,
    )


def movie_fragment(movie: Movie, section_xml: str) -> Fragment:
    src = movie.source
    rk = movie.rating_key
    head = attrs(
        (
            ("ratingKey", rk),
            ("key", f"/library/metadata/{rk}"),
            ("guid", movie.guid),
            ("type", "movie"),
            ("title", movie.title),
            ("editionTitle", movie.edition_title),
            ("year", src.year),
            ("summary", ""),
        )
    )
    tail = attrs(
        (
            ("thumb", f"/library/metadata/{rk}/thumb/{movie.updated_at}"),
            ("addedAt", movie.added_at),
            ("updatedAt", movie.updated_at),
        )
    )
    medias: list[str] = []
    details: list[str] = []
    for part_id, part in zip(movie.part_ids, src.parts, strict=True):
        part_pairs = (
            ("id", part_id),
            ("key", f"/library/parts/{part_id}/{movie.added_at}/file.{part.container}"),
            ("file", part.plex_path),
            ("size", part.size_bytes),
            ("container", part.container),
        )
        media_attrs = attrs((("id", part_id), ("container", part.container)))
        medias.append(f"<Media{media_attrs}>{element('Part', part_pairs)}</Media>")
        detail_part = element("Part", (("accessible", True), ("exists", True), *part_pairs))
        details.append(f"<Media{media_attrs}>{detail_part}</Media>")
    guids = "".join(element("Guid", (("id", ext),)) for ext in src.external_ids)
    return Fragment(
        tag="Video",
        head=head,
        tail=tail,
        media="".join(medias),
        media_detail="".join(details),
        guids=guids,
        section_attrs=section_xml,
    )


def render_item(
    fragment: Fragment,
    data: UserData | None,
    *,
    include_guids: bool,
    detail: bool = False,
    playlist_item_id: int | None = None,
    with_section: bool = False,
) -> str:
    pid = f' playlistItemID="{playlist_item_id}"' if playlist_item_id is not None else ""
    section = fragment.section_attrs if (with_section or detail) else ""
    media = fragment.media_detail if detail else fragment.media
    guids = fragment.guids if (include_guids or detail) else ""
    return (
        f"<{fragment.tag}{pid}{fragment.head}{section}{user_attrs(data)}{fragment.tail}>"
        f"{media}{guids}</{fragment.tag}>"
    )


def render_album(
    album: Album, artist: Artist, section: Section, data: UserData | None, *, include_guids: bool
) -> str:
    rk = album.rating_key
    head = attrs(
        (
            ("ratingKey", rk),
            ("key", f"/library/metadata/{rk}/children"),
            ("parentRatingKey", artist.rating_key),
            ("guid", album.guid),
            ("parentGuid", artist.guid),
            ("type", "album"),
            ("title", album.title),
            ("parentKey", f"/library/metadata/{artist.rating_key}"),
            ("parentTitle", artist.title),
            ("summary", ""),
            ("index", 1),
            ("year", album.year),
            ("leafCount", len(album.track_keys)),
        )
    )
    tail = attrs(
        (
            ("thumb", f"/library/metadata/{rk}/thumb/{album.updated_at}"),
            ("addedAt", album.added_at),
            ("updatedAt", album.updated_at),
        )
    )
    guids = ""
    if include_guids and album.mbid_release:
        guids = element("Guid", (("id", f"mbid://{album.mbid_release}"),))
    return f"<Directory{head}{section_attrs(section)}{user_attrs(data)}{tail}>{guids}</Directory>"


def render_artist(artist: Artist, section: Section, data: UserData | None) -> str:
    rk = artist.rating_key
    head = attrs(
        (
            ("ratingKey", rk),
            ("key", f"/library/metadata/{rk}/children"),
            ("guid", artist.guid),
            ("type", "artist"),
            ("title", artist.title),
            ("summary", ""),
            ("index", 1),
            ("childCount", len(artist.album_keys)),
        )
    )
    tail = attrs(
        (
            ("thumb", f"/library/metadata/{rk}/thumb/{artist.updated_at}"),
            ("addedAt", artist.added_at),
            ("updatedAt", artist.updated_at),
        )
    )
    return f"<Directory{head}{section_attrs(section)}{user_attrs(data)}{tail} />"


def render_section(section: Section) -> str:
    sid = section.section_id
    music = section.kind == "artist"
    pairs: tuple[tuple[str, AttrValue], ...] = (
        ("allowSync", True),
        ("art", "/:/resources/artist-fanart.jpg" if music else "/:/resources/movie-fanart.jpg"),
        ("composite", f"/library/sections/{sid}/composite/{section.updated_at}"),
        ("filters", True),
        ("refreshing", section.refreshing),
        ("thumb", "/:/resources/artist.png" if music else "/:/resources/movie.png"),
        ("key", str(sid)),
        ("type", section.kind),
        ("title", section.title),
        ("agent", "tv.plex.agents.music" if music else "tv.plex.agents.movie"),
        ("scanner", "Plex Music" if music else "Plex Movie"),
        ("language", "en-US"),
        ("uuid", section.uuid),
        ("updatedAt", section.updated_at),
        ("createdAt", section.created_at),
        ("scannedAt", section.scanned_at),
        ("content", True),
        ("directory", True),
        ("contentChangedAt", section.updated_at),
        ("hidden", False),
    )
    locations = "".join(
        element("Location", (("id", sid * 100 + i), ("path", loc.plex_path)))
        for i, loc in enumerate(section.locations)
    )
    return element("Directory", pairs, locations)


def playlist_pairs(
    playlist: Playlist, *, leaf_count: int, duration_ms: int
) -> tuple[tuple[str, AttrValue], ...]:
    pid = playlist.playlist_id
    return (
        ("ratingKey", pid),
        ("key", f"/playlists/{pid}/items"),
        ("guid", playlist.guid),
        ("type", "playlist"),
        ("title", playlist.title),
        ("summary", playlist.summary),
        ("smart", playlist.smart),
        ("playlistType", playlist.playlist_type),
        ("composite", f"/playlists/{pid}/composite/{playlist.updated_at}"),
        ("icon", "playlist://image.smart" if playlist.smart else None),
        ("content", playlist.content),
        ("librarySectionID", playlist.section_id if playlist.smart else None),
        ("duration", duration_ms),
        ("durationInSeconds", duration_ms // 1000),
        ("leafCount", leaf_count),
        ("addedAt", playlist.added_at),
        ("updatedAt", playlist.updated_at),
    )


def render_playlist(playlist: Playlist, *, leaf_count: int, duration_ms: int) -> str:
    pairs = playlist_pairs(playlist, leaf_count=leaf_count, duration_ms=duration_ms)
    return f"<Playlist{attrs(pairs)}></Playlist>"


_META_TRACK = """<Meta>
<Type key="/library/sections/{sid}/all?type=8" type="artist" title="Artists" active="{a8}">
<Sort default="asc" defaultDirection="asc" descKey="titleSort:desc" key="titleSort" title="Title" />
<Field key="artist.title" title="Artist Title" type="string" />
<Field key="artist.userRating" subType="rating" title="Artist Rating" type="integer" />
</Type>
<Type key="/library/sections/{sid}/all?type=9" type="album" title="Albums" active="{a9}">
<Sort defaultDirection="asc" descKey="titleSort:desc" key="titleSort" title="Title" />
<Field key="album.title" title="Album Title" type="string" />
<Field key="album.userRating" subType="rating" title="Album Rating" type="integer" />
</Type>
<Type key="/library/sections/{sid}/all?type=10" type="track" title="Tracks" active="{a10}">
<Sort defaultDirection="asc" descKey="titleSort:desc" key="titleSort" title="Title" />
<Sort defaultDirection="desc" descKey="userRating:desc" key="userRating" title="Rating" />
<Sort defaultDirection="desc" descKey="addedAt:desc" key="addedAt" title="Date Added" />
<Sort defaultDirection="desc" descKey="lastRatedAt:desc" key="lastRatedAt" title="Last Rated" />
<Field key="track.title" title="Track Title" type="string" />
<Field key="track.userRating" subType="rating" title="Track Rating" type="integer" />
<Field key="track.addedAt" title="Date Added" type="date" />
<Field key="track.viewCount" title="Plays" type="integer" />
<Field key="track.lastViewedAt" title="Last Played" type="date" />
</Type>
{field_types}
</Meta>"""

_META_MOVIE = """<Meta>
<Type key="/library/sections/{sid}/all?type=1" type="movie" title="Movies" active="1">
<Sort default="asc" defaultDirection="asc" descKey="titleSort:desc" key="titleSort" title="Title" />
<Sort defaultDirection="desc" descKey="addedAt:desc" key="addedAt" title="Date Added" />
<Sort defaultDirection="desc" descKey="userRating:desc" key="userRating" title="Rating" />
<Field key="title" title="Title" type="string" />
<Field key="year" title="Year" type="integer" />
<Field key="userRating" subType="rating" title="User Rating" type="integer" />
<Field key="addedAt" title="Date Added" type="date" />
<Field key="editionTitle" title="Edition" type="string" />
</Type>
{field_types}
</Meta>"""

_META_COLLECTION = """<Meta>
<Type key="/library/sections/{sid}/collections" type="collection" title="Collections" active="1">
<Sort default="asc" defaultDirection="asc" descKey="titleSort:desc" key="titleSort" title="Title" />
<Field key="collection.title" title="Title" type="string" />
</Type>
{field_types}
</Meta>"""

_FIELD_TYPES = (
    '<FieldType type="integer"><Operator key="=" title="is" /><Operator key="!=" title="is not" />'
    '<Operator key="&gt;&gt;=" title="is greater than" />'
    '<Operator key="&lt;&lt;=" title="is less than" /></FieldType>\n'
    '<FieldType type="string"><Operator key="=" title="contains" />'
    '<Operator key="!=" title="does not contain" /><Operator key="==" title="is" />'
    '<Operator key="!==" title="is not" /><Operator key="&lt;=" title="begins with" />'
    '<Operator key="&gt;=" title="ends with" /></FieldType>\n'
    '<FieldType type="date"><Operator key="&lt;&lt;=" title="is before" />'
    '<Operator key="&gt;&gt;=" title="is after" /></FieldType>\n'
    '<FieldType type="tag"><Operator key="=" title="is" />'
    '<Operator key="!=" title="is not" /></FieldType>\n'
    '<FieldType type="boolean"><Operator key="=" title="is true" />'
    '<Operator key="!=" title="is false" /></FieldType>'
)


def section_meta(section: Section, *, active_type: int, collections: bool = False) -> str:
    sid = section.section_id
    if collections:
        return _META_COLLECTION.format(sid=sid, field_types=_FIELD_TYPES)
    if section.kind == "movie":
        return _META_MOVIE.format(sid=sid, field_types=_FIELD_TYPES)
    flags = {f"a{t}": "1" if active_type == t else "0" for t in (8, 9, 10)}
    return _META_TRACK.format(sid=sid, field_types=_FIELD_TYPES, **flags)
