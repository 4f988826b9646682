"""What route functions work with: the state and the running server's parts."""

from __future__ import annotations

from dataclasses import dataclass

from app.emulator.knobs import Knobs
from app.emulator.requestlog import RequestLog
from app.emulator.scanner import ScanRunner
from app.emulator.state import EmulatorState
from app.emulator.webhooks import WebhookDispatcher


@dataclass
class EmulatorContext:
    state: EmulatorState
    knobs: Knobs
    log: RequestLog
    webhooks: WebhookDispatcher
    scans: ScanRunner
