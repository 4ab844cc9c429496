"""Per-session temporary storage: uploads under server-made names, expiry, cleanup.

Every session owns one folder made by :func:`tempfile.mkdtemp` inside the store's
own temporary root. Files in it are named by the server (``<uuid>.upload``); a
client's filename is only kept, reduced to a short display name, as text. Ids are
uuid4 hex strings, checked against :data:`ID_PATTERN` before any lookup, so no
client input ever becomes part of a path. Idle sessions are removed by
:meth:`SessionStore.sweep` (run periodically by :meth:`SessionStore.start_sweeper`)
and everything is removed by :meth:`SessionStore.close`.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

import numpy as np

from panocolor.reference.base import ImageKey, ReferencePlan
from panocolor.segment.segmentation import Segmentation
from panocolor.web.hints import HintBoard
from panocolor.web.limits import Limits

log = logging.getLogger(__name__)

ID_PATTERN = r"^[0-9a-f]{32}$"
"""Session, image and job ids: uuid4 hex, 32 lower-case hex digits."""

Role = Literal["target", "reference"]
JobState = Literal["queued", "segmenting", "colorizing", "done", "error"]


def new_id() -> str:
    """A fresh id matching :data:`ID_PATTERN`."""
    return uuid.uuid4().hex


def display_name(filename: str | None, fallback: str = "image") -> str:
    """A client filename reduced to a harmless display name (never used as a path).

    Examples
    --------
    >>> display_name("../../etc/passwd")
    'passwd'
    >>> display_name("C:\\\\photos\\\\grandma.jpg")
    'grandma.jpg'
    >>> display_name("..")
    'image'
    """
    base = PurePosixPath((filename or "").replace("\\", "/")).name
    text = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return text[:100] if text.strip(".") else fallback


@dataclass(frozen=True)
class ImageRecord:
    """An image of a session.

    Attributes
    ----------
    id : str
        Its id.
    role : {"target", "reference"}
        The gray photo to colorize, or a colour photo to take colours from.
    name : str
        Display name (from the client's filename or the gallery).
    path : Path
        The file read when colorizing (server-side only).
    preview : Path
        A small 8-bit PNG for the page.
    width, height, bit_depth : int
        Size and depth of the decoded image.
    warnings : tuple of str
        Notes for the user (e.g. a colour photo given as the target).
    """

    id: str
    role: Role
    name: str
    path: Path
    preview: Path
    width: int
    height: int
    bit_depth: int
    warnings: tuple[str, ...] = ()


@dataclass(eq=False)
class Job:
    """One colorization run of a session, polled by clients."""

    id: str
    state: JobState = "queued"
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "error")


@dataclass(eq=False)
class Session:
    """What one user works on: images, segment edits, the latest result and its jobs.

    Attributes
    ----------
    segmentation : Segmentation or None
        The target's segments as the segmenter found them (renames live in ``labels``).
    segment_lightness : ndarray or None
        The target's L* at the segmentation's size (for the overlay).
    labels : dict of int to str
        Segment id -> class name given by the user.
    segment_refs : dict of int to str
        Segment id -> image id chosen by the user.
    sources : dict of ImageKey to str
        Plan image key -> session image id of the latest result.
    """

    id: str
    folder: Path
    touched: float = field(default_factory=time.monotonic)
    images: dict[str, ImageRecord] = field(default_factory=dict)
    target_id: str | None = None
    segmentation: Segmentation | None = None
    segment_lightness: np.ndarray | None = None
    labels: dict[int, str] = field(default_factory=dict)
    segment_refs: dict[int, str] = field(default_factory=dict)
    plan: ReferencePlan | None = None
    sources: dict[ImageKey, str] = field(default_factory=dict)
    result: Path | None = None
    jobs: dict[str, Job] = field(default_factory=dict)
    hints: HintBoard = field(default_factory=HintBoard)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def new_path(self, suffix: str) -> Path:
        """A fresh server-named file path inside the session folder."""
        return self.folder / f"{new_id()}{suffix}"

    @property
    def references(self) -> list[ImageRecord]:
        """Reference images in upload order."""
        return [image for image in self.images.values() if image.role == "reference"]

    @property
    def busy(self) -> bool:
        return any(not job.finished for job in self.jobs.values())

    def add(self, image: ImageRecord) -> None:
        """Add an image; a new target replaces the old one and clears its segments and result."""
        with self.lock:
            self.images[image.id] = image
            if image.role == "target":
                if self.target_id is not None:
                    self.images.pop(self.target_id)
                self.target_id = image.id
                self.segmentation = self.segment_lightness = self.plan = self.result = None
                self.labels.clear()
                self.segment_refs.clear()
                self.sources.clear()
                self.hints.clear()

    def remove(self, image_id: str) -> ImageRecord:
        """Remove an image and its files; KeyError if it is not in the session.

        Segments that took their colour from it go back to the automatic choice;
        removing the gray photo also drops its segments and result.
        """
        with self.lock:
            image = self.images.pop(image_id)
            if image_id == self.target_id:
                self.target_id = None
                if self.result is not None:
                    self.result.unlink(missing_ok=True)
                self.segmentation = self.segment_lightness = self.plan = self.result = None
                self.labels.clear()
                self.segment_refs.clear()
                self.sources.clear()
                self.hints.clear()
            else:
                for segment_id in [k for k, v in self.segment_refs.items() if v == image_id]:
                    del self.segment_refs[segment_id]
                for key in [k for k, v in self.sources.items() if v == image_id]:
                    del self.sources[key]
        for path in (image.path, image.preview):
            path.unlink(missing_ok=True)
        return image

    def labelled(self) -> Segmentation | None:
        """The segmentation with the user's class names."""
        if self.segmentation is None or not self.labels:
            return self.segmentation
        return self.segmentation.named(self.labels)


class StoreFullError(Exception):
    """No room for another session."""


class SessionStore:
    """All sessions of one server, each in its own temporary folder.

    Parameters
    ----------
    limits : Limits
        ``session_ttl_s`` and ``max_sessions`` apply here.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.root = Path(tempfile.mkdtemp(prefix="panocolor-web-"))
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    def __len__(self) -> int:
        return len(self._sessions)

    def create(self) -> Session:
        """A new empty session.

        Raises
        ------
        StoreFullError
            When ``max_sessions`` sessions are held even after removing expired ones.
        """
        self.sweep()
        with self._lock:
            if len(self._sessions) >= self.limits.max_sessions:
                raise StoreFullError(
                    f"the server holds {len(self._sessions)} sessions, its limit; try again later"
                )
            session_id = new_id()
            folder = Path(tempfile.mkdtemp(prefix="s-", dir=self.root))
            session = Session(session_id, folder)
            self._sessions[session_id] = session
        return session

    def get(self, session_id: str) -> Session:
        """The session and mark it used; KeyError if unknown or expired."""
        with self._lock:
            session = self._sessions[session_id]
            session.touched = time.monotonic()
        return session

    def delete(self, session_id: str) -> None:
        """Remove a session and its files; KeyError if unknown."""
        with self._lock:
            session = self._sessions.pop(session_id)
        shutil.rmtree(session.folder, ignore_errors=True)

    def sweep(self, now: float | None = None) -> int:
        """Remove sessions idle longer than the TTL (not while a job runs); return how many."""
        now = time.monotonic() if now is None else now
        with self._lock:
            expired = [
                s
                for s in self._sessions.values()
                if now - s.touched > self.limits.session_ttl_s and not s.busy
            ]
            for session in expired:
                del self._sessions[session.id]
        for session in expired:
            shutil.rmtree(session.folder, ignore_errors=True)
        if expired:
            log.info("removed %d expired sessions", len(expired))
        return len(expired)

    def start_sweeper(self, interval_s: float | None = None) -> None:
        """Sweep in a daemon thread every ``interval_s`` (default: ``limits.sweep_every_s``)."""
        interval = interval_s or self.limits.sweep_every_s

        def loop() -> None:
            while not self._stop.wait(interval):
                self.sweep()

        self._sweeper = threading.Thread(target=loop, name="panocolor-sweeper", daemon=True)
        self._sweeper.start()

    def close(self) -> None:
        """Stop sweeping and remove every session and the temporary root."""
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
        with self._lock:
            self._sessions.clear()
        shutil.rmtree(self.root, ignore_errors=True)
