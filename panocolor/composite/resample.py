"""Working-resolution helpers: shrink for the expensive work, grow back guided by L*.

Chroma varies slowly compared with lightness, so panocolor computes it on a
working-size copy and brings it back with a *fast guided filter* [1]_: a local
linear model ``chroma = A * L + B`` is fitted at low resolution, the coefficient
maps are upsampled, and applied to the full-resolution L*. Chroma edges then
follow the full-resolution lightness edges instead of the blocky low-resolution ones.

References
----------
.. [1] K. He, J. Sun, "Fast Guided Filter", arXiv:1505.00996, 2015.
"""

from __future__ import annotations

import cv2
import numpy as np

_BAND_PIXELS = 1 << 18  # rows per in-place band in guided_upsample: cache-sized


def resize_to_pixels(image: np.ndarray, max_pixels: int, *, nearest: bool = False) -> np.ndarray:
    """Shrink ``image`` to at most ``max_pixels`` pixels, keeping its aspect ratio.

    Parameters
    ----------
    image : (H, W) or (H, W, C) ndarray
        Any dtype cv2 can resize (float32, uint8, bool is passed as uint8).
    max_pixels : int
        Upper bound on ``h * w`` of the result; images already that small come back unchanged.
    nearest : bool, optional
        Nearest-neighbour sampling (for label maps and masks) instead of area averaging.

    Returns
    -------
    resized : ndarray
        Same dtype and channel count as ``image``.
    """
    h, w = image.shape[:2]
    if h * w <= max_pixels:
        return image
    scale = (max_pixels / (h * w)) ** 0.5
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    is_bool = image.dtype == bool
    src = image.astype(np.uint8) if is_bool else image
    out = cv2.resize(src, size, interpolation=cv2.INTER_NEAREST if nearest else cv2.INTER_AREA)
    return out.astype(bool) if is_bool else out


def _box(image: np.ndarray, radius: int) -> np.ndarray:
    return cv2.boxFilter(image, -1, (2 * radius + 1, 2 * radius + 1), borderType=cv2.BORDER_REFLECT)


def guided_upsample(
    chroma_small: np.ndarray,
    guide_small: np.ndarray,
    guide_full: np.ndarray,
    *,
    radius: int = 2,
    eps: float = 4.0,
) -> np.ndarray:
    """Upsample chroma guided by full-resolution lightness (fast guided filter).

    Parameters
    ----------
    chroma_small : (h, w, C) float32 ndarray
        Chroma at working resolution (C = 2 for a*b*).
    guide_small : (h, w) float32 ndarray
        L* at working resolution, aligned with ``chroma_small``.
    guide_full : (H, W) float32 ndarray
        L* at full resolution.
    radius : int, optional
        Window radius of the local linear model, in working-resolution pixels.
    eps : float, optional
        Regularisation in (L* units)^2: larger values give flatter chroma.

    Returns
    -------
    chroma : (H, W, C) float32 ndarray

    Examples
    --------
    >>> L = np.tile(np.linspace(0, 100, 64, dtype=np.float32), (64, 1))
    >>> ab = np.dstack([L / 2, -L / 4])
    >>> small = cv2.resize(L, (16, 16), interpolation=cv2.INTER_AREA)
    >>> up = guided_upsample(cv2.resize(ab, (16, 16), interpolation=cv2.INTER_AREA), small, L)
    >>> bool(np.abs(up - ab).max() < 0.5)
    True
    """
    chroma_small = np.asarray(chroma_small, dtype=np.float32)
    guide_small = np.asarray(guide_small, dtype=np.float32)
    guide_full = np.asarray(guide_full, dtype=np.float32)
    if chroma_small.shape[:2] == guide_full.shape:
        return chroma_small
    mean_l = _box(guide_small, radius)
    var_l = _box(guide_small * guide_small, radius) - mean_l * mean_l
    mean_c = _box(chroma_small, radius)
    cov = _box(chroma_small * guide_small[..., None], radius) - mean_c * mean_l[..., None]
    slope = cov / (np.maximum(var_l, 0.0)[..., None] + eps)
    offset = mean_c - slope * mean_l[..., None]
    size = (guide_full.shape[1], guide_full.shape[0])
    chroma = cv2.resize(_box(slope, radius), size, interpolation=cv2.INTER_LINEAR)
    offset = cv2.resize(_box(offset, radius), size, interpolation=cv2.INTER_LINEAR)
    # In place, band by band: two full-size (H, W, C) arrays in all, and no temporaries.
    rows = max(1, _BAND_PIXELS // max(1, guide_full.shape[1]))
    for start in range(0, guide_full.shape[0], rows):
        band = slice(start, start + rows)
        chroma[band] *= guide_full[band, :, None]
        chroma[band] += offset[band]
    return chroma
