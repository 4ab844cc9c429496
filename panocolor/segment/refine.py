"""Edge-aware refinement of low-resolution class maps on the full-resolution gray image.

The models return argmax ids at 513 x 513. Each class present becomes a one-hot
plane that is upsampled and passed through a guided filter [1]_ steered by the gray
image; the class with the highest filtered value wins each pixel. For large images
the filter's linear coefficients are computed at a working size and upsampled, as
in the fast guided filter [2]_, so the full-resolution cost is one multiply-add per
class.

References
----------
.. [1] K. He, J. Sun, X. Tang, "Guided Image Filtering", IEEE TPAMI 35(6), 2013,
       doi:10.1109/TPAMI.2012.213.
.. [2] K. He, J. Sun, "Fast Guided Filter", 2015, arXiv:1505.00996.
"""

from __future__ import annotations

import cv2
import numpy as np

from panocolor.imaging.filters import guide_statistics, guided_coefficients
from panocolor.imaging.resample import working_shape


def refine_labels(
    labels: np.ndarray,
    guide: np.ndarray,
    *,
    radius: float = 0.01,
    eps: float = 1e-3,
    work_pixels: int = 250_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Upsample a class map to the guide's size, snapping class borders to its edges.

    Parameters
    ----------
    labels : (h, w) int ndarray
        Class index per pixel at model resolution, covering the same view as ``guide``.
    guide : (H, W) float32 ndarray
        Full-resolution gray image in [0, 1].
    radius : float, optional
        Filter radius as a fraction of the working image's longer side.
    eps : float, optional
        Guided-filter regularisation.
    work_pixels : int, optional
        Size at which the filter coefficients are computed.

    Returns
    -------
    classes : (H, W) uint8 ndarray
        The winning class index per pixel (values of ``labels``; < 256 classes).
    support : (H, W) float32 ndarray
        The winner's filtered one-hot value, clipped to [0, 1]: 1 deep inside a
        region, lower near uncertain borders.
    """
    height, width = guide.shape
    present = np.unique(labels)
    if present.size == 1:
        return np.full((height, width), present[0], np.uint8), np.ones((height, width), np.float32)
    work_h, work_w = working_shape((height, width), work_pixels)
    at_full = (work_h, work_w) == (height, width)
    small = guide if at_full else cv2.resize(guide, (work_w, work_h), interpolation=cv2.INTER_AREA)
    r = max(1, round(radius * max(work_h, work_w)))
    statistics = guide_statistics(small, r)
    best = np.full((height, width), -np.inf, np.float32)
    classes = np.zeros((height, width), np.uint8)
    for value in present:
        onehot = (labels == value).astype(np.float32)
        src = cv2.resize(onehot, (work_w, work_h), interpolation=cv2.INTER_LINEAR)
        a, b = guided_coefficients(small, src, r, eps, statistics)
        if not at_full:
            a = cv2.resize(a, (width, height), interpolation=cv2.INTER_LINEAR)
            b = cv2.resize(b, (width, height), interpolation=cv2.INTER_LINEAR)
        q = a * guide + b
        wins = q > best
        np.copyto(best, q, where=wins)
        classes[wins] = value
    return classes, np.clip(best, 0.0, 1.0)


def upsample_labels(labels: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Nearest-neighbour upsampling of a class map to (H, W) (the unrefined baseline)."""
    return cv2.resize(labels.astype(np.uint8), shape[::-1], interpolation=cv2.INTER_NEAREST)
