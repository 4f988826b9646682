"""The webhooks page: create an endpoint and see its URL once, rotate, disable, delete; add,
test and remove an outgoing webhook. Plain form posts, as without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.services.hook_support import JsonReceiver

URL = re.compile(r'value="(http://testserver/api/v1/hooks/(\w+)/([\w-]+))"')


def shown_url(html: str) -> tuple[str, str, str]:
    match = URL.search(html)
    assert match is not None, "no hook URL on the page"
    return match.group(1), match.group(2), match.group(3)


def make_link(client: TestClient, tmp_path: Path) -> int:
    ids = []
    for side in ("a", "b"):
        (tmp_path / side).mkdir()
        response = client.post(
            "/api/v1/libraries",
            json={"kind": "music_folder", "name": side, "config": {"root": str(tmp_path / side)}},
        )
        ids.append(response.json()["id"])
    response = client.post(
        "/api/v1/links", json={"kind": "ratings", "library_a_id": ids[0], "library_b_id": ids[1]}
    )
    link_id: int = response.json()["id"]
    return link_id


def test_creating_an_endpoint_shows_its_url_once(app_client: TestClient, tmp_path: Path) -> None:
    link = make_link(app_client, tmp_path)
    page = app_client.get("/webhooks")
    assert page.status_code == 200
    assert "Add an incoming webhook" in page.text and f"link {link} · ratings: a ⇄ b" in page.text
    one_way = app_client.patch(f"/api/v1/links/{link}", json={"direction": "a_to_b"})
    assert one_way.status_code == 200, one_way.text
    assert f"link {link} · ratings: a → b" in app_client.get("/webhooks").text
    app_client.patch(f"/api/v1/links/{link}", json={"direction": "both"})

    created = app_client.post(
        "/webhooks",
        data={"name": "Living room", "source": "plex", "link_ids": [str(link)]},
    )
    assert created.status_code == 201
    url, source, secret = shown_url(created.text)
    assert source == "plex" and "shown only this once" in created.text
    assert "Settings → Webhooks" in created.text

    listing = app_client.get("/webhooks")
    assert "Living room" in listing.text and secret not in listing.text
    assert app_client.post(url).status_code == 422  # the URL works: it wants a payload

    [endpoint] = app_client.get("/api/v1/webhooks").json()["items"]
    assert endpoint["link_ids"] == [link]
    detail = app_client.get(f"/webhooks/{endpoint['id']}")
    assert detail.status_code == 200 and "Recent calls" in detail.text
    assert "no multipart field" in detail.text and secret not in detail.text

    rotated = app_client.post(f"/webhooks/{endpoint['id']}/rotate")
    new_url, _, new_secret = shown_url(rotated.text)
    assert new_secret != secret and "old URL no longer works" in rotated.text
    assert app_client.post(url).status_code == 404

    empty = app_client.post(f"/webhooks/{endpoint['id']}/enabled", data={})
    assert empty.status_code == 422  # not a silent "disable"
    assert app_client.get("/api/v1/webhooks").json()["items"][0]["enabled"] is True
    disabled = app_client.post(
        f"/webhooks/{endpoint['id']}/enabled", data={"enabled": "false"}, follow_redirects=False
    )
    assert disabled.status_code == 303 and disabled.headers["location"].endswith("disabled")
    assert app_client.post(new_url).status_code == 404
    deleted = app_client.post(f"/webhooks/{endpoint['id']}/delete", follow_redirects=False)
    assert deleted.status_code == 303
    assert app_client.get("/api/v1/webhooks").json()["items"] == []


def test_a_bad_endpoint_is_shown_again_with_the_problem(app_client: TestClient) -> None:
    response = app_client.post(
        "/webhooks",
        data={"name": "Radarr", "source": "radarr", "path_mappings": "no equals sign"},
    )
    assert response.status_code == 422
    assert "is not ARR_PREFIX=LOCAL_PREFIX" in response.text
    assert 'value="Radarr"' in response.text


def test_outgoing_webhooks_on_the_page(app_client: TestClient) -> None:
    with JsonReceiver() as receiver:
        added = app_client.post(
            "/webhooks/outgoing/new",
            data={
                "name": "ntfy",
                "url": receiver.url("/topic-secret"),
                "events": ["job_failed", "conflicts_pending"],
            },
            follow_redirects=False,
        )
        assert added.status_code == 303
        page = app_client.get("/webhooks")
        assert "ntfy" in page.text and "topic-secret" not in page.text
        assert f"{receiver.base_url}/…" in page.text
        [hook] = app_client.get("/api/v1/webhooks/outgoing").json()["items"]
        assert hook["events"] == ["job_failed", "conflicts_pending"]

        tested = app_client.post(f"/webhooks/outgoing/{hook['id']}/test")
        assert tested.status_code == 200 and "Test sent to &#39;ntfy&#39;: 200." in tested.text
        assert receiver.events() == ["test"]

    failed = app_client.post(f"/webhooks/outgoing/{hook['id']}/test")
    assert "failed" in failed.text and "topic-secret" not in failed.text

    bad = app_client.post(
        "/webhooks/outgoing/new", data={"name": "x", "url": "ftp://x", "events": ["job_failed"]}
    )
    assert bad.status_code == 422 and "http://" in bad.text
    app_client.post(f"/webhooks/outgoing/{hook['id']}/enabled", data={"enabled": "false"})
    assert app_client.get("/api/v1/webhooks/outgoing").json()["items"][0]["enabled"] is False
    app_client.post(f"/webhooks/outgoing/{hook['id']}/delete")
    assert app_client.get("/api/v1/webhooks/outgoing").json()["items"] == []


def test_the_page_needs_a_session(app_client: TestClient) -> None:
    anonymous = TestClient(app_client.app)
    response = anonymous.get("/webhooks", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    refused = anonymous.post(
        "/webhooks", data={"name": "x", "source": "plex"}, follow_redirects=False
    )
    assert refused.status_code in (303, 401, 403)
    assert app_client.get("/api/v1/webhooks").json()["items"] == []
