"""Batches: colorize folders or lists of photos, resumably, on local workers or Ray.

:func:`run_batch` lists the jobs (:mod:`~panocolor.batch.jobs`), skips those an earlier
run finished, runs the rest on an engine (:mod:`~panocolor.batch.local` worker
processes or :mod:`~panocolor.batch.ray_engine`), and records every output in the
manifest and every failure in the failures file (:mod:`~panocolor.batch.manifest`).
"""

from panocolor.batch.engines import ENGINES, BatchEngine
from panocolor.batch.jobs import FAILURES_NAME, MANIFEST_NAME, Job, list_jobs
from panocolor.batch.manifest import Failure, Record, read_manifest
from panocolor.batch.run import BatchInterrupted, BatchPlan, BatchSummary, run_batch
from panocolor.batch.worker import BatchConfig, Outcome

__all__ = [
    "ENGINES",
    "FAILURES_NAME",
    "MANIFEST_NAME",
    "BatchConfig",
    "BatchEngine",
    "BatchInterrupted",
    "BatchPlan",
    "BatchSummary",
    "Failure",
    "Job",
    "Outcome",
    "Record",
    "list_jobs",
    "read_manifest",
    "run_batch",
]
