"""Links pages: create, edit, preview (a dry run as a table of planned changes), run, undo."""

from __future__ import annotations

import re

from tests.web.conftest import FIRST, HTMX, SECOND, DashboardWorld


def job_of(location: str) -> int:
    return int(re.findall(r"/jobs/(\d+)", location)[0])


def test_create_edit_and_refuse_bad_links(world: DashboardWorld) -> None:
    plex_id, folder_id = world.add_plex(), world.add_folder()
    link_id = world.add_link(
        plex_id, folder_id, policy="highest", direction="a_to_b", schedule="30 4 * * *"
    )
    link = world.container.domains.libraries.repository.link(link_id)
    assert (link.policy, link.direction, link.schedule) == ("highest", "a_to_b", "30 4 * * *")
    listing = world.client.get("/links").text
    assert "Plex → Files" in listing
    assert '<code class="cron">30 4 * * *</code>' in listing
    assert re.search(r"next \d{4}-\d\d-\d\d 04:30\b", listing)  # in the server's zone

    saved = world.client.post(
        f"/links/{link_id}",
        data={"direction": "both", "policy": "ask", "schedule": "", "enabled": ["off", "on"]},
        follow_redirects=False,
    )
    assert saved.headers["location"] == f"/links/{link_id}?notice=saved"
    link = world.container.domains.libraries.repository.link(link_id)
    assert (link.policy, link.direction, link.schedule, link.enabled) == ("ask", "both", None, True)
    page = world.client.get(saved.headers["location"]).text
    assert "Changes saved." in page and "Plex ⇄ Files" in page

    bad = world.client.post(
        "/links",
        data={"library_a_id": plex_id, "library_b_id": folder_id, "schedule": "every day"},
    )
    assert bad.status_code == 422
    assert "five-field cron" in bad.text
    assert 'value="every day"' in bad.text
    same = world.client.post("/links", data={"library_a_id": plex_id, "library_b_id": plex_id})
    assert same.status_code == 422
    assert "two different libraries" in same.text
    edit = world.client.post(
        f"/links/{link_id}",
        data={"direction": "both", "policy": "ask", "schedule": "61 * * * *", "enabled": "off"},
    )
    assert edit.status_code == 422
    assert "five-field cron" in edit.text


def test_the_link_form_follows_the_kind_and_errors_say_where_to_go(
    world: DashboardWorld,
) -> None:
    plex_id, folder_id = world.add_plex(), world.add_folder()
    form = world.client.get("/links").text.split("data-kind-form>")[1].split("</form>")[0]
    # each library says which link kinds it can join, on which side (the kind registry's joins)
    assert f'<option value="{plex_id}" data-kinds="ratings playlists"' in form
    assert re.search(rf'<option value="{folder_id}" data-kinds="ratings playlists"', form)
    # a policy only for the kinds it applies to; the first-run choice only for ratings
    assert 'value="highest" data-kinds="ratings"' in form
    assert 'value="ask" data-kinds="ratings playlists"' in form
    assert '<label class="field" data-for-kinds="ratings" ><span>First run' in form

    # the playlists form, as the server renders it after an error: fields of that kind only
    refused = world.client.post(
        "/links", data={"kind": "playlists", "library_a_id": plex_id, "library_b_id": folder_id}
    )
    assert refused.status_code == 422
    assert "needs a playlist folder" in refused.text
    # ... with the page to go to
    assert f'<a href="/libraries/{folder_id}">Set a playlist folder on library B' in refused.text
    again = refused.text.split("data-kind-form>")[1].split("</form>")[0]
    assert 'data-for-kinds="ratings" hidden><span>First run' in again
    assert 'value="highest" data-kinds="ratings" disabled' in again

    mirror = world.client.post(
        "/links", data={"kind": "mirror", "library_a_id": plex_id, "library_b_id": folder_id}
    )
    assert "joins two movie folders" in mirror.text
    assert '<a href="/libraries">See which libraries you have' in mirror.text


def test_an_empty_or_truncated_edit_is_422_and_changes_nothing(world: DashboardWorld) -> None:
    link_id = world.add_link(
        world.add_plex(),
        world.add_folder(),
        policy="highest",
        direction="a_to_b",
        schedule="0 3 * * *",
    )
    repository = world.container.domains.libraries.repository
    before = repository.link(link_id)
    assert before.enabled
    full = {"direction": "b_to_a", "policy": "lowest", "schedule": "", "enabled": "off"}
    for missing in [*full, "everything"]:
        data = {
            name: value
            for name, value in full.items()
            if name != missing and missing != "everything"
        }
        response = world.client.post(f"/links/{link_id}", data=data, follow_redirects=False)
        assert response.status_code == 422, missing
        assert "Field required" in response.text
        assert repository.link(link_id) == before, missing

    unticked = world.client.post(f"/links/{link_id}", data=full, follow_redirects=False)
    assert unticked.status_code == 303
    after = repository.link(link_id)
    assert (after.direction, after.policy, after.schedule, after.enabled) == (
        "b_to_a",
        "lowest",
        None,
        False,
    )
    page = world.client.get(f"/links/{link_id}").text
    assert '<input type="hidden" name="enabled" value="off">' in page
    assert 'name="enabled" value="on" >' in page  # shown unticked now


def test_preview_shows_planned_changes_and_writes_nothing(world: DashboardWorld) -> None:
    link_id = world.linked()
    world.plex.rate(world.key(FIRST), 8)
    world.plex.rate(world.key(SECOND), 5)
    before = (world.music / FIRST).read_bytes()

    job = world.preview(link_id)
    assert job.dry_run and job.status.value == "succeeded"
    assert (world.music / FIRST).read_bytes() == before
    assert world.file_stars(FIRST) is None

    page = world.client.get(f"/links/{link_id}/preview/{job.id}").text
    assert "<strong>2</strong> to write in Files" in page
    # names first, their key or path as secondary text
    assert 'First (Album) <span class="sub">' in page
    assert 'Café &amp; Crema (Album) <span class="sub">' in page
    assert "First [" not in page
    assert 'unrated <span aria-label="becomes">→</span> 4★' in page
    assert "first run: only A rated" in page
    assert "hx-trigger" not in page.split('id="preview"')[1].split(">")[0]  # no more polling

    searched = world.client.get(
        f"/links/{link_id}/preview/{job.id}", params={"q": "café"}, headers=HTMX
    ).text
    assert "<html" not in searched
    assert "Café &amp; Crema (Album) <span" in searched and "First (Album) <span" not in searched
    by_action = world.client.get(
        f"/links/{link_id}/preview/{job.id}", params={"action": "unmatched"}
    ).text
    assert "No planned change matches this filter." in by_action

    other = world.add_link(world.add_folder(name="Other"), 1)
    assert world.client.get(f"/links/{other}/preview/{job.id}").status_code == 422


def test_run_then_undo_last_run_restores_the_files(world: DashboardWorld) -> None:
    link_id = world.linked()
    nothing = world.client.post(f"/links/{link_id}/undo", follow_redirects=False)
    assert nothing.headers["location"] == f"/links/{link_id}?notice=nothing-to-undo"
    page = world.client.get(f"/links/{link_id}").text
    assert '<button class="danger" type="submit" disabled' in page

    world.plex.rate(world.key(FIRST), 8)
    job = world.run(link_id)
    assert job.counters["written_b"] == 1
    assert world.file_stars(FIRST) == 4.0
    page = world.client.get(f"/links/{link_id}").text
    assert f'<a href="/jobs/{job.id}">job {job.id}</a> <span class="muted">(1 writes)' in page

    quiet = world.run(link_id)  # writes nothing: "Undo last run" still means the one that did
    assert quiet.counters.get("written_b", 0) == 0
    undo = world.client.post(f"/links/{link_id}/undo", follow_redirects=False)
    undo_job = world.wait_job(job_of(undo.headers["location"]))
    assert (undo_job.kind, undo_job.params["undo_job_id"]) == ("ratings_undo", job.id)
    assert undo_job.status.value == "succeeded"
    assert world.file_stars(FIRST) is None

    again = world.client.post(f"/links/{link_id}/undo", follow_redirects=False)
    assert again.headers["location"] == f"/links/{link_id}?notice=already-undone"

    deleted = world.client.post(f"/links/{link_id}/delete", follow_redirects=False)
    assert deleted.headers["location"] == "/links?notice=deleted"
    assert world.client.get(f"/links/{link_id}").status_code == 404


def test_a_busy_link_sends_you_to_the_running_job(world: DashboardWorld) -> None:
    link_id = world.linked()
    world.emulator.knobs.latency_s = 0.3
    first = world.client.post(f"/links/{link_id}/run", follow_redirects=False)
    second = world.client.post(f"/links/{link_id}/preview", follow_redirects=False)
    world.emulator.knobs.latency_s = 0.0
    running_id = job_of(first.headers["location"])
    assert second.headers["location"] == f"/jobs/{running_id}?notice=already-running"
    world.wait_job(running_id)
