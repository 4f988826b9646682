"""A Subsonic / OpenSubsonic server (Navidrome, Gonic, Airsonic, LMS, Supysonic) over HTTP."""

from app.adapters.subsonic.auth import AuthMode
from app.adapters.subsonic.client import SubsonicClient
from app.adapters.subsonic.records import ServerInfo, SubsonicPlaylist, SubsonicSong

__all__ = ["AuthMode", "ServerInfo", "SubsonicClient", "SubsonicPlaylist", "SubsonicSong"]
