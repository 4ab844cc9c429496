"""Working sizes: one rule for how far every stage shrinks a photo, and the resizing.

The expensive work (segmentation, planning, colour transfer, compositing) runs on a
working-size copy; :func:`working_shape` is the one rule that sizes it, so stages given
the same full size and budget agree to the pixel. Chroma is brought back to full size
with :func:`panocolor.imaging.filters.guided_upsample`.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

WORKING_PIXELS = 256 * 256
"""Pixel budget of the chroma work (colour transfer, per-object compositing, hints).

Chroma is smooth, so it is computed on copies this large and brought back to full
size guided by full-resolution L*; one budget for all three keeps their grids equal.
"""


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
