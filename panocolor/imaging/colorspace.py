"""sRGB <-> CIELAB (D65, 2 degree observer) in float32, and the sRGB gamut's chroma limit.

The conversions follow scikit-image's ``rgb2lab``/``lab2rgb`` (and are tested against
them) but run in float32. :func:`max_chroma` is the largest in-gamut chroma at an L*
and hue, which :func:`panocolor.composite.compose.compose_lab` scales chroma down to
when it makes the output pixels.

Ranges: sRGB values are floats in [0, 1]; L* in [0, 100]; a*, b* roughly [-128, 127].
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

_XYZ_FROM_RGB = np.array(
    [
        [0.412453, 0.357580, 0.180423],
        [0.212671, 0.715160, 0.072169],
        [0.019334, 0.119193, 0.950227],
    ],
    dtype=np.float64,
)
_RGB_FROM_XYZ = np.linalg.inv(_XYZ_FROM_RGB)
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])
_EPS = 0.008856  # CIE (6/29)^3, as scikit-image rounds it
_KAPPA = 7.787  # slope of the linear segment of f(t), as scikit-image rounds it


def srgb_to_linear(values: np.ndarray) -> np.ndarray:
    """Undo the sRGB transfer curve. ``values`` in [0, 1], any shape; float32 out."""
    v = np.asarray(values, dtype=np.float32)
    return np.where(v > 0.04045, _power((v + 0.055) / 1.055, 2.4), v / 12.92).astype(np.float32)


def linear_to_srgb(values: np.ndarray) -> np.ndarray:
    """Apply the sRGB transfer curve. Linear values in [0, 1], any shape; float32 out."""
    v = np.clip(np.asarray(values, dtype=np.float32), 0.0, None)
    return np.where(v > 0.0031308, 1.055 * _power(v, 1 / 2.4) - 0.055, 12.92 * v).astype(np.float32)


def _power(values: np.ndarray, exponent: float) -> np.ndarray:
    """``values ** exponent`` for non-negative float32 (cv2.pow: 4x numpy's, same result)."""
    shape = np.shape(values)
    flat = np.ascontiguousarray(values, dtype=np.float32).reshape(-1, 1)
    if flat.size == 0:
        return flat.reshape(shape)
    return cv2.pow(flat, exponent).reshape(shape)


def _apply_matrix(values: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``values @ matrix.T`` for (..., 3) float32 arrays (cv2 is ~10x faster than numpy here)."""
    flat = np.ascontiguousarray(values, dtype=np.float32).reshape(-1, 1, 3)
    return cv2.transform(flat, matrix.astype(np.float32)).reshape(values.shape)


def _f(t: np.ndarray) -> np.ndarray:
    return np.where(t > _EPS, np.cbrt(t), _KAPPA * t + 16.0 / 116.0)


def _f_inv(t: np.ndarray) -> np.ndarray:
    return np.where(t > 0.2068966, t * t * t, (t - 16.0 / 116.0) / _KAPPA)  # t*t*t: 3x t**3


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """Convert sRGB to CIELAB.

    Parameters
    ----------
    rgb : (..., 3) array_like
        sRGB values in [0, 1].

    Returns
    -------
    lab : (..., 3) float32 ndarray
        L* in [0, 100], a* and b* unbounded (about [-128, 127] for sRGB).

    Examples
    --------
    >>> lab = rgb_to_lab(np.array([[0.5, 0.5, 0.5], [1.0, 0.0, 0.0]]))
    >>> np.abs(lab).astype(np.float64).round(1).tolist()
    [[53.4, 0.0, 0.0], [53.2, 80.1, 67.2]]
    """
    linear = srgb_to_linear(rgb)
    xyz = _apply_matrix(linear, _XYZ_FROM_RGB / _WHITE_D65[:, None])
    fx, fy, fz = (_f(xyz[..., i]) for i in range(3))
    lab = np.stack([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], axis=-1)
    return lab.astype(np.float32)


def lab_to_linear(lab: np.ndarray) -> np.ndarray:
    """Convert CIELAB to linear RGB without any clipping (out-of-gamut values stay visible)."""
    lab = np.asarray(lab, dtype=np.float32)
    fy = (lab[..., 0] + 16.0) / 116.0
    fx = fy + lab[..., 1] / 500.0
    fz = fy - lab[..., 2] / 200.0
    xyz = np.stack([_f_inv(fx), _f_inv(fy), _f_inv(fz)], axis=-1) * _WHITE_D65.astype(np.float32)
    return _apply_matrix(xyz, _RGB_FROM_XYZ)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """Convert CIELAB to sRGB in [0, 1], clipping out-of-gamut colours.

    Use :func:`panocolor.composite.compose.compose_lab` instead when L* must be kept exactly.
    """
    return np.clip(linear_to_srgb(lab_to_linear(lab)), 0.0, 1.0)


def gray_to_lightness(gray: np.ndarray) -> np.ndarray:
    """L* of sRGB gray values.

    Parameters
    ----------
    gray : (H, W) array_like
        sRGB-encoded gray values in [0, 1].

    Returns
    -------
    lightness : (H, W) float32 ndarray
        CIELAB L* in [0, 100].
    """
    y = srgb_to_linear(gray)
    return (116.0 * _f(y) - 16.0).astype(np.float32)


def lightness_to_gray(lightness: np.ndarray) -> np.ndarray:
    """Inverse of :func:`gray_to_lightness`: sRGB gray values in [0, 1] for L* in [0, 100]."""
    y = _f_inv((np.asarray(lightness, dtype=np.float32) + 16.0) / 116.0)
    return np.clip(linear_to_srgb(y), 0.0, 1.0)


def lightness_to_uint8(lightness: np.ndarray) -> np.ndarray:
    """(H, W) uint8 sRGB gray of L* in [0, 100], rounded (what the TFLite models see)."""
    return np.round(lightness_to_gray(lightness) * 255.0).astype(np.uint8)


def luminance(linear: np.ndarray) -> np.ndarray:
    """CIE Y of (..., 3) linear sRGB, float32 (the white point's Y is 1)."""
    return linear @ _XYZ_FROM_RGB[1].astype(np.float32)


def in_gamut(linear: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """Whether each (..., 3) linear RGB value lies in [0, 1] (within ``tol``).

    ``cv2.inRange`` checks the three channels in one pass (5x numpy's six).
    """
    linear = np.asarray(linear, np.float32)
    if linear.size == 0:
        return np.zeros(linear.shape[:-1], bool)
    flat = np.ascontiguousarray(linear).reshape(-1, 1, 3)
    inside = cv2.inRange(flat, (-tol,) * 3, (1.0 + tol,) * 3)
    return inside.reshape(linear.shape[:-1]).astype(bool)


def _in_gamut_at(fy: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether (L*, a*, b*) is inside sRGB, given ``fy = (L* + 16) / 116`` and Y."""
    x = _f_inv(fy + a / 500.0) * _WHITE_D65[0]
    z = _f_inv(fy - b / 200.0) * _WHITE_D65[2]
    ok = np.ones(np.shape(fy), bool)
    for row in _RGB_FROM_XYZ.astype(np.float32):
        channel = row[0] * x + row[1] * y + row[2] * z
        ok &= (channel >= -1e-6) & (channel <= 1.0 + 1e-6)
    return ok


CHROMA_TABLE_SHAPE = (101, 360)
"""(L* steps, hue steps) of the table of largest in-gamut chroma: 1 L* by 1 degree."""


@functools.cache
def chroma_table() -> np.ndarray:
    """Largest in-gamut sRGB chroma on a grid of L* and hue, computed once (about 0.1 s).

    Returns
    -------
    table : (101, 361) float32 ndarray
        ``table[i, j]`` is the largest C* such that every colour from the neutral
        axis to C* at L* = i and hue = j degrees is inside the gamut (column 360
        repeats column 0, for interpolation). Found by stepping out 2 units of
        chroma at a time, then 14 bisection steps within the last step; stepping
        from the axis finds the *first* exit where the boundary folds (near the
        yellow cusp at L* > 94 a ray leaves the gamut and comes back).
    """
    steps_l, steps_h = CHROMA_TABLE_SHAPE
    lightness, hue = np.meshgrid(
        np.linspace(0.0, 100.0, steps_l), np.arange(steps_h) * (2 * np.pi / steps_h), indexing="ij"
    )
    fy = ((lightness.ravel() + 16.0) / 116.0).astype(np.float32)
    y = _f_inv(fy) * _WHITE_D65[1]
    cos, sin = np.cos(hue.ravel()).astype(np.float32), np.sin(hue.ravel()).astype(np.float32)
    low = np.zeros(fy.shape, np.float32)
    high = np.full(fy.shape, 2.0, np.float32)
    moving = np.ones(fy.shape, bool)
    for chroma in np.arange(2.0, 202.0, 2.0, dtype=np.float32):  # sRGB chroma < 134
        ok = _in_gamut_at(fy[moving], y[moving], chroma * cos[moving], chroma * sin[moving])
        index = np.flatnonzero(moving)
        low[index[ok]] = chroma
        high[index] = chroma + 2.0 * ok
        moving[index[~ok]] = False
    for _ in range(14):  # 2 / 2**14: chroma within 1e-4
        mid = (low + high) * 0.5
        ok = _in_gamut_at(fy, y, mid * cos, mid * sin)
        low, high = np.where(ok, mid, low), np.where(ok, high, mid)
    table = low.reshape(CHROMA_TABLE_SHAPE)
    return np.concatenate([table, table[:, :1]], axis=1)


def max_chroma(lightness: np.ndarray, hue: np.ndarray) -> np.ndarray:
    """Largest in-gamut chroma at each (L*, hue), bilinear in :func:`chroma_table`.

    Parameters
    ----------
    lightness : array_like
        L*, clipped to [0, 100].
    hue : array_like
        Hue angle in radians (any real value), ``lightness``'s shape.

    Returns
    -------
    chroma : float32 ndarray
        C* limit, >= 0, ``lightness``'s shape.
    """
    table = chroma_table()
    steps_l, steps_h = CHROMA_TABLE_SHAPE
    row = np.clip(np.asarray(lightness, np.float32), 0.0, 100.0) * np.float32((steps_l - 1) / 100)
    col = np.mod(np.asarray(hue, np.float32) * np.float32(steps_h / (2 * np.pi)), steps_h)
    i = np.minimum(row.astype(np.int32), steps_l - 2)
    j = np.minimum(col.astype(np.int32), steps_h - 1)
    u, v = row - i, col - j
    flat = table.ravel()
    corner = i * (steps_h + 1) + j  # flat index of table[i, j]
    top_left, top_right = flat.take(corner), flat.take(corner + 1)
    top = top_left + v * (top_right - top_left)
    bottom_left, bottom_right = flat.take(corner + steps_h + 1), flat.take(corner + steps_h + 2)
    bottom = bottom_left + v * (bottom_right - bottom_left)
    return top + u * (bottom - top)
