"""The local engine: worker processes on this machine, each with its own models.

Workers never outlive the batch process: on Linux each asks the kernel for SIGKILL when
its parent dies (``prctl(PR_SET_PDEATHSIG)``), and everywhere a watchdog thread ends
the worker as soon as the parent is gone. A worker interrupted so leaves at most a
temporary ``.*.part`` file, which the next run removes. Workers ignore SIGINT (a Ctrl-C
in the terminal reaches the whole process group): the parent decides how to stop.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from panocolor.batch import _hooks
from panocolor.batch.jobs import Job
from panocolor.batch.manifest import Failure, remove_job_partials
from panocolor.batch.worker import BatchConfig, JobRunner, Outcome

POOL_ATTEMPTS = 3
"""Fresh worker pools tried for jobs whose worker died (killed, out of memory)."""

_POLL_SECONDS = 0.2  # how often the parent looks at its stop flag while waiting
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

_runner: JobRunner | None = None
_setup_error: Exception | None = None


def _die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` (its parent) does, however it ends."""
    if sys.platform.startswith("linux") and _hooks.use_pdeathsig():
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still works
    if os.getppid() != parent_pid:  # the parent died before the prctl took effect
        os._exit(1)
    parent = multiprocessing.parent_process()
    sentinel = parent.sentinel if parent is not None else None
    threading.Thread(
        target=_watch_parent, args=(parent_pid, sentinel), name="parent-watchdog", daemon=True
    ).start()


def _watch_parent(parent_pid: int, sentinel: int | None) -> None:
    """Watchdog thread: end the worker once the parent is gone (portable fallback)."""
    while True:
        if sentinel is not None:
            # The sentinel becomes readable when the parent's end of it closes: its death.
            if multiprocessing.connection.wait([sentinel], timeout=_POLL_SECONDS):
                os._exit(1)
        else:
            threading.Event().wait(_POLL_SECONDS)
        if os.getppid() != parent_pid:
            os._exit(1)


def _start_worker(config: BatchConfig, parent_pid: int) -> None:
    """Process-pool initializer: tie the worker to its parent, then load the models once."""
    global _runner, _setup_error
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _hooks.worker_started()
    try:
        _runner = JobRunner(config)
    except Exception as error:  # reported by the first job, which stops the batch
        _setup_error = error


def _run_job(job: Job) -> Outcome:
    if _runner is None:
        raise _setup_error or RuntimeError("worker not initialised")
    return _runner(job)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """End ``pool`` now: kill its workers (mid-job or not) and wait until they are gone."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.kill()
        except (OSError, ValueError, AttributeError):
            pass  # already gone
    pool.shutdown(wait=True, cancel_futures=True)


def run_local(
    jobs: list[Job],
    config: BatchConfig,
    workers: int,
    stopping: Callable[[], bool] | None = None,
) -> Iterator[Outcome]:
    """Run ``jobs`` on ``workers`` processes and yield outcomes as they finish.

    Parameters
    ----------
    jobs : list of Job
        The work.
    config : BatchConfig
        Sent once to every worker, which builds one :class:`JobRunner` from it.
    workers : int
        Number of worker processes.
    stopping : callable, optional
        Polled while waiting; once it returns True the workers are killed (jobs in
        flight are dropped, leaving at most ``.*.part`` files) and the generator ends.

    Yields
    ------
    Outcome
        One per job, in completion order. Jobs whose worker process died are tried
        again in a fresh pool, :data:`POOL_ATTEMPTS` pools in all, then reported failed;
        a retried job may replace its output (the dead pool may have written it without
        its outcome coming back).

    Raises
    ------
    Exception
        What a worker raised while loading its models (e.g. a missing model file).

    Notes
    -----
    Closing the generator early (or an exception in the consumer) kills the workers too.
    """
    stopping = stopping or (lambda: False)
    context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    pending = list(jobs)
    for attempt in range(1, POOL_ATTEMPTS + 1):
        if not pending or stopping():
            return
        broken: list[Job] = []
        pool = ProcessPoolExecutor(
            min(workers, len(pending)),
            mp_context=context,
            initializer=_start_worker,
            initargs=(config, os.getpid()),
        )
        finished = False
        futures: dict[Future[Outcome], Job] = {}
        waiting: set[Future[Outcome]] = set()
        try:
            futures = {pool.submit(_run_job, job): job for job in pending}
            waiting = set(futures)
            while waiting and not stopping():
                done, waiting = wait(waiting, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken.append(dataclasses.replace(futures[future], replace=True))
                        continue
                    yield outcome
            finished = not waiting
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:
                _kill_workers(pool)
            # Workers killed mid-write leave temporary files; theirs are all dead by now.
            remove_job_partials(broken + [futures[future] for future in waiting])
        if stopping():
            return
        if attempt == POOL_ATTEMPTS:
            reason = "its worker process died (out of memory, or killed)"
            for job in broken:
                yield Outcome("failed", job, failure=Failure(job.input, job.output, reason))
        pending = broken
