"""One DeepLab TFLite model: a gray photo in, class ids (and the VOC model's descriptors) out."""

from __future__ import annotations

import os
import threading
import warnings

import cv2
import numpy as np

from panocolor.models import TFLiteModel, dequantize
from panocolor.segment.semantic import DEFAULT_LAYER, LAYERS, LOGITS, SemanticFeatures

MODEL_SIZE = 513
RECENT_RUNS = 4
"""Model runs each :class:`DeepLabModel` remembers (a target, its reference and spares)."""
_INTERPRETERS: dict[tuple[str, int, bool], DeepLabModel] = {}
_LOCK = threading.Lock()


class DeepLabModel:
    """One DeepLab TFLite model: a 513 x 513 uint8 RGB image in, class ids out.

    The VOC model also gives dense semantic descriptors from the same run
    (:meth:`run`): its inner tensors are read after ``invoke``. That needs the
    interpreter option ``experimental_preserve_all_tensors``: without it the runtime
    reuses inner buffers, and ``get_tensor`` on an inner tensor either fails ("tensor
    data is null") or silently returns a later layer's values (the 33 x 33 x 320
    backbone tensor came back holding the logits). Measured on the VOC model at 513 x
    513 (2 threads): 77 ms per run either way, peak RSS 126 MB against 88 MB.

    The last few runs are remembered (:data:`RECENT_RUNS`): an input within half a gray
    level (mean absolute difference at 513 x 513) of a remembered one gives that
    result without running the model, so the segmenter and a transfer backend that
    both look at the same photo (through slightly different resizes) share one run.

    Parameters
    ----------
    path : path-like
        The ``.tflite`` file.
    num_threads : int, optional
        Interpreter threads.
    inner : bool, optional
        Keep inner tensors readable (needed for :meth:`run`; False saves the memory for
        models used only for their class ids).
    """

    def __init__(
        self, path: str | os.PathLike[str], num_threads: int = 2, *, inner: bool = True
    ) -> None:
        self.path = os.fspath(path)
        with warnings.catch_warnings():  # the option's memory cost is measured above
            warnings.filterwarnings("ignore", message=".*experimental_preserve_all_tensors")
            self.runner = TFLiteModel(
                self.path, num_threads, experimental_preserve_all_tensors=inner
            )
        self._inner = self.runner.find_tensors((*LAYERS.values(), LOGITS)) if inner else {}
        self._lock = threading.Lock()
        self._recent: list[tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]] = []
        self.runs = 0  # model invocations so far (the cache's effect is observable)

    @property
    def has_semantics(self) -> bool:
        """Whether this model has the descriptor layers and logits (the VOC model does)."""
        return LOGITS in self._inner and all(name in self._inner for name in LAYERS.values())

    def __call__(self, gray: np.ndarray) -> np.ndarray:
        """Class ids of a gray image.

        Parameters
        ----------
        gray : (H, W) uint8 ndarray
            sRGB-encoded gray image, any size (resized to 513 x 513, aspect not kept).

        Returns
        -------
        ids : (513, 513) uint8 ndarray
            The model's class id per pixel, over the whole (squashed) image.
        """
        return self._run(gray)[0]

    def run(
        self, gray: np.ndarray, *, layer: str = DEFAULT_LAYER
    ) -> tuple[np.ndarray, SemanticFeatures]:
        """Class ids and semantic descriptors of a gray image, from one model run.

        Parameters
        ----------
        gray : (H, W) uint8 ndarray
            As for :meth:`__call__`.
        layer : str, optional
            Descriptor layer, a key of :data:`~panocolor.segment.semantic.LAYERS`.

        Returns
        -------
        ids : (513, 513) uint8 ndarray
            As :meth:`__call__` returns.
        features : SemanticFeatures
            Descriptors of ``layer`` and the class logits, for an image of ``gray``'s size.

        Raises
        ------
        ValueError
            If this model has no such layer (e.g. the Cityscapes model).
        """
        if layer not in LAYERS or not self.has_semantics:
            raise ValueError(f"{os.path.basename(self.path)} has no descriptor layer {layer!r}")
        ids, inner = self._run(gray)
        return ids, SemanticFeatures(
            dequantize(*inner[LAYERS[layer]]), dequantize(*inner[LOGITS]), gray.shape, layer
        )

    def _run(self, gray: np.ndarray) -> tuple[np.ndarray, dict[str, tuple]]:
        if gray.shape != (MODEL_SIZE, MODEL_SIZE):
            gray = cv2.resize(gray, (MODEL_SIZE, MODEL_SIZE), interpolation=cv2.INTER_AREA)
        with self._lock:  # one interpreter, one call at a time
            for seen, ids, inner in self._recent:
                if cv2.absdiff(seen, gray).mean() < 0.5:
                    return ids, inner
            batch = np.repeat(gray[None, :, :, None], 3, axis=3)
            indices = [index for index, _, _ in self._inner.values()]
            output, tensors = self.runner.run(batch, indices)
            self.runs += 1
            ids = output[0].astype(np.uint8)
            ids.flags.writeable = False  # shared by every caller of a remembered run
            inner = {
                name: (tensor[0], scale, zero)
                for (name, (_, scale, zero)), tensor in zip(
                    self._inner.items(), tensors, strict=True
                )
            }
            self._recent = [(gray, ids, inner), *self._recent[: RECENT_RUNS - 1]]
            return ids, inner

    def forget(self) -> None:
        """Drop the remembered runs (the next call runs the model; for benchmarks)."""
        with self._lock:
            self._recent = []

    @classmethod
    def shared(
        cls, path: str | os.PathLike[str], num_threads: int = 2, *, inner: bool = True
    ) -> DeepLabModel:
        """The process-wide instance for ``path`` (interpreters are created once)."""
        key = (os.path.realpath(path), num_threads, inner)
        with _LOCK:
            if key not in _INTERPRETERS:
                _INTERPRETERS[key] = cls(path, num_threads, inner=inner)
            return _INTERPRETERS[key]
