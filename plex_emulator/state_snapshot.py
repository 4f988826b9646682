"""What a state file keeps of the emulated server (ids, remembered keys, user data,
playlists), and loading it back before the sections are scanned."""

from __future__ import annotations

from plex_emulator.model import (
    Playlist,
    PlaylistEntry,
    UserData,
)
from plex_emulator.state_core import StateCore


class Snapshots(StateCore):
    """``snapshot``, ``restore`` and ``forget_missing_playlist_items``."""

    def snapshot(self) -> dict[str, object]:
        """What a state file keeps: ids, remembered keys, user data, playlists."""
        with self.lock:
            return {
                "version": 1,
                "machine_identifier": self.machine_identifier,
                "next_key": self._next_key,
                "next_item_id": self.playlist_store.next_item_id,
                "keys": dict(self._key_registry),
                "added_at": {str(k): v for k, v in self._added_at.items()},
                "user_data": {
                    str(account_id): {
                        str(key): [d.rating, d.last_rated_at, d.view_count, d.last_viewed_at]
                        for key, d in per.items()
                        if not d.empty
                    }
                    for account_id, per in self.user_data.items()
                },
                "playlists": [
                    {
                        "id": p.playlist_id,
                        "account": p.account_id,
                        "title": p.title,
                        "type": p.playlist_type,
                        "smart": p.smart,
                        "guid": p.guid,
                        "added_at": p.added_at,
                        "updated_at": p.updated_at,
                        "summary": p.summary,
                        "content": p.content,
                        "section": p.section_id,
                        "entries": [[e.item_id, e.rating_key] for e in p.entries],
                    }
                    for p in self.playlists.values()
                ],
            }

    def restore(self, snapshot: dict[str, object]) -> None:
        """Load a :meth:`snapshot` before the sections are scanned."""
        with self.lock:
            if snapshot.get("version") != 1:
                raise ValueError("unknown state file version")
            self.machine_identifier = str(snapshot["machine_identifier"])
            self._next_key = max(self._next_key, _int(snapshot["next_key"]))
            store = self.playlist_store
            store.next_item_id = max(store.next_item_id, _int(snapshot["next_item_id"]))
            self._key_registry.update(_str_int_map(snapshot["keys"]))
            self._added_at.update(
                {int(k): v for k, v in _str_int_map(snapshot["added_at"]).items()}
            )
            user_data = snapshot.get("user_data")
            if isinstance(user_data, dict):
                for account_id, per in user_data.items():
                    if not isinstance(per, dict):
                        continue
                    target = self.user_data.setdefault(int(account_id), {})
                    for key, (rating, rated_at, views, viewed_at) in per.items():
                        target[int(key)] = UserData(rating, rated_at, views, viewed_at)
            playlists = snapshot.get("playlists")
            if isinstance(playlists, list):
                for raw in playlists:
                    playlist = Playlist(
                        playlist_id=int(raw["id"]),
                        account_id=int(raw["account"]),
                        title=str(raw["title"]),
                        playlist_type=str(raw["type"]),
                        smart=bool(raw["smart"]),
                        guid=str(raw["guid"]),
                        added_at=int(raw["added_at"]),
                        updated_at=int(raw["updated_at"]),
                        summary=str(raw.get("summary", "")),
                        content=raw.get("content"),
                        section_id=raw.get("section"),
                        entries=[PlaylistEntry(int(i), int(k)) for i, k in raw["entries"]],
                    )
                    self.playlists[playlist.playlist_id] = playlist

    def forget_missing_playlist_items(self) -> None:
        """After scanning, drop playlist entries whose items did not come back."""
        with self.lock:
            for playlist in self.playlists.values():
                playlist.entries = [e for e in playlist.entries if e.rating_key in self.items]


def _int(value: object) -> int:
    if isinstance(value, int):
        return value
    raise ValueError(f"expected an int, got {value!r}")


def _str_int_map(value: object) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ValueError("expected a mapping")
    return {str(k): int(v) for k, v in value.items()}
