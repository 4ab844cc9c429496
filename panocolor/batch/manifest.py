"""The batch's records on disk: manifest, failures file, lock, and leftovers of killed runs.

The manifest (:data:`~panocolor.batch.jobs.MANIFEST_NAME`) is JSON lines, appended,
flushed and fsynced once per finished output, so that after a crash every record in it
names a complete output (outputs are written atomically before their record). A run
cut off while writing a record leaves at most a partial last line, which the next run
drops.
"""

from __future__ import annotations

import csv
import fcntl
import glob
import json
import os
import re
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import cv2

from panocolor.batch.jobs import FAILURES_NAME, MANIFEST_NAME, Job
from panocolor.errors import PanocolorError

_PARTIAL = re.compile(r"^\..+\.[0-9a-f]{12}\.part$")  # write_image's temporary files
_LOCK_NAME = ".panocolor-batch.lock"


@dataclass(frozen=True)
class Record:
    """What the manifest says about one output.

    Attributes
    ----------
    input, output : str
        The photo and its colorized file.
    key : str
        ``output`` relative to the output folder.
    shape : list of int
        Height and width of the output.
    settings : dict
        :meth:`panocolor.pipeline.Settings.to_dict`.
    references : dict
        :meth:`ReferencePlan.to_dict` for per-object colorization, else ``{"reference": path}``.
    guidance : dict
        The job's colour hints: ``{"hints": ["X,Y=#RRGGBB", ...], "scribbles": path}``
        (each key only when given; empty without hints).
    version : str
        ``panocolor.__version__``.
    timings : dict of str to float
        Seconds per stage, ``write`` and ``total`` included.
    """

    input: str
    output: str
    key: str
    shape: list[int]
    settings: dict[str, Any]
    references: dict[str, Any]
    version: str
    timings: dict[str, float] = field(default_factory=dict)
    guidance: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))


@dataclass(frozen=True)
class Failure:
    """A job that could not be done, and why (one line)."""

    input: str
    output: str
    reason: str


def read_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Records of the manifest by output key (the last record of a key wins).

    A line that is not valid JSON (a run killed while writing it) is ignored.
    """
    path = out_dir / MANIFEST_NAME
    records: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return records
    with path.open(encoding="utf-8") as file:
        for line in file:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and "key" in record:
                records[record["key"]] = record
    return records


class Manifest:
    """Append-only JSON-lines manifest, durable record by record.

    Parameters
    ----------
    out_dir : Path
        The output folder (created if missing).
    """

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.path = out_dir / MANIFEST_NAME
        self._file: IO[str] = self.path.open("a+", encoding="utf-8")
        self._drop_partial_line()

    def _drop_partial_line(self) -> None:
        """Cut a last line without its newline (left by a run killed mid-write)."""
        size = self._file.seek(0, os.SEEK_END)
        if size == 0:
            return
        with self.path.open("rb") as raw:
            data = raw.read()
        if data.endswith(b"\n"):
            return
        self._file.truncate(data.rfind(b"\n") + 1)
        self._file.seek(0, os.SEEK_END)

    def append(self, record: Record) -> None:
        """Write one record and make it durable before returning."""
        self._file.write(record.to_json() + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()


class FailureLog:
    """The failures file of this run, ``input,output,reason``; written as failures happen.

    The previous run's file is removed when the log is opened; the file appears with the
    first failure, so after a clean run there is none.
    """

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / FAILURES_NAME
        self.path.unlink(missing_ok=True)
        self._file: IO[str] | None = None
        self._writer: Any = None

    def append(self, failure: Failure) -> None:
        if self._file is None:
            self._file = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._file)
            self._writer.writerow(["input", "output", "reason"])
        self._writer.writerow([failure.input, failure.output, failure.reason])
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class StaleLockWarning(UserWarning):
    """The output folder's lock was left by a batch that is no longer running; taken over."""


class OutputLock:
    """The output folder, taken by this process: ``.panocolor-batch.lock`` holding its pid.

    The file is locked with ``flock``, which the kernel releases when the process ends
    however it ends; :meth:`release` also removes the file, so after a batch that ended
    by itself (done, error or signal) there is none. After a SIGKILL the file stays, its
    flock released: the next batch finds it free, says so and takes it over.
    """

    def __init__(self, path: Path, fd: int, stale_pid: int | None) -> None:
        self.path = path
        self._fd: int | None = fd
        self.stale_pid = stale_pid
        """The pid written by the batch whose left-over lock was taken over, if any."""

    def release(self) -> None:
        """Remove the lock file (while still holding it), then let go of it."""
        if self._fd is None:
            return
        try:
            if os.stat(self.path).st_ino == os.fstat(self._fd).st_ino:
                self.path.unlink()
        except OSError:
            pass  # already gone, or the folder is no longer writable: the flock still goes
        os.close(self._fd)
        self._fd = None

    def close(self) -> None:
        self.release()


def _lock_pid(fd: int) -> int | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 64).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def lock_output(out_dir: Path) -> OutputLock:
    """Take the output folder for this process; see :class:`OutputLock`.

    A lock file left by a killed batch (free, holding another pid) is taken over with a
    :class:`StaleLockWarning`.

    Raises
    ------
    PanocolorError
        Another batch is writing into ``out_dir``, or the lock cannot be created.
    """
    path = out_dir / _LOCK_NAME
    for _ in range(10):  # another batch may remove the file between our open and flock
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise PanocolorError(f"cannot write into {out_dir}: {reason}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _lock_pid(fd)
            os.close(fd)
            holder = f" (pid {pid})" if pid else ""
            raise PanocolorError(
                f"another panocolor batch{holder} is writing into {out_dir}"
            ) from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # we locked a file its holder had just removed: try again
            os.close(fd)
            continue
        stale = _lock_pid(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        if stale is not None and stale != os.getpid():
            warnings.warn(
                f"took over {path}, left by a batch (pid {stale}) that is no longer running",
                StaleLockWarning,
                stacklevel=2,
            )
        else:
            stale = None
        return OutputLock(path, fd, stale)
    raise PanocolorError(f"cannot take {path}: other batches keep taking it")


def remove_partials(out_dir: Path) -> int:
    """Delete the temporary ``.*.part`` files a killed run left in ``out_dir``; return how many."""
    removed = 0
    for path in out_dir.rglob(".*.part"):
        if path.is_file() and _PARTIAL.match(path.name):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def remove_job_partials(jobs: list[Job]) -> int:
    """Delete the temporary files of ``jobs``' outputs (left by killed workers); how many."""
    removed = 0
    for job in jobs:
        output = Path(job.output)
        for path in output.parent.glob(f".{glob.escape(output.name)}.*.part"):
            if path.is_file() and _PARTIAL.match(path.name):
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def output_is_valid(path: str | Path, shape: list[int] | None = None) -> bool:
    """Whether ``path`` decodes completely (and has ``shape`` (height, width) if given)."""
    pixels = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if pixels is None:
        return False
    return shape is None or list(pixels.shape[:2]) == list(shape[:2])
