"""``crossfade mirror jellyfin-check``: against the recorded-contract fake on a loopback server;
the key comes from the environment and never shows."""

from __future__ import annotations

import pytest

from tests.adapters.jellyfin_fake import FakeJellyfin, serving
from tests.cli.test_mirror_cli import mirror


def test_jellyfin_check_tests_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeJellyfin("secret-key")
    with serving(fake) as url:
        monkeypatch.setenv("CROSSFADE_JELLYFIN_API_KEY", "secret-key")
        done = mirror("jellyfin-check", url)
        assert done.returncode == 0, done.stderr
        assert done.stdout.decode() == "Connected: living-room (Jellyfin 10.9.11)\n"
        monkeypatch.setenv("CROSSFADE_JELLYFIN_API_KEY", "wrong")
        refused = mirror("jellyfin-check", url)
    assert refused.returncode == 1
    assert "API key was refused" in refused.stderr.decode()
    assert "wrong" not in refused.stderr.decode()
