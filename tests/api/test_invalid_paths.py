"""A path with a NUL byte, or a relative one where an absolute one is needed, is a 422 problem
(API) or a form error (pages) everywhere a path comes in, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

NUL = "\x00"


def assert_422_problem(response: Any, *words: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    for word in words:
        assert word in response.text


def movie_library(client: TestClient, name: str, root: Path) -> int:
    created = client.post(
        "/api/v1/libraries",
        json={"kind": "movie_folder", "name": name, "config": {"root": str(root)}},
    )
    assert created.status_code == 201, created.text
    library_id: int = created.json()["id"]
    return library_id


@pytest.mark.parametrize(
    ("source", "target", "word"),
    [
        ("/movies/a" + NUL + "b", "/movies/t", "NUL"),
        ("/movies/s", "/etc" + NUL, "NUL"),
        ("movies/s", "/movies/t", "absolute"),
        ("/movies/s", "", "empty"),
    ],
)
def test_diffs(app_client: TestClient, source: str, target: str, word: str) -> None:
    response = app_client.post("/api/v1/diffs", json={"source": source, "target": target})
    assert_422_problem(response, word)


@pytest.mark.parametrize(
    ("config", "word"),
    [
        ({"root": "/music" + NUL}, "NUL"),
        ({"root": "music"}, "absolute"),
        ({"root": "/music", "playlist_dir": "/lists" + NUL}, "NUL"),
        ({"root": "/music", "playlist_dir": "lists"}, "absolute"),
    ],
)
def test_library_roots(app_client: TestClient, config: dict[str, str], word: str) -> None:
    response = app_client.post(
        "/api/v1/libraries", json={"kind": "music_folder", "name": "m", "config": config}
    )
    assert_422_problem(response, word)


@pytest.mark.parametrize(
    ("mapping", "word"),
    [
        ({"plex_prefix": "/data" + NUL, "local_prefix": "/music"}, "NUL"),
        ({"plex_prefix": "/data", "local_prefix": "/music" + NUL}, "NUL"),
        ({"plex_prefix": "/data", "local_prefix": "music"}, "absolute"),
    ],
)
def test_path_mappings(
    app_client: TestClient, tmp_path: Path, mapping: dict[str, str], word: str
) -> None:
    body = {
        "kind": "plex_music",
        "name": "p",
        "config": {"base_url": "http://127.0.0.1:9", "section_ids": [1]},
        "path_mappings": [mapping],
    }
    assert_422_problem(app_client.post("/api/v1/libraries", json=body), word)
    library_id = movie_library(app_client, "movies", tmp_path)
    patched = app_client.patch(f"/api/v1/libraries/{library_id}", json={"path_mappings": [mapping]})
    assert_422_problem(patched, word)


def test_mirror_library_root_update(app_client: TestClient, tmp_path: Path) -> None:
    library_id = movie_library(app_client, "movies", tmp_path)
    patched = app_client.patch(
        f"/api/v1/libraries/{library_id}", json={"config": {"root": str(tmp_path) + NUL}}
    )
    assert_422_problem(patched, "NUL")


@pytest.mark.parametrize("mapping", ["/movies=/data" + NUL, "/mo" + NUL + "vies=/data", "/m=data"])
def test_arr_webhook_mappings(app_client: TestClient, mapping: str) -> None:
    response = app_client.post(
        "/api/v1/webhooks",
        json={"name": "radarr", "source": "radarr", "options": {"path_mappings": [mapping]}},
    )
    assert response.status_code == 422, response.text


def test_forms_show_the_error(app_client: TestClient, tmp_path: Path) -> None:
    added = app_client.post(
        "/libraries", data={"kind": "music_folder", "name": "m", "root": "/mu" + NUL + "sic"}
    )
    assert added.status_code == 422
    assert "NUL byte" in added.text
    assert added.headers["content-type"].startswith("text/html")
    relative = app_client.post(
        "/libraries", data={"kind": "music_folder", "name": "m", "root": "music"}
    )
    assert relative.status_code == 422
    assert "not an absolute path" in relative.text
    plex = app_client.post(
        "/api/v1/libraries",
        json={
            "kind": "plex_music",
            "name": "p",
            "config": {"base_url": "http://127.0.0.1:9", "section_ids": [1]},
            "token": "not-checked-at-creation",
        },
    )
    assert plex.status_code == 201, plex.text
    library_id = plex.json()["id"]
    mapping = app_client.post(
        f"/libraries/{library_id}/mappings",
        data={"plex_prefix": "/data", "local_prefix": "/x" + NUL},
    )
    assert mapping.status_code == 422
    assert "NUL byte" in mapping.text
