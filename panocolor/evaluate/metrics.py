"""Image-quality metrics for colorization: pure numpy functions on whole images.

Conventions: RGB images are (H, W, 3) sRGB floats in [0, 1] unless stated; CIELAB
images are (H, W, 3) float arrays with L* in [0, 100]. Every metric returns a
Python ``float``.
"""

from __future__ import annotations

import numpy as np
from skimage.color import deltaE_ciede2000
from skimage.metrics import structural_similarity

from panocolor.imaging.colorspace import rgb_to_lab


def check_pair(output: np.ndarray, truth: np.ndarray) -> None:
    """Raise ValueError unless both are (H, W, 3) images of the same shape."""
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
    check_pair(output, truth)
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
    check_pair(output, truth)
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
    check_pair(output_lab, truth_lab)
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
    check_pair(output, truth)
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
