"""Soft masks: every segment's hard mask feathered along the gray photo's edges.

Per-object fast mode blends each reference region's chroma under these weights
(:mod:`panocolor.composite.perobject`); they are >= 0 and sum to 1 at every pixel.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from panocolor.imaging import resize_to_pixels
from panocolor.imaging.filters import guided_filter
from panocolor.segment.segmentation import Segmentation


class WorkingMasks(NamedTuple):
    """A photo's segments at working size with their soft masks (:func:`working_masks`)."""

    lightness: np.ndarray  # (h, w) L* at working size
    segmentation: Segmentation  # resized to (h, w); small segments may have vanished
    weights: np.ndarray  # (K, h, w) soft masks, one per remaining segment, summing to 1
    index: dict[int, int]  # segment id -> its row of ``weights``


def working_masks(
    lightness: np.ndarray, segmentation: Segmentation, pixels: int, radius: int
) -> WorkingMasks:
    """Shrink L* to ``pixels`` and the segmentation (nearest) to match; soft masks of
    ``radius`` working pixels (:func:`soft_masks`)."""
    small_l = resize_to_pixels(lightness, pixels)
    small_seg = segmentation.resized(small_l.shape)
    weights = soft_masks(small_seg, small_l, radius=radius)
    index = {segment.id: k for k, segment in enumerate(small_seg.segments)}
    return WorkingMasks(small_l, small_seg, weights, index)


def soft_masks(
    segmentation: Segmentation,
    lightness: np.ndarray | None = None,
    *,
    radius: int | None = None,
    eps: float = 1e-3,
) -> np.ndarray:
    """Soft version of every segment's mask, for feathered compositing.

    With ``lightness`` each hard mask is smoothed by a guided filter steered by
    the gray image, so transitions follow its edges; without it, by a box blur.
    Values are clipped at 0 and renormalised, so they are >= 0 and sum to 1 at
    every pixel.

    Parameters
    ----------
    segmentation : Segmentation
        The hard masks, (H, W).
    lightness : (H, W) array_like, optional
        L* in [0, 100], the guide.
    radius : int, optional
        Filter radius in pixels; default 1% of the longer side (at least 1).
    eps : float, optional
        Guided-filter regularisation on a [0, 1] guide; larger is smoother.

    Returns
    -------
    masks : (K, H, W) float32 ndarray
        One plane per segment, in the order of ``segments``. Memory is
        ``4 * K * H * W`` bytes: resize the segmentation first for big images.
    """
    height, width = segmentation.shape
    r = radius if radius is not None else max(1, round(0.01 * max(height, width)))
    guide = None
    if lightness is not None:
        guide = np.asarray(lightness, dtype=np.float32) / 100.0
        if guide.shape != segmentation.shape:
            raise ValueError(f"lightness must have shape {segmentation.shape}, got {guide.shape}")
    masks = np.empty((len(segmentation.segments), height, width), np.float32)
    for k, s in enumerate(segmentation.segments):
        hard = (segmentation.ids == s.id).astype(np.float32)
        if guide is None:
            masks[k] = cv2.blur(hard, (2 * r + 1, 2 * r + 1), borderType=cv2.BORDER_REFLECT)
        else:
            masks[k] = guided_filter(guide, hard, r, eps)
    np.clip(masks, 0.0, None, out=masks)
    total = masks.sum(axis=0)
    empty = total <= 1e-6
    if empty.any():  # every plane clipped away: fall back to the hard mask there
        index = {s.id: k for k, s in enumerate(segmentation.segments)}
        lookup = np.zeros(int(segmentation.ids.max()) + 1, np.intp)
        lookup[list(index)] = list(index.values())
        rows, cols = np.nonzero(empty)
        masks[lookup[segmentation.ids[rows, cols]], rows, cols] = 1.0
        total[empty] = 1.0
    masks /= total
    return masks


def extend_outward(chroma: np.ndarray, core: np.ndarray, reach: int) -> np.ndarray:
    """``chroma`` inside ``core``, and outside it the mean of the core pixels nearby.

    A soft mask reaches up to ``reach`` pixels past its segment (a guided filter of
    radius r touches pixels 2r away); there the segment's colour is carried outward, so
    the feathered rim blends the object's own colour rather than no colour.
    """
    size = (2 * reach + 1,) * 2
    inside = core.astype(np.float32)
    total = cv2.boxFilter(chroma * inside[..., None], -1, size, normalize=False)
    count = cv2.boxFilter(inside, -1, size, normalize=False)
    spread = total / np.maximum(count, 1.0)[..., None]
    return np.where(core[..., None], chroma, spread).astype(np.float32)
