"""Checks made before a batch creates anything: the output folder and the references."""

from __future__ import annotations

import os
from pathlib import Path

from panocolor.batch.jobs import Job
from panocolor.batch.worker import BatchConfig
from panocolor.errors import PanocolorError


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
        No ``-r``, no ``--ref``, no gallery, and jobs with neither a reference nor hints
        of their own (hints alone colour a photo).
    """
    if config.reference or config.class_references or config.settings.gallery:
        return
    missing = [job for job in jobs if not (job.reference or job.hints or job.scribbles)]
    if missing:
        some = "every photo" if len(missing) == len(jobs) else f"{len(missing)} of the photos"
        raise PanocolorError(
            f"no colour reference for {some} (e.g. {missing[0].input}): give -r REFERENCE, "
            "--ref CLASS=PATH or --gallery FOLDER, or a reference or hints column in the CSV list"
        )
