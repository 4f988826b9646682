"""Webhooks of the ``generic`` source: ``{"link", "mode", "dry_run"}`` starts a run at once
(of the named link, or of every link of the endpoint) and answers its jobs."""

from __future__ import annotations

from app.domain.errors import CrossfadeError, Forbidden, InvalidInput
from app.domain.hook_records import EndpointRecord
from app.domain.hooks import parse_generic_payload, parse_json_object
from app.domain.jobs import JobRecord, JobTrigger
from app.services.hooks.desk import HookDesk, listed
from app.services.hooks.endpoints import HookOutcome, Outcome
from app.services.libraries.link_runs import LinkRuns


class GenericSource:
    """``handle`` answers one call of a ``generic`` endpoint."""

    def __init__(self, desk: HookDesk, link_runs: LinkRuns) -> None:
        self._desk = desk
        self._link_runs = link_runs

    def handle(self, endpoint: EndpointRecord, body: str | bytes) -> HookOutcome:
        try:
            hook = parse_generic_payload(parse_json_object(body or b"{}", what="the body"))
        except InvalidInput as exc:
            self._desk.refused(endpoint, "run", exc)
        if hook.link_id is not None:
            if endpoint.link_ids and hook.link_id not in endpoint.link_ids:
                error: CrossfadeError = Forbidden(
                    f"this endpoint may not start link {hook.link_id}"
                )
                self._desk.refused(endpoint, "run", error)
            link_ids: tuple[int, ...] = (hook.link_id,)
        elif endpoint.link_ids:
            link_ids = endpoint.link_ids
        else:
            error = InvalidInput('name a link: {"link": <id>}')
            self._desk.refused(endpoint, "run", error)
        jobs: list[JobRecord] = []
        failures: list[CrossfadeError] = []
        for link_id in link_ids:
            try:
                jobs.append(
                    self._link_runs.run(
                        link_id, mode=hook.mode, dry_run=hook.dry_run, trigger=JobTrigger.WEBHOOK
                    )
                )
            except CrossfadeError as exc:
                failures.append(exc)
        if not jobs:
            self._desk.refused(endpoint, "run", failures[0], link_ids=link_ids)
        detail = f"started jobs {listed(jobs)}"
        if failures:
            detail += "; not started: " + "; ".join(str(exc) for exc in failures)
        outcome = HookOutcome(
            Outcome.STARTED, detail, link_ids=link_ids, job_ids=tuple(job.id for job in jobs)
        )
        return self._desk.record(endpoint, "run", outcome)
