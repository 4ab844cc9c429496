"""Running TFLite models, created without the runtime's start-up chatter on stderr.

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
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

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


class TFLiteModel:
    """One TFLite model file, run one call at a time: an input in, the tensors asked for out.

    Every model panocolor runs (the DeepLab segmenters and descriptors, the gallery's
    embedding model) goes through this class: it is created quietly
    (:func:`runtime_stderr_filtered`), and a lock keeps two threads from interleaving
    ``set_tensor``, ``invoke`` and ``get_tensor`` on the one interpreter.

    Parameters
    ----------
    path : path-like
        A ``.tflite`` file.
    num_threads : int, optional
        Interpreter threads.
    **options
        Passed on to the interpreter (``experimental_preserve_all_tensors=True`` keeps
        inner tensors readable after a run).
    """

    def __init__(self, path: str | os.PathLike[str], num_threads: int = 2, **options: Any):
        self.path = os.fspath(path)
        from ai_edge_litert.interpreter import Interpreter

        with runtime_stderr_filtered():
            self._interpreter = Interpreter(
                model_path=self.path, num_threads=num_threads, **options
            )
            self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._lock = threading.Lock()

    @classmethod
    def shared(cls, path: str | os.PathLike[str], num_threads: int = 2) -> TFLiteModel:
        """The process-wide instance for ``path`` (an interpreter is created once)."""
        key = (os.path.realpath(path), num_threads)
        with _SHARED_LOCK:
            if key not in _SHARED:
                _SHARED[key] = cls(path, num_threads)
            return _SHARED[key]

    def find_tensors(self, prefixes: Iterable[str]) -> dict[str, tuple[int, float, int]]:
        """(index, scale, zero point) of the first activation tensor named after each prefix.

        Activations are the 4-d tensors of batch 1 (weights and biases share the names'
        prefixes); prefixes the model lacks are left out.
        """
        wanted = tuple(prefixes)
        found: dict[str, tuple[int, float, int]] = {}
        for detail in self._interpreter.get_tensor_details():
            shape = detail["shape"]
            if len(shape) != 4 or shape[0] != 1:
                continue
            for prefix in wanted:
                if detail["name"].startswith(prefix) and prefix not in found:
                    scale, zero = detail["quantization"]
                    found[prefix] = (detail["index"], float(scale), int(zero))
        return found

    def run(
        self, batch: np.ndarray, tensors: Iterable[int] = ()
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Run the model on ``batch``.

        Parameters
        ----------
        batch : ndarray
            The input tensor, of the model's input shape and dtype.
        tensors : iterable of int
            Indices of inner tensors to return as well (see :meth:`find_tensors`).

        Returns
        -------
        output : ndarray
            The first output tensor, batch axis included.
        inner : list of ndarray
            The tensors asked for, in order, batch axis included (raw: still quantized).
        """
        with self._lock:
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            output = self._interpreter.get_tensor(self._output)
            return output, [self._interpreter.get_tensor(index) for index in tensors]


def dequantize(values: np.ndarray, scale: float, zero: int) -> np.ndarray:
    """float32 values of a quantized tensor (``scale == 0``: it was not quantized)."""
    if scale == 0.0:
        return values.astype(np.float32)
    return ((values.astype(np.float32) - zero) * scale).astype(np.float32)


_SHARED: dict[tuple[str, int], TFLiteModel] = {}
_SHARED_LOCK = threading.Lock()
