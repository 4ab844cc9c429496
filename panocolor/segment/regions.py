"""Shared by the segmentation backends: class maps -> panoptic segments, hole filling,
superpixels and the ``unknown-k`` records of class-less regions."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import cv2
import numpy as np

from panocolor.imaging.resample import working_shape
from panocolor.segment.classes import coco_categories
from panocolor.segment.segmentation import UNKNOWN_CLASS_ID, Segment, Segmentation


def fill_holes(ids: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """Give every hole pixel the id of its nearest non-hole pixel.

    Parameters
    ----------
    ids : (H, W) int32 ndarray
        Label map; values at holes are ignored.
    holes : (H, W) bool ndarray
        Pixels to fill; at least one pixel must not be a hole.

    Returns
    -------
    filled : (H, W) int32 ndarray
    """
    if not holes.any():
        return ids
    if holes.all():
        raise ValueError("fill_holes needs at least one pixel that is not a hole")
    _, nearest = cv2.distanceTransformWithLabels(
        holes.astype(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL
    )
    sources = ids[~holes]  # raster order, the order DIST_LABEL_PIXEL numbers them
    filled = ids.copy()
    filled[holes] = sources[nearest[holes] - 1]
    return filled


def superpixels(
    gray: np.ndarray, *, work_pixels: int = 100_000, k: float = 400.0, min_fraction: float = 0.01
) -> np.ndarray:
    """Felzenszwalb-Huttenlocher graph regions of a gray image, at full resolution.

    Regions are computed at a working size (OpenCV's ``GraphSegmentation``) and
    upsampled by nearest neighbour.

    Parameters
    ----------
    gray : (H, W) uint8 ndarray
        sRGB-encoded gray image.
    work_pixels : int, optional
        Size at which regions are computed.
    k : float, optional
        Felzenszwalb's scale: larger gives fewer, larger regions.
    min_fraction : float, optional
        Smallest region as a fraction of the image.

    Returns
    -------
    regions : (H, W) int32 ndarray
        Region index per pixel, 0..n-1.

    References
    ----------
    P. Felzenszwalb, D. Huttenlocher, "Efficient Graph-Based Image Segmentation",
    IJCV 59(2), 2004, doi:10.1023/B:VISI.0000022288.19776.77.
    """
    height, width = gray.shape
    work_h, work_w = working_shape((height, width), work_pixels)
    small = cv2.resize(gray, (work_w, work_h), interpolation=cv2.INTER_AREA)
    min_size = max(1, round(min_fraction * work_h * work_w))
    segmenter = cv2.ximgproc.segmentation.createGraphSegmentation(
        sigma=0.8, k=float(k), min_size=min_size
    )
    regions = segmenter.processImage(small).astype(np.int32)
    return cv2.resize(regions, (width, height), interpolation=cv2.INTER_NEAREST)


def unknown_segments(region_ids: Iterable[int], counts: np.ndarray, source: str) -> list[Segment]:
    """Records ``unknown-1``, ``unknown-2``... for class-less regions.

    Parameters
    ----------
    region_ids : iterable of int
        Segment ids, in the order they are numbered.
    counts : (N,) int ndarray
        Pixel count of each id (a bincount of the label map).
    source : str
        Backend name stored in each record.
    """
    return [
        Segment(int(i), UNKNOWN_CLASS_ID, f"unknown-{k}", False, int(counts[i]), None, source)
        for k, i in enumerate(region_ids, start=1)
    ]


def assemble(
    classes: np.ndarray,
    table: tuple[tuple[int, str], ...],
    regions: Callable[[], np.ndarray],
    *,
    support: np.ndarray | None = None,
    min_area: float = 0.0005,
    min_region: float = 0.002,
) -> Segmentation:
    """Turn a class index map into a panoptic segmentation.

    Parameters
    ----------
    classes : (H, W) uint8 ndarray
        Index into ``table`` per pixel; 0 = no class.
    table : tuple of (int, str)
        (COCO category id, source) per class index; entry 0 is unused.
    regions : callable
        Returns an (H, W) int region map used to split unclaimed pixels; called only
        when there are some.
    support : (H, W) float32 ndarray, optional
        Per-pixel confidence in [0, 1]; a segment's score is its mean.
    min_area : float, optional
        Class pieces smaller than this fraction of the image are merged into neighbours.
    min_region : float, optional
        The same for the regions of unclaimed pixels.

    Returns
    -------
    segmentation : Segmentation
        Ids numbered things first, then stuff, then unknown regions.
    """
    height, width = classes.shape
    min_pixels = max(1, round(min_area * height * width))
    min_region_pixels = max(1, round(min_region * height * width))
    categories = coco_categories()
    ids = np.zeros((height, width), np.int32)
    owners: list[int] = []  # class index of each id (id = position + 1)
    present = [int(c) for c in np.unique(classes) if c]
    present.sort(key=lambda c: not categories[table[c][0]].is_thing)
    for c in present:
        n, pieces, stats, _ = cv2.connectedComponentsWithStats(
            (classes == c).astype(np.uint8), connectivity=8, ltype=cv2.CV_32S
        )
        big = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= min_pixels)
        big = big[big > 0]
        if big.size == 0:
            continue
        lookup = np.zeros(n, np.int32)
        if categories[table[c][0]].is_thing:
            lookup[big] = len(owners) + 1 + np.arange(big.size, dtype=np.int32)
            owners.extend([c] * big.size)
        else:
            lookup[big] = len(owners) + 1
            owners.append(c)
        np.copyto(ids, lookup[pieces], where=lookup[pieces] > 0)
    n_known = len(owners)
    unclaimed = classes == 0
    if unclaimed.any():
        region = regions()[unclaimed]
        sizes = np.bincount(region)
        keep = np.flatnonzero(sizes >= min_region_pixels)
        lookup = np.zeros(sizes.size, np.int32)
        lookup[keep] = n_known + 1 + np.arange(keep.size, dtype=np.int32)
        ids[unclaimed] = lookup[region]
    holes = ids == 0
    if holes.all():
        ids[:] = 1
        n_known = 0
        owners = []
        holes[:] = False
    ids = fill_holes(ids, holes)
    counts = np.bincount(ids.ravel(), minlength=int(ids.max()) + 1)
    scores = None
    if support is not None:
        scores = np.bincount(ids.ravel(), weights=support.ravel(), minlength=counts.size)
        scores = np.clip(scores / np.maximum(counts, 1), 0.0, 1.0)
    segments = []
    for i, c in enumerate(owners, start=1):
        category = categories[table[c][0]]
        score = None if scores is None else round(float(scores[i]), 4)
        segments.append(
            Segment(
                i, category.id, category.name, category.is_thing, int(counts[i]), score, table[c][1]
            )
        )
    segments += unknown_segments(range(n_known + 1, counts.size), counts, "superpixel")
    return Segmentation(ids, tuple(segments))
