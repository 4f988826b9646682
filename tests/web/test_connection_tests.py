""" "Test connection" on the dashboard for the kinds that declare a check (Subsonic against the
emulator, Jellyfin against the recorded-contract fake): on the add form from what was typed,
nothing saved; on a saved library's page with its stored secret; HTMX fragments and whole
pages; errors in words; the secret never in a page."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from app.adapters.subsonic import connect
from app.bootstrap import Container
from app.domain.subsonic import SubsonicConnection
from app.services.subsonic.api import SubsonicApi
from tests.adapters.jellyfin_fake import FakeJellyfin, serving
from tests.subsonic_emulator import SubsonicEmulator, serve, transport
from tests.web.conftest import HTMX, location_id

PASSWORD = "typed-Subsonic-pw-7Qz"
API_KEY = "typed-OpenSubsonic-key-4Lm"
JELLYFIN_KEY = "typed-Jellyfin-key-9Rb"


@pytest.fixture
def subsonic() -> Iterator[tuple[SubsonicEmulator, str]]:
    emulator = SubsonicEmulator(token_auth=False)  # sends the password: auth "password"
    emulator.library.add_user("alice", PASSWORD, api_key=API_KEY)
    url, stop = serve(emulator)
    try:
        yield emulator, url
    finally:
        stop()


@pytest.fixture
def jellyfin() -> Iterator[tuple[FakeJellyfin, str]]:
    fake = FakeJellyfin(JELLYFIN_KEY)
    with serving(fake) as url:
        yield fake, url


def container_of(client: TestClient) -> Container:
    container: Container = client.app.state.container  # type: ignore[attr-defined]
    return container


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def no_secret(page: str) -> None:
    for secret in (PASSWORD, API_KEY, JELLYFIN_KEY):
        assert secret not in page


def test_subsonic_from_the_add_form_before_saving(
    app_client: TestClient, subsonic: tuple[SubsonicEmulator, str]
) -> None:
    emulator, url = subsonic
    form = {"kind": "subsonic", "name": "Navidrome", "base_url": url, "user": "alice",
            "password": PASSWORD, "real_paths": "false", "music_root": ""}  # fmt: skip
    fragment = app_client.post("/libraries/kinds/subsonic/test", data=form, headers=HTMX).text
    assert "<html" not in fragment and "Connected." in fragment
    assert "crossfade-emulator 0.1" in fragment and "1.16.1" in fragment
    assert "formPost, apiKeyAuthentication" in fragment
    assert "password (the server takes no token" in fragment  # the auth that worked
    assert "Warning" not in fragment  # loopback: no plain-HTTP warning
    assert "ping" in emulator.log
    no_secret(fragment)

    whole = app_client.post("/libraries/kinds/subsonic/test", data=form).text
    assert "<html" in whole and "crossfade-emulator 0.1" in whole
    assert f'value="{url}"' in whole and 'value="alice"' in whole  # the form as typed...
    no_secret(whole)  # ...but its secret is asked for again
    assert container_of(app_client).domains.libraries.libraries() == []  # nothing saved

    keyed = {**form, "user": "", "password": API_KEY}
    by_key = app_client.post("/libraries/kinds/subsonic/test", data=keyed, headers=HTMX).text
    assert "API key (OpenSubsonic)" in by_key
    no_secret(by_key)


def test_subsonic_failures_are_said_in_words(
    app_client: TestClient, subsonic: tuple[SubsonicEmulator, str]
) -> None:
    _, url = subsonic
    wrong = {"base_url": url, "user": "alice", "password": "not-it"}
    refused = app_client.post("/libraries/kinds/subsonic/test", data=wrong, headers=HTMX).text
    assert "The connection failed: the server refused the sign-in" in refused
    assert "Technical detail" in refused and "error 40" in refused
    assert "not-it" not in refused

    missing = app_client.post(
        "/libraries/kinds/subsonic/test", data={"base_url": url, "user": "alice"}, headers=HTMX
    ).text
    assert "needs a password or an API key" in missing
    bad_url = {"base_url": "nd.local", "user": "alice", "password": PASSWORD}
    invalid = app_client.post("/libraries/kinds/subsonic/test", data=bad_url, headers=HTMX).text
    assert "must start with http" in invalid
    away = {"base_url": closed_port_url(), "user": "alice", "password": PASSWORD}
    started = time.monotonic()
    unreachable = app_client.post("/libraries/kinds/subsonic/test", data=away, headers=HTMX)
    assert "nothing answered at that address" in unreachable.text
    assert time.monotonic() - started < 3  # tried once: no retries with backoff (3.5 s)
    no_secret(refused + missing + invalid + unreachable.text)


def test_the_plain_http_warning_is_shown(
    app_client: TestClient, subsonic: tuple[SubsonicEmulator, str]
) -> None:
    emulator, _ = subsonic
    container = container_of(app_client)

    def in_process(connection: SubsonicConnection, secret: str) -> SubsonicApi:
        return connect(connection, secret, http=transport(emulator))

    sides = replace(container.domains.sides, subsonic_client=in_process)
    container.domains = replace(container.domains, sides=sides)
    form = {"base_url": "http://music.lan:4533", "user": "alice", "password": PASSWORD}
    fragment = app_client.post("/libraries/kinds/subsonic/test", data=form, headers=HTMX).text
    assert "Connected." in fragment
    assert re.search(r"Warning:</strong> [^<]*plain HTTP", fragment), fragment
    no_secret(fragment)


def test_a_saved_subsonic_library_tests_its_stored_secret(
    app_client: TestClient, subsonic: tuple[SubsonicEmulator, str]
) -> None:
    _, url = subsonic
    form = {"kind": "subsonic", "name": "Navidrome", "base_url": url, "user": "alice",
            "password": PASSWORD, "real_paths": "false", "music_root": ""}  # fmt: skip
    added = app_client.post("/libraries", data=form, follow_redirects=False)
    assert added.status_code == 303, added.text
    library_id = location_id(added, r"/libraries/(\d+)")
    page = app_client.get(f"/libraries/{library_id}").text
    assert f'hx-get="/libraries/{library_id}/connection"' in page
    assert "Path diagnostic" not in page  # it samples a Plex server
    fragment = app_client.get(f"/libraries/{library_id}/connection", headers=HTMX).text
    assert "<html" not in fragment and "crossfade-emulator 0.1" in fragment
    whole = app_client.get(f"/libraries/{library_id}/connection").text
    assert "<html" in whole and "Settings" in whole and "crossfade-emulator 0.1" in whole
    no_secret(page + fragment + whole)

    changed = {"name": "Navidrome", "base_url": url, "user": "bob", "password": "",
               "real_paths": "false", "music_root": "", "starred": "off"}  # fmt: skip
    saved = app_client.post(f"/libraries/{library_id}", data=changed, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    refused = app_client.get(f"/libraries/{library_id}/connection", headers=HTMX).text
    assert "refused the sign-in" in refused  # bob is unknown; the stored secret was kept


def test_jellyfin_from_the_add_form_and_its_page(
    app_client: TestClient, jellyfin: tuple[FakeJellyfin, str]
) -> None:
    fake, url = jellyfin
    form = {"kind": "jellyfin", "name": "Jellyfin", "base_url": url, "api_key": JELLYFIN_KEY}
    fragment = app_client.post("/libraries/kinds/jellyfin/test", data=form, headers=HTMX).text
    assert "Connected." in fragment and "living-room" in fragment and "10.9.11" in fragment
    assert [call.path for call in fake.calls] == ["/System/Info"]
    assert container_of(app_client).domains.libraries.libraries() == []
    wrong = {**form, "api_key": "nope"}
    refused = app_client.post("/libraries/kinds/jellyfin/test", data=wrong, headers=HTMX).text
    assert "the server refused the sign-in" in refused
    away = {**form, "base_url": closed_port_url()}
    unreachable = app_client.post("/libraries/kinds/jellyfin/test", data=away, headers=HTMX).text
    assert "nothing answered at that address" in unreachable
    no_secret(fragment + refused + unreachable)

    added = app_client.post("/libraries", data=form, follow_redirects=False)
    assert added.status_code == 303, added.text
    library_id = location_id(added, r"/libraries/(\d+)")
    page = app_client.get(f"/libraries/{library_id}").text
    assert "Test connection" in page and "the stored secret (API key)" in page
    saved = app_client.get(f"/libraries/{library_id}/connection", headers=HTMX).text
    assert "living-room" in saved and "10.9.11" in saved
    no_secret(page + saved)


def test_only_the_kinds_with_a_check_offer_it(app_client: TestClient) -> None:
    page = app_client.get("/libraries").text
    assert 'formaction="/libraries/kinds/subsonic/test"' in page
    assert 'formaction="/libraries/kinds/jellyfin/test"' in page
    assert 'formaction="/libraries/plex/test"' in page  # Plex keeps its sections test
    assert "/libraries/kinds/music_folder/test" not in page
    assert "/libraries/kinds/mediamonkey/test" not in page
    form = {"root": "/srv/music"}
    answer = app_client.post("/libraries/kinds/music_folder/test", data=form, headers=HTMX)
    assert answer.status_code == 200 and "has no connection test" in answer.text
    unknown = app_client.post("/libraries/kinds/gopher/test", data=form, headers=HTMX)
    assert unknown.status_code == 422 and "unknown library kind" in unknown.text
    added = app_client.post(
        "/libraries", data={"kind": "music_folder", "name": "Files", "root": "/srv/music"},
        follow_redirects=False,
    )  # fmt: skip
    library_id = location_id(added, r"/libraries/(\d+)")
    assert "/connection" not in app_client.get(f"/libraries/{library_id}").text
    fragment = app_client.get(f"/libraries/{library_id}/connection", headers=HTMX).text
    assert "has no connection test" in fragment
