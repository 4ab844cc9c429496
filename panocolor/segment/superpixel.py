"""Weight-free fallback segmenter: graph-based regions of the gray image, without class names."""

from __future__ import annotations

import numpy as np

from panocolor.imaging.colorspace import lightness_to_uint8
from panocolor.segment.base import SEGMENTERS, check_lightness
from panocolor.segment.regions import assemble, superpixels
from panocolor.segment.segmentation import Segmentation


@SEGMENTERS.register("superpixel")
class SuperpixelSegmenter:
    """Felzenszwalb-Huttenlocher regions, each an ``unknown-k`` stuff segment (class id 0).

    Needs no model files, so it always works; later stages colour its regions
    without class-based matching.

    Parameters
    ----------
    k : float, optional
        Felzenszwalb's scale: larger gives fewer, larger regions.
    min_area : float, optional
        Smallest region as a fraction of the image; smaller pieces join a neighbour.
    work_pixels : int, optional
        Size at which regions are computed (then upsampled).
    """

    def __init__(self, *, k: float = 400.0, min_area: float = 0.01, work_pixels: int = 100_000):
        self.k = k
        self.min_area = min_area
        self.work_pixels = work_pixels

    def __repr__(self) -> str:
        return f"SuperpixelSegmenter(k={self.k}, min_area={self.min_area})"

    def __call__(self, lightness: np.ndarray) -> Segmentation:
        """Segment a gray photo into class-less regions.

        Parameters
        ----------
        lightness : (H, W) array_like
            L* in [0, 100].

        Returns
        -------
        segmentation : Segmentation
            Stuff segments ``unknown-1``... with ``class_id`` 0 and no score.
        """
        lightness = check_lightness(lightness)
        gray = lightness_to_uint8(lightness)

        def regions() -> np.ndarray:
            return superpixels(
                gray, work_pixels=self.work_pixels, k=self.k, min_fraction=self.min_area
            )

        classes = np.zeros(gray.shape, np.uint8)
        return assemble(classes, ((0, ""),), regions, min_region=self.min_area)
