"""A loopback Plex Media Server emulator for tests, benchmarks and demos (docs/PLEX.md §9).

Build one from folders with :func:`build_emulator` (what ``crossfade emulator`` does), or from
an :class:`EmulatorState` you fill yourself (e.g. :func:`add_synthetic_music_section`), then
run it with :class:`EmulatorServer` (a context manager; ``.url``, ``.log``, ``.knobs``).
"""

from plex_emulator.builder import EmulatorConfig, Folder, build_emulator, build_state
from plex_emulator.knobs import Fault, Knobs
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from plex_emulator.synthetic import add_synthetic_music_section

__all__ = [
    "EmulatorConfig",
    "EmulatorServer",
    "EmulatorState",
    "Fault",
    "Folder",
    "Knobs",
    "add_synthetic_music_section",
    "build_emulator",
    "build_state",
]
