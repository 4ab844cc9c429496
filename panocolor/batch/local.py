"""The local engine: worker processes on this machine, each with its own models."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from panocolor.batch.jobs import Job
from panocolor.batch.manifest import Failure
from panocolor.batch.worker import BatchConfig, JobRunner, Outcome

POOL_ATTEMPTS = 3
"""Fresh worker pools tried for jobs whose worker died (killed, out of memory)."""

_runner: JobRunner | None = None
_setup_error: Exception | None = None


def _start_worker(config: BatchConfig) -> None:
    """Process-pool initializer: load the models once for all the jobs of this worker."""
    global _runner, _setup_error
    try:
        _runner = JobRunner(config)
    except Exception as error:  # reported by the first job, which stops the batch
        _setup_error = error


def _run_job(job: Job) -> Outcome:
    if _runner is None:
        raise _setup_error or RuntimeError("worker not initialised")
    return _runner(job)


def run_local(jobs: list[Job], config: BatchConfig, workers: int) -> Iterator[Outcome]:
    """Run ``jobs`` on ``workers`` processes and yield outcomes as they finish.

    Parameters
    ----------
    jobs : list of Job
        The work.
    config : BatchConfig
        Sent once to every worker, which builds one :class:`JobRunner` from it.
    workers : int
        Number of worker processes.

    Yields
    ------
    Outcome
        One per job, in completion order. Jobs whose worker process died are tried
        again in a fresh pool, :data:`POOL_ATTEMPTS` pools in all, then reported failed.

    Raises
    ------
    Exception
        What a worker raised while loading its models (e.g. a missing model file).
    """
    context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    pending = list(jobs)
    for attempt in range(1, POOL_ATTEMPTS + 1):
        if not pending:
            return
        broken: list[Job] = []
        with ProcessPoolExecutor(
            min(workers, len(pending)),
            mp_context=context,
            initializer=_start_worker,
            initargs=(config,),
        ) as pool:
            futures = {pool.submit(_run_job, job): job for job in pending}
            try:
                for future in as_completed(futures):
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        broken.append(futures[future])
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        if attempt == POOL_ATTEMPTS:
            reason = "its worker process died (out of memory, or killed)"
            for job in broken:
                yield Outcome("failed", job, failure=Failure(job.input, job.output, reason))
        pending = broken
