"""The closed-MediaMonkey checks: a MediaMonkey process seen here (Wine keeps the .exe name)
stops a write; time-named backups sort by time."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.adapters.mediamonkey.safety import backup_name, check_closed, running_mediamonkey
from app.domain.errors import SetupError


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_running_mediamonkey_stops_a_write(tmp_path: Path) -> None:
    db = tmp_path / "MM5.DB"
    db.write_bytes(b"")
    assert running_mediamonkey() == []
    wine_name = "'C:\\\\Program Files\\\\MediaMonkey.exe'"  # as Wine shows it
    fake = subprocess.Popen(["bash", "-c", f"exec -a {wine_name} sleep 30"])
    try:
        deadline = time.monotonic() + 5
        while not running_mediamonkey() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert running_mediamonkey() == ["MediaMonkey.exe"]
        with pytest.raises(SetupError, match=r"MediaMonkey is running \(MediaMonkey.exe\)"):
            check_closed(db, confirmed_closed=True)
    finally:
        fake.kill()
        fake.wait()
    check_closed(db, confirmed_closed=True)


def test_backup_names_sort_by_time() -> None:
    db = Path("MM5.DB")
    first = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    names = [backup_name(db, first + timedelta(microseconds=n * 999_999)) for n in range(12)]
    assert names == sorted(names) and names[0] == "MM5.DB.20260102T030405000006Z.bak"
