"""Playlist endpoints (docs/PLEX.md §4): list, create from a uri, items, add, move, remove, clear,
edit, delete, and M3U upload. Playlists belong to the account whose token made them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

from app.domain.paths import join_path, split_path, strip_prefix
from plex_emulator.context import EmulatorContext
from plex_emulator.errors import HttpError, bad_request, forbidden, not_found
from plex_emulator.http import Request, Response, empty, page_of, xml
from plex_emulator.model import MUSIC, Account, Location, Movie, Playlist, Track
from plex_emulator.routes_library import query_section
from plex_emulator.scan import plex_join
from plex_emulator.state import EmulatorState
from plex_emulator.xmlrender import attrs, render_item, render_playlist


def _playlist_id(req: Request) -> int:
    try:
        return int(req.match[0])
    except ValueError:
        raise not_found(f"no playlist {req.match[0]!r}") from None


def _item_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise not_found(f"no playlist item {text!r}") from None


def playlist_keys(
    state: EmulatorState, account: Account, playlist: Playlist
) -> list[tuple[int | None, int]]:
    """(playlistItemID, ratingKey) in order; a smart playlist is evaluated now."""
    if not playlist.smart:
        return [(e.item_id, e.rating_key) for e in playlist.entries if e.rating_key in state.items]
    if playlist.content is None or playlist.section_id is None:
        return []
    path = state.playlist_store.parse_library_uri(playlist.content)
    query = path.split("?", 1)[1] if "?" in path else ""
    section = state.sections.get(playlist.section_id)
    if section is None or not account.sees(section.section_id):
        return []
    _, keys = query_section(state, account, section, parse_qsl(query, keep_blank_values=True))
    return [(None, k) for k in keys]


def _duration_ms(state: EmulatorState, keys: list[tuple[int | None, int]]) -> int:
    total = 0
    for _, key in keys:
        item = state.items.get(key)
        if isinstance(item, Track):
            total += item.duration_ms
    return total


def _render(state: EmulatorState, account: Account, playlist: Playlist) -> str:
    keys = playlist_keys(state, account, playlist)
    return render_playlist(playlist, leaf_count=len(keys), duration_ms=_duration_ms(state, keys))


def _in_section(state: EmulatorState, playlist: Playlist, section_id: int) -> bool:
    if playlist.section_id == section_id:
        return True
    return any(
        (item := state.items.get(e.rating_key)) is not None and item.section_id == section_id
        for e in playlist.entries
    )


def list_playlists(ctx: EmulatorContext, req: Request) -> Response:
    state = ctx.state
    account = req.user
    playlist_type = req.param("playlistType")
    section_id = req.int_param("sectionID")
    title = req.param("title")
    smart = req.param("smart")
    with state.lock:
        chosen = [
            p
            for p in state.playlist_store.of_account(account)
            if (playlist_type is None or p.playlist_type == playlist_type)
            and (section_id is None or _in_section(state, p, section_id))
            and (title is None or title.casefold() in p.title.casefold())
            and (smart is None or p.smart == (smart == "1"))
        ]
        chosen.sort(key=lambda p: (p.title.casefold(), p.playlist_id))
        page = page_of(req, len(chosen), ctx.knobs)
        children = [_render(state, account, p) for p in chosen[page.start : page.stop]]
    container = attrs((("size", len(children)), ("totalSize", page.total), ("offset", page.start)))
    return xml(container, children, **page.headers)


def create_playlist(ctx: EmulatorContext, req: Request) -> Response:
    uri = req.param("uri")
    playlist_type = req.param("type")
    if not uri or not playlist_type:
        raise bad_request("uri and type are required")
    playlist = ctx.state.playlist_store.create(
        req.user,
        title=req.param("title") or "",
        playlist_type=playlist_type,
        smart=req.param("smart") == "1",
        uri=uri,
    )
    with ctx.state.lock:
        child = _render(ctx.state, req.user, playlist)
    return xml(attrs((("size", 1),)), [child])


def get_playlist(ctx: EmulatorContext, req: Request) -> Response:
    state = ctx.state
    with state.lock:
        playlist = state.playlist_store.get(req.user, _playlist_id(req))
        child = _render(state, req.user, playlist)
    return xml(attrs((("size", 1),)), [child])


def edit_playlist(ctx: EmulatorContext, req: Request) -> Response:
    title = req.param("title.value") or req.param("title")
    summary = req.param("summary.value")
    if summary is None:
        summary = req.param("summary")
    ctx.state.playlist_store.edit(req.user, _playlist_id(req), title=title, summary=summary)
    return empty()


def delete_playlist(ctx: EmulatorContext, req: Request) -> Response:
    ctx.state.playlist_store.delete(req.user, _playlist_id(req))
    return empty()


def playlist_items(ctx: EmulatorContext, req: Request) -> Response:
    state = ctx.state
    account = req.user
    include_guids = req.flag("includeGuids")
    with state.lock:
        playlist = state.playlist_store.get(account, _playlist_id(req))
        keys = playlist_keys(state, account, playlist)
        page = page_of(req, len(keys), ctx.knobs)
        per_account = state.user_data.get(account.account_id, {})
        children: list[str] = []
        for item_id, key in keys[page.start : page.stop]:
            item = state.items[key]
            if isinstance(item, Track | Movie) and item.fragment is not None:
                children.append(
                    render_item(
                        item.fragment,
                        per_account.get(key),
                        include_guids=include_guids,
                        playlist_item_id=item_id,
                        with_section=True,
                    )
                )
        duration_ms = _duration_ms(state, keys)
        container = attrs(
            (
                ("size", len(children)),
                ("totalSize", page.total),
                ("offset", page.start),
                ("composite", f"/playlists/{playlist.playlist_id}/composite/{playlist.updated_at}"),
                ("duration", duration_ms // 1000),
                ("leafCount", len(keys)),
                ("playlistType", playlist.playlist_type),
                ("ratingKey", playlist.playlist_id),
                ("smart", playlist.smart),
                ("title", playlist.title),
            )
        )
    return xml(container, children, **page.headers)


def add_items(ctx: EmulatorContext, req: Request) -> Response:
    uri = req.param("uri")
    if not uri:
        raise bad_request("uri is required")
    ctx.state.playlist_store.add(req.user, _playlist_id(req), uri)
    return empty()


def clear_items(ctx: EmulatorContext, req: Request) -> Response:
    ctx.state.playlist_store.clear(req.user, _playlist_id(req))
    return empty()


def remove_item(ctx: EmulatorContext, req: Request) -> Response:
    ctx.state.playlist_store.remove(req.user, _playlist_id(req), _item_id(req.match[1]))
    return empty()


def move_item(ctx: EmulatorContext, req: Request) -> Response:
    after_text = req.param("after")
    after = _item_id(after_text) if after_text else None
    ctx.state.playlist_store.move(req.user, _playlist_id(req), _item_id(req.match[1]), after)
    return empty()


# --- M3U upload ------------------------------------------------------------------------------


M3U_SUFFIXES = frozenset({".m3u", ".m3u8"})


def _read_m3u(local_path: Path) -> list[str]:
    with open(local_path, "rb") as handle:
        raw = handle.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def upload_m3u(ctx: EmulatorContext, req: Request) -> Response:
    """``POST /playlists/upload?sectionID=&path=[&force=0]``: PMS reads the file itself.

    ``path`` is a path on the server; each entry is matched to a track by its exact file path
    (relative entries resolve against the M3U's folder). A missing file answers 500; when no
    entry matches, nothing is created and the answer is still 200, as on a real server.
    """
    state = ctx.state
    account = req.user
    if not account.is_owner:
        raise forbidden("uploading playlists is for the owner")
    section_id = req.int_param("sectionID")
    plex_path = req.param("path")
    if section_id is None or not plex_path:
        raise bad_request("sectionID and path are required")
    locations, by_path = _music_tracks_by_path(ctx, req, section_id)
    force = req.param("force") != "0"
    for target_plex, target_local in _m3u_targets(plex_path, _local_path(plex_path, locations)):
        try:
            entries = _read_m3u(target_local)
        except OSError:
            raise HttpError(
                500, "Internal Server Error", "The playlist could not be imported"
            ) from None
        keys = _entry_keys(entries, target_plex, target_local, by_path)
        state.playlist_store.import_m3u(account, section_id, target_plex, keys, force=force)
    return empty()


def _music_tracks_by_path(
    ctx: EmulatorContext, req: Request, section_id: int
) -> tuple[list[Location], dict[tuple[str, tuple[str, ...]], int]]:
    """The music section's locations, and its tracks' keys by Plex and by local path."""
    state = ctx.state
    with state.lock:
        section = state.section_for(req.user, section_id)
        if section.kind != MUSIC:
            raise bad_request("M3U files import into music sections only")
        by_path: dict[tuple[str, tuple[str, ...]], int] = {}
        for key in section.leaf_keys:
            track = state.items.get(key)
            if isinstance(track, Track):
                by_path[split_path(track.source.plex_path).key()] = key
                if track.source.local_path:
                    by_path[split_path(track.source.local_path).key()] = key
        return list(section.locations), by_path


def _local_path(plex_path: str, locations: list[Location]) -> Path:
    """Where the server finds ``plex_path`` on this machine (itself when no location maps it)."""
    for location in locations:
        rest = strip_prefix(plex_path, location.plex_path)
        if rest is not None and location.local_dir is not None:
            return Path(location.local_dir).joinpath(*rest)
    return Path(plex_path)


def _m3u_targets(plex_path: str, local_path: Path) -> list[tuple[str, Path]]:
    """The M3U files to import: the one named, or every one in the folder named."""
    if local_path.is_dir():
        names = sorted(p.name for p in local_path.iterdir() if p.suffix.lower() in M3U_SUFFIXES)
        return [(plex_join(plex_path, [n]), local_path / n) for n in names]
    return [(plex_path, local_path)]


def _entry_keys(
    entries: list[str],
    target_plex: str,
    target_local: Path,
    by_path: dict[tuple[str, tuple[str, ...]], int],
) -> list[int]:
    """The tracks the entries name, in order (entries naming none are left out)."""
    remote = split_path(target_plex)
    keys: list[int] = []
    for entry in entries:
        candidates = [entry]
        relative = split_path(entry)
        if not relative.anchor:
            folder = join_path(remote.anchor, remote.parts[:-1], windows=remote.windows)
            candidates.append(plex_join(folder, list(relative.parts)))
            candidates.append(str(target_local.parent / entry))
        for candidate in candidates:
            found = by_path.get(split_path(candidate).key())
            if found is not None:
                keys.append(found)
                break
    return keys
