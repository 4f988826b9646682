"""What route functions work with: the state and the running server's parts."""

from __future__ import annotations

from dataclasses import dataclass

from plex_emulator.knobs import Knobs
from plex_emulator.requestlog import RequestLog
from plex_emulator.scanner import ScanRunner
from plex_emulator.state import EmulatorState
from plex_emulator.webhooks import WebhookDispatcher


@dataclass
class EmulatorContext:
    state: EmulatorState
    knobs: Knobs
    log: RequestLog
    webhooks: WebhookDispatcher
    scans: ScanRunner
