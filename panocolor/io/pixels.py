"""Pixel arrays to float sRGB in [0, 1]: dtype scales, alpha onto white, EXIF orientation.

The array half of the readers' rules (see :mod:`panocolor.io.read`); decoding files
and PIL images into such arrays is :mod:`panocolor.io.decode`'s part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from panocolor.errors import ImageReadError

_INTEGER_WHITE = {"?": 1.0, "B": 255.0, "H": 65535.0}  # by dtype.char: bool, uint8, uint16
_FLOAT_TOLERANCE = 1e-3  # float inputs may overshoot [0, 1] by rounding error


def read_error(name: str, reason: str) -> ImageReadError:
    """The readers' one error: ``"cannot read {name}: {reason}"``."""
    return ImageReadError(f"cannot read {name}: {reason}")


@dataclass(frozen=True)
class Pixels:
    """Pixels made opaque, with their alpha and own values where some are not."""

    composited: np.ndarray  # (H, W) gray or (H, W, 3) RGB, float32 in [0, 1], opaque
    alpha: np.ndarray | None = None  # (H, W) float32 coverage, None when fully opaque
    own: np.ndarray | None = None  # the pixels before compositing, where alpha is not None


def _gray_if_equal(pixels: np.ndarray) -> np.ndarray:
    """(H, W, 3) pixels whose three channels are equal as (H, W), others unchanged."""
    if (
        pixels.ndim == 3
        and np.array_equal(pixels[..., 0], pixels[..., 1])
        and np.array_equal(pixels[..., 1], pixels[..., 2])
    ):
        return pixels[..., 0]
    return pixels


def normalise(array: np.ndarray, name: str) -> Pixels:
    """Integer, bool or float pixels -> float32 in [0, 1], alpha composited onto white.

    The composited pixels are (H, W) for gray data, including RGB data whose channels
    are all equal, else (H, W, 3); where some pixel is not opaque, the alpha and the
    pixels before compositing come too.
    """
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (2, 3, 4)):
        raise read_error(name, f"pixels of shape {array.shape} are not (H, W) or (H, W, 2|3|4)")
    if array.dtype.char in _INTEGER_WHITE:
        pixels = array.astype(np.float32) / np.float32(_INTEGER_WHITE[array.dtype.char])
    elif np.issubdtype(array.dtype, np.floating):
        pixels = array.astype(np.float32)
        low, high = float(pixels.min()), float(pixels.max())
        if not (np.isfinite(low) and np.isfinite(high)):
            raise read_error(name, "float pixels contain NaN or infinity")
        if low < -_FLOAT_TOLERANCE or high > 1.0 + _FLOAT_TOLERANCE:
            raise read_error(name, f"float pixels span [{low:g}, {high:g}], expected [0, 1]")
        pixels = np.clip(pixels, 0.0, 1.0)
    else:
        reason = f"pixels of dtype {array.dtype} are not uint8, uint16, bool or float"
        raise read_error(name, reason)
    if not (pixels.ndim == 3 and pixels.shape[2] in (2, 4)):
        return Pixels(_gray_if_equal(pixels))
    alpha = pixels[..., -1:]
    color = pixels[..., :-1]
    composited = np.minimum(color * alpha + (1.0 - alpha), 1.0)
    if composited.shape[2] == 1:
        composited, color = composited[..., 0], color[..., 0]
    composited = _gray_if_equal(composited)
    if np.all(alpha == 1.0):
        return Pixels(composited)
    return Pixels(composited, np.ascontiguousarray(alpha[..., 0]), _gray_if_equal(color))


def bit_depth_of(array: np.ndarray) -> int:
    """16 for uint16 pixels, else 8."""
    return 16 if array.dtype.char == "H" else 8


def orient(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1-8) the way ``PIL.ImageOps.exif_transpose`` does."""
    oriented = {
        1: lambda a: a,
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.swapaxes(0, 1),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: np.rot90(a, 2).swapaxes(0, 1),
        8: lambda a: np.rot90(a, 1),
    }[orientation](pixels)
    return np.ascontiguousarray(oriented)
