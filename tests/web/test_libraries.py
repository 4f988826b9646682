"""Libraries pages: test a Plex connection, add libraries, path mappings and the diagnostic."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.web.conftest import HTMX, PLEX_ROOT, DashboardWorld


def test_test_connection_lists_music_and_movie_sections_as_a_fragment(
    world: DashboardWorld,
) -> None:
    response = world.client.post(
        "/libraries/plex/test",
        data={"base_url": world.emulator.url, "token": world.emulator.owner_token},
        headers=HTMX,
    )
    assert response.status_code == 200
    fragment = response.text
    assert "<html" not in fragment
    assert "Connected." in fragment
    assert f'name="section_ids" value="{world.section_id}"' in fragment
    assert PLEX_ROOT in fragment
    assert world.emulator.owner_token not in fragment


def test_test_connection_without_javascript_renders_the_whole_page(
    world: DashboardWorld,
) -> None:
    response = world.client.post(
        "/libraries/plex/test",
        data={"base_url": world.emulator.url, "token": world.emulator.owner_token, "name": "P"},
    )
    assert response.status_code == 200
    assert "<h1>Libraries</h1>" in response.text
    assert f'name="section_ids" value="{world.section_id}"' in response.text


def test_a_refused_token_is_a_message_not_an_error_page(world: DashboardWorld) -> None:
    response = world.client.post(
        "/libraries/plex/test",
        data={"base_url": world.emulator.url, "token": "wrong-token"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Could not use this server" in response.text
    assert "Connected." not in response.text


def test_a_bad_url_is_refused_before_any_request(app_client: TestClient) -> None:
    response = app_client.post(
        "/libraries/plex/test", data={"base_url": "ftp://x", "token": "t"}, headers=HTMX
    )
    assert "must start with http" in response.text


def test_adding_libraries_shows_them_with_their_kind(world: DashboardWorld) -> None:
    plex_id = world.add_plex(mapped=False)
    folder_id = world.add_folder()
    movies = world.client.post(
        "/libraries",
        data={"kind": "movie_folder", "name": "Films", "root": "/srv/films", "layout": "plex"},
        follow_redirects=False,
    )
    assert movies.status_code == 303
    page = world.client.get("/libraries").text
    for library_id, name in ((plex_id, "Plex"), (folder_id, "Files")):
        assert f'<a href="/libraries/{library_id}">{name}</a>' in page
    assert "Films" in page
    assert "Movie folder" in page
    assert world.emulator.owner_token not in page
    detail = world.client.get(f"/libraries/{plex_id}").text
    assert world.emulator.owner_token not in detail
    assert "Path diagnostic" in detail


def test_an_invalid_folder_is_shown_with_the_form_kept(app_client: TestClient) -> None:
    response = app_client.post(
        "/libraries",
        data={"kind": "music_folder", "name": "Relative", "root": "music"},
    )
    assert response.status_code == 422
    assert "absolute" in response.text
    assert 'value="Relative"' in response.text


def test_a_duplicate_name_is_a_message(world: DashboardWorld) -> None:
    world.add_folder(name="Same")
    response = world.client.post(
        "/libraries", data={"kind": "music_folder", "name": "Same", "root": "/srv/other"}
    )
    assert response.status_code == 422
    assert "exists already" in response.text


def test_diagnostic_proposes_a_mapping_that_one_click_applies(world: DashboardWorld) -> None:
    library_id = world.add_plex(mapped=False)
    check = world.client.get(
        f"/libraries/{library_id}/check",
        params={"roots": str(world.music), "sample": 10},
        headers=HTMX,
    )
    assert check.status_code == 200
    fragment = check.text
    assert re.search(r"<strong[^>]*>0 of 6</strong> sampled files found here", fragment)
    assert "Apply this mapping" in fragment
    assert "6 of 6</strong> missing files resolve" in fragment
    prefixes = dict(re.findall(r'name="(plex_prefix|local_prefix)" value="([^"]+)"', fragment))
    # The proposal may map a shorter common prefix (/data -> the music folder's parent).
    assert PLEX_ROOT.startswith(prefixes["plex_prefix"])
    assert prefixes["local_prefix"] + PLEX_ROOT[len(prefixes["plex_prefix"]) :] == str(world.music)

    applied = world.client.post(
        f"/libraries/{library_id}/mappings",
        data={**prefixes, "apply": "true"},
        follow_redirects=False,
    )
    assert applied.status_code == 303
    assert "notice=mapping-applied" in applied.headers["location"]
    mappings = world.container.domains.libraries.repository.library(library_id).path_mappings
    assert mappings == ((prefixes["plex_prefix"], prefixes["local_prefix"]),)

    again = world.client.get(
        f"/libraries/{library_id}/check", params={"roots": str(world.music)}, headers=HTMX
    ).text
    assert re.search(r"<strong[^>]*>6 of 6</strong> sampled files found here", again)
    assert "all found" in again


def test_diagnostic_without_javascript_is_the_library_page(world: DashboardWorld) -> None:
    library_id = world.add_plex(mapped=False)
    page = world.client.get(f"/libraries/{library_id}/check", params={"roots": ""}).text
    assert "<h1>Plex" in page
    assert "Give the local folder that holds these files" in page


def test_diagnostic_roots_default_to_the_linked_folder(world: DashboardWorld) -> None:
    world.linked()
    page = world.client.get("/libraries/1").text
    assert f">{world.music}</textarea>" in page


def test_mappings_are_added_and_removed(world: DashboardWorld, tmp_path: Path) -> None:
    library_id = world.add_plex(mapped=False)
    for plex_prefix in ("/a", "/b"):
        world.client.post(
            f"/libraries/{library_id}/mappings",
            data={"plex_prefix": plex_prefix, "local_prefix": str(tmp_path)},
        )
    removed = world.client.post(
        f"/libraries/{library_id}/mappings", data={"remove": "0"}, follow_redirects=False
    )
    assert "notice=mapping-removed" in removed.headers["location"]
    repository = world.container.domains.libraries.repository
    assert repository.library(library_id).path_mappings == (("/b", str(tmp_path)),)


def test_settings_are_saved_and_the_token_kept_when_left_empty(world: DashboardWorld) -> None:
    library_id = world.add_plex(mapped=False)
    saved = world.client.post(
        f"/libraries/{library_id}",
        data={
            "name": "Renamed",
            "base_url": world.emulator.url,
            "section_ids": str(world.section_id),
            "account": "me",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    repository = world.container.domains.libraries.repository
    record = repository.library(library_id)
    assert (record.name, record.config["account"]) == ("Renamed", "me")
    assert repository.secret(library_id) == world.emulator.owner_token


def test_a_library_in_use_cannot_be_deleted_but_a_free_one_can(world: DashboardWorld) -> None:
    world.linked()
    refused = world.client.post("/libraries/1/delete")
    assert refused.status_code == 409
    assert "delete it first" in refused.text
    spare = world.add_folder(name="Spare")
    deleted = world.client.post(f"/libraries/{spare}/delete", follow_redirects=False)
    assert deleted.headers["location"] == "/libraries?notice=deleted"
    assert "Spare" not in world.client.get("/libraries").text
