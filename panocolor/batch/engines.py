"""Where a batch's jobs run: the engines, by name (``local`` worker processes, ``ray``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from panocolor.batch.jobs import Job
from panocolor.batch.worker import BatchConfig, Outcome
from panocolor.registry import Registry


@runtime_checkable
class BatchEngine(Protocol):
    """Runs jobs on ``workers`` workers and yields each job's outcome as it finishes.

    ``stopping`` tells whether a signal asked the run to stop. ``raises_on_signal``:
    the engine copes with an exception raised anywhere in the driver (so the signal
    handler may raise at once); else the driver polls ``stopping`` between outcomes.
    """

    raises_on_signal: bool

    def __call__(
        self, jobs: list[Job], config: BatchConfig, workers: int, stopping: Callable[[], bool]
    ) -> Iterator[Outcome]: ...


ENGINES: Registry[BatchEngine] = Registry("batch engine", BatchEngine)
"""Batch engines by name; each entry is a class taking keyword options."""


@ENGINES.register("local")
@dataclass(frozen=True)
class LocalEngine:
    """Worker processes on this machine (:mod:`panocolor.batch.local`)."""

    raises_on_signal = False  # the pool polls ``stopping``

    def __call__(
        self, jobs: list[Job], config: BatchConfig, workers: int, stopping: Callable[[], bool]
    ) -> Iterator[Outcome]:
        from panocolor.batch.local import run_local

        return run_local(jobs, config, workers, stopping)


@ENGINES.register("ray")
@dataclass(frozen=True)
class RayEngine:
    """Ray actors (:mod:`panocolor.batch.ray_engine`) on the cluster at ``address``, or on
    a Ray instance started here when it is None."""

    address: str | None = None
    raises_on_signal = True  # Ray handles an exception anywhere

    def __call__(
        self, jobs: list[Job], config: BatchConfig, workers: int, stopping: Callable[[], bool]
    ) -> Iterator[Outcome]:
        from panocolor.batch.ray_engine import run_ray

        return run_ray(jobs, config, workers, self.address)
