"""The batch driver: plan the work, run it on an engine, keep manifest and failures."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from panocolor.batch import _hooks
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
from panocolor.batch.worker import BatchConfig, Outcome, check_config
from panocolor.errors import PanocolorError

Engine = Literal["local", "ray"]
ENGINES: tuple[Engine, ...] = ("local", "ray")


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


class _Interrupt(BaseException):
    """Raised by the signal handler where raising is safe (before the workers start)."""


class _StopOnSignal:
    """SIGTERM and SIGINT handler of a batch: remember the signal, and stop the batch.

    While ``raise_now`` is set the handler raises :class:`_Interrupt` at once; while
    workers run it only sets ``signum``, which the engine polls, so that no exception
    lands inside the process pool's own bookkeeping.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self) -> None:
        self.signum: int | None = None
        self.raise_now = True
        self._previous: dict[int, Any] = {}

    def __call__(self, signum: int, frame: object) -> None:
        self.signum = signum
        if self.raise_now:
            raise _Interrupt

    def allow_raise(self) -> None:
        """Raise from now on, and now if a signal came while raising was off."""
        self.raise_now = True
        if self.signum is not None:
            raise _Interrupt

    def stopping(self) -> bool:
        return self.signum is not None

    def __enter__(self) -> _StopOnSignal:
        if threading.current_thread() is threading.main_thread():  # else signals are not ours
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


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


def _engine_outcomes(
    engine: Engine,
    jobs: list[Job],
    config: BatchConfig,
    workers: int,
    address: str | None,
    stopping: Callable[[], bool],
) -> Iterator[Outcome]:
    if engine == "ray":
        from panocolor.batch.ray_engine import run_ray

        return run_ray(jobs, config, workers, address)
    from panocolor.batch.local import run_local

    return run_local(jobs, config, workers, stopping)


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_output_folder(source: Path, out_dir: Path, jobs: list[Job]) -> None:
    """Refuse, before anything is created, an output folder the batch cannot use.

    Raises
    ------
    PanocolorError
        ``out_dir`` is a file, sits under a file, or cannot be written; it is the input
        folder; or outputs would land among the inputs (an input folder inside it).
    """
    out = out_dir.resolve()
    if out.exists() and not out.is_dir():
        raise PanocolorError(f"cannot write into {out_dir}: it is a file, not a folder")
    existing = _nearest_existing(out)
    if not existing.is_dir():
        raise PanocolorError(f"cannot create {out_dir}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == out else f" ({existing} is not writable)"
        raise PanocolorError(f"cannot write into {out_dir}: permission denied{where}")
    if source.is_dir():
        folder = source.resolve()
        if out == folder:
            raise PanocolorError(
                f"the output folder {out_dir} is the input folder; choose another -o "
                "(a new folder, or a subfolder of the input folder)"
            )
        if not out.is_relative_to(folder):
            for job in jobs:
                if Path(job.output).is_relative_to(folder):
                    raise PanocolorError(
                        f"{job.output} would be written inside the input folder {source}, "
                        "where the next run would take it for a photo; choose another -o"
                    )
    inputs = {job.input: job for job in jobs}
    for job in jobs:
        if job.output in inputs and inputs[job.output] is not job:
            raise PanocolorError(
                f"{job.input} would be written over the input {job.output}; choose another -o"
            )


def check_references(jobs: list[Job], config: BatchConfig) -> None:
    """Refuse a batch where some photo has no colour source at all.

    Raises
    ------
    PanocolorError
        No ``-r``, no ``--ref``, no gallery, and jobs without a reference of their own.
    """
    if config.reference or config.class_references or config.settings.get("gallery"):
        return
    missing = [job for job in jobs if not job.reference]
    if missing:
        some = "every photo" if len(missing) == len(jobs) else f"{len(missing)} of the photos"
        raise PanocolorError(
            f"no colour reference for {some} (e.g. {missing[0].input}): give -r REFERENCE, "
            "--ref CLASS=PATH or --gallery FOLDER, or a reference column in the CSV list"
        )


def run_batch(
    source: Path,
    out_dir: Path,
    config: BatchConfig,
    *,
    workers: int = 1,
    engine: Engine = "local",
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
    engine : {"local", "ray"}, optional
        Where the jobs run.
    ray_address : str, optional
        An existing Ray cluster (else a local Ray instance is started).
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
    if config.threads is None:
        config = dataclasses.replace(config, threads=max(1, (os.cpu_count() or 1) // workers))
    jobs = list_jobs(source, out_dir)
    check_output_folder(source, out_dir, jobs)
    if not jobs:
        raise PanocolorError(f"found no photos in {source}")
    check_references(jobs, config)
    check_config(config)
    summary = BatchSummary(total=len(jobs))
    with _StopOnSignal() as stop:
        try:
            _run(
                jobs,
                out_dir,
                config,
                summary,
                stop,
                workers,
                engine,
                ray_address,
                on_start,
                on_outcome,
            )
        except _Interrupt:
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
    stop: _StopOnSignal,
    workers: int,
    engine: Engine,
    ray_address: str | None,
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
            outcomes = _engine_outcomes(
                engine, plan.todo, config, workers, ray_address, stop.stopping
            )
            with contextlib.closing(outcomes):  # an early exit kills the workers
                # Ray handles an exception anywhere; the local pool polls stop.stopping.
                stop.raise_now = engine == "ray"
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
