"""A Subsonic / OpenSubsonic server (Navidrome, Gonic, Airsonic, LMS, Supysonic) over HTTP."""

from app.adapters.subsonic.client import SubsonicClient, connect
from app.domain.subsonic import AuthMode, ServerInfo, SubsonicPlaylist, SubsonicSong

__all__ = [
    "AuthMode",
    "ServerInfo",
    "SubsonicClient",
    "SubsonicPlaylist",
    "SubsonicSong",
    "connect",
]
