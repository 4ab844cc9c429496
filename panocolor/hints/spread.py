"""Spreading hints edge-aware over the gray photo, and blending them over the reference's chroma.

Each point hint seeds a small window (only the window's pixels as light as the hint's
own pixel, so a hint on an edge stays on its side of it); scribbles seed the pixels
they paint. Seeds carry relative chroma (:mod:`panocolor.hints.chroma`) and a
confidence, both spread by the confidence-normalised fast global smoother of
:mod:`panocolor.imaging.propagate` at a working size: colour flows through the
surface a hint falls on, stops at the edges the gray photo shows (and, given a
segmentation, at segment boundaries), and the spread confidence, relative to that of
one lone hint, fades with distance. That is the hint's *reach* ``A`` in [0, 1]; the
result is ``A * hint chroma + (1 - A) * reference chroma``, the layers upsampled
guided by full-resolution L* (:mod:`panocolor.hints.upsample`). With a segmentation,
a hint's whole segment is reached.

Without a reference, the reference chroma is 0: what no hint reaches stays gray.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from panocolor.composite.resample import resize_to_pixels, resize_to_shape
from panocolor.hints.chroma import chroma_at, relative_chroma
from panocolor.hints.upsample import joint_upsample
from panocolor.imaging.propagate import lightness_guide
from panocolor.segment.base import Segmentation

HINT_PIXELS = 256 * 256
"""Pixel budget of the working size the hints are spread at."""

SEED_RADIUS = 1  # working pixels around a hint that it seeds
SEED_TOLERANCE = 4.0  # L*: seed pixels must be this close to the hint pixel's own L*
_TINY = 1e-9


@functools.cache
def _lone_peak(shape: tuple[int, int], smoothness: float, sigma: float) -> float:
    """Spread confidence at a lone hint's centre on a flat photo: the reach's unit."""
    seed = np.zeros(shape, np.float32)
    row, col = shape[0] // 2, shape[1] // 2
    seed[
        max(0, row - SEED_RADIUS) : row + SEED_RADIUS + 1,
        max(0, col - SEED_RADIUS) : col + SEED_RADIUS + 1,
    ] = 1.0
    flat = np.full(shape, 128, np.uint8)
    spread = cv2.ximgproc.fastGlobalSmootherFilter(flat, seed, smoothness, sigma)
    return float(spread[row, col])


def segment_guide(lightness: np.ndarray, segmentation: Segmentation | None) -> np.ndarray:
    """The smoother's guide: L*, plus segment ids as two hashed channels (barriers).

    Two neighbouring segments get guide values at least 64 levels apart in one channel
    unless their ids collide in both hashes, so colour does not cross segment borders.
    """
    guide = lightness_guide(lightness)
    if segmentation is None:
        return guide
    ids = segmentation.resized(lightness.shape).ids.astype(np.int64)
    first = ((ids * 97) % 4 * 64).astype(np.uint8)
    second = ((ids * 53 + 2) % 4 * 64).astype(np.uint8)
    return np.dstack([guide, first, second])


def spread_seeds(
    guide: np.ndarray,
    rel: np.ndarray,
    confidence: np.ndarray,
    *,
    smoothness: float,
    sigma: float,
    gain: float,
    cutoff: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Spread seeds' relative chroma and confidence; return (relative chroma, reach).

    Parameters
    ----------
    guide : (h, w) or (h, w, 3) uint8 ndarray
        From :func:`segment_guide`.
    rel : (h, w, 2) float32 ndarray
        Seeds' relative chroma (anything where ``confidence`` is 0).
    confidence : (h, w) float32 ndarray
        Seed weights >= 0 (1 for a point hint's pixel).
    smoothness, sigma : float
        The smoother's lambda and edge scale (see
        :func:`~panocolor.imaging.propagate.propagate_chroma`).
    gain, cutoff : float
        Reach is ``r = gain * spread confidence / a lone hint's``, capped at 1, and
        ``(r - cutoff) / (1 - cutoff)`` above ``cutoff`` (0 below it): the smoother's
        faint long tail does not tint the far side of the photo.

    Returns
    -------
    rel : (h, w, 2) float32 ndarray
        Confidence-weighted mean of the seeds' relative chroma around each pixel
        (0 where no seed reaches).
    reach : (h, w) float32 ndarray
        In [0, 1].
    """
    stacked = np.dstack([rel * confidence[..., None], confidence]).astype(np.float32)
    spread = cv2.ximgproc.fastGlobalSmootherFilter(guide, stacked, smoothness, sigma)
    total = np.maximum(spread[..., 2], 0.0)
    mean = np.where(
        total[..., None] > _TINY, spread[..., :2] / np.maximum(total, _TINY)[..., None], 0
    )
    peak = _lone_peak(confidence.shape, smoothness, sigma)
    reach = np.clip((gain * total / peak - cutoff) / (1.0 - cutoff), 0.0, 1.0)
    return mean.astype(np.float32), reach.astype(np.float32)


def fill_segments(
    rel: np.ndarray,
    reach: np.ndarray,
    seeds: np.ndarray,
    seed_rel: np.ndarray,
    ids: np.ndarray,
    floor: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Raise the reach to ``floor`` over every segment that holds a seed.

    Where the spread colour has not arrived (behind an edge inside the segment), the
    segment's seeds' mean relative chroma is used.
    """
    seeded = np.unique(ids[seeds > 0])
    if floor <= 0 or seeded.size == 0:
        return rel, reach
    rel, reach = rel.copy(), reach.copy()
    for segment_id in seeded:
        inside = ids == segment_id
        weight = seeds * inside
        mean = (seed_rel * weight[..., None]).sum(axis=(0, 1)) / weight.sum()
        empty = inside & (reach < 1e-3)
        rel[empty] = mean
        reach[inside] = np.maximum(reach[inside], floor)
    return rel, reach


def blend_hints(
    lightness: np.ndarray,
    chroma: np.ndarray,
    rel_small: np.ndarray,
    reach_small: np.ndarray,
) -> np.ndarray:
    """Full-size ``reach * hint chroma + (1 - reach) * chroma`` from working-size layers.

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        Full-size L* in [0, 100].
    chroma : (H, W, 2) float32 ndarray
        The reference's chroma (zeros without a reference).
    rel_small : (h, w, 2) float32 ndarray
        Relative chroma of the hints at working size.
    reach_small : (h, w) float32 ndarray
        Their reach in [0, 1].

    Returns
    -------
    ab : (H, W, 2) float32 ndarray
    """
    small_l = resize_to_shape(lightness, reach_small.shape)
    layer = np.dstack([rel_small * reach_small[..., None], reach_small]).astype(np.float32)
    full = joint_upsample(layer, small_l, lightness)
    reach = np.clip(full[..., 2], 0.0, 1.0)
    rel = full[..., :2] / np.maximum(full[..., 2:], 1e-3)
    hinted = chroma_at(lightness, rel)
    return (chroma * (1.0 - reach)[..., None] + hinted * reach[..., None]).astype(np.float32)


def working_lightness(lightness: np.ndarray) -> np.ndarray:
    """L* at the hints' working size (:data:`HINT_PIXELS`)."""
    return resize_to_pixels(np.asarray(lightness, np.float32), HINT_PIXELS)


def relative_of(rgb: tuple[int, int, int]) -> np.ndarray:
    """(2,) relative chroma of one colour."""
    return relative_chroma(np.asarray(rgb, np.uint8))
