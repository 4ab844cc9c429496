"""Appearance descriptors of image regions, for choosing references by similarity."""

from __future__ import annotations

import os

import cv2
import numpy as np

from panocolor.imaging.colorspace import lightness_to_uint8
from panocolor.models import TFLiteModel, find_model

EMBEDDING_MODEL = "mobilenet_v1_1.0_224_quant_embedding_extractor.tflite"
_EMBED_SIDE = 224


def texture_descriptor(lightness: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Cheap appearance of a region: its L* level, spread and texture at two scales.

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        L* in [0, 100].
    mask : (H, W) bool ndarray
        The region (not empty).

    Returns
    -------
    descriptor : (4,) float32 ndarray
        Mean L*, std of L*, and mean local std of L* in 5x5 and 13x13 windows, all in
        L* units, so Euclidean distances between descriptors are meaningful.
    """
    values = lightness[mask]
    features = [values.mean(), values.std()]
    squared = lightness * lightness
    for size in (5, 13):
        mean = cv2.blur(lightness, (size, size))
        local_std = np.sqrt(np.maximum(cv2.blur(squared, (size, size)) - mean * mean, 0.0))
        features.append(local_std[mask].mean())
    return np.asarray(features, np.float32)


def descriptor_similarity(a: np.ndarray, b: np.ndarray, scale: float = 10.0) -> float:
    """Similarity in (0, 1] of two :func:`texture_descriptor` vectors."""
    return float(np.exp(-np.linalg.norm(a - b) / scale))


class Embedder:
    """1024-d appearance embedding of a gray image region (MobileNet v1, ImageNet).

    Gray is compared with gray: gallery photos are embedded from their L* too, so
    colour does not bias the similarity.

    Parameters
    ----------
    model_dir : path-like, optional
        Folder searched first for the model file (see :func:`panocolor.models.find_model`).
    num_threads : int, optional
        TFLite interpreter threads.
    """

    def __init__(self, model_dir: str | os.PathLike[str] | None = None, num_threads: int = 2):
        self.runner = TFLiteModel.shared(find_model(EMBEDDING_MODEL, model_dir), num_threads)

    def __call__(self, lightness: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Unit-length embedding of the bounding box of ``mask`` (or the whole image).

        Parameters
        ----------
        lightness : (H, W) float32 ndarray
            L* in [0, 100].
        mask : (H, W) bool ndarray, optional
            Region to embed; pixels of the box outside it are set to the region's
            mean L*, so neighbours do not dominate small segments.

        Returns
        -------
        embedding : (1024,) float32 ndarray
        """
        crop = lightness
        if mask is not None:
            rows, cols = np.nonzero(mask)
            box = np.s_[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
            crop = np.where(mask[box], lightness[box], lightness[mask].mean())
        gray = lightness_to_uint8(crop)
        gray = cv2.resize(gray, (_EMBED_SIDE, _EMBED_SIDE), interpolation=cv2.INTER_AREA)
        batch = np.repeat(gray[None, :, :, None], 3, axis=-1)
        vector = self.runner.run(batch)[0].reshape(-1).astype(np.float32)
        return vector / max(float(np.linalg.norm(vector)), 1e-6)
