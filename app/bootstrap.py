"""Composition root: builds services from settings, shared by web, worker and CLI.

``build_container(settings)`` wires the database, the job kinds, the executor that runs jobs
and the runner that submits them (in-process pool, or arq when ``CROSSFADE_REDIS_URL`` is set).
``Container.startup()`` migrates the database, marks jobs of dead runners interrupted and hands
still-queued jobs to the runner; ``Container.close()`` stops everything it started.

The data directory is made private (0700, its secret key file 0600) before anything else, and
the installation's :class:`SecretBox` (keyed from the secret key) seals the secrets that
repositories store and the migrations that rewrite them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import Engine

from app import __version__
from app.adapters.apprise_out import send_apprise
from app.adapters.db import migrate
from app.adapters.db.auth_repo import AuthRepository
from app.adapters.db.engine import (
    SessionFactory,
    check_database,
    create_db_engine,
    create_session_factory,
)
from app.adapters.db.hook_repo import HookRepository
from app.adapters.db.insights_repo import InsightsRepository
from app.adapters.db.integration_repo import IntegrationSettingsRepository
from app.adapters.db.jobs import JobRepository
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.models import utc_now
from app.adapters.db.playlist_journal_repo import PlaylistJournalRepository
from app.adapters.db.playlist_repo import PlaylistRepository
from app.adapters.db.sync_repo import SyncRepository
from app.adapters.http_out import post_json
from app.adapters.jellyfin import JellyfinClient
from app.adapters.log_redaction import remember
from app.adapters.memory import release_memory
from app.adapters.mqtt import check_config, connection_for
from app.adapters.plex import PlexServerClient
from app.adapters.private_files import private_dir, private_file
from app.adapters.processes import current_runner_id, runner_alive
from app.adapters.queue import ArqRunner, redis_reachable
from app.adapters.secret_box import SecretBox
from app.adapters.subsonic import connect as connect_subsonic
from app.adapters.tags import WriteOptions
from app.adapters.tags.workers import default_processes
from app.adapters.time_zone import apply_time_zone
from app.adapters.webhook_secrets import WebhookSecrets
from app.domain.errors import CrossfadeError, SetupError
from app.domain.jobs import JobRecord, JobTrigger
from app.services.auth.service import AuthService
from app.services.homeassistant.publisher import MqttPublisher, PublisherTiming
from app.services.homeassistant.settings import IntegrationSettings
from app.services.homeassistant.snapshot import Snapshot, SnapshotReader
from app.services.hooks.identities import PlexIdentities
from app.services.hooks.incoming import HookService
from app.services.hooks.notifier import HookNotifier, OutgoingHooks, observed_kinds
from app.services.importers.service import ConfigImporter
from app.services.jobs.context import ContextTiming
from app.services.jobs.executor import HeartbeatTiming, JobExecutor
from app.services.jobs.kinds import JobKindRegistry
from app.services.jobs.runners import InlineRunner, JobRunner
from app.services.jobs.scheduler import Scheduler
from app.services.jobs.selftest import selftest_kind
from app.services.jobs.service import JobService
from app.services.libraries.adhoc import AdhocLinks
from app.services.libraries.builtin_kinds import builtin_kind_registry
from app.services.libraries.kinds import KindRegistry
from app.services.libraries.link_runs import LinkRuns
from app.services.libraries.service import LibraryCatalog, SideFactory
from app.services.mirror.jobs import MirrorJobs
from app.services.notify.apprise_notifier import AppriseNotifications
from app.services.playlists.jobs import PlaylistServices, build_playlist_services
from app.services.ratings.jobs import RatingsJobs
from app.services.ratings.review import RatingsReview
from app.services.ratings.run.sync import RatingsSync
from app.services.system.health import HealthReport, check_health
from app.services.system.insights import Insights
from app.services.system.status import StatusReader
from app.settings import KEY_FILE_NAME, Settings

logger = logging.getLogger(__name__)

RunnerChoice = Literal["auto", "inline", "arq"]


@dataclass(frozen=True, slots=True)
class Domains:
    """The feature services that job kinds and entrypoints share."""

    libraries: LibraryCatalog
    sync_repository: SyncRepository
    sides: SideFactory
    ratings: RatingsSync
    review: RatingsReview
    adhoc: AdhocLinks
    playlists: PlaylistServices
    mirror: MirrorJobs
    importer: ConfigImporter


def secure_data_dir(settings: Settings) -> SecretBox:
    """Make the data directory private (0700; the generated secret key file 0600) and return
    the box that seals secrets at rest, keyed from the secret key (which, like the admin
    password, no log line shows)."""
    private_dir(settings.data_dir)
    secret_key = settings.effective_secret_key()
    private_file(settings.data_dir / KEY_FILE_NAME)
    admin_password = settings.admin_password
    remember(secret_key, admin_password.get_secret_value() if admin_password else None)
    return SecretBox(secret_key)


def build_domains(
    settings: Settings,
    sessions: SessionFactory,
    secret_box: SecretBox | None = None,
    library_kinds: KindRegistry | None = None,
) -> Domains:
    """The feature services; ``library_kinds`` defaults to the built-in library kinds."""
    kinds = library_kinds if library_kinds is not None else builtin_kind_registry()
    libraries = LibraryRepository(sessions, secret_box)
    sync_repository = SyncRepository(sessions)
    processes = settings.worker_processes or default_processes()
    # No warm-up here: the fork server starts with the first job that needs worker processes
    # (an idle server holds no fork server, resource tracker or workers).
    sides = SideFactory(
        libraries=libraries,
        sync_repository=sync_repository,
        plex_client=lambda base_url, token, timeout_s: PlexServerClient(
            base_url, token, timeout_s=timeout_s
        ),
        write_options=WriteOptions(
            preserve_mtime=settings.preserve_mtime, hardlinks=settings.hardlinked_writes
        ),
        worker_processes=processes,
        kinds=kinds,
        subsonic_client=connect_subsonic,
        jellyfin_client=jellyfin_client,
    )
    ratings = RatingsSync(sync_repository, now=utc_now)
    catalog = LibraryCatalog(libraries, kinds)
    return Domains(
        libraries=catalog,
        sync_repository=sync_repository,
        sides=sides,
        ratings=ratings,
        review=RatingsReview(libraries, sides, sync_repository, ratings),
        adhoc=AdhocLinks(catalog, sides.plex_client),
        playlists=build_playlist_services(
            PlaylistRepository(sessions),
            PlaylistJournalRepository(sessions),
            sides,
            catalog,
            track_links=sync_repository,
        ),
        mirror=MirrorJobs(libraries, sides.plex_client, kinds, jellyfin_client=jellyfin_client),
        importer=ConfigImporter(catalog, sides.plex_client),
    )


def jellyfin_client(base_url: str, api_key: str, timeout_s: float) -> JellyfinClient:
    return JellyfinClient(base_url, api_key, timeout_s=timeout_s)


def build_job_kinds(domains: Domains | None = None) -> JobKindRegistry:
    """Every job kind this installation can run. Later issues add one line each."""
    registry = JobKindRegistry()
    registry.register(selftest_kind())
    if domains is not None:
        ratings = RatingsJobs(domains.libraries.repository, domains.sides, domains.ratings)
        for kind in ratings.kinds():
            registry.register(kind)
        for kind in domains.playlists.jobs.kinds():
            registry.register(kind)
        registry.register(domains.mirror.kind())
    return registry


@dataclass(frozen=True, slots=True)
class HookTiming:
    """Webhooks: ``debounce_s`` coalesces inbound triggers per link; outgoing posts time out
    after ``post_timeout_s``."""

    debounce_s: float = 5.0
    post_timeout_s: float = 5.0


@dataclass(frozen=True, slots=True)
class Hooks:
    """Webhooks in (``inbound``), out (``outgoing`` to manage, ``notifier`` to send)."""

    inbound: HookService
    outgoing: OutgoingHooks
    notifier: HookNotifier


@dataclass(frozen=True, slots=True)
class Integrations:
    """Home Assistant over MQTT and Apprise notifications, with the settings they share."""

    settings: IntegrationSettings
    mqtt: MqttPublisher
    notifications: AppriseNotifications


@dataclass(frozen=True, slots=True)
class StartupReport:
    schema_revision: str | None
    interrupted_job_ids: list[int] = field(default_factory=list)
    resubmitted_job_ids: list[int] = field(default_factory=list)


@dataclass
class Container:
    settings: Settings
    engine: Engine
    session_factory: SessionFactory
    secret_box: SecretBox
    job_kinds: JobKindRegistry
    job_repository: JobRepository
    executor: JobExecutor
    runner: JobRunner
    jobs: JobService
    domains: Domains
    link_runs: LinkRuns
    hooks: Hooks
    scheduler: Scheduler
    auth: AuthService
    insights: Insights
    status: StatusReader
    integrations: Integrations

    def start_integrations(self) -> None:
        """What only the server runs: the MQTT publisher (when MQTT is on)."""
        self.integrations.mqtt.start()

    def startup(self, *, migrate_schema: bool = True) -> StartupReport:
        """Upgrade the schema, interrupt jobs of dead runners, resubmit queued jobs."""
        if migrate_schema:
            migrate.upgrade(self.engine, secret_box=self.secret_box)
        interrupted = self.executor.recover()
        self.executor.start_background()
        resubmitted = self.jobs.resubmit_queued()
        if self.runner.mode == "inline":
            self.scheduler.start()  # scaled out, arq's cron in the workers ticks instead
        return StartupReport(
            schema_revision=migrate.current_revision(self.engine),
            interrupted_job_ids=interrupted,
            resubmitted_job_ids=resubmitted,
        )

    def health(self) -> HealthReport:
        engine = self.engine
        return check_health(
            lambda: check_database(engine),
            version=__version__,
            queue_mode=self.runner.mode,
            redis_url=self.settings.redis_url if self.runner.mode == "arq" else None,
            ping_redis=redis_reachable,
        )

    def close(self) -> None:
        """Running jobs stop at their next check (ending interrupted), then all is released."""
        self.executor.request_stop()
        self.scheduler.stop()
        self.runner.close()
        self.hooks.inbound.close()  # pending webhook runs: queued for the next start
        self.executor.close()
        self.hooks.notifier.close()
        self.integrations.mqtt.stop()
        self.integrations.notifications.close()
        self.engine.dispose()


def build_container(
    settings: Settings,
    *,
    runner: RunnerChoice = "auto",
    job_kinds: JobKindRegistry | None = None,
    timing: ContextTiming = ContextTiming(),
    heartbeat_timing: HeartbeatTiming = HeartbeatTiming(),
    hook_timing: HookTiming = HookTiming(),
    library_kinds: KindRegistry | None = None,
    publisher_timing: PublisherTiming = PublisherTiming(),
) -> Container:
    """Wire everything for ``settings``; ``runner="auto"`` follows ``settings.queue_mode``."""
    secret_box = secure_data_dir(settings)
    zone = apply_time_zone(settings.timezone)  # schedules, dashboard and logs read one clock
    engine = create_db_engine(settings.effective_database_url)
    sessions = create_session_factory(engine)
    domains = build_domains(settings, sessions, secret_box, library_kinds)
    repository = JobRepository(sessions)
    hook_repository = HookRepository(sessions, secret_box)
    signing = WebhookSecrets(settings.effective_secret_key())
    notifier = HookNotifier(
        hook_repository,
        repository,
        lambda link_id: domains.sync_repository.conflicts(link_id=link_id, limit=1)[1],
        post=post_json,
        timeout_s=hook_timing.post_timeout_s,
        signing_secret=signing.secret_for,
    )
    integration_settings = IntegrationSettings(IntegrationSettingsRepository(sessions, secret_box))
    insights = Insights(
        InsightsRepository(sessions), domains.libraries.repository, domains.libraries.kinds
    )
    notifications = AppriseNotifications(
        integration_settings,
        repository,
        lambda link_id: domains.sync_repository.conflicts(link_id=link_id, limit=1)[1],
        lambda link_id: _link_title(insights, link_id),
        send=send_apprise,
    )

    # The publisher hears of every job and starts runs: it calls the job service and the
    # status reader built below (through these functions, once they exist).
    def start_run(
        link_id: int, *, mode: str | None, dry_run: bool, trigger: JobTrigger
    ) -> JobRecord:
        return link_runs.run(link_id, mode=mode, dry_run=dry_run, trigger=trigger)

    def snapshot() -> Snapshot:
        return SnapshotReader(status, insights).read()

    publisher = MqttPublisher(
        integration_settings,
        snapshot,
        start_run,
        connection_for,
        check=check_config,
        version=__version__,
        timing=publisher_timing,
    )
    kinds = observed_kinds(
        job_kinds or build_job_kinds(domains), notifier, notifications, publisher
    )
    executor = JobExecutor(
        repository,
        kinds,
        runner_id=str(current_runner_id()),
        runner_alive=runner_alive,
        timing=timing,
        heartbeat_timing=heartbeat_timing,
        on_idle=release_memory,  # the last job ended: give its memory back
    )
    mode = settings.queue_mode if runner == "auto" else runner
    job_runner: JobRunner
    if mode == "arq":
        if not settings.redis_url:
            raise SetupError("the arq runner needs CROSSFADE_REDIS_URL")
        job_runner = ArqRunner(settings.redis_url)
    else:
        job_runner = InlineRunner(executor.run_job, max_workers=settings.inline_workers)
    jobs = JobService(repository, kinds, job_runner)
    link_runs = LinkRuns(domains.libraries.repository, jobs)
    hooks = Hooks(
        inbound=HookService(
            hook_repository,
            domains.libraries.repository,
            link_runs,
            kinds,
            PlexIdentities(
                domains.libraries.repository,
                lambda base_url, token, timeout_s: PlexServerClient(
                    base_url, token, timeout_s=timeout_s, retries=0
                ),
            ),
            delay_s=hook_timing.debounce_s,
            journal=domains.sync_repository,
        ),
        outgoing=OutgoingHooks(
            hook_repository,
            post=post_json,
            timeout_s=hook_timing.post_timeout_s,
            signing_secret=signing.secret_for,
        ),
        notifier=notifier,
    )
    status = StatusReader(jobs, domains.libraries.repository, domains.review)
    return Container(
        settings=settings,
        engine=engine,
        session_factory=sessions,
        secret_box=secret_box,
        job_kinds=kinds,
        job_repository=repository,
        executor=executor,
        runner=job_runner,
        jobs=jobs,
        domains=domains,
        link_runs=link_runs,
        hooks=hooks,
        scheduler=Scheduler(domains.libraries.repository, link_runs, tz=zone),
        auth=AuthService(AuthRepository(sessions)),
        insights=insights,
        status=status,
        integrations=Integrations(
            settings=integration_settings, mqtt=publisher, notifications=notifications
        ),
    )


def _link_title(insights: Insights, link_id: int) -> str | None:
    try:
        return insights.link_summary(link_id, now=utc_now()).title
    except CrossfadeError:
        return None
