"""The Plex adapter: :class:`PlexServerClient` and the records it returns."""

from app.adapters.plex.client import MAX_PAGE_SIZE, PlexServerClient, TrackPage
from app.adapters.plex.records import (
    PlaylistEdit,
    PlexIdentity,
    PlexPlaylist,
    PlexPlaylistItem,
    PlexSection,
    PlexTrack,
    rating_from_wire,
    rating_to_wire,
)

__all__ = [
    "MAX_PAGE_SIZE",
    "PlaylistEdit",
    "PlexIdentity",
    "PlexPlaylist",
    "PlexPlaylistItem",
    "PlexSection",
    "PlexServerClient",
    "PlexTrack",
    "TrackPage",
    "rating_from_wire",
    "rating_to_wire",
]
