"""plex-music-rating-sync's ``config.ini`` (patzm's original and smilerz's fork).

The file is configargparse's INI: sections ``[main]`` (``source``, ``destination``, ``sync``),
``[plex]`` (``server``, ``username``/``user``, ``token``, ``passwd``) and ``[filesystem]``
(``path``, ``playlist-path``, ``tag-write-strategy``, ``default-tag``,
``conflict-resolution-strategy``, ``tag-priority-order``), with ``#`` comments after values and
lists written ``[tracks, playlists]``. The tool syncs one way, source to destination; the plan
keeps that: a link that only writes the destination, and the next command in the mode that
lets the source's ratings win.
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping

from app.domain.errors import InvalidInput
from app.domain.imports.plan import FolderSource, ImportPlan, PlexSource, SystemKind
from app.domain.links import Direction, LinkKind, Mode

SYNC_ITEMS: dict[str, LinkKind] = {"tracks": LinkKind.RATINGS, "playlists": LinkKind.PLAYLISTS}
# Their --default-tag / --tag-priority-order names → our preset and dialect ids
DEFAULT_TAGS: dict[str, tuple[str, str]] = {
    "mediamonkey": ("mediamonkey", "popm:mediamonkey"),
    "windowsmediaplayer": ("windows", "popm:windows"),
    "musicbee": ("musicbee", "popm:musicbee"),
    "winamp": ("winamp", "popm:winamp"),
    "text": ("foobar2000", "txxx:rating"),
}
WRITE_STRATEGIES: dict[str, str] = {
    "write_all": "update_existing",
    "write_existing": "update_existing",
    "write_default": "default_only",
    "overwrite_default": "replace_all",
}
CONFLICT_STRATEGIES: dict[str, str] = {
    "prioritized_order": "priority",
    "highest": "highest",
    "lowest": "lowest",
    "average": "average",
    "choice": "ask",
}


def read_ini(text: str) -> dict[str, dict[str, str]]:
    """The sections of a configargparse INI, inline ``#`` comments and blank values dropped."""
    parser = configparser.ConfigParser(inline_comment_prefixes=("#", ";"), interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as error:
        raise InvalidInput(f"config.ini is not a valid INI file: {error}") from None
    return {
        section: {key: value.strip() for key, value in parser[section].items() if value.strip()}
        for section in parser.sections()
    }


def split_list(value: str) -> list[str]:
    """``[tracks, playlists]``, ``tracks playlists`` or ``tracks,playlists``."""
    return [item for item in value.strip("[]").replace(",", " ").split() if item]


def _choice(value: str, table: Mapping[str, object], key: str) -> str:
    found = value.strip().lower()
    if found not in table:
        raise InvalidInput(f"config.ini: {key} = {value!r}; use one of: {', '.join(table)}")
    return found


def _player(main: Mapping[str, str], key: str, default: str) -> SystemKind:
    value = _choice(main.get(key, default), {k.value: k for k in SystemKind}, f"[main] {key}")
    return SystemKind(value)


def _plex(plex: Mapping[str, str], plex_url: str | None) -> tuple[PlexSource, list[str]]:
    token = plex.get("token", "")
    if not token:
        raise InvalidInput(
            "config.ini: [plex] token is missing (Crossfade signs in with a token, never a "
            "password: see 'Finding an authentication token' in Plex's support articles)"
        )
    server = plex.get("server", "")
    dropped = []
    if "passwd" in plex:
        dropped.append("[plex] passwd: not kept (Crossfade uses the token only)")
    if plex.get("username") or plex.get("user"):
        dropped.append("[plex] username: not needed (the token names the account)")
    base_url = plex_url or (server if server.startswith(("http://", "https://")) else None)
    if base_url is None:
        named = f"server {server!r}" if server else "no server"
        raise InvalidInput(
            f"config.ini: [plex] names {named}, which the old tool looked up through plex.tv; "
            "give the server's address with --plex-url http://HOST:32400"
        )
    return PlexSource(base_url.rstrip("/"), token, (), server_name=server or None), dropped


def _folder(fs: Mapping[str, str], music_dir: str | None) -> tuple[FolderSource, list[str]]:
    kept: list[str] = []
    profile = mode = policy = None
    priority: tuple[str, ...] = ()
    if "default-tag" in fs:
        tag = _choice(fs["default-tag"], DEFAULT_TAGS, "[filesystem] default-tag")
        profile = DEFAULT_TAGS[tag][0]
        kept.append(f"default tag {fs['default-tag']} → write profile {profile}")
    if "tag-write-strategy" in fs:
        key = _choice(fs["tag-write-strategy"], WRITE_STRATEGIES, "[filesystem] tag-write-strategy")
        mode = WRITE_STRATEGIES[key]
        kept.append(f"tag write strategy {key} → write mode {mode}")
    if "conflict-resolution-strategy" in fs:
        key = _choice(
            fs["conflict-resolution-strategy"],
            CONFLICT_STRATEGIES,
            "[filesystem] conflict-resolution-strategy",
        )
        policy = CONFLICT_STRATEGIES[key]
        kept.append(f"conflict strategy {key} → read policy {policy}")
    if "tag-priority-order" in fs:
        names = split_list(fs["tag-priority-order"])
        priority = tuple(
            DEFAULT_TAGS[_choice(name, DEFAULT_TAGS, "[filesystem] tag-priority-order")][1]
            for name in names
        )
        kept.append(f"tag priority {' > '.join(priority)}")
    root = music_dir or fs.get("path")
    folder = FolderSource(
        root=root,
        playlist_dir=fs.get("playlist-path") or root,
        write_profile=profile,
        write_mode=mode,
        read_policy=policy,
        read_priority=priority,
    )
    return folder, kept


def _sides(source: SystemKind, destination: SystemKind) -> tuple[SystemKind, SystemKind, Direction]:
    """Plex is side A whenever it takes part, a music folder side B (Crossfade's habit)."""
    order = [SystemKind.PLEX, SystemKind.MEDIAMONKEY, SystemKind.FILESYSTEM]
    side_a, side_b = sorted((source, destination), key=order.index)
    return side_a, side_b, Direction.A_TO_B if source == side_a else Direction.B_TO_A


def parse_pmrs_s(
    text: str,
    *,
    plex_url: str | None = None,
    music_dir: str | None = None,
    mediamonkey_db: str | None = None,
) -> ImportPlan:
    """The plan for a plex-music-rating-sync ``config.ini``."""
    sections = read_ini(text)
    main = sections.get("main", {})
    source = _player(main, "source", "mediamonkey")
    destination = _player(main, "destination", "plex")
    if source == destination:
        raise InvalidInput(f"config.ini: [main] source and destination are both {source.value}")
    items = split_list(main.get("sync", "tracks")) or ["tracks"]
    link_kinds = tuple(SYNC_ITEMS[_choice(item, SYNC_ITEMS, "[main] sync")] for item in items)
    kept: list[str] = [f"{source.value} → {destination.value}: {', '.join(items)}"]
    dropped: list[str] = []
    if "cache-mode" in main:
        dropped.append(
            "[main] cache-mode: Crossfade always keeps its file-state cache; "
            "--no-cache / --clear-cache act per run"
        )
    if "log" in main:
        dropped.append("[main] log: use -v on any command for more")
    systems = {source, destination}
    plex = folder = None
    if SystemKind.PLEX in systems:
        plex, plex_notes = _plex(sections.get("plex", {}), plex_url)
        dropped.extend(plex_notes)
    if SystemKind.FILESYSTEM in systems:
        folder, folder_notes = _folder(sections.get("filesystem", {}), music_dir)
        kept.extend(folder_notes)
        if folder.root is None:
            raise InvalidInput("config.ini: [filesystem] path is missing (or give --music-dir)")
    if SystemKind.MEDIAMONKEY in systems and not mediamonkey_db:
        raise InvalidInput(
            "config.ini syncs MediaMonkey: give its database with --mediamonkey-db "
            "(MM.DB for MediaMonkey 4, MM5.DB for MediaMonkey 5)"
        )
    side_a, side_b, direction = _sides(source, destination)
    files_side_is_source = source == SystemKind.FILESYSTEM
    mode = Mode.SYNC
    if SystemKind.FILESYSTEM in systems:
        mode = Mode.IMPORT if files_side_is_source else Mode.EXPORT
    return ImportPlan(
        tool="plex-music-rating-sync",
        plex=plex,
        folder=folder,
        side_a=side_a,
        side_b=side_b,
        link_kinds=link_kinds,
        direction=direction,
        mode=mode,
        mediamonkey_db=mediamonkey_db if SystemKind.MEDIAMONKEY in systems else None,
        kept=tuple(kept),
        dropped=tuple(dropped),
    )
