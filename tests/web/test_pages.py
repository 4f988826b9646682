import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.web.conftest import DashboardWorld

Waiter = Callable[..., None]


def start_selftest(client: TestClient, steps: int, step_s: float) -> int:
    response = client.post(
        "/jobs/selftest", data={"steps": steps, "step_s": step_s}, follow_redirects=False
    )
    assert response.status_code == 303
    match = re.fullmatch(r"/jobs/(\d+)\?notice=started", response.headers["location"])
    assert match is not None
    return int(match.group(1))


def test_overview_renders_without_jobs(app_client: TestClient) -> None:
    response = app_client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Overview" in page
    assert "In-process" in page
    assert "No jobs yet" in page
    assert '<script src="/static/htmx.min.js"' in page
    assert "http://" not in page.replace("http://testserver", "")
    # an empty dashboard offers the demo and the three first steps
    steps = page.split('class="card first-steps"')[1].split("</section>")[0]
    assert steps.count("<li>") == 3
    assert 'href="/libraries"' in steps and 'href="/links#create-link"' in steps
    assert "crossfade demo" in steps


def test_static_assets_are_served(app_client: TestClient) -> None:
    htmx = app_client.get("/static/htmx.min.js")
    assert htmx.status_code == 200
    assert "htmx" in htmx.text[:200]
    assert app_client.get("/static/crossfade.css").status_code == 200


def test_jobs_page_has_the_selftest_button(app_client: TestClient) -> None:
    page = app_client.get("/jobs").text
    assert 'action="/jobs/selftest"' in page
    assert "Run self-test" in page
    assert 'hx-trigger="every 5s"' in page


def test_running_job_progress_moves_and_polling_stops_at_the_end(
    app_client: TestClient, wait: Waiter
) -> None:
    job_id = start_selftest(app_client, steps=40, step_s=0.05)
    page = app_client.get(f"/jobs/{job_id}?notice=started").text
    assert "Job started." in page
    assert "Cancel" in page
    partial_url = f"/jobs/{job_id}/partials/progress"

    def done_count() -> int:
        html = app_client.get(partial_url).text
        match = re.search(r"<dt>Done</dt><dd>(\d+)", html)
        assert match is not None, html
        return int(match.group(1))

    first = app_client.get(partial_url).text
    assert f'hx-get="{partial_url}"' in first
    assert 'hx-trigger="every 1s"' in first
    seen = done_count()
    wait(lambda: done_count() > seen, what="progress to move")
    listing = app_client.get("/jobs/partials/table").text
    assert 'hx-trigger="every 1s"' in listing
    assert f'href="/jobs/{job_id}"' in listing
    wait(lambda: "succeeded" in app_client.get(partial_url).text, what="the job to end")
    last = app_client.get(partial_url).text
    assert "hx-trigger" not in last
    assert "100%" in last
    assert "Run again" in last
    events = app_client.get(f"/jobs/{job_id}?level=warning").text
    assert events.count('class="level level-warning"') == 8
    # a finished job: no stale "Job started." banner, no phase, its summary in words
    finished = app_client.get(f"/jobs/{job_id}?notice=started").text
    assert "Job started." not in finished and 'class="phase"' not in finished
    assert 'class="summary-sentence"' in finished


def test_second_selftest_from_the_ui_goes_to_the_running_one(app_client: TestClient) -> None:
    job_id = start_selftest(app_client, steps=500, step_s=0.02)
    again = app_client.post("/jobs/selftest", data={"steps": 1}, follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == f"/jobs/{job_id}?notice=already-running"
    cancel = app_client.post(f"/jobs/{job_id}/cancel", follow_redirects=False)
    assert cancel.status_code == 303
    page = app_client.get(cancel.headers["location"]).text
    # the notice while the job winds down; a job already cancelled shows its status instead
    assert "Cancellation requested" in page or '"status status-cancelled"' in page


def test_missing_job_is_an_html_404(app_client: TestClient) -> None:
    response = app_client.get("/jobs/4242")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "job 4242 does not exist" in response.text


def test_bad_form_input_is_an_html_422(app_client: TestClient) -> None:
    response = app_client.post("/jobs/selftest", data={"steps": 0})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")


AREAS = (
    "/",
    "/libraries",
    "/libraries/1",
    "/links",
    "/links/1",
    "/jobs",
    "/conflicts",
    "/matches",
    "/insights",
    "/homeassistant",
)


def test_overview_and_every_page_with_csrf_on_every_post_form(world: DashboardWorld) -> None:
    link_id = world.linked()
    world.client.post(
        f"/links/{link_id}",
        data={"direction": "both", "policy": "ask", "schedule": "15 2 * * *", "enabled": "true"},
    )
    world.make_conflicts(link_id)
    page = world.client.get("/").text
    assert '<p class="big warn">2</p>' in page  # pending conflicts
    assert f'<a href="/links/{link_id}">Plex ⇄ Files</a>' in page
    assert re.search(r"<time datetime=\"[^\"]+T02:15:00[^\"]*\">[^<]+ 02:15", page)  # next run
    assert "Ratings sync" in page  # last runs, in words
    assert "1 Plex · 1 music · 0 movie" in page

    token = world.client.headers["X-CSRF-Token"]
    for path in AREAS:
        response = world.client.get(path)
        assert response.status_code == 200, path
        forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", response.text, re.S)
        for form in forms:
            assert f'name="csrf_token" value="{token}"' in form, (path, form[:200])
        nav = response.text.split('<nav aria-label="Main"')[1].split("</nav>")[0]
        assert nav.count('aria-current="page"') <= 1, path
