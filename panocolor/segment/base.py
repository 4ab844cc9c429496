"""The segmentation stage's contract: the Segmenter protocol and the registry of backends.

A segmenter turns a gray photo's lightness into a
:class:`~panocolor.segment.segmentation.Segmentation`. Backends register in
:data:`SEGMENTERS`, with ``none`` (no segmenter) and ``auto`` (``deeplab`` when its model
files are found) among them, and are built by :func:`build_segmenter`.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Protocol, runtime_checkable

import numpy as np

from panocolor.defaults import DEFAULT_SEGMENTER
from panocolor.errors import ModelNotFoundError
from panocolor.registry import Registry
from panocolor.segment.segmentation import Segmentation

log = logging.getLogger(__name__)


@runtime_checkable
class Segmenter(Protocol):
    """What every segmentation backend is: a callable from lightness to a Segmentation.

    ``lightness`` is an (H, W) float32 array of CIELAB L* in [0, 100]; the result has
    the same (H, W). Backends load their models once, at construction.
    """

    def __call__(self, lightness: np.ndarray) -> Segmentation: ...


SEGMENTERS: Registry[Segmenter | None] = Registry("segmenter", (Segmenter, type(None)))
"""Segmentation backends by name; each entry is a factory taking keyword options.

``none`` builds None (no segmentation: one transfer for the whole photo) and ``auto``
builds ``deeplab`` when its model files are found, else None.
"""


@SEGMENTERS.register("none")
def no_segmenter() -> None:
    """No segmentation: the pipeline colours the whole photo from one reference."""
    return None


@SEGMENTERS.register("auto")
def auto_segmenter(model_dir: str | os.PathLike[str] | None = None) -> Segmenter | None:
    """``deeplab`` when its model files are found (in ``model_dir`` first), else None."""
    try:
        return SEGMENTERS.build("deeplab", model_dir=model_dir)
    except ModelNotFoundError as error:
        log.info("segmentation models not found (%s); using one reference for all", error)
        return None


def build_segmenter(name: str = DEFAULT_SEGMENTER, **options: Any) -> Segmenter | None:
    """Build a registered segmentation backend.

    Parameters
    ----------
    name : str, optional
        A name in :data:`SEGMENTERS` (``auto``, ``none``, ``deeplab``, ``superpixel``,
        ``panoptic-file``, ``hf``).
    **options
        Keyword options of that backend (for example ``model_dir=``).

    Returns
    -------
    segmenter : Segmenter or None
        None for ``none``, and for ``auto`` without the DeepLab model files.

    Raises
    ------
    UnknownBackendError
        If ``name`` is not registered.
    PanocolorError
        If an option is not one the backend takes.
    """
    return SEGMENTERS.build(name, **options)


def check_lightness(lightness: np.ndarray) -> np.ndarray:
    """Validate a segmenter's input and return it as float32.

    Raises
    ------
    ValueError
        If it is not a non-empty (H, W) array.
    """
    array = np.asarray(lightness, dtype=np.float32)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"lightness must be an (H, W) array of L* in [0, 100], got shape {array.shape}; "
            "convert colour images with panocolor.io.read_gray first"
        )
    return array
