"""Spreading hints edge-aware over the gray photo, and blending them over the reference's chroma.

Each point hint seeds a small window (only the window's pixels as light as the hint's
own pixel, so a hint on an edge stays on its side of it); scribbles seed the pixels
they paint. Seeds carry relative chroma (:mod:`panocolor.hints.chroma`) and a
confidence, both spread by the confidence-normalised fast global smoother of
:mod:`panocolor.imaging.propagate` at a working size: colour flows through the
surface a hint falls on, stops at the edges the gray photo shows (and, given a
segmentation, at segment boundaries), and the spread confidence, relative to that of
one lone hint, fades with distance. That is the hint's *reach* ``A`` in [0, 1]. Where
the reference's chroma is far from the hint's colour (:func:`disagreement`), the
result is ``A * hint chroma + (1 - A) * reference chroma``; where it is close, the
reference's chroma shifted by ``A`` times their difference (its texture kept). The
layers are upsampled guided by full-resolution L* (:mod:`panocolor.hints.upsample`).
With a segmentation, a hint reaches what the reference coloured like the hint's spot
in the whole segment it falls on (:func:`fill_segments`).

Without a reference, the reference chroma is 0: what no hint reaches stays gray.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import cv2
import numpy as np

from panocolor.hints.chroma import chroma_at, relative_chroma
from panocolor.hints.upsample import joint_upsample
from panocolor.imaging.bands import in_threads, row_bands
from panocolor.imaging.propagate import lightness_guide
from panocolor.imaging.resample import WORKING_PIXELS, resize_to_pixels, resize_to_shape
from panocolor.segment.segmentation import Segmentation

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
    values: np.ndarray,
    confidence: np.ndarray,
    *,
    smoothness: float,
    colour_smoothness: float,
    sigma: float,
    gain: float,
    cutoff: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spread seeds edge-aware: their values locally, their reach far.

    Parameters
    ----------
    guide : (h, w) or (h, w, 3) uint8 ndarray
        From :func:`segment_guide`.
    values : (h, w, C) float32 ndarray
        What each seed carries (relative chroma, trust); anything where
        ``confidence`` is 0.
    confidence : (h, w) float32 ndarray
        Seed weights >= 0 (1 for a point hint's pixel).
    smoothness, colour_smoothness : float
        The smoother's lambda for the reach (large: far) and for the values (smaller:
        each pixel takes the values of the hints nearest along the photo, rather than
        a blend of every hint of its surface).
    sigma : float
        The smoother's edge scale (see
        :func:`~panocolor.imaging.propagate.propagate_chroma`).
    gain, cutoff : float
        Reach is ``r = gain * spread confidence / a lone hint's``, capped at 1, and
        ``(r - cutoff) / (1 - cutoff)`` above ``cutoff`` (0 below it): the smoother's
        faint long tail does not tint the far side of the photo.

    Returns
    -------
    local : (h, w, C) float32 ndarray
        Confidence-weighted mean of the nearby seeds' values (0 where none arrives).
    known : (h, w) bool ndarray
        Where some seed's values arrived.
    reach : (h, w) float32 ndarray
        In [0, 1].
    """
    smooth = cv2.ximgproc.fastGlobalSmootherFilter
    weight = np.ascontiguousarray(confidence, np.float32)
    local = np.zeros(values.shape, np.float32)
    for start in range(0, values.shape[2], 3):  # the smoother takes at most 4 channels
        part = values[..., start : start + 3] * weight[..., None]
        spread = smooth(
            guide, np.dstack([part, weight]).astype(np.float32), colour_smoothness, sigma
        )
        total = spread[..., -1]
        known = total > _TINY
        local[..., start : start + 3] = np.where(
            known[..., None], spread[..., :-1] / np.maximum(total, _TINY)[..., None], 0.0
        )
    far = np.maximum(smooth(guide, weight, smoothness, sigma), 0.0)
    peak = _lone_peak(confidence.shape, smoothness, sigma)
    reach = np.clip((gain * far / peak - cutoff) / (1.0 - cutoff), 0.0, 1.0)
    return local, known, reach.astype(np.float32)


def disagreement(
    small_l: np.ndarray, seed_rel: np.ndarray, around: np.ndarray, low: float, high: float
) -> tuple[np.ndarray, np.ndarray]:
    """How much the reference's chroma misses each seed's colour: trust and residual.

    Parameters
    ----------
    small_l : (h, w) float32 ndarray
        L* at the working size.
    seed_rel : (h, w, 3) float32 ndarray
        The seeds' relative chroma (anything where there is no seed).
    around : (h, w, 2) float32 ndarray
        The reference's chroma at the working size, 3 x 3 mean.
    low, high : float
        a*b* distances.

    Returns
    -------
    trust : (h, w) float32 ndarray
        0 where the a*b* distance between the seed's chroma (at that pixel's L*) and
        the reference's (3 x 3 mean) is below ``low``, 1 above ``high``, linear
        between: the hint replaces the reference's colours only where it is far from
        them.
    residual : (h, w, 2) float32 ndarray
        The seed's chroma minus the reference's: where the hint is trusted less, the
        reference's colours around it are shifted by this much instead, so a hint
        close to them corrects their tone and keeps their variation.
    """
    residual = chroma_at(small_l, seed_rel) - around
    distance = np.hypot(residual[..., 0], residual[..., 1])
    trust = np.clip((distance - low) / max(high - low, 1e-6), 0.0, 1.0)
    return trust.astype(np.float32), residual.astype(np.float32)


def fill_segments(
    local: np.ndarray,
    known: np.ndarray,
    reach: np.ndarray,
    seeds: np.ndarray,
    seed_values: np.ndarray,
    ids: np.ndarray,
    floor: float,
    chroma_small: np.ndarray,
    likeness: float,
    match_confidence: Mapping[int, float] | None = None,
    confident: tuple[float, float] = (np.inf, np.inf),
) -> tuple[np.ndarray, np.ndarray]:
    """Raise the reach over every segment that holds a seed, where it looks like the seed.

    A segment may hold several surfaces (a deeplab ``person`` covering a whole crowd):
    a pixel of the segment is raised to ``floor * exp(-d^2 / (2 likeness^2))``, ``d``
    the a*b* distance between the reference's chroma there and at the segment's seeds,
    so a hint the reference nearly agrees with corrects what the reference coloured
    like the hint's spot, not the other things the segment holds. The more the seeds
    disagree with the reference (their trust, ``seed_values[..., 3]``), the more of
    the whole segment they reach: the reference was wrong there. Without a reference
    (chroma 0), the whole segment. Where the seeds' values have not arrived
    (behind an edge inside the segment), the segment's seeds' mean values are used.

    A segment whose colour the transfer matched with confidence ``c``
    (``match_confidence``, by segment id) is filled fully below ``confident[0]``, not
    at all above ``confident[1]``, linearly between: a confidently matched reference is
    right over the segment but for local detail, which one hint's colour spread over
    all of it would only overwrite.
    """
    if floor <= 0 or not (seeds > 0).any():
        return local, reach
    # Per-segment sums by bincount over segment ids (one pass, however many segments).
    labels, index = np.unique(ids, return_inverse=True)
    index = index.reshape(ids.shape)
    count = len(labels)
    total = np.bincount(index.ravel(), seeds.ravel(), count)

    def seed_mean(values: np.ndarray) -> np.ndarray:  # (count, C) seed-weighted means
        flat = values.reshape(-1, values.shape[-1]) * seeds.reshape(-1, 1)
        sums = [np.bincount(index.ravel(), column, count) for column in flat.T]
        return np.stack(sums, axis=1) / np.maximum(total, 1e-12)[:, None]

    known_confidence = match_confidence or {}
    low, high = confident
    confidence = np.array([known_confidence.get(int(i), 0.0) for i in labels])
    segment_floor = floor * np.clip((high - confidence) / max(high - low, 1e-6), 0, 1)
    segment_floor[total <= 0] = 0.0  # segments without a seed
    filled = segment_floor[index] > 0
    if not filled.any():
        return local, reach
    means = seed_mean(seed_values)
    local, reach = local.copy(), reach.copy()
    fill = filled & ~known
    local[fill] = means[index[fill]]
    distance = chroma_small - seed_mean(chroma_small)[index]
    alike = np.exp(-(distance * distance).sum(axis=-1) / (2.0 * likeness * likeness))
    # A hint far from the reference's colour says the reference was wrong there, likely
    # on the whole segment: filled as much as the seeds' trust (the values' 4th).
    alike = np.maximum(alike, means[index, 3])
    reach[filled] = np.maximum(reach[filled], (segment_floor[index] * alike)[filled])
    return local, reach


def blend_hints(
    lightness: np.ndarray,
    chroma: np.ndarray,
    rel_small: np.ndarray,
    reach_small: np.ndarray,
    shift_small: np.ndarray | None = None,
) -> np.ndarray:
    """Full-size ``reach * hint chroma + (1 - reach) * chroma + shift`` from working-size layers.

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        Full-size L* in [0, 100].
    chroma : (H, W, 2) float32 ndarray
        The reference's chroma (zeros without a reference).
    rel_small : (h, w, 3) float32 ndarray
        Relative chroma of the hints at working size.
    reach_small : (h, w) float32 ndarray
        Where they replace the reference's chroma, in [0, 1].
    shift_small : (h, w, 2) float32 ndarray, optional
        a*b* added to the reference's chroma where it is kept.

    Returns
    -------
    ab : (H, W, 2) float32 ndarray
    """
    small_l = resize_to_shape(lightness, reach_small.shape)
    layers = [rel_small * reach_small[..., None], reach_small[..., None]]
    if shift_small is not None:
        layers.append(shift_small)
    stacked = np.dstack(layers).astype(np.float32)
    ab = np.empty(chroma.shape, np.float32)

    def blend(band: slice) -> None:
        full = joint_upsample(stacked, small_l, lightness, rows=band)
        reach = np.clip(full[..., 3], 0.0, 1.0)
        rel = full[..., :3] / np.maximum(full[..., 3:4], 1e-3)
        hinted = chroma_at(lightness[band], rel)
        ab[band] = chroma[band] * (1.0 - reach)[..., None] + hinted * reach[..., None]
        if shift_small is not None:
            ab[band] += full[..., 4:6]

    in_threads(blend, row_bands(*lightness.shape))
    return ab


def working_lightness(lightness: np.ndarray) -> np.ndarray:
    """L* at the hints' working size (:data:`~panocolor.imaging.resample.WORKING_PIXELS`)."""
    return resize_to_pixels(np.asarray(lightness, np.float32), WORKING_PIXELS)


def relative_of(rgb: tuple[int, int, int]) -> np.ndarray:
    """(3,) relative chroma of one colour."""
    return relative_chroma(np.asarray(rgb, np.uint8))
