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

import math

import cv2
import numpy as np

_BAND_PIXELS = 1 << 18  # pixels per in-place band in guided_upsample: cache-sized


def working_shape(shape: tuple[int, ...], max_pixels: int) -> tuple[int, int]:
    """The working size of an image of ``shape`` under a pixel budget: panocolor's one rule.

    Every stage that shrinks an image for the expensive work (segmentation, planning,
    colour transfer, compositing) derives its size from this function, so that two
    stages given the same full size and budget always agree to the pixel, and a size
    the rule returned is returned unchanged when applied again (``working_shape(
    working_shape(s, n), n) == working_shape(s, n)``).

    Both sides are scaled by ``sqrt(max_pixels / (H * W))`` and rounded *down*, so the
    result never exceeds the budget (rounding to nearest could, and then a second
    application shrank the image once more). A side never drops below 1 pixel; when
    that clamps a very thin image, the other side is cut to fit the budget.

    Parameters
    ----------
    shape : tuple of int
        ``(H, W, ...)`` of the full-size image; trailing channel dimensions are ignored.
    max_pixels : int
        Upper bound on ``h * w`` (at least 1).

    Returns
    -------
    (h, w) : tuple of int
        ``(H, W)`` itself when ``H * W <= max_pixels``; else ``1 <= h <= H``,
        ``1 <= w <= W`` and ``h * w <= max_pixels``.

    Examples
    --------
    >>> working_shape((313, 500), 256 * 256)
    (202, 323)
    >>> working_shape((202, 323), 256 * 256)
    (202, 323)
    >>> working_shape((1, 100_000), 256 * 256)
    (1, 65536)
    """
    height, width = int(shape[0]), int(shape[1])
    if height < 1 or width < 1:
        raise ValueError(f"image sides must be at least 1 pixel, got {height} x {width}")
    if max_pixels < 1:
        raise ValueError(f"max_pixels must be at least 1, got {max_pixels}")
    if height * width <= max_pixels:
        return height, width
    scale = math.sqrt(max_pixels / (height * width))
    # The tiny margin keeps an exact product (e.g. 0.5 * 512) from flooring one pixel short.
    h = min(height, max(1, math.floor(height * scale + 1e-9)))
    w = min(width, max(1, math.floor(width * scale + 1e-9)))
    if h * w > max_pixels:  # a side was clamped to 1, or the margin tipped the product over
        if h <= w:
            w = max(1, max_pixels // h)
        else:
            h = max(1, max_pixels // w)
    return h, w


def resize_to_shape(
    image: np.ndarray, shape: tuple[int, int], *, nearest: bool = False
) -> np.ndarray:
    """Resize ``image`` to ``shape`` = (h, w) (area averaging, or nearest neighbour).

    Parameters
    ----------
    image : (H, W) or (H, W, C) ndarray
        Any dtype cv2 can resize (float32, uint8; bool is passed as uint8).
    shape : (h, w) tuple of int
        The size wanted; the image itself comes back when it already has it.
    nearest : bool, optional
        Nearest-neighbour sampling (for label maps and masks) instead of area averaging.

    Returns
    -------
    resized : (h, w) or (h, w, C) ndarray
        Same dtype and channel count as ``image`` (also for C = 1, which cv2 drops).
    """
    h, w = int(shape[0]), int(shape[1])
    if image.shape[:2] == (h, w):
        return image
    is_bool = image.dtype == bool
    src = image.astype(np.uint8) if is_bool else image
    out = cv2.resize(src, (w, h), interpolation=cv2.INTER_NEAREST if nearest else cv2.INTER_AREA)
    out = out.reshape((h, w) + image.shape[2:])
    return out.astype(bool) if is_bool else out


def resize_to_pixels(image: np.ndarray, max_pixels: int, *, nearest: bool = False) -> np.ndarray:
    """Shrink ``image`` to its :func:`working_shape` for ``max_pixels``.

    Parameters
    ----------
    image : (H, W) or (H, W, C) ndarray
        Any dtype cv2 can resize (float32, uint8; bool is passed as uint8).
    max_pixels : int
        Pixel budget; images already that small come back unchanged (the same object).
    nearest : bool, optional
        Nearest-neighbour sampling (for label maps and masks) instead of area averaging.

    Returns
    -------
    resized : ndarray
        Same dtype and channel count as ``image``, at ``working_shape(image.shape,
        max_pixels)``; applying it again with the same budget changes nothing.
    """
    return resize_to_shape(image, working_shape(image.shape, max_pixels), nearest=nearest)


def _box(image: np.ndarray, radius: int) -> np.ndarray:
    size = (2 * radius + 1, 2 * radius + 1)
    # reshape: cv2 drops the axis of a single channel
    return cv2.boxFilter(image, -1, size, borderType=cv2.BORDER_REFLECT).reshape(image.shape)


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
    mean_l = _box(guide_small, radius)
    var_l = _box(guide_small * guide_small, radius) - mean_l * mean_l
    mean_c = _box(chroma_small, radius)
    cov = _box(chroma_small * guide_small[..., None], radius) - mean_c * mean_l[..., None]
    slope = cov / (np.maximum(var_l, 0.0)[..., None] + eps)
    offset = mean_c - slope * mean_l[..., None]
    size = (guide_full.shape[1], guide_full.shape[0])
    full = guide_full.shape + chroma_small.shape[2:]  # cv2 drops a single channel's axis
    chroma = cv2.resize(_box(slope, radius), size, interpolation=cv2.INTER_LINEAR).reshape(full)
    offset = cv2.resize(_box(offset, radius), size, interpolation=cv2.INTER_LINEAR).reshape(full)
    # In place, band by band: two full-size (H, W, C) arrays in all, and no temporaries.
    for band in _bands(*guide_full.shape):
        chroma[band] *= guide_full[band, :, None]
        chroma[band] += offset[band]
    return chroma


def _bands(height: int, width: int) -> list[slice]:
    """Row slices of at most :data:`_BAND_PIXELS` pixels each (at least one row) covering
    ``height`` rows: one band up to 262,144 pixels, several above."""
    rows = max(1, _BAND_PIXELS // max(1, width))
    return [slice(start, start + rows) for start in range(0, height, rows)]
