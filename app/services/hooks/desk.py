"""What every webhook source shares: the log of deliveries, the links an endpoint may start,
and the debounced queue of link runs (many calls within ``delay_s`` become one run)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import NoReturn

from app.domain.errors import AlreadyRunning, CrossfadeError
from app.domain.hook_records import EndpointRecord
from app.domain.jobs import JobRecord, JobTrigger
from app.domain.library_records import LinkRecord
from app.services.hooks.debounce import Debouncer
from app.services.hooks.endpoints import LINK_KINDS_BY_SOURCE, HookOutcome, Outcome
from app.services.libraries.link_runs import LinkRuns
from app.services.ports import LibraryRepositoryPort
from app.services.repository_ports import HookRepositoryPort

logger = logging.getLogger(__name__)


class HookDesk:
    """The deliveries, link selection and debounced runs the sources share."""

    def __init__(
        self,
        repository: HookRepositoryPort,
        libraries: LibraryRepositoryPort,
        link_runs: LinkRuns,
        *,
        delay_s: float,
        give_up_after_s: float,
    ) -> None:
        self._repository = repository
        self._libraries = libraries
        self._link_runs = link_runs
        self.debouncer = Debouncer(
            self._run_debounced,
            delay_s=delay_s,
            give_up_after_s=give_up_after_s,
            name="crossfade-webhooks",
        )

    def record(self, endpoint: EndpointRecord, event: str, outcome: HookOutcome) -> HookOutcome:
        self._repository.add_delivery(
            endpoint.id,
            event=event,
            outcome=outcome.outcome,
            detail=outcome.detail,
            link_ids=outcome.link_ids,
            job_ids=outcome.job_ids,
        )
        return outcome

    def refused(
        self,
        endpoint: EndpointRecord,
        event: str,
        error: CrossfadeError,
        *,
        links: Sequence[LinkRecord] | None = None,
        link_ids: Sequence[int] = (),
    ) -> NoReturn:
        """Record the refusal, then raise ``error`` for the caller to answer."""
        ids = [link.id for link in links] if links is not None else list(link_ids)
        self._repository.add_delivery(
            endpoint.id, event=event, outcome=Outcome.REFUSED, detail=str(error), link_ids=ids
        )
        raise error

    def candidate_links(self, endpoint: EndpointRecord) -> list[LinkRecord]:
        kinds = LINK_KINDS_BY_SOURCE[endpoint.source]
        links = [link for link in self._libraries.links() if link.kind in kinds and link.enabled]
        if endpoint.link_ids:
            links = [link for link in links if link.id in endpoint.link_ids]
        return links

    def queue(self, links: Sequence[LinkRecord], what: str) -> HookOutcome:
        fresh = [link.id for link in links if self.debouncer.trigger(link.id)]
        joined = [link.id for link in links if link.id not in fresh]
        delay = self.debouncer.delay_s
        detail = f"{what}: run of links {listed(links)} within {delay:g}s"
        if joined:
            detail += f" (joined the pending run of {listed(joined)})"
        return HookOutcome(
            Outcome.QUEUED, detail, link_ids=tuple(link.id for link in links), delay_s=delay
        )

    def _run_debounced(self, link_id: int) -> bool:
        """Start the run; False (try later) while the link's libraries are busy."""
        try:
            job = self._link_runs.run(link_id, trigger=JobTrigger.WEBHOOK)
        except AlreadyRunning as exc:
            logger.info("webhook run of link %s waits: job %s is running", link_id, exc.job_id)
            return False
        except CrossfadeError as exc:
            logger.warning("webhook run of link %s not started: %s", link_id, exc)
            return True
        logger.info("webhook run of link %s: job %s", link_id, job.id)
        return True

    def flush(self) -> list[int]:
        """Start every pending debounced run now (once); returns their link ids."""
        return self.debouncer.flush()

    def close(self) -> None:
        """Pending runs are started (they stay queued if the runner is closed already)."""
        started = self.debouncer.close(flush=True)
        if started:
            logger.info("webhook runs of links %s started at shutdown", started)


def listed(items: Sequence[LinkRecord] | Sequence[JobRecord] | Sequence[int]) -> str:
    """Ids for a detail text: ``1, 2, 3``."""
    return ", ".join(str(item if isinstance(item, int) else item.id) for item in items)
