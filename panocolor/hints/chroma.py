"""Hint colours as chroma at the photo's own lightness.

A hint fixes hue and saturation, not lightness. Its colour is stored as a
*relative chroma* vector ``(s cos h, s sin h, C)``: hue ``h``, saturation ``s`` =
its chroma ``C`` over the largest in-gamut chroma at its own L* and hue (0 gray, 1
the sRGB gamut's edge), and ``C`` itself. At a pixel of lightness L*, the vector
becomes chroma ``min(s * max_chroma(L*, h), C)`` in hue ``h``: a "red" hint on a
darker part of the coat is a dark red as saturated, relative to what sRGB can show
there, as the red the user picked; where the gamut is wider (a pale hint on a
darker or lighter surface), the hint's own chroma is kept rather than blown up.
Means of such vectors (hints spread and mixed) are vectors of the same kind.
"""

from __future__ import annotations

import cv2
import numpy as np

from panocolor.imaging.colorspace import chroma_table, max_chroma, rgb_to_lab

_EPS = 1e-6


def relative_chroma(rgb: np.ndarray) -> np.ndarray:
    """Relative chroma vectors of sRGB colours.

    Parameters
    ----------
    rgb : (..., 3) array_like
        sRGB colours, uint8 in [0, 255].

    Returns
    -------
    rel : (..., 3) float32 ndarray
        ``(s cos h, s sin h, C)``, ``s`` in [0, 1] (0 for grays), ``C`` >= 0.

    Examples
    --------
    Pure red is on the gamut's edge, a gray on the neutral axis:

    >>> [round(float(np.hypot(*relative_chroma(c)[:2])), 2) for c in ([255, 0, 0], [90, 90, 90])]
    [1.0, 0.0]
    """
    lab = rgb_to_lab(np.asarray(rgb, np.float32) / 255.0)
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    hue = np.arctan2(lab[..., 2], lab[..., 1])
    limit = max_chroma(lab[..., 0], hue)
    saturation = np.minimum(1.0, chroma / np.maximum(limit, _EPS))
    saturation = np.where(chroma > _EPS, saturation, 0.0)
    return np.stack(
        [saturation * np.cos(hue), saturation * np.sin(hue), np.where(chroma > _EPS, chroma, 0)],
        axis=-1,
    ).astype(np.float32)


def chroma_at(lightness: np.ndarray, rel: np.ndarray) -> np.ndarray:
    """a*b* of relative chroma vectors at each pixel's lightness.

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        L* in [0, 100].
    rel : (H, W, 3) float32 ndarray
        Relative chroma vectors, ``s`` at most 1 (means of hints' vectors are).

    Returns
    -------
    ab : (H, W, 2) float32 ndarray
        ``min(s * max_chroma(L*, h), C)`` in hue ``h``: inside the sRGB gamut at that L*.
    """
    rel = np.asarray(rel, np.float32)
    degrees = cv2.phase(
        np.ascontiguousarray(rel[..., 0]), np.ascontiguousarray(rel[..., 1]), angleInDegrees=True
    )
    # max_chroma's bilinear lookup in the (L*, hue) table, done by cv2.remap (10x faster
    # at a megapixel; the table's grid is 1 L* by 1 degree).
    steps_l = chroma_table().shape[0] - 1
    rows = np.clip(np.asarray(lightness, np.float32), 0.0, 100.0) * np.float32(steps_l / 100)
    limit = cv2.remap(
        chroma_table(), degrees, rows, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    ab = rel[..., :2] * limit[..., None]
    magnitude = np.hypot(ab[..., 0], ab[..., 1])
    return ab * np.minimum(1.0, rel[..., 2] / np.maximum(magnitude, _EPS))[..., None]
