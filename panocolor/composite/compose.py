"""Composing pixels: the input's L* with the found chroma, kept in the sRGB gamut.

This is how every panocolor output is made: :func:`compose_lab` keeps L* exactly and
scales a*b* down per pixel, never clipping them, to the largest chroma that fits the
sRGB gamut (:func:`compose_pixels` the same, straight to integer pixels);
:func:`composite_chroma` composites the chroma of a photo with
transparency onto white the way the readers composited its gray.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from panocolor.imaging.bands import in_threads, row_bands
from panocolor.imaging.colorspace import (
    in_gamut,
    lab_to_linear,
    linear_to_srgb,
    luminance,
    max_chroma,
    rgb_to_lab,
)
from panocolor.io.write import to_pixels

TILE_PIXELS = 1 << 18
"""Pixels per band of rows in :func:`compose_lab` (about 20 MB of float32 temporaries)."""


def _towards_gray(linear: np.ndarray) -> np.ndarray:
    """Mix (N, 3) linear RGB with the gray of its own luminance just enough to fit [0, 1].

    Y is linear in RGB and gray (Y, Y, Y) has luminance Y, so L* stays exact; this
    only mops up the small overshoot of the interpolated chroma table.
    """
    y = luminance(linear)
    y = np.clip(y, 0.0, 1.0)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(linear > 1.0, (1.0 - y) / (linear - y), 1.0)
        room = np.minimum(room, np.where(linear < 0.0, y / (y - linear), 1.0))
    k = np.clip(np.nan_to_num(room.min(axis=1, keepdims=True), nan=0.0), 0.0, 1.0)
    return y + k * (linear - y)


def _compose_tile(lightness: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """:func:`compose_lab` on one tile (any shape), without the checks."""
    lightness = np.clip(lightness.astype(np.float32, copy=False), 0.0, 100.0)
    linear = lab_to_linear(np.concatenate([lightness[..., None], ab], axis=-1))
    outside = ~in_gamut(linear)
    if outside.any():
        l_out, ab_out = lightness[outside], ab[outside]
        chroma = np.hypot(ab_out[:, 0], ab_out[:, 1])
        limit = max_chroma(l_out, np.arctan2(ab_out[:, 1], ab_out[:, 0]))
        scale = np.minimum(1.0, limit / np.maximum(chroma, 1e-12))
        scaled = lab_to_linear(np.concatenate([l_out[:, None], ab_out * scale[:, None]], axis=-1))
        over = ~in_gamut(scaled)
        scaled[over] = _towards_gray(scaled[over])
        linear[outside] = scaled
    return np.clip(linear_to_srgb(linear), 0.0, 1.0)


def compose_lab(lightness: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """Combine L* with a*b* into sRGB, keeping L* exactly and staying in gamut.

    Where ``(L*, a*, b*)`` lies outside the sRGB gamut, a*b* are scaled down to the
    largest in-gamut chroma at that L* and hue, looked up in
    :func:`~panocolor.imaging.colorspace.chroma_table`
    (bilinear; within 0.6 C* of an exact search except on the fold near the yellow
    cusp, see there); the interpolation's small overshoot is taken out by mixing
    with the gray of the same luminance. L* is unchanged, and so is the hue up to
    that last correction.

    Every pixel is computed on its own, so large images are processed in bands of
    rows (:data:`TILE_PIXELS` pixels each) on ``cv2.getNumThreads()`` threads: the
    temporaries stay a few megabytes whatever the image size, and the result is the
    same as in one piece.

    Parameters
    ----------
    lightness : (H, W) array_like
        L* in [0, 100].
    ab : (H, W, 2) array_like
        a* and b*.

    Returns
    -------
    rgb : (H, W, 3) float32 ndarray
        sRGB in [0, 1].

    Raises
    ------
    ValueError
        If ``ab`` is not ``lightness``'s shape plus a last axis of 2.

    Examples
    --------
    >>> L = np.full((1, 1), 95.0); ab = np.array([[[80.0, 80.0]]])
    >>> rgb = compose_lab(L, ab)
    >>> round(float(rgb_to_lab(rgb)[0, 0, 0]), 2)
    95.0
    """
    return _in_bands(lightness, ab, _compose_tile, np.float32)


def compose_pixels(lightness: np.ndarray, ab: np.ndarray, bit_depth: int) -> np.ndarray:
    """``to_pixels(compose_lab(lightness, ab), bit_depth)``, band by band.

    The same pixels, without the full-size float32 image in between (144 MB at 12
    megapixels) and with the quantisation done in the bands' threads.

    Parameters
    ----------
    lightness : (H, W) array_like
        L* in [0, 100].
    ab : (H, W, 2) array_like
        a* and b*.
    bit_depth : int
        8 or 16.

    Returns
    -------
    pixels : (H, W, 3) uint8 or uint16 ndarray

    Raises
    ------
    ValueError
        If ``ab`` is not ``lightness``'s shape plus a last axis of 2, ``bit_depth`` is
        not 8 or 16, or the inputs hold NaN.

    Examples
    --------
    >>> compose_pixels(np.full((1, 1), 50.0), np.zeros((1, 1, 2)), 8).tolist()
    [[[119, 119, 119]]]
    """
    if bit_depth not in (8, 16):
        raise ValueError(f"bit_depth must be 8 or 16, got {bit_depth}")

    def tile(lightness_band: np.ndarray, ab_band: np.ndarray) -> np.ndarray:
        return to_pixels(_compose_tile(lightness_band, ab_band), bit_depth)

    return _in_bands(lightness, ab, tile, np.uint8 if bit_depth == 8 else np.uint16)


def _in_bands(
    lightness: np.ndarray,
    ab: np.ndarray,
    tile: Callable[[np.ndarray, np.ndarray], np.ndarray],
    dtype: type,
) -> np.ndarray:
    """``tile`` over bands of :data:`TILE_PIXELS` pixels on ``cv2.getNumThreads()`` threads."""
    lightness = np.asarray(lightness)
    ab = np.asarray(ab, dtype=np.float32)
    if ab.shape != lightness.shape + (2,):
        raise ValueError(f"ab must have shape {lightness.shape + (2,)}, got {ab.shape}")
    if lightness.ndim == 0 or lightness.size <= TILE_PIXELS:
        return tile(lightness, ab)
    out = np.empty(lightness.shape + (3,), dtype)

    def compose_band(band: slice) -> None:
        out[band] = tile(lightness[band], ab[band])

    in_threads(compose_band, row_bands(*lightness.shape[:2], pixels=TILE_PIXELS))
    return out


def composite_chroma(opaque_lightness: np.ndarray, ab: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The chroma of a colorized photo with transparency, composited onto white.

    The gray input was composited onto white by the readers' rule (``value * alpha +
    1 - alpha`` in sRGB values). Its colour must be composited the same way: the photo's
    own pixels (``opaque_lightness``) colorized with ``ab``, then mixed with white. Colour
    found on the composited lightness instead treats the half-white edge as content, and
    the transfer paints it (a salmon band along a fading edge). Compose the result with
    :attr:`GrayImage.lightness <panocolor.types.GrayImage>`: L* stays the input's.

    Parameters
    ----------
    opaque_lightness : (H, W) float32 ndarray
        :attr:`GrayImage.opaque_lightness <panocolor.types.GrayImage>`.
    ab : (H, W, 2) float32 ndarray
        Chroma found on ``opaque_lightness``.
    alpha : (H, W) float32 ndarray
        :attr:`GrayImage.alpha <panocolor.types.GrayImage>`.

    Returns
    -------
    ab : (H, W, 2) float32 ndarray
        a*, b* of the composite: ``ab`` where opaque, fading to 0 where transparent.

    Examples
    --------
    >>> ab = np.full((1, 3, 2), 20.0, np.float32)
    >>> faded = composite_chroma(np.full((1, 3), 50.0), ab, np.array([[1.0, 0.5, 0.0]]))
    >>> [round(float(c), 1) for c in np.hypot(faded[0, :, 0], faded[0, :, 1])]
    [28.3, 12.1, 0.0]
    """
    coverage = np.asarray(alpha, np.float32)[..., None]
    rgb = compose_lab(opaque_lightness, ab)
    composited = np.minimum(rgb * coverage + (1.0 - coverage), 1.0)
    return np.ascontiguousarray(rgb_to_lab(composited)[..., 1:])
