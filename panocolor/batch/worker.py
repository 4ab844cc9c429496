"""Doing one job: what every worker (process or Ray actor) runs, whatever the engine."""

from __future__ import annotations

import functools
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from panocolor import __version__
from panocolor.batch import _hooks
from panocolor.batch.jobs import Job
from panocolor.batch.manifest import Failure, Record
from panocolor.errors import PanocolorError

if TYPE_CHECKING:
    from panocolor.hints import Hint
    from panocolor.pipeline import Settings

_REFERENCE_CACHE = 16  # per-row references kept decoded per worker


def _default_settings() -> Settings:
    from panocolor.pipeline import Settings  # the pipeline loads only where jobs run

    return Settings()


@dataclass(frozen=True)
class BatchConfig:
    """Everything a worker needs besides the jobs; picklable, sent once per worker.

    Attributes
    ----------
    settings : Settings
        How every job is colorized (default: ``Settings()``).
    reference : str or None
        The batch's colour reference, used by jobs without their own.
    class_references : dict of str to str
        Class name -> colour photo.
    overwrite : bool
        Replace outputs that exist.
    threads : int or None
        Threads each worker may use (OpenCV and composition); None leaves the default.
    """

    settings: Settings = field(default_factory=_default_settings)
    reference: str | None = None
    class_references: dict[str, str] = field(default_factory=dict)
    overwrite: bool = False
    threads: int | None = None


@dataclass(frozen=True)
class Outcome:
    """A job's result: ``done`` with its manifest record, or ``failed`` with a reason."""

    status: Literal["done", "failed"]
    job: Job
    record: Record | None = None
    failure: Failure | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "job": self.job.to_dict(),
            "record": asdict(self.record) if self.record else None,
            "failure": asdict(self.failure) if self.failure else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            data["status"],
            Job(**data["job"]),
            Record(**data["record"]) if data["record"] else None,
            Failure(**data["failure"]) if data["failure"] else None,
        )


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text if isinstance(error, PanocolorError) else f"{type(error).__name__}: {text}"


def _guidance(job: Job, hints: list[Hint] | None) -> dict[str, Any]:
    """The manifest's note of the job's hints: ``{"hints": [...], "scribbles": path}``."""
    from panocolor.hints import spell_hint

    guidance: dict[str, Any] = {}
    if hints:
        guidance["hints"] = [spell_hint(hint) for hint in hints]
    if job.scribbles:
        guidance["scribbles"] = job.scribbles
    return guidance


def check_config(config: BatchConfig) -> None:
    """Fail fast, before any worker starts, on what would stop every one of them.

    Raises
    ------
    PanocolorError
        Bad settings, unknown backend names, unreadable or colourless references.
    """
    from panocolor.io import read_color
    from panocolor.segment import SEGMENTERS
    from panocolor.transfer import TRANSFERS

    settings = config.settings
    TRANSFERS.get(settings.transfer)
    SEGMENTERS.get(settings.segmenter)
    for path in [config.reference, *config.class_references.values()]:
        if path is not None:
            read_color(path)


class JobRunner:
    """One :class:`~panocolor.pipeline.Colorizer` (models loaded once) and the batch's references.

    Parameters
    ----------
    config : BatchConfig
        The batch's settings.
    """

    def __init__(self, config: BatchConfig) -> None:
        import cv2

        from panocolor.io import read_color
        from panocolor.pipeline import Colorizer

        if config.threads is not None:
            cv2.setNumThreads(config.threads)
        self.config = config
        self.settings = config.settings
        self.colorizer = Colorizer(self.settings)
        self._read_reference = functools.lru_cache(maxsize=_REFERENCE_CACHE)(read_color)
        self.class_references = {
            label: read_color(path) for label, path in config.class_references.items()
        }

    def __call__(self, job: Job) -> Outcome:
        """Colorize ``job.input`` into ``job.output``; never raises for a bad input."""
        from panocolor.hints import parse_hint_list, read_scribbles
        from panocolor.io import write_image

        started = time.perf_counter()
        reference_path = job.reference or self.config.reference
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. a colour photo given as input
                reference = self._read_reference(reference_path) if reference_path else None
                hints = parse_hint_list(job.hints) if job.hints else None
                scribbles = read_scribbles(job.scribbles) if job.scribbles else None
                result = self.colorizer(
                    job.input,
                    reference,
                    class_references=self.class_references or None,
                    hints=hints,
                    scribbles=scribbles,
                )
            mark = time.perf_counter()
            _hooks.set_current_job(job.key)
            write_image(job.output, result.rgb, overwrite=self.config.overwrite or job.replace)
            _hooks.after_write(job.key)
            timings = dict(result.timings)
            timings["write"] = time.perf_counter() - mark
        except (PanocolorError, OSError, MemoryError, ValueError) as error:
            return Outcome("failed", job, failure=Failure(job.input, job.output, _one_line(error)))
        timings["total"] = time.perf_counter() - started
        if result.plan is not None:
            references = result.plan.to_dict()
        else:
            references = {"reference": reference_path}
        record = Record(
            input=job.input,
            output=job.output,
            key=job.key,
            shape=list(result.rgb.shape[:2]),
            settings=self.settings.to_dict(),
            references=references,
            guidance=_guidance(job, hints),
            version=__version__,
            timings={name: round(seconds, 4) for name, seconds in timings.items()},
        )
        return Outcome("done", job, record=record)
