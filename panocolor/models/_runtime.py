"""Creating TFLite interpreters without the runtime's start-up chatter on stderr.

The LiteRT C++ runtime prints ``INFO: Created TensorFlow Lite XNNPACK delegate for
CPU.`` straight to file descriptor 2 when an interpreter is built (no environment
variable turns it off: ``TF_CPP_MIN_LOG_LEVEL`` does not reach this logger), so file
descriptor 2 is pointed at a temporary file while the interpreter is created; whatever
else the runtime printed meanwhile (a real warning or error) is passed on to stderr.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

log = logging.getLogger(__name__)

_CHATTER = ("INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",)
"""Lines the runtime prints on every start that tell users nothing."""
_FD_LOCK = threading.Lock()


@contextlib.contextmanager
def runtime_stderr_filtered() -> Iterator[None]:
    """Hide the runtime's start-up chatter on file descriptor 2; pass the rest on.

    While the block runs, anything written to file descriptor 2 (by any thread) goes to a
    temporary file; afterwards every line but the known chatter is written to stderr,
    and logged at debug level.
    """
    with _FD_LOCK, tempfile.TemporaryFile(mode="w+b") as capture:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(capture.fileno(), 2)
            try:
                yield
            finally:
                with contextlib.suppress(Exception):
                    sys.stderr.flush()
                os.dup2(saved, 2)
        finally:
            os.close(saved)
        capture.seek(0)
        lines = capture.read().decode("utf-8", "replace").splitlines()
    kept = [line for line in lines if line.strip() and line.strip() not in _CHATTER]
    for line in lines:
        if line.strip():
            log.debug("runtime: %s", line)
    if kept:
        sys.stderr.write("\n".join(kept) + "\n")
        sys.stderr.flush()


def tflite_interpreter(path: str | os.PathLike[str], num_threads: int = 2, **options: Any) -> Any:
    """A LiteRT interpreter for ``path`` with its tensors allocated, created quietly.

    Parameters
    ----------
    path : path-like
        A ``.tflite`` file.
    num_threads : int, optional
        Interpreter threads.
    **options
        Passed on to ``ai_edge_litert.interpreter.Interpreter``.

    Returns
    -------
    interpreter : ai_edge_litert.interpreter.Interpreter
    """
    from ai_edge_litert.interpreter import Interpreter

    with runtime_stderr_filtered():
        interpreter = Interpreter(model_path=os.fspath(path), num_threads=num_threads, **options)
        interpreter.allocate_tensors()
    return interpreter
