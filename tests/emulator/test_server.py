"""HTTP behaviour of the emulator that plexapi does not exercise (docs/PLEX.md §9.2, §9.3)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from plex_emulator.knobs import Fault, Knobs
from plex_emulator.server import EmulatorServer
from tests.emulator.support import BOB_TOKEN, OWNER_TOKEN, synthetic_emulator

OWNER = {"X-Plex-Token": OWNER_TOKEN}


@pytest.fixture
def http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url, headers=OWNER) as client:
        yield client


def test_unauthorized_has_the_pms_html_body(emulator: EmulatorServer) -> None:
    for token in (None, "wrong"):
        headers = {"X-Plex-Token": token} if token else {}
        response = httpx.get(f"{emulator.url}/library/sections", headers=headers)
        assert response.status_code == 401
        assert response.text == (
            "<html><head><title>Unauthorized</title></head>"
            "<body><h1>401 Unauthorized</h1></body></html>"
        )


def test_identity_needs_no_token(emulator: EmulatorServer) -> None:
    response = httpx.get(f"{emulator.url}/identity")
    assert response.status_code == 200
    assert emulator.state.machine_identifier in response.text


def test_token_in_the_query_string(emulator: EmulatorServer) -> None:
    response = httpx.get(f"{emulator.url}/library/sections?X-Plex-Token={OWNER_TOKEN}")
    assert response.status_code == 200


def test_xml_is_utf8_with_charset(http: httpx.Client) -> None:
    response = http.get("/library/sections/1/all", params={"type": "10"})
    assert response.headers["content-type"] == "text/xml;charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert "Café &amp; Crema" in response.text
    assert "Zweite &quot;Seite&quot;" in response.text
    assert "Zweite &lt;Seite&gt;.ogg" in response.text


def test_catch_all_is_404_html(http: httpx.Client) -> None:
    response = http.get("/transcode/universal/start")
    assert response.status_code == 404
    assert "<h1>404 Not Found</h1>" in response.text
    assert http.post("/library/sections").status_code == 405


def test_malformed_requests_are_400(http: httpx.Client) -> None:
    assert http.get("/library/sections/1/all?title=%FF").status_code == 400
    assert http.get("/library/sections/1/all?type=ten").status_code == 400
    assert http.get("/library/sections/1/all?sort=mood").status_code == 400
    assert http.get("/library/sections/x/all").status_code == 404
    assert (
        http.get("/library/sections/1/all", headers={"X-Plex-Container-Size": "-1"}).status_code
        == 400
    )


def test_owner_only_endpoints(emulator: EmulatorServer) -> None:
    bob = {"X-Plex-Token": BOB_TOKEN}
    assert httpx.get(f"{emulator.url}/library", headers=bob).status_code == 401
    assert httpx.get(f"{emulator.url}/accounts", headers=bob).status_code == 403
    refresh = f"{emulator.url}/library/sections/1/refresh"
    assert httpx.get(refresh, headers=bob).status_code == 403
    upload = f"{emulator.url}/playlists/upload?sectionID=1&path=/x.m3u"
    assert httpx.post(upload, headers=bob).status_code == 403
    assert httpx.get(f"{emulator.url}/__emu/log", headers=bob).status_code == 403


@pytest.fixture(scope="module")
def synthetic() -> Iterator[EmulatorServer]:
    with synthetic_emulator(2500) as server:
        yield server


def _page(server: EmulatorServer, start: int | None, size: int | None, *, query: bool = False):
    paging = {}
    if start is not None:
        paging["X-Plex-Container-Start"] = str(start)
    if size is not None:
        paging["X-Plex-Container-Size"] = str(size)
    params = {"type": "10", **(paging if query else {})}
    headers = {**OWNER, **({} if query else paging)}
    return httpx.get(f"{server.url}/library/sections/1/all", params=params, headers=headers)


@pytest.mark.parametrize("query", [False, True])
def test_pages_from_headers_or_query(synthetic: EmulatorServer, query: bool) -> None:
    response = _page(synthetic, 2400, 1000, query=query)
    assert 'size="100" totalSize="2500" offset="2400"' in response.text
    assert response.text.count("<Track ") == 100
    assert response.headers["X-Plex-Container-Total-Size"] == "2500"
    assert response.headers["X-Plex-Container-Start"] == "2400"


def test_page_size_zero_and_past_the_end(synthetic: EmulatorServer) -> None:
    empty = _page(synthetic, 0, 0)
    assert 'size="0" totalSize="2500"' in empty.text
    assert "<Track" not in empty.text
    past = _page(synthetic, 9999, 10)
    assert 'size="0" totalSize="2500"' in past.text


def test_stable_order_across_pages(synthetic: EmulatorServer) -> None:
    keys = []
    for start in range(0, 2500, 700):
        keys.extend(
            int(part.split('"')[0])
            for part in _page(synthetic, start, 700).text.split('<Track ratingKey="')[1:]
        )
    assert keys == sorted(keys)
    assert len(set(keys)) == 2500


def test_page_cap_and_size_limits(synthetic: EmulatorServer) -> None:
    synthetic.knobs.page_cap = 1000
    try:
        assert _page(synthetic, 0, 2000).text.count("<Track ") == 1000
    finally:
        synthetic.knobs.page_cap = None
    synthetic.knobs.require_container_size = True
    synthetic.knobs.max_container_size = 1000
    synthetic.knobs.over_max = "reject"
    try:
        assert _page(synthetic, 0, None).status_code == 400
        assert _page(synthetic, 0, 1001).status_code == 400
        assert _page(synthetic, 0, 1000).status_code == 200
    finally:
        synthetic.knobs.require_container_size = False
        synthetic.knobs.max_container_size = None
        synthetic.knobs.over_max = "serve"
    assert _page(synthetic, None, None).text.count("<Track ") == 2500


def test_injected_faults(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.knobs.add_fault(Fault(r"^/library/sections$", status=500, times=1))
    assert http.get("/library/sections").status_code == 500
    assert http.get("/library/sections").status_code == 200
    emulator.knobs.add_fault(Fault(r"^/library/sections$", drop=True, times=1))
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/library/sections")
    assert http.get("/library/sections").status_code == 200
    emulator.knobs.add_fault(Fault(r"^/identity$", delay_s=0.2, times=1))
    started = time.monotonic()
    http.get("/identity")
    assert time.monotonic() - started >= 0.2


def test_request_log_redacts_tokens(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.log.clear()
    http.get(f"/library/sections?X-Plex-Token={OWNER_TOKEN}")
    httpx.get(f"{emulator.url}/library/sections", headers={"X-Plex-Token": "guess"})
    owner_entry, stranger_entry = emulator.log.entries()
    assert owner_entry.account == "owner" and owner_entry.status == 200
    assert stranger_entry.account is None and stranger_entry.status == 401
    text = repr(emulator.log.entries()) + http.get("/__emu/log").text
    assert OWNER_TOKEN not in text and "guess" not in text


def test_gzip_when_asked(http: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.knobs.gzip = True
    raw = httpx.get(
        f"{emulator.url}/library/sections/1/all?type=10",
        headers={**OWNER, "Accept-Encoding": "gzip"},
    )
    assert raw.headers["content-encoding"] == "gzip"
    assert "<Track" in raw.text
    assert raw.num_bytes_downloaded < len(raw.content)


def test_knobs_and_webhooks_over_http(http: httpx.Client, emulator: EmulatorServer) -> None:
    shown = http.put("/__emu/knobs", json={"page_cap": 2, "latency_s": 0}).json()
    assert shown["page_cap"] == 2
    assert emulator.knobs.page_cap == 2
    assert http.put("/__emu/knobs", json={"nope": 1}).status_code == 400
    hooks = http.post("/__emu/webhooks", json={"url": "http://127.0.0.1:9/x"}).json()
    assert hooks == [{"url": "http://127.0.0.1:9/x", "account_id": None}]


def test_metadata_detail_and_children(http: httpx.Client, emulator: EmulatorServer) -> None:
    listing = http.get("/library/sections/1/all", params={"type": "10"}).text
    key = listing.split('<Track ratingKey="')[1].split('"')[0]
    detail = http.get(f"/library/metadata/{key}").text
    assert '<Part accessible="1" exists="1"' in detail
    assert "<Stream " in detail
    assert 'librarySectionID="1"' in detail
    assert http.get(f"/library/metadata/{key},999999").status_code == 404
    bob = {"X-Plex-Token": BOB_TOKEN}
    emulator.state.share("bob", [])
    assert httpx.get(f"{emulator.url}/library/metadata/{key}", headers=bob).status_code == 404


def test_concurrent_clients(synthetic: EmulatorServer) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for start in range(0, 2500, 500):
                assert _page(synthetic, start, 500).status_code == 200
        except BaseException as exc:  # collected for the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_stop_closes_keep_alive_connections(audio_library: Path) -> None:
    from plex_emulator.builder import Folder
    from tests.emulator.support import running_emulator

    with running_emulator(music=[Folder(str(audio_library))], knobs=Knobs()) as server:
        client = httpx.Client(base_url=server.url, headers=OWNER)
        assert client.get("/identity").status_code == 200
        url = server.url
    with pytest.raises(httpx.TransportError):
        client.get("/identity")
    client.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/identity")
