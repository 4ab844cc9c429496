"""The batch driver: plan the work, run it on an engine, keep manifest and failures."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from panocolor.batch import _hooks
from panocolor.batch.checks import check_output_folder, check_references
from panocolor.batch.engines import ENGINES, BatchEngine
from panocolor.batch.jobs import MANIFEST_NAME, Job, list_jobs
from panocolor.batch.manifest import (
    Failure,
    FailureLog,
    Manifest,
    lock_output,
    output_is_valid,
    read_manifest,
    remove_partials,
)
from panocolor.batch.signals import Interrupt, StopOnSignal
from panocolor.batch.worker import BatchConfig, Outcome, check_config
from panocolor.defaults import DEFAULT_ENGINE
from panocolor.errors import PanocolorError


@dataclass
class BatchPlan:
    """The jobs of a run, sorted out before any work starts.

    Attributes
    ----------
    todo : list of Job
        To colorize.
    skipped : list of Job
        Finished by an earlier run: the output exists, decodes, and has its record.
    refused : list of Failure
        Outputs that exist but are not this batch's, without ``--overwrite``.
    """

    todo: list[Job] = field(default_factory=list)
    skipped: list[Job] = field(default_factory=list)
    refused: list[Failure] = field(default_factory=list)


@dataclass
class BatchSummary:
    """What a run did."""

    total: int
    done: int = 0
    skipped: int = 0
    failures: list[Failure] = field(default_factory=list)
    removed_partials: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)


class BatchInterrupted(PanocolorError):
    """SIGTERM or SIGINT stopped the batch; what was finished is in the manifest.

    Attributes
    ----------
    signum : int
        The signal.
    summary : BatchSummary
        What the run did before it stopped.
    """

    def __init__(self, signum: int, summary: BatchSummary) -> None:
        self.signum = signum
        self.summary = summary
        name = signal.Signals(signum).name
        finished = summary.done + summary.skipped
        super().__init__(
            f"interrupted by {name}: {finished} of {summary.total} photos done "
            f"({summary.done} in this run), {summary.failed} failed; "
            "run the same command again to resume"
        )


def plan_batch(jobs: list[Job], out_dir: Path, *, overwrite: bool, threads: int = 2) -> BatchPlan:
    """Sort ``jobs`` into work to do, finished work and refused work.

    An output with a manifest record is finished if it decodes to the recorded size
    (checked on ``threads`` threads), else redone. An output without a record is
    redone if a manifest exists, else it is someone else's file: refused without
    ``overwrite``.

    Redone, not adopted: an output without its record was written by a run killed
    between publishing the file and recording it (or by that run's dead pool). Such a
    file is complete (outputs are written atomically) but its record (settings, plan,
    references) is lost with the run, so the job runs again and atomically replaces the
    file (``Job.replace``): the path holds a complete image at every moment, and the
    manifest gets the one record it lacked. At most the jobs in flight at the kill are
    redone; recorded outputs are never touched.
    """
    plan = BatchPlan()
    if overwrite:
        plan.todo = list(jobs)
        return plan
    records = read_manifest(out_dir)
    resumed = (out_dir / MANIFEST_NAME).is_file()
    recorded: list[Job] = []
    for job in jobs:
        if not Path(job.output).exists():
            plan.todo.append(job)
        elif job.key in records:
            recorded.append(job)
        elif resumed:
            plan.todo.append(dataclasses.replace(job, replace=True))
        else:
            reason = f"{job.output} exists; use --overwrite to replace it"
            plan.refused.append(Failure(job.input, job.output, reason))
    with ThreadPoolExecutor(max(1, threads)) as pool:
        shapes = [records[job.key].get("shape") for job in recorded]
        valid = list(pool.map(output_is_valid, [job.output for job in recorded], shapes))
    for job, ok in zip(recorded, valid, strict=True):
        if ok:
            plan.skipped.append(job)
        else:
            plan.todo.append(dataclasses.replace(job, replace=True))
    return plan


def run_batch(
    source: Path,
    out_dir: Path,
    config: BatchConfig,
    *,
    workers: int = 1,
    engine: str = DEFAULT_ENGINE,
    ray_address: str | None = None,
    on_start: Callable[[BatchPlan], None] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> BatchSummary:
    """Colorize every photo of a folder or CSV list into ``out_dir``; resumable.

    Parameters
    ----------
    source : Path
        A folder (recursive) or a CSV list (see :func:`~panocolor.batch.jobs.list_jobs`).
    out_dir : Path
        Output folder; also holds the manifest and the failures file.
    config : BatchConfig
        Settings, references and ``overwrite``; ``threads`` is set here from
        ``workers`` if it is None.
    workers : int, optional
        Worker processes (local) or actors (Ray).
    engine : str, optional
        Where the jobs run: a name in :data:`~panocolor.batch.engines.ENGINES` (``local``,
        ``ray``).
    ray_address : str, optional
        An existing Ray cluster (else a local Ray instance is started); ``ray`` only.
    on_start : callable, optional
        Called with the :class:`BatchPlan` before work starts.
    on_outcome : callable, optional
        Called with each job's :class:`Outcome` once it is recorded.

    Returns
    -------
    BatchSummary

    Raises
    ------
    BatchInterrupted
        SIGTERM or SIGINT arrived (in the main thread): the workers were killed, their
        partial files removed, the manifest kept every finished photo, the lock is gone.
    PanocolorError
        Bad source, output folder, references or settings (all refused before anything
        is created), output folder in use, or workers that cannot start (e.g. a missing
        model file); single bad photos are failures in the summary instead.
    """
    started = time.perf_counter()
    runner = ENGINES.build(engine, **({} if ray_address is None else {"address": ray_address}))
    if config.threads is None:
        config = dataclasses.replace(config, threads=max(1, (os.cpu_count() or 1) // workers))
    jobs = list_jobs(source, out_dir)
    check_output_folder(source, out_dir, jobs)
    if not jobs:
        raise PanocolorError(f"found no photos in {source}")
    check_references(jobs, config)
    check_config(config)
    summary = BatchSummary(total=len(jobs))
    with StopOnSignal() as stop:
        try:
            _run(
                jobs,
                out_dir,
                config,
                summary,
                stop,
                workers,
                runner,
                on_start,
                on_outcome,
            )
        except Interrupt:
            pass  # stop.signum says which; everything is closed by now
        summary.seconds = time.perf_counter() - started
        if stop.signum is not None:
            raise BatchInterrupted(stop.signum, summary)
    return summary


def _run(
    jobs: list[Job],
    out_dir: Path,
    config: BatchConfig,
    summary: BatchSummary,
    stop: StopOnSignal,
    workers: int,
    engine: BatchEngine,
    on_start: Callable[[BatchPlan], None] | None,
    on_outcome: Callable[[Outcome], None] | None,
) -> None:
    stop.raise_now = False  # a lock taken must be released: no exception in between
    lock = lock_output(out_dir)
    try:
        stop.allow_raise()
        summary.removed_partials = remove_partials(out_dir)
        plan = plan_batch(jobs, out_dir, overwrite=config.overwrite, threads=workers)
        summary.skipped = len(plan.skipped)
        manifest, failures = Manifest(out_dir), FailureLog(out_dir)
        try:
            for failure in plan.refused:
                failures.append(failure)
                summary.failures.append(failure)
            if on_start is not None:
                on_start(plan)
            outcomes = engine(plan.todo, config, workers, stop.stopping)
            with contextlib.closing(outcomes):  # an early exit kills the workers
                stop.raise_now = engine.raises_on_signal
                for outcome in outcomes:
                    if outcome.record is not None:
                        manifest.append(outcome.record)
                        summary.done += 1
                    elif outcome.failure is not None:
                        failures.append(outcome.failure)
                        summary.failures.append(outcome.failure)
                    if on_outcome is not None:
                        on_outcome(outcome)
                    _hooks.after_outcome(summary.done + summary.failed, stop.stopping)
                    if stop.stopping():
                        break
                stop.raise_now = False  # from here on, a signal must not cut the clean-up
        finally:
            stop.raise_now = False
            manifest.close()
            failures.close()
    finally:
        stop.raise_now = False
        try:
            if stop.stopping():  # the workers are dead: drop what they left half-written
                summary.removed_partials += remove_partials(out_dir)
        finally:
            lock.release()
