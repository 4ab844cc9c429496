"""Box and gray-guided filters, and chroma upsampling guided by full-resolution L*.

The guided filter [1]_ fits a local linear model ``output = a * guide + b`` in every
window; edges of the guide survive in the output, flat regions are smoothed. The fast
guided filter [2]_ fits the model at a working size and upsamples ``a`` and ``b``, so
the full-resolution cost is one multiply-add per pixel: chroma varies slowly compared
with lightness, so panocolor computes it small and brings it back this way, with
chroma edges that follow the full-resolution lightness edges.

References
----------
.. [1] K. He, J. Sun, X. Tang, "Guided Image Filtering", IEEE TPAMI 35(6), 2013,
       doi:10.1109/TPAMI.2012.213.
.. [2] K. He, J. Sun, "Fast Guided Filter", arXiv:1505.00996, 2015.
"""

from __future__ import annotations

import cv2
import numpy as np

from panocolor.imaging.bands import BAND_PIXELS, row_bands

_BAND_PIXELS = BAND_PIXELS  # pixels per in-place band in guided_upsample: cache-sized


def box_filter(image: np.ndarray, radius: int) -> np.ndarray:
    """Mean over (2 radius + 1)^2 windows, borders reflected.

    Parameters
    ----------
    image : (H, W) or (H, W, C) float32 ndarray
    radius : int
        Window radius in pixels, >= 0.

    Returns
    -------
    mean : ndarray
        ``image``'s shape (also for C = 1, whose axis cv2 drops).
    """
    size = (2 * radius + 1, 2 * radius + 1)
    return cv2.boxFilter(image, -1, size, borderType=cv2.BORDER_REFLECT).reshape(image.shape)


def guide_statistics(guide: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Window mean and variance of a guide, shared by every image filtered with it."""
    mean = box_filter(guide, radius)
    return mean, box_filter(guide * guide, radius) - mean * mean


def guided_coefficients(
    guide: np.ndarray,
    src: np.ndarray,
    radius: int,
    eps: float,
    statistics: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Window-averaged linear coefficients ``(a, b)`` of the guided filter.

    Parameters
    ----------
    guide, src : (H, W) float32 ndarray
        Guide (in [0, 1]) and the image to filter.
    radius : int
        Box radius in pixels, >= 1.
    eps : float
        Regularisation on the guide's scale.
    statistics : (mean, variance) of (H, W) float32 ndarray
        :func:`guide_statistics` of ``guide`` for ``radius``.

    Returns
    -------
    a, b : (H, W) float32 ndarray
        The filtered image is ``a * guide + b`` (``a`` and ``b`` may be upsampled first).
    """
    mean_i, var_i = statistics
    mean_p = box_filter(src, radius)
    a = (box_filter(guide * src, radius) - mean_i * mean_p) / (var_i + eps)
    b = mean_p - a * mean_i
    return box_filter(a, radius), box_filter(b, radius)


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """Gray-guided filter.

    Parameters
    ----------
    guide : (H, W) float32 ndarray
        Guide image in [0, 1].
    src : (H, W) or (H, W, C) float32 ndarray
        Image to filter (each channel on its own).
    radius : int
        Box radius in pixels, >= 1.
    eps : float
        Regularisation, in the guide's squared units: edges whose variance is below it
        are smoothed.

    Returns
    -------
    out : ndarray
        ``src``'s shape, float32.
    """
    guide = np.asarray(guide, np.float32)
    src = np.asarray(src, np.float32)
    statistics = guide_statistics(guide, radius)
    channels = src[..., None] if src.ndim == 2 else src
    out = np.empty(channels.shape, np.float32)
    for c in range(channels.shape[-1]):
        a, b = guided_coefficients(guide, channels[..., c], radius, eps, statistics)
        out[..., c] = a * guide + b
    return out.reshape(src.shape)


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
    if chroma_small.ndim != 3 or chroma_small.shape[:2] != guide_small.shape:
        raise ValueError(
            f"chroma_small {chroma_small.shape} must be (h, w, C) with (h, w) = guide_small's "
            f"{guide_small.shape}"
        )
    if chroma_small.shape[:2] == guide_full.shape:
        return chroma_small
    mean_l, var_l = guide_statistics(guide_small, radius)
    mean_c = box_filter(chroma_small, radius)
    cov = box_filter(chroma_small * guide_small[..., None], radius) - mean_c * mean_l[..., None]
    # Unlike guided_coefficients, the variance is clipped at 0: float rounding can make
    # it slightly negative on flat L*, and eps is in L* units here, not [0, 1].
    slope = cov / (np.maximum(var_l, 0.0)[..., None] + eps)
    offset = mean_c - slope * mean_l[..., None]
    size = (guide_full.shape[1], guide_full.shape[0])
    full = guide_full.shape + chroma_small.shape[2:]  # cv2 drops a single channel's axis
    chroma = cv2.resize(box_filter(slope, radius), size, interpolation=cv2.INTER_LINEAR)
    chroma = chroma.reshape(full)
    offset = cv2.resize(box_filter(offset, radius), size, interpolation=cv2.INTER_LINEAR)
    offset = offset.reshape(full)
    # In place, band by band: two full-size (H, W, C) arrays in all, and no temporaries.
    for band in row_bands(*guide_full.shape, pixels=_BAND_PIXELS):
        chroma[band] *= guide_full[band, :, None]
        chroma[band] += offset[band]
    return chroma
