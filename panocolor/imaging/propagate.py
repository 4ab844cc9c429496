"""Edge-aware propagation of sparse, weighted chroma over a gray photo.

A colour estimate that is only trustworthy at some pixels (confident matches) is
spread to the others along the gray photo: the chroma and its confidence are both
smoothed by the same edge-aware global smoother, and their ratio is the propagated
chroma (normalised convolution [1]_ with the fast global smoother of [2]_ as the
kernel). Regions that the gray photo shows as one surface take one coherent tone;
a lightness edge stops the propagation, so colour does not bleed across it.

References
----------
.. [1] H. Knutsson, C.-F. Westin, "Normalized and differential convolution",
       CVPR 1993. :DOI:`10.1109/CVPR.1993.341081`
.. [2] D. Min, S. Choi, J. Lu, B. Ham, K. Sohn, M. N. Do, "Fast global image
       smoothing based on weighted least squares", IEEE TIP 23(12), 2014.
       :DOI:`10.1109/TIP.2014.2366600`
"""

from __future__ import annotations

import cv2
import numpy as np

_MIN_WEIGHT = 1e-6  # smoothed confidence below this counts as no information


def lightness_guide(lightness: np.ndarray) -> np.ndarray:
    """(H, W) uint8 guide image of L* in [0, 100] (OpenCV's smoother wants 8 bits)."""
    scaled = np.clip(np.asarray(lightness, np.float32) * 2.55, 0.0, 255.0)
    return np.rint(scaled).astype(np.uint8)


def propagate_chroma(
    lightness: np.ndarray,
    chroma: np.ndarray,
    confidence: np.ndarray | None = None,
    *,
    smoothness: float = 300.0,
    sigma: float = 4.0,
) -> np.ndarray:
    """Confidence-weighted, edge-aware propagation of chroma guided by lightness.

    Computes ``S(confidence * chroma) / S(confidence)``, where ``S`` is OpenCV's fast
    global smoother (weighted least squares, ``cv2.ximgproc``) steered by
    ``lightness``. A pixel takes the colour of the confident pixels it is connected
    to without crossing a lightness edge; its own estimate counts in proportion to
    its confidence.

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        Guide L* in [0, 100]. Not modified.
    chroma : (H, W, 2) float32 ndarray
        a*, b* estimates (any range).
    confidence : (H, W) float32 ndarray, optional
        Weights in [0, 1] (any non-negative scale works: only ratios matter).
        None: all 1, i.e. a plain edge-aware smoothing of ``chroma``.
    smoothness : float, optional
        The smoother's lambda: how far colour travels (larger: farther).
    sigma : float, optional
        Lightness difference (in guide levels, 2.55 per L* unit) at which a
        neighbour's influence has dropped markedly: smaller stops colour at
        weaker edges.

    Returns
    -------
    ab : (H, W, 2) float32 ndarray
        Propagated chroma. Where the smoothed confidence is below ``1e-6`` (for
        instance all-zero confidence), the result is 0 (neutral gray): no
        information is not turned into colour.
    """
    chroma = np.asarray(chroma, np.float32)
    if chroma.shape != np.shape(lightness) + (2,):
        raise ValueError(f"chroma must be (H, W, 2) like lightness, got {chroma.shape}")
    weight = (
        np.ones(chroma.shape[:2], np.float32)
        if confidence is None
        else np.maximum(np.asarray(confidence, np.float32), 0.0)
    )
    stacked = np.concatenate([chroma * weight[..., None], weight[..., None]], axis=-1)
    smoothed = cv2.ximgproc.fastGlobalSmootherFilter(
        lightness_guide(lightness), stacked, smoothness, sigma
    )
    total = smoothed[..., 2:]
    ab = smoothed[..., :2] / np.maximum(total, _MIN_WEIGHT)
    return np.where(total > _MIN_WEIGHT, ab, 0.0).astype(np.float32)
