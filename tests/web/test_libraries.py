"""Libraries pages: test a Plex connection, add libraries, path mappings and the diagnostic.

Each test walks one area end to end (an app per test costs about a second)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.conftest import HTMX, PLEX_ROOT, DashboardWorld


def test_test_connection_with_and_without_javascript(world: DashboardWorld) -> None:
    form = {"base_url": world.emulator.url, "token": world.emulator.owner_token, "name": "P"}
    fragment = world.client.post("/libraries/plex/test", data=form, headers=HTMX).text
    assert "<html" not in fragment
    assert "Connected." in fragment
    assert f'name="section_ids" value="{world.section_id}"' in fragment
    assert PLEX_ROOT in fragment
    assert world.emulator.owner_token not in fragment

    page = world.client.post("/libraries/plex/test", data=form)
    assert page.status_code == 200
    assert "<h1>Libraries</h1>" in page.text
    assert f'name="section_ids" value="{world.section_id}"' in page.text

    refused = world.client.post(
        "/libraries/plex/test", data={**form, "token": "wrong-token"}, headers=HTMX
    )
    assert refused.status_code == 200
    assert "Could not use this server" in refused.text
    assert "Connected." not in refused.text
    bad_url = world.client.post(
        "/libraries/plex/test", data={"base_url": "ftp://x", "token": "t"}, headers=HTMX
    )
    assert "must start with http" in bad_url.text
    # an unknown host: said in words, the technical text folded beneath
    unknown = world.client.post(
        "/libraries/plex/test",
        data={"base_url": "http://nonexistent.invalid:32400", "token": "t"},
        headers=HTMX,
    ).text
    assert "Could not use this server: the server name could not be resolved" in unknown
    assert '<details class="technical"><summary>Technical detail</summary>' in unknown
    assert "gaierror" in unknown.split("Technical detail")[1]


def test_adding_libraries_and_refusing_bad_ones(world: DashboardWorld) -> None:
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
    assert "Films" in page and "Movie folder" in page
    assert world.emulator.owner_token not in page
    detail = world.client.get(f"/libraries/{plex_id}").text
    assert world.emulator.owner_token not in detail
    assert "Path diagnostic" in detail

    relative = world.client.post(
        "/libraries", data={"kind": "music_folder", "name": "Relative", "root": "music"}
    )
    assert relative.status_code == 422
    assert "absolute" in relative.text
    assert 'value="Relative"' in relative.text  # the form keeps what was typed
    duplicate = world.client.post(
        "/libraries", data={"kind": "music_folder", "name": "Files", "root": "/srv/other"}
    )
    assert duplicate.status_code == 422
    assert "exists already" in duplicate.text


def test_diagnostic_proposes_a_mapping_that_one_click_applies(world: DashboardWorld) -> None:
    library_id = world.add_plex(mapped=False)
    no_roots = world.client.get(f"/libraries/{library_id}/check", params={"roots": ""}).text
    assert "<h1>Plex" in no_roots  # without JavaScript: the whole library page
    assert "Give the local folder that holds these files" in no_roots

    check = world.client.get(
        f"/libraries/{library_id}/check",
        params={"roots": str(world.music), "sample": 10},
        headers=HTMX,
    )
    assert check.status_code == 200
    fragment = check.text
    assert re.search(r"<strong[^>]*>0 of 6</strong> sampled files found here", fragment)
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

    world.add_link(library_id, world.add_folder())
    page = world.client.get(f"/libraries/{library_id}").text
    assert f">{world.music}</textarea>" in page  # roots default to the linked folder


@pytest.mark.parametrize("roots", ["/srv/mu\x00sic", "music"])
def test_diagnostic_refuses_a_folder_that_is_not_a_path(world: DashboardWorld, roots: str) -> None:
    library_id = world.add_plex(mapped=False)
    check = world.client.get(
        f"/libraries/{library_id}/check", params={"roots": roots}, headers=HTMX
    )
    assert check.status_code == 422
    assert "folder to search" in check.text


def test_mappings_settings_and_delete(world: DashboardWorld, tmp_path: Path) -> None:
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

    bad = world.client.post(
        f"/libraries/{library_id}",
        data={
            "name": "P",
            "base_url": world.emulator.url,
            "section_ids": "music",
            "account": "",
            "token": "",
        },
    )
    assert bad.status_code == 422
    assert "positive numbers" in bad.text
    saved = world.client.post(
        f"/libraries/{library_id}",
        data={
            "name": "Renamed",
            "base_url": world.emulator.url,
            "section_ids": str(world.section_id),
            "account": "me",
            "token": "",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    record = repository.library(library_id)
    assert (record.name, record.config["account"]) == ("Renamed", "me")
    assert repository.secret(library_id) == world.emulator.owner_token  # empty keeps it

    world.add_link(library_id, world.add_folder())
    refused = world.client.post(f"/libraries/{library_id}/delete")
    assert refused.status_code == 409
    assert "delete it first" in refused.text
    spare = world.add_folder(name="Spare")
    deleted = world.client.post(f"/libraries/{spare}/delete", follow_redirects=False)
    assert deleted.headers["location"] == "/libraries?notice=deleted"
    assert "Spare" not in world.client.get("/libraries").text


def test_incomplete_settings_and_mapping_forms_are_422_and_change_nothing(
    world: DashboardWorld,
) -> None:
    plex_id, folder_id = world.add_plex(), world.add_folder()
    repository = world.container.domains.libraries.repository
    before = {library_id: repository.library(library_id) for library_id in (plex_id, folder_id)}
    folder_form = {
        "name": "Files",
        "root": str(world.music),
        "write_profile": "musicbee",
        "read_policy": "priority",
        "playlist_dir": "",
        "write_mode": "",
        "popm_email": "",
        "read_priority": "",
        "pinned_scale": "",
    }
    attempts = [
        (plex_id, {}),
        (plex_id, {"name": "P", "base_url": world.emulator.url}),
        (folder_id, {}),
        (folder_id, {k: v for k, v in folder_form.items() if k != "write_profile"}),
        (folder_id, {k: v for k, v in folder_form.items() if k != "playlist_dir"}),
    ]
    for library_id, data in attempts:
        response = world.client.post(f"/libraries/{library_id}", data=data)
        assert response.status_code == 422, data
        assert "Field required" in response.text
    empty_mapping = world.client.post(f"/libraries/{plex_id}/mappings", data={})
    assert empty_mapping.status_code == 422
    for library_id, record in before.items():
        assert repository.library(library_id) == record
    whole = world.client.post(
        f"/libraries/{folder_id}", data={**folder_form, "name": "Renamed"}, follow_redirects=False
    )
    assert whole.status_code == 303
    assert repository.library(folder_id).name == "Renamed"
