"""The events the playlists feature reports (the ``action`` of a job event; values are stored
and shown, so they never change)."""

from __future__ import annotations

from enum import StrEnum


class PlaylistsEvent(StrEnum):
    """The action of an event a playlists run, undo or reconcile reports."""

    PLAYLIST_CREATE = "playlist_create"
    PLAYLIST_UPDATE = "playlist_update"
    PLAYLIST_DELETE = "playlist_delete"
    PLAYLIST_KEPT = "playlist_kept"
    PLAYLIST_HELD = "playlist_held"
    PLAYLIST_SKIPPED = "playlist_skipped"
    PLAYLIST_FORGOTTEN = "playlist_forgotten"
    ENTRY_ADDED = "entry_added"
    ENTRY_REMOVED = "entry_removed"
    ENTRY_MOVED = "entry_moved"
    ENTRY_UNMATCHED = "entry_unmatched"
    CONFLICT = "conflict"
    CONFLICT_SETTLED = "conflict_settled"
    ERROR = "error"
    PLAYLIST_RESTORE = "playlist_restore"
    RECONCILED = "reconciled"
    NOTHING_TO_UNDO = "nothing_to_undo"
    NOT_APPLIED = "not_applied"
    CHANGED_SINCE = "changed_since"
