"""Colorization jobs: a thread pool in front of one shared :class:`~panocolor.pipeline.Colorizer`.

The colorizer (its models loaded once, on first use or at startup) is not meant for
concurrent calls, so a lock lets one job at a time use it; requests keep being
answered by the server meanwhile. A job goes ``queued -> segmenting -> colorizing ->
done`` or ends in ``error`` with a one-line message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from panocolor.errors import PanocolorError
from panocolor.imaging import resize_to_pixels
from panocolor.io import read_color, read_gray, write_image
from panocolor.pipeline import Colorizer, Settings
from panocolor.reference.base import ImageKey
from panocolor.web.limits import Limits
from panocolor.web.store import Job, Session, new_id

log = logging.getLogger(__name__)
T = TypeVar("T")

RECENT_IMAGES = 4
"""Images read for jobs and kept (by file: path, size, modification time) for the next
ones: a session's photo and its references, so that each new job of a session (one per
hint or swap) hands the colorizer the very same image objects and its caches apply (the
reference's segmentation and descriptors, the transfer's working copies)."""


class Colorizing:
    """Runs jobs for sessions with one lazily built colorizer.

    Parameters
    ----------
    settings : Settings
        How to colorize. A gallery that cannot be used (no segmentation models) is
        dropped with a notice rather than failing every job.
    limits : Limits
        ``workers`` and ``max_pixels`` apply here.
    """

    def __init__(self, settings: Settings, limits: Limits) -> None:
        self.settings = settings
        self.limits = limits
        self.notice: str | None = None
        self._colorizer: Colorizer | None = None
        self._lock = threading.Lock()
        self._recent = lru_cache(maxsize=RECENT_IMAGES)(self._read_file)
        self._executor = ThreadPoolExecutor(limits.workers, thread_name_prefix="panocolor-job")

    @property
    def colorizer(self) -> Colorizer | None:
        """The colorizer once built (None before, or when building failed)."""
        return self._colorizer

    def _build(self) -> Colorizer:
        """The colorizer, built on first use; call with the lock held."""
        if self._colorizer is None:
            try:
                self._colorizer = Colorizer(self.settings)
            except PanocolorError as error:
                if self.settings.gallery is None:
                    raise
                self.notice = f"gallery suggestions are off: {error}"
                log.warning(self.notice)
                self._colorizer = Colorizer(replace(self.settings, gallery=None))
            if self._colorizer.segmenter is None:
                self.notice = "segmentation models not found: one reference colours the whole photo"
        return self._colorizer

    def warm_up(self) -> None:
        """Load the models in the background now instead of in the first job."""

        def load() -> None:
            try:
                with self._lock:
                    self._build()
            except PanocolorError as error:  # reported again by the first job
                log.warning("cannot load the colorizer: %s", error)

        self._executor.submit(load)

    def submit(self, session: Session, reference_id: str | None) -> Job:
        """Queue a colorization of the session's target with reference ``reference_id``.

        Without a reference (None) the session's colour hints alone colour the photo.
        """
        job = Job(new_id())
        with session.lock:
            session.jobs[job.id] = job
        self._executor.submit(self._run, session, job, reference_id)
        return job

    def _run(self, session: Session, job: Job, reference_id: str | None) -> None:
        started = time.perf_counter()
        try:
            self._colorize(session, job, reference_id)
        except PanocolorError as error:
            job.error = str(error)
        except MemoryError:
            job.error = "out of memory; try a smaller photo"
        except Exception as error:  # a bug must still end the job with a message
            log.exception("job %s failed", job.id)
            job.error = f"internal error ({type(error).__name__}); see the server log"
        job.timings["total"] = time.perf_counter() - started
        job.state = "error" if job.error else "done"

    def _read(self, reader: Callable[..., T], path: Path) -> T:
        """``reader(path)`` within the pixel limit, or the object it gave a recent job."""
        try:
            stat = path.stat()
        except OSError:
            return reader(path, max_pixels=self.limits.max_pixels)  # it says what is wrong
        return self._recent(reader, path, stat.st_size, stat.st_mtime_ns)

    def _read_file(self, reader: Callable[..., T], path: Path, size: int, mtime: int) -> T:
        """``reader(path)``; ``size`` and ``mtime`` only tell a rewritten file apart."""
        return reader(path, max_pixels=self.limits.max_pixels)

    def _colorize(self, session: Session, job: Job, reference_id: str | None) -> None:
        with session.lock:
            if session.target_id is None:
                raise PanocolorError("upload a gray photo first")
            target = session.images[session.target_id]
            reference = session.images[reference_id] if reference_id is not None else None
            hints = session.hints.hints()
            chosen = {k: session.images[v] for k, v in session.segment_refs.items()}
        gray = self._read(read_gray, target.path)
        main = self._read(read_color, reference.path) if reference else None
        by_segment = {k: self._read(read_color, v.path) for k, v in chosen.items()}
        with self._lock:
            job.state = "segmenting"
            mark = time.perf_counter()
            colorizer = self._build()
            if colorizer.segmenter is not None and session.segmentation is None:
                small = resize_to_pixels(gray.lightness, colorizer.settings.segment_pixels)
                segmentation = colorizer.segmenter(small)
                with session.lock:
                    if session.target_id == target.id:
                        session.segmentation, session.segment_lightness = segmentation, small
            job.timings["segment"] = time.perf_counter() - mark
            job.state = "colorizing"
            mark = time.perf_counter()
            with session.lock:
                segmentation = session.labelled()
            result = colorizer(
                gray,
                main,
                segment_references=by_segment if segmentation is not None else None,
                segmentation=segmentation,
                hints=hints or None,
            )
            job.timings["colorize"] = time.perf_counter() - mark
        path = session.new_path(".png")
        write_image(path, result.rgb)  # full resolution and bit depth
        sources = {ImageKey.reference(): reference_id} if reference_id is not None else {}
        sources |= {ImageKey.of_segment(k): v.id for k, v in chosen.items()}
        with session.lock:
            if session.target_id != target.id:  # a new photo arrived meanwhile
                path.unlink(missing_ok=True)
                raise PanocolorError("the gray photo was replaced while colorizing; run again")
            if session.result is not None:
                session.result.unlink(missing_ok=True)
            session.result, session.plan, session.sources = path, result.plan, sources

    def forget_images(self) -> None:
        """Drop the images kept for later jobs (the next job reads its files again; for
        benchmarks)."""
        self._recent.cache_clear()

    def close(self) -> None:
        """Stop taking jobs; queued ones are cancelled, a running one finishes in the background."""
        self._executor.shutdown(wait=False, cancel_futures=True)
