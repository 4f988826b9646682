import threading
from collections.abc import Callable

from app.services.jobs.runners import InlineRunner

Waiter = Callable[..., None]


def test_inline_runner_is_bounded_and_runs_everything(wait: Waiter) -> None:
    lock = threading.Lock()
    running = 0
    peak = 0
    ran: list[int] = []
    release = threading.Event()

    def run(job_id: int) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        release.wait(5)
        with lock:
            running -= 1
            ran.append(job_id)

    runner = InlineRunner(run, max_workers=2)
    for job_id in range(5):
        runner.submit(job_id)
    wait(lambda: running == 2, what="two running")
    release.set()
    wait(lambda: len(ran) == 5, what="all five")
    runner.close()
    assert peak == 2
    assert sorted(ran) == [0, 1, 2, 3, 4]


def test_a_crashing_run_does_not_kill_the_pool(wait: Waiter) -> None:
    ran: list[int] = []

    def run(job_id: int) -> None:
        if job_id == 1:
            raise RuntimeError("boom")
        ran.append(job_id)

    runner = InlineRunner(run, max_workers=1)
    for job_id in (1, 2):
        runner.submit(job_id)
    wait(lambda: ran == [2], what="the second job")
    runner.close()


def test_close_waits_for_running_and_drops_pending(wait: Waiter) -> None:
    started = threading.Event()
    release = threading.Event()
    ran: list[int] = []

    def run(job_id: int) -> None:
        started.set()
        release.wait(5)
        ran.append(job_id)

    runner = InlineRunner(run, max_workers=1)
    runner.submit(1)
    runner.submit(2)
    assert started.wait(5)
    closer = threading.Thread(target=runner.close)
    closer.start()
    wait(lambda: runner.closed, what="close to drop pending jobs")
    release.set()
    closer.join(10)
    assert ran == [1]
    runner.submit(3)
    assert ran == [1]
