"""The runner interface and the in-process runner (a small bounded thread pool).

The arq runner lives in ``app.adapters.queue`` (services never import arq); both only
``submit(job_id)``, and whoever picks the id up calls ``JobExecutor.run_job``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

logger = logging.getLogger(__name__)


class JobRunner(Protocol):
    """Something that eventually calls ``run_job(job_id)`` for a submitted id."""

    mode: str

    def submit(self, job_id: int) -> None: ...

    def close(self) -> None: ...


class InlineRunner:
    """Runs jobs on ``max_workers`` threads inside this process (``crossfade serve``)."""

    mode = "inline"

    def __init__(self, run_job: Callable[[int], object], *, max_workers: int) -> None:
        self._run_job = run_job
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="crossfade-job")
        self._closed = False
        self._lock = threading.Lock()

    def submit(self, job_id: int) -> None:
        with self._lock:
            if self._closed:
                logger.warning("runner closed; job %s stays queued for the next start", job_id)
                return
            self._pool.submit(self._run_logged, job_id)

    def _run_logged(self, job_id: int) -> None:
        try:
            self._run_job(job_id)
        except Exception:
            logger.exception("job %s: the runner could not run it", job_id)

    def close(self) -> None:
        """Wait for running jobs; queued ids not yet started stay queued in the database."""
        with self._lock:
            self._closed = True
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool.shutdown(wait=True)

    @property
    def closed(self) -> bool:
        """True once pending ids were dropped (running ones may still be finishing)."""
        with self._lock:
            return self._closed
