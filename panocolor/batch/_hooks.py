"""Test-only hooks of the batch runner, read from ``$PANOCOLOR_BATCH_TEST_HOOKS`` (JSON).

Tests use them to stop a batch at a known moment, so that a kill or a signal lands where
the test says rather than where timing happens to put it. Without the variable nothing
here does anything. Keys of the JSON object:

``dir``
    Folder for the marker files below (needed by every other key). Each worker writes
    ``worker-<pid>`` there when it starts, so a test knows the worker processes.
``hold_workers``
    Every worker blocks in its initializer, before any job (``worker-<pid>`` written).
``pause_after``
    The parent, once it has recorded that many outcomes, writes ``paused`` and waits
    until a signal stops the batch.
``block_write``
    The worker writing the output with that key writes half of its bytes into the
    temporary file, writes the temporary file's path into ``blocked``, and blocks.
``die_after_write``
    The worker that has just written the output with that key kills itself (SIGKILL)
    before reporting it, once per batch directory (marker ``died``).
``no_pdeathsig``
    Workers skip ``PR_SET_PDEATHSIG``, leaving only the parent watchdog thread.
"""

from __future__ import annotations

import io
import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

VARIABLE = "PANOCOLOR_BATCH_TEST_HOOKS"

_current_key: str | None = None  # the job this worker is on (set by JobRunner)


def hooks() -> dict[str, Any]:
    """The hooks of this process (empty when the variable is unset)."""
    text = os.environ.get(VARIABLE)
    return json.loads(text) if text else {}


def _marker(name: str, text: str = "") -> None:
    folder = Path(hooks()["dir"])
    temp = folder / f".{name}.tmp"
    temp.write_text(text)
    os.replace(temp, folder / name)  # appears complete


def _block_forever() -> None:
    while True:  # until the parent's death (or the parent) kills this worker
        time.sleep(1)


def worker_started() -> None:
    """In a worker's initializer: announce the pid, and hold there if asked."""
    if not hooks():
        return
    _marker(f"worker-{os.getpid()}", str(os.getpid()))
    if hooks().get("block_write"):
        _install_block_write(hooks()["block_write"])
    if hooks().get("hold_workers"):
        _block_forever()


def use_pdeathsig() -> bool:
    return not hooks().get("no_pdeathsig")


def set_current_job(key: str | None) -> None:
    global _current_key
    _current_key = key


def after_write(key: str) -> None:
    """In a worker, once ``key``'s output is published and before its outcome is sent."""
    if not hooks() or hooks().get("die_after_write") != key:
        return
    died = Path(hooks()["dir"]) / "died"
    try:
        os.close(os.open(died, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return  # died once already: the retry goes through
    os.kill(os.getpid(), signal.SIGKILL)


def after_outcome(recorded: int, stopping: Callable[[], bool]) -> None:
    """In the parent, after each recorded outcome: pause after ``pause_after`` of them."""
    if not hooks() or hooks().get("pause_after") != recorded:
        return
    _marker("paused", str(recorded))
    while not stopping():
        time.sleep(0.05)


def _install_block_write(key: str) -> None:
    from panocolor.io import write as write_module

    encode = write_module._encode

    def blocking_encode(file: BinaryIO, pixels: Any, extension: str) -> None:
        if _current_key != key:
            encode(file, pixels, extension)
            return
        buffer = io.BytesIO()
        encode(buffer, pixels, extension)
        data = buffer.getvalue()
        file.write(data[: len(data) // 2])
        file.flush()
        os.fsync(file.fileno())
        _marker("blocked", str(Path(file.name).resolve()))
        _block_forever()

    write_module._encode = blocking_encode
