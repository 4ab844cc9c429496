"""Image-quality metrics for colorization: pure numpy functions on whole images.

Conventions: RGB images are (H, W, 3) sRGB floats in [0, 1] unless stated; CIELAB
images are (H, W, 3) float arrays with L* in [0, 100]. Every metric returns a
Python ``float``.
"""

from __future__ import annotations

import cv2
import numpy as np
from skimage.color import deltaE_ciede2000
from skimage.metrics import structural_similarity

from panocolor.imaging.colorspace import rgb_to_lab


def _check_pair(output: np.ndarray, truth: np.ndarray) -> None:
    if output.shape != truth.shape:
        raise ValueError(f"shapes differ: output {output.shape}, truth {truth.shape}")
    if output.ndim != 3 or output.shape[2] != 3:
        raise ValueError(f"expected (H, W, 3) images, got shape {output.shape}")


def to_unit_rgb(pixels: np.ndarray) -> np.ndarray:
    """Scale integer pixels to float32 in [0, 1] by their dtype's maximum.

    Parameters
    ----------
    pixels : (H, W, 3) ndarray
        uint8 or uint16 pixels; float input is returned as float32 unchanged.

    Returns
    -------
    rgb : (H, W, 3) float32 ndarray
        Values in [0, 1].
    """
    if np.issubdtype(pixels.dtype, np.integer):
        return (pixels / np.iinfo(pixels.dtype).max).astype(np.float32)
    return np.asarray(pixels, dtype=np.float32)


def psnr(output: np.ndarray, truth: np.ndarray) -> float:
    """Peak signal-to-noise ratio over all RGB values, on the 8-bit scale.

    ``10 log10(255^2 / MSE)`` with both images scaled to [0, 255]; identical to
    computing it in [0, 1] with peak 1.

    Parameters
    ----------
    output, truth : (H, W, 3) float ndarray
        sRGB in [0, 1].

    Returns
    -------
    float
        Decibels; ``inf`` for identical images.
    """
    _check_pair(output, truth)
    mse = float(np.mean((output.astype(np.float64) - truth.astype(np.float64)) ** 2))
    return float("inf") if mse == 0.0 else float(10.0 * np.log10(1.0 / mse))


def ssim(output: np.ndarray, truth: np.ndarray) -> float:
    """Mean structural similarity over the RGB channels.

    scikit-image's ``structural_similarity`` with ``channel_axis=-1`` and
    ``data_range=1``; the 7 px window shrinks (odd, at least 3) for tiny images.

    Parameters
    ----------
    output, truth : (H, W, 3) float ndarray
        sRGB in [0, 1]; both sides at least 3 px.

    Returns
    -------
    float
        In [-1, 1]; 1 for identical images.
    """
    _check_pair(output, truth)
    side = min(output.shape[:2])
    win_size = min(7, side if side % 2 else side - 1)
    return float(
        structural_similarity(
            output.astype(np.float64),
            truth.astype(np.float64),
            channel_axis=-1,
            data_range=1.0,
            win_size=win_size,
        )
    )


def mean_ciede2000(output_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    """Mean CIEDE2000 colour difference per pixel.

    Parameters
    ----------
    output_lab, truth_lab : (H, W, 3) float ndarray
        CIELAB (D65), L* in [0, 100].

    Returns
    -------
    float
        Mean ΔE00, >= 0; about 1 is a just-noticeable difference.

    References
    ----------
    .. [1] G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 color-difference formula:
           implementation notes, supplementary test data, and mathematical
           observations", Color Res. Appl. 30(1), 2005. :DOI:`10.1002/col.20070`
    """
    _check_pair(output_lab, truth_lab)
    delta = deltaE_ciede2000(
        output_lab.astype(np.float64), truth_lab.astype(np.float64), channel_axis=-1
    )
    return float(np.mean(delta))


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler and Süsstrunk's colourfulness M of an image.

    With ``rg = R - G`` and ``yb = (R + G) / 2 - B`` on the 0..255 scale (computed
    in float64, so no integer overflow)::

        M = sqrt(σ_rg² + σ_yb²) + 0.3 sqrt(μ_rg² + μ_yb²)

    Parameters
    ----------
    rgb : (H, W, 3) float ndarray
        sRGB in [0, 1].

    Returns
    -------
    float
        >= 0; 0 for any gray image, roughly 15 "slightly", 33 "moderately",
        59 "quite" and 109+ "extremely" colourful.

    References
    ----------
    .. [1] D. Hasler, S. Süsstrunk, "Measuring colourfulness in natural images",
           Proc. SPIE 5007, Human Vision and Electronic Imaging VIII, 2003.
           :DOI:`10.1117/12.477378`
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) image, got shape {rgb.shape}")
    values = rgb.astype(np.float64) * 255.0
    red, green, blue = values[..., 0], values[..., 1], values[..., 2]
    rg = red - green
    yb = 0.5 * (red + green) - blue
    spread = np.hypot(rg.std(), yb.std())
    mean = np.hypot(rg.mean(), yb.mean())
    return float(spread + 0.3 * mean)


def colourfulness_ratio(output: np.ndarray, truth: np.ndarray) -> float:
    """``colourfulness(output) / colourfulness(truth)``: 1 is the right amount of colour.

    Parameters
    ----------
    output, truth : (H, W, 3) float ndarray
        sRGB in [0, 1].

    Returns
    -------
    float
        >= 0; below 1 is washed out, above 1 over-saturated; ``nan`` when the
        truth is gray (colourfulness 0).
    """
    _check_pair(output, truth)
    reference = colourfulness(truth)
    return float("nan") if reference == 0.0 else colourfulness(output) / reference


def p99_lightness_error(output_pixels: np.ndarray, lightness: np.ndarray) -> float:
    """99th percentile of ``|ΔL*|`` between written output pixels and the input L*.

    Measures how well a method keeps the input's lightness once its output is
    quantised to integers (panocolor's promise: only chroma moves).

    Parameters
    ----------
    output_pixels : (H, W, 3) uint8 or uint16 ndarray
        The output as written (float input is taken as [0, 1]).
    lightness : (H, W) float ndarray
        The input's L* in [0, 100].

    Returns
    -------
    float
        L* units, >= 0; about 0.2 is 8-bit rounding.
    """
    if output_pixels.shape[:2] != lightness.shape:
        raise ValueError(
            f"output {output_pixels.shape[:2]} and lightness {lightness.shape} differ in size"
        )
    output_lightness = rgb_to_lab(to_unit_rgb(output_pixels))[..., 0]
    error = np.abs(output_lightness.astype(np.float64) - lightness.astype(np.float64))
    return float(np.percentile(error, 99))


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
    _check_pair(output_lab, truth_lab)
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
