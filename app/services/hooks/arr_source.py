"""Webhooks from Radarr and Sonarr: an import, upgrade or rename queues a run of the mirror
links whose source folder holds that movie (or series) folder, translated by the endpoint's
``path_mappings``."""

from __future__ import annotations

from app.domain.errors import InvalidInput
from app.domain.hook_records import EndpointRecord
from app.domain.hooks import ArrHook, folder_within, parse_arr_payload, parse_json_object
from app.domain.library_records import LinkRecord
from app.domain.paths import map_plex_to_local
from app.services.hooks.desk import HookDesk, listed
from app.services.hooks.endpoints import ArrOptions, HookOutcome, Outcome
from app.services.jobs.kinds import JobKindRegistry
from app.services.libraries.link_runs import JOB_KIND_BY_LINK_KIND
from app.services.ports import LibraryRepositoryPort


class ArrSource:
    """``handle`` answers one call of a ``radarr`` or ``sonarr`` endpoint."""

    def __init__(
        self, desk: HookDesk, libraries: LibraryRepositoryPort, job_kinds: JobKindRegistry
    ) -> None:
        self._desk = desk
        self._libraries = libraries
        self._job_kinds = job_kinds

    def handle(self, endpoint: EndpointRecord, body: str | bytes) -> HookOutcome:
        try:
            hook = parse_arr_payload(endpoint.source, parse_json_object(body, what="the body"))
        except InvalidInput as exc:
            self._desk.refused(endpoint, "?", exc)
        if hook.is_test:
            return self._desk.record(
                endpoint,
                hook.event_type,
                HookOutcome(Outcome.IGNORED, f"{hook.label()}: test received"),
            )
        if not hook.changes_folder:
            return self._desk.record(
                endpoint,
                hook.event_type,
                HookOutcome(Outcome.IGNORED, f"{hook.label()}: not an import, upgrade or rename"),
            )
        if hook.folder_path is None:
            self._desk.refused(
                endpoint, hook.event_type, InvalidInput(f"{hook.label()}: no folder path")
            )
        folder = self._local_folder(endpoint, hook)
        links = self._mirror_links(endpoint, folder)
        if not links:
            return self._desk.record(
                endpoint,
                hook.event_type,
                HookOutcome(
                    Outcome.IGNORED, f"{hook.label()}: no mirror link's source holds {folder}"
                ),
            )
        runnable = [link for link in links if JOB_KIND_BY_LINK_KIND[link.kind] in self._job_kinds]
        if not runnable:
            error = InvalidInput(
                f"{hook.label()}: links {listed(links)} are {links[0].kind} links, and "
                f"{links[0].kind} runs are not available on this installation yet"
            )
            self._desk.refused(endpoint, hook.event_type, error, links=links)
        return self._desk.record(
            endpoint, hook.event_type, self._desk.queue(runnable, hook.label())
        )

    @staticmethod
    def _local_folder(endpoint: EndpointRecord, hook: ArrHook) -> str:
        assert hook.folder_path is not None
        mappings = ArrOptions.model_validate(endpoint.options).mappings()
        return map_plex_to_local(hook.folder_path, mappings) or hook.folder_path

    def _mirror_links(self, endpoint: EndpointRecord, folder: str) -> list[LinkRecord]:
        chosen: list[LinkRecord] = []
        for link in self._desk.candidate_links(endpoint):
            source = self._libraries.library(link.library_a_id)
            root = source.config.get("root")
            if isinstance(root, str) and folder_within(folder, root):
                chosen.append(link)
        return chosen
