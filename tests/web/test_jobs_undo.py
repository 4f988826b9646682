"""The job page's Undo and Redo: undo a run from its page, redo it from the undo's page."""

from __future__ import annotations

import re

from tests.web.conftest import FIRST, DashboardWorld


def job_of(location: str) -> int:
    return int(re.findall(r"/jobs/(\d+)", location)[0])


def test_undo_from_the_job_page_sticks_and_redo_writes_the_run_back(
    world: DashboardWorld,
) -> None:
    link_id = world.linked()
    world.plex.rate(world.key(FIRST), 8)
    job = world.run(link_id)
    assert world.file_stars(FIRST) == 4.0
    assert "Undo this run" in world.client.get(f"/jobs/{job.id}").text

    undone = world.client.post(f"/jobs/{job.id}/undo", follow_redirects=False)
    undo_job = world.wait_job(job_of(undone.headers["location"]))
    assert (undo_job.kind, undo_job.status.value) == ("ratings_undo", "succeeded")
    assert world.file_stars(FIRST) is None
    page = world.client.get(f"/jobs/{undo_job.id}").text
    assert ">Redo</button>" in page
    assert "left as is until a side changes" in page  # the undo_sticks event

    quiet = world.run(link_id)  # later runs leave the undone pair as it is
    assert quiet.counters.get("written_b", 0) == quiet.counters.get("written_a", 0) == 0
    assert world.file_stars(FIRST) is None

    redone = world.client.post(f"/jobs/{undo_job.id}/undo", follow_redirects=False)
    redo_job = world.wait_job(job_of(redone.headers["location"]))
    assert (redo_job.kind, redo_job.params["undo_job_id"]) == ("ratings_undo", undo_job.id)
    assert world.file_stars(FIRST) == 4.0


def test_a_job_that_cannot_be_undone_offers_nothing_and_refuses(world: DashboardWorld) -> None:
    link_id = world.linked()
    preview = world.client.post(f"/links/{link_id}/preview", follow_redirects=False)
    dry_run = world.wait_job(int(preview.headers["location"].rsplit("/", 1)[1]))
    page = world.client.get(f"/jobs/{dry_run.id}").text
    assert 'action="/jobs/' + str(dry_run.id) + '/undo"' not in page

    refused = world.client.post(f"/jobs/{dry_run.id}/undo", follow_redirects=False)
    assert refused.headers["location"] == f"/jobs/{dry_run.id}?notice=undo-refused"
