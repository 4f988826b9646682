import threading

from app.services.jobs_runners import InlineRunner


def test_inline_runner_is_bounded_and_runs_everything() -> None:
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
    release.set()
    runner.close()
    assert peak == 2
    assert sorted(ran) == [0, 1, 2, 3, 4]


def test_a_crashing_run_does_not_kill_the_pool() -> None:
    ran: list[int] = []

    def run(job_id: int) -> None:
        if job_id == 1:
            raise RuntimeError("boom")
        ran.append(job_id)

    runner = InlineRunner(run, max_workers=1)
    for job_id in (1, 2):
        runner.submit(job_id)
    runner.close()
    assert ran == [2]


def test_submit_after_close_leaves_the_job_queued() -> None:
    ran: list[int] = []
    runner = InlineRunner(ran.append, max_workers=1)
    runner.close()
    runner.submit(7)
    assert ran == []
