"""A small OpenSubsonic server for tests and benchmarks: what a real Supysonic cannot show
(token and API-key auth and their errors, ``musicBrainzId``, Navidrome's made-up vs real paths,
playlists with ``changed`` and ``readonly``, large paged listings) plus fault injection.

Its answers follow the OpenSubsonic spec and Navidrome's documented behaviour; it is a WSGI
application (``SubsonicEmulator``) served in-process through :func:`transport` (an httpx
transport, with faults) or on a loopback port through :func:`serve`. It uses only the standard
library.
"""

from tests.subsonic_emulator.server import Fault, SubsonicEmulator, serve, transport
from tests.subsonic_emulator.state import EmulatorSong, Library

__all__ = ["EmulatorSong", "Fault", "Library", "SubsonicEmulator", "serve", "transport"]
