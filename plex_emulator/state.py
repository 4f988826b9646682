"""The emulated server's state: accounts, sections, items, per-account user data, playlists.

One :class:`EmulatorState` holds everything behind one re-entrant lock; HTTP handlers take the
lock, read or change, render, and let go. Rating keys come from one counter and are remembered
per identity (a file's Plex path, an album's names), so a restart with a state file gives every
track its old key. Changes are announced to listeners (webhooks, the state file).
"""

from __future__ import annotations

from plex_emulator.state_edits import Edits
from plex_emulator.state_movies import MovieScans
from plex_emulator.state_music import MusicScans
from plex_emulator.state_snapshot import Snapshots


class EmulatorState(MusicScans, MovieScans, Edits, Snapshots):
    """The whole state: :class:`~plex_emulator.state_core.StateCore` (accounts, sections,
    items, user data, listeners) with its scans, edits and snapshots."""
