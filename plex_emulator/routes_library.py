"""Server and library endpoints: identity, root, sections, listings, metadata, refresh, edits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from plex_emulator.context import EmulatorContext
from plex_emulator.errors import HttpError, bad_request, forbidden, not_found
from plex_emulator.http import Request, Response, empty, page_of, xml
from plex_emulator.model import (
    MOVIE,
    TYPE_ALBUM,
    TYPE_ARTIST,
    TYPE_MOVIE,
    TYPE_TRACK,
    Account,
    Album,
    Artist,
    Item,
    Movie,
    Section,
    Track,
)
from plex_emulator.search import matches, parse_filters, parse_sort, sort_items
from plex_emulator.state import EmulatorState
from plex_emulator.xmlrender import (
    LIBRARY_ID,
    attrs,
    element,
    render_album,
    render_artist,
    render_item,
    render_section,
    section_meta,
)

MEDIA_TAG_VERSION = 1700000000


def identity(ctx: EmulatorContext, req: Request) -> Response:
    state = ctx.state
    return xml(
        attrs(
            (
                ("size", 0),
                ("claimed", True),
                ("machineIdentifier", state.machine_identifier),
                ("version", state.version),
            )
        )
    )


def root(ctx: EmulatorContext, req: Request) -> Response:
    state = ctx.state
    pairs = (
        ("size", 4),
        ("allowCameraUpload", False),
        ("allowChannelAccess", True),
        ("allowMediaDeletion", True),
        ("allowSharing", True),
        ("allowSync", True),
        ("backgroundProcessing", True),
        ("certificate", True),
        ("companionProxy", True),
        ("countryCode", "usa"),
        ("diagnostics", "logs,databases,streaminglogs"),
        ("eventStream", True),
        ("friendlyName", state.friendly_name),
        ("hubSearch", True),
        ("machineIdentifier", state.machine_identifier),
        ("multiuser", True),
        ("myPlex", True),
        ("myPlexMappingState", "mapped"),
        ("myPlexSigninState", "ok"),
        ("myPlexSubscription", True),
        ("myPlexUsername", f"{state.owner.name}@example.com"),
        ("ownerFeatures", "home,music_videos,pass,premium_music_metadata,sync,webhooks"),
        ("photoAutoTag", True),
        ("platform", "Linux"),
        ("platformVersion", "Crossfade emulator"),
        ("pluginHost", True),
        ("readOnlyLibraries", 0),
        ("requestParametersInCookie", True),
        ("streamingBrainVersion", "2"),
        ("sync", True),
        ("transcoderActiveVideoSessions", 0),
        ("transcoderAudio", True),
        ("transcoderLyrics", True),
        ("transcoderPhoto", True),
        ("transcoderSubtitles", True),
        ("transcoderVideo", True),
        ("updatedAt", state.created_at),
        ("updater", True),
        ("version", state.version),
        ("voiceSearch", True),
    )
    children = [
        element("Directory", (("count", 1), ("key", "identity"), ("title", "identity"))),
        element("Directory", (("count", 1), ("key", "library"), ("title", "library"))),
        element("Directory", (("count", 1), ("key", "playlists"), ("title", "playlists"))),
        element("Directory", (("count", 1), ("key", "accounts"), ("title", "accounts"))),
    ]
    return xml(attrs(pairs), children)


def library(ctx: EmulatorContext, req: Request) -> Response:
    if not req.user.is_owner:
        # real PMS answers 401 here for shared users; plexapi then falls back (docs/PLEX.md §2.1)
        raise HttpError(401, "Unauthorized", "/library is for the owner")
    pairs = (
        ("size", 3),
        ("allowSync", False),
        ("identifier", LIBRARY_ID),
        ("mediaTagPrefix", "/system/bundle/media/flags/"),
        ("mediaTagVersion", MEDIA_TAG_VERSION),
        ("title1", "Plex Library"),
    )
    children = [
        element("Directory", (("key", "sections"), ("title", "Library Sections"))),
        element("Directory", (("key", "recentlyAdded"), ("title", "Recently Added Content"))),
        element("Directory", (("key", "onDeck"), ("title", "On Deck Content"))),
    ]
    return xml(attrs(pairs), children)


def sections(ctx: EmulatorContext, req: Request) -> Response:
    with ctx.state.lock:
        visible = ctx.state.visible_sections(req.user)
        children = [render_section(s) for s in visible]
    pairs = (
        ("size", len(children)),
        ("allowSync", False),
        ("identifier", LIBRARY_ID),
        ("mediaTagPrefix", "/system/bundle/media/flags/"),
        ("mediaTagVersion", MEDIA_TAG_VERSION),
        ("title1", "Plex Library"),
    )
    return xml(attrs(pairs), children)


def _section_id(req: Request) -> int:
    try:
        return int(req.match[0])
    except ValueError:
        raise not_found(f"no section {req.match[0]!r}") from None


def _candidates(section: Section, type_: int) -> list[int]:
    if section.kind == MOVIE:
        if type_ != TYPE_MOVIE:
            raise bad_request(f"type {type_} is not in a movie section")
        return section.leaf_keys
    if type_ == TYPE_TRACK:
        return section.leaf_keys
    if type_ == TYPE_ALBUM:
        return section.album_keys
    if type_ == TYPE_ARTIST:
        return section.artist_keys
    raise bad_request(f"type {type_} is not in a music section")


def query_section(
    state: EmulatorState, account: Account, section: Section, params: Sequence[tuple[str, str]]
) -> tuple[int, list[int]]:
    """(type, matching rating keys in order) for the search params of ``/all``.

    With no filter, title or sort this is the section's own ordered key list (no copy), which
    keeps paging through 100,000 tracks cheap.
    """
    type_text = next((v for k, v in params if k == "type"), None)
    default_type = TYPE_MOVIE if section.kind == MOVIE else TYPE_ARTIST
    try:
        type_ = int(type_text) if type_text else default_type
    except ValueError:
        raise bad_request("type must be an integer") from None
    keys = _candidates(section, type_)
    filters = parse_filters(params, state.clock())
    sort_text = next((v for k, v in params if k == "sort"), None)
    title = next((v for k, v in params if k == "title"), None)
    limit_text = next((v for k, v in params if k == "limit"), None)
    if filters or sort_text or title:
        per_account = state.user_data.get(account.account_id, {})
        items: list[Item] = []
        for key in keys:
            item = state.items[key]
            if title and title.casefold() not in item.title.casefold():
                continue
            if matches(item, filters, per_account.get(key)):
                items.append(item)
        if sort_text:
            items = sort_items(items, parse_sort(sort_text), per_account.get)
        keys = [item.rating_key for item in items]
    if limit_text:
        try:
            keys = keys[: int(limit_text)]
        except ValueError:
            raise bad_request("limit must be an integer") from None
    return type_, keys


def render_keys(
    state: EmulatorState,
    account: Account,
    keys: Sequence[int],
    *,
    include_guids: bool,
    detail: bool = False,
) -> list[str]:
    per_account = state.user_data.get(account.account_id, {})
    out: list[str] = []
    for key in keys:
        item = state.items[key]
        data = per_account.get(key)
        if isinstance(item, Track | Movie):
            assert item.fragment is not None
            out.append(render_item(item.fragment, data, include_guids=include_guids, detail=detail))
        elif isinstance(item, Album):
            artist = state.items[item.artist_key]
            assert isinstance(artist, Artist)
            section = state.sections[item.section_id]
            out.append(render_album(item, artist, section, data, include_guids=include_guids))
        else:
            out.append(render_artist(item, state.sections[item.section_id], data))
    return out


def _section_container(section: Section, extra: Sequence[tuple[str, str | int | None]]) -> str:
    music = section.kind != MOVIE
    return attrs(
        (
            *extra,
            ("allowSync", True),
            ("art", "/:/resources/artist-fanart.jpg" if music else "/:/resources/movie-fanart.jpg"),
            ("identifier", LIBRARY_ID),
            ("librarySectionID", section.section_id),
            ("librarySectionTitle", section.title),
            ("librarySectionUUID", section.uuid),
            ("mediaTagPrefix", "/system/bundle/media/flags/"),
            ("mediaTagVersion", MEDIA_TAG_VERSION),
            ("nocache", 1),
            ("thumb", "/:/resources/artist.png" if music else "/:/resources/movie.png"),
            ("title1", section.title),
            ("title2", "All Artists" if music else "All Movies"),
            ("viewGroup", "artist" if music else "movie"),
            ("viewMode", 65592),
        )
    )


def section_all(ctx: EmulatorContext, req: Request) -> Response:
    state = ctx.state
    account = req.user
    with state.lock:
        section = state.section_for(account, _section_id(req))
        type_, keys = query_section(state, account, section, req.params)
        page = page_of(req, len(keys), ctx.knobs, strict=True)
        children = render_keys(
            state, account, keys[page.start : page.stop], include_guids=req.flag("includeGuids")
        )
        if req.flag("includeMeta"):
            children.append(section_meta(section, active_type=type_))
        container = _section_container(
            section,
            (
                ("size", page.stop - page.start),
                ("totalSize", page.total),
                ("offset", page.start),
            ),
        )
    return xml(container, children, **page.headers)


def section_albums(ctx: EmulatorContext, req: Request) -> Response:
    """``/library/sections/{id}/albums``: the album listing (``type=9``)."""
    params = (*((k, v) for k, v in req.params if k != "type"), ("type", str(TYPE_ALBUM)))
    return section_all(ctx, replace(req, params=params))


def section_collections(ctx: EmulatorContext, req: Request) -> Response:
    state = ctx.state
    with state.lock:
        section = state.section_for(req.user, _section_id(req))
        page = page_of(req, 0, ctx.knobs)
        children = []
        if req.flag("includeMeta"):
            children.append(section_meta(section, active_type=0, collections=True))
        container = _section_container(
            section, (("size", 0), ("totalSize", 0), ("offset", page.start))
        )
    return xml(container, children, **page.headers)


def section_edit(ctx: EmulatorContext, req: Request) -> Response:
    """``PUT /library/sections/{id}/all?type=..&id=1,2&title.value=..&title.locked=1``."""
    state = ctx.state
    account = req.user
    ids = req.param("id")
    if not ids:
        raise bad_request("id is required")
    try:
        keys = [int(k) for k in ids.split(",")]
    except ValueError:
        raise bad_request("id must be a comma list of rating keys") from None
    values = {k[: -len(".value")]: v for k, v in req.params if k.endswith(".value")}
    with state.lock:
        section = state.section_for(account, _section_id(req))
        for key in keys:
            item = state.items.get(key)
            if item is None or item.section_id != section.section_id:
                raise not_found(f"no item {key} in section {section.section_id}")
    if values:
        state.edit_fields(account, keys, values)
    return empty()


def refresh(ctx: EmulatorContext, req: Request) -> Response:
    """Scan a section (``all``: every section); ``path`` limits it to a subtree."""
    state = ctx.state
    if not req.user.is_owner:
        raise forbidden("refreshing sections is for the owner")
    target = req.match[0]
    with state.lock:
        if target == "all":
            section_ids = list(state.sections)
        else:
            section_ids = [state.section_for(req.user, _section_id(req)).section_id]
    path = req.param("path") or None
    for section_id in section_ids:
        if req.method == "DELETE":
            ctx.scans.cancel(section_id)
        else:
            ctx.scans.request(section_id, path)
    return empty()


def _visible_item(state: EmulatorState, account: Account, key_text: str) -> Item:
    try:
        key = int(key_text)
    except ValueError:
        raise not_found(f"no item {key_text!r}") from None
    item = state.items.get(key)
    if item is None or not account.sees(item.section_id):
        raise not_found(f"no item {key}")
    return item


def metadata(ctx: EmulatorContext, req: Request) -> Response:
    state = ctx.state
    account = req.user
    with state.lock:
        items = [_visible_item(state, account, k) for k in req.match[0].split(",") if k]
        if not items:
            raise not_found("no ids")
        page = page_of(req, len(items), ctx.knobs)
        keys = [i.rating_key for i in items[page.start : page.stop]]
        children = render_keys(state, account, keys, include_guids=True, detail=True)
        section = state.sections[items[0].section_id]
        container = attrs(
            (
                ("size", len(children)),
                ("totalSize", page.total),
                ("offset", page.start),
                ("allowSync", True),
                ("identifier", LIBRARY_ID),
                ("librarySectionID", section.section_id),
                ("librarySectionTitle", section.title),
                ("librarySectionUUID", section.uuid),
                ("mediaTagPrefix", "/system/bundle/media/flags/"),
                ("mediaTagVersion", MEDIA_TAG_VERSION),
            )
        )
    return xml(container, children, **page.headers)


def children(ctx: EmulatorContext, req: Request) -> Response:
    """``/library/metadata/{id}/children`` and ``/allLeaves``."""
    state = ctx.state
    account = req.user
    leaves = req.match[1] == "allLeaves"
    with state.lock:
        parent = _visible_item(state, account, req.match[0])
        keys: list[int]
        if isinstance(parent, Album):
            keys = list(parent.track_keys)
        elif isinstance(parent, Artist):
            if leaves:
                keys = []
                for album_key in parent.album_keys:
                    album = state.items[album_key]
                    assert isinstance(album, Album)
                    keys.extend(album.track_keys)
            else:
                keys = list(parent.album_keys)
        else:
            keys = []
        page = page_of(req, len(keys), ctx.knobs)
        rendered = render_keys(
            state,
            account,
            keys[page.start : page.stop],
            include_guids=req.flag("includeGuids"),
        )
        section = state.sections[parent.section_id]
        container = _section_container(
            section,
            (
                ("size", len(rendered)),
                ("totalSize", page.total),
                ("offset", page.start),
                ("key", str(parent.rating_key)),
                ("parentTitle", parent.title),
            ),
        )
    return xml(container, rendered, **page.headers)


def accounts(ctx: EmulatorContext, req: Request) -> Response:
    if not req.user.is_owner:
        raise forbidden("/accounts is for the owner")
    with ctx.state.lock:
        listed = sorted(ctx.state.accounts.values(), key=lambda a: a.account_id)
    children = [
        element(
            "Account",
            (
                ("id", a.account_id),
                ("key", f"/accounts/{a.account_id}"),
                ("name", a.name),
                ("defaultAudioLanguage", "en"),
                ("autoSelectAudio", True),
                ("defaultSubtitleLanguage", "en"),
                ("subtitleMode", 0),
            ),
        )
        for a in listed
    ]
    return xml(attrs((("size", len(children)), ("identifier", LIBRARY_ID))), children)
