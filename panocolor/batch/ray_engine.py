"""The Ray engine: the same jobs on a Ray cluster (or a local Ray instance), via Ray Data.

The job list becomes a Ray dataset; ``map_batches`` with a callable class runs it on a
pool of actors, each holding one :class:`~panocolor.batch.worker.JobRunner` (models
loaded once per actor). Actors write their outputs atomically where the job says (on
a cluster, a filesystem every node sees) and return the manifest records, which the
driver appends to the manifest as they stream back.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Iterator

import numpy as np

from panocolor.batch.jobs import Job
from panocolor.batch.worker import BatchConfig, JobRunner, Outcome
from panocolor.errors import PanocolorError


class RayJobRunner:
    """``map_batches`` callable: a :class:`JobRunner` per actor, one JSON job per row."""

    def __init__(self, config: BatchConfig) -> None:
        self.runner = JobRunner(config)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        outcomes = [self.runner(Job(**json.loads(text))) for text in batch["job"]]
        return {"outcome": np.array([json.dumps(o.to_dict()) for o in outcomes], dtype=object)}


def _runtime_env() -> dict[str, object]:
    """Pass the driver's ``PANOCOLOR_*`` variables (e.g. the model folder) to the workers."""
    variables = {k: v for k, v in os.environ.items() if k.startswith("PANOCOLOR_")}
    return {"env_vars": variables} if variables else {}


def run_ray(
    jobs: list[Job], config: BatchConfig, workers: int, address: str | None = None
) -> Iterator[Outcome]:
    """Run ``jobs`` on ``workers`` Ray actors and yield outcomes as they stream back.

    Parameters
    ----------
    jobs : list of Job
        The work.
    config : BatchConfig
        Sent to every actor, which builds one :class:`JobRunner` from it.
    workers : int
        Number of actors (one CPU each). Without ``address``, a local Ray instance
        with this many CPUs is started (and stopped at the end).
    address : str, optional
        Address of an existing cluster (``ray://head:10001``, ``auto``...).

    Yields
    ------
    Outcome
        One per job, in completion order.

    Raises
    ------
    PanocolorError
        Ray is not installed, or the cluster cannot be reached.
    """
    try:
        import ray
        import ray.data
    except ImportError:
        raise PanocolorError("the ray engine needs Ray: pip install 'panocolor[ray]'") from None
    if not jobs:
        return
    started_here = not ray.is_initialized()
    if started_here:
        options: dict[str, object] = {"logging_level": "ERROR", "runtime_env": _runtime_env()}
        if address:
            options["address"] = address
        else:
            options.update(num_cpus=workers, include_dashboard=False)
        try:
            ray.init(**options)
        except (ConnectionError, RuntimeError, ValueError) as error:
            raise PanocolorError(f"cannot start or reach Ray: {error}") from None
    try:
        for name in ("ray", "ray.data"):  # the summary and progress bar are panocolor's
            logging.getLogger(name).setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        rows = [{"job": json.dumps(job.to_dict())} for job in jobs]
        # Enough blocks for every actor to get work and for results to stream back early.
        dataset = ray.data.from_items(rows, override_num_blocks=min(len(rows), 100 * workers))
        results = dataset.map_batches(
            RayJobRunner,
            fn_constructor_kwargs={"config": config},
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=min(workers, len(jobs))),
            num_cpus=1,
        )
        for row in results.iter_rows():
            yield Outcome.from_dict(json.loads(row["outcome"]))
    finally:
        if started_here:
            ray.shutdown()
