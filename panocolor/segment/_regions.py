"""Region helpers shared by the backends: hole filling, superpixels, numbering."""

from __future__ import annotations

import cv2
import numpy as np

from panocolor.segment._refine import working_shape


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
