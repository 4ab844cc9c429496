"""Metrics over segments: colour bleeding across boundaries, adherence to the reference
regions, and blotchiness inside regions the truth shows flat.

Conventions as in :mod:`panocolor.evaluate.metrics`: CIELAB images are (H, W, 3) float
arrays with L* in [0, 100]; segmentations are (H, W) integer id maps; every metric
returns a Python ``float``.
"""

from __future__ import annotations

import cv2
import numpy as np

from panocolor.evaluate.metrics import check_pair


def boundary_band(ids: np.ndarray, width: int = 3) -> np.ndarray:
    """Pixels within ``width`` pixels of a boundary between two segments.

    Parameters
    ----------
    ids : (H, W) integer ndarray
        Segment id per pixel.
    width : int, optional
        Half-width of the band in pixels.

    Returns
    -------
    band : (H, W) bool ndarray
    """
    ids = np.asarray(ids, dtype=np.float32)
    kernel = np.ones((2 * width + 1, 2 * width + 1), np.uint8)
    return cv2.dilate(ids, kernel) != cv2.erode(ids, kernel)


def colour_bleeding(
    output_lab: np.ndarray, truth_lab: np.ndarray, ids: np.ndarray, width: int = 3
) -> float:
    """Mean chroma error in a band around the true segment boundaries.

    Colour that leaks from one object into its neighbour shows up exactly there,
    so this isolates bleeding from the overall colour error.

    Parameters
    ----------
    output_lab, truth_lab : (H, W, 3) float ndarray
        CIELAB of the output and of the truth.
    ids : (H, W) integer ndarray
        The true segmentation.
    width : int, optional
        Band half-width in pixels.

    Returns
    -------
    float
        Mean Euclidean a*b* distance over the band (nan if there is no boundary).
    """
    band = boundary_band(ids, width)
    if not band.any():
        return float("nan")
    error = np.linalg.norm(output_lab[..., 1:][band] - truth_lab[..., 1:][band], axis=-1)
    return float(error.mean())


def region_adherence(
    output_lab: np.ndarray,
    target_ids: np.ndarray,
    target_labels: dict[int, str],
    reference_lab: np.ndarray,
    reference_ids: np.ndarray,
    reference_labels: dict[int, str],
) -> float:
    """Distance between each output segment's mean chroma and its reference segments'.

    For every true segment of the target whose class the reference also shows, the
    Euclidean distance between the output's mean a*b* over the segment and the
    reference's mean a*b* over its segments of that class; averaged over segments.
    Low values mean every object took the colour of the same object in the reference.

    Parameters
    ----------
    output_lab : (H, W, 3) float ndarray
        CIELAB of the output.
    target_ids : (H, W) integer ndarray
        True segmentation of the target; ``target_labels`` maps its ids to class names.
    reference_lab : (h, w, 3) float ndarray
        CIELAB of the reference.
    reference_ids : (h, w) integer ndarray
        True segmentation of the reference; ``reference_labels`` maps ids to names.

    Returns
    -------
    float
        Mean distance in a*b* units (nan when no class is shared).
    """
    reference_means: dict[str, np.ndarray] = {}
    for label in set(reference_labels.values()) & set(target_labels.values()):
        ids = [i for i, name in reference_labels.items() if name == label]
        reference_means[label] = reference_lab[..., 1:][np.isin(reference_ids, ids)].mean(axis=0)
    distances = [
        float(
            np.linalg.norm(
                output_lab[..., 1:][target_ids == i].mean(axis=0) - reference_means[name]
            )
        )
        for i, name in target_labels.items()
        if name in reference_means and np.any(target_ids == i)
    ]
    return float(np.mean(distances)) if distances else float("nan")


def _gradient_magnitude(channels: np.ndarray, sigma: float) -> np.ndarray:
    """Per-pixel ``sqrt(sum_c |∇ G_σ * c|²)`` of an (H, W, C) image, in units per pixel."""
    smooth = cv2.GaussianBlur(np.ascontiguousarray(channels, np.float32), (0, 0), sigma)
    smooth = smooth.reshape(channels.shape)
    # Sobel 3x3 / 8 is the derivative per pixel.
    dx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3, scale=0.125).reshape(channels.shape)
    dy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3, scale=0.125).reshape(channels.shape)
    return np.sqrt(np.sum(dx.astype(np.float64) ** 2 + dy.astype(np.float64) ** 2, axis=-1))


def blotchiness(
    output_lab: np.ndarray,
    truth_lab: np.ndarray,
    *,
    sigma: float = 2.0,
    flat_gradient: float = 1.0,
) -> float:
    """Spurious chroma edges: a*b* gradient where L* is flat, in excess of the truth's.

    Blotches (a face in yellow, green and blue patches) are chroma edges inside
    areas of even lightness; real objects rarely change colour without changing
    lightness too. Both images are smoothed by a Gaussian of ``sigma`` pixels, and
    at every pixel where the truth's L* gradient is below ``flat_gradient`` the
    a*b* gradient magnitude of the output is compared with the truth's::

        blotchiness = mean over flat pixels of max(0, |∇ab_output| - |∇ab_truth|)

    Only the excess counts, so a gray output (no chroma edges at all) scores 0 like
    the truth itself and never better than a faithful colouring, and a chroma edge
    that sits on a lightness edge is not counted however strong it is.

    Parameters
    ----------
    output_lab, truth_lab : (H, W, 3) float ndarray
        CIELAB of the output and of the truth (L* in [0, 100]); the truth's L* is
        the gray input's.
    sigma : float, optional
        Smoothing in pixels before the gradients (hides 8-bit noise and JPEG blocks).
    flat_gradient : float, optional
        L* change per pixel below which the lightness counts as flat.

    Returns
    -------
    float
        Mean excess a*b* gradient in a*b* units per pixel, >= 0; 0 for the truth
        itself and for a gray output; ``nan`` when no pixel is flat.
    """
    check_pair(output_lab, truth_lab)
    flat = _gradient_magnitude(truth_lab[..., :1], sigma) < flat_gradient
    # Keep 2 sigma away from lightness edges, where the blur spreads a strong chroma step.
    reach = int(np.ceil(2 * sigma))
    flat = cv2.erode(flat.astype(np.uint8), np.ones((2 * reach + 1,) * 2, np.uint8)) > 0
    if not flat.any():
        return float("nan")
    excess = _gradient_magnitude(output_lab[..., 1:], sigma) - _gradient_magnitude(
        truth_lab[..., 1:], sigma
    )
    return float(np.mean(np.maximum(excess[flat], 0.0)))
