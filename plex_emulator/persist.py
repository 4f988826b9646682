"""The ``--state FILE``: ratings, play counts, playlists and remembered rating keys as JSON.

Writes are atomic (temp file, fsync, rename) and coalesced: a burst of changes is written once,
shortly after; :meth:`StateFile.close` writes whatever is pending.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from plex_emulator.state import EmulatorState

log = logging.getLogger(__name__)


class StateFile:
    def __init__(self, path: str, *, delay_s: float = 0.3) -> None:
        self.path = path
        self._state: EmulatorState | None = None
        self._delay_s = delay_s
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def load_into(self, state: EmulatorState) -> bool:
        """Restore ``state`` from the file if it exists (before any scan); True if it did."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                snapshot = json.load(handle)
        except FileNotFoundError:
            return False
        if not isinstance(snapshot, dict):
            raise ValueError(f"{self.path}: not an emulator state file")
        state.restore(snapshot)
        return True

    def attach(self, state: EmulatorState) -> None:
        """Write ``state`` to the file after it changes."""
        self._state = state
        state.change_listeners.append(self.changed)

    def changed(self) -> None:
        with self._lock:
            if self._timer is not None:
                return
            self._timer = threading.Timer(self._delay_s, self._flush_from_timer)
            self._timer.daemon = True
            self._timer.start()

    def _flush_from_timer(self) -> None:
        with self._lock:
            self._timer = None
        self.write()

    def write(self) -> None:
        if self._state is None:
            return
        snapshot = self._state.snapshot()
        target = Path(self.path)
        fd, tmp_name = tempfile.mkstemp(prefix=".emulator-state-", dir=target.resolve().parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(snapshot, handle)
                handle.flush()
                os.fsync(handle.fileno())
            tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def close(self) -> None:
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        if self._state is not None and self.changed in self._state.change_listeners:
            self._state.change_listeners.remove(self.changed)
        self.write()
