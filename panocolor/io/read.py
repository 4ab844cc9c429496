"""Reading photos as CIELAB: gray inputs as L*, colour references as L*a*b*.

All readers share one set of rules:

* Sources are a file path, a ``PIL.Image.Image`` or a numpy array. Arrays are
  ``(H, W)`` gray or ``(H, W, 2|3|4)`` gray+alpha / RGB / RGBA in RGB order, of
  dtype uint8 (0..255), uint16 (0..65535), bool, or float (sRGB values in [0, 1]).
* Pixel values are taken as sRGB; embedded ICC profiles are ignored, and CMYK and
  YCbCr are converted with Pillow's plain formulas.
* The EXIF orientation is applied, so results are upright, at full resolution.
* Transparent pixels are composited onto white, in sRGB-encoded values
  (``value * alpha + (1 - alpha)``), the way a viewer shows them on a white page.
  :func:`read_gray` also keeps the alpha and the photo's own L* before compositing,
  so that colour is found on the photo and composited the same way
  (:func:`panocolor.composite.compose.composite_chroma`), not painted onto the half-white edge.
* 16-bit files keep their 16 bits: Pillow decodes 16-bit gray itself, but reduces
  16-bit RGB(A) to 8 bits, so those PNGs are decoded by OpenCV and those TIFFs by
  tifffile (or by OpenCV where tifffile lacks the optional ``imagecodecs`` package
  for LZW or JPEG compression). OpenCV's result must equal Pillow's 8-bit decode
  in its high bytes; otherwise the file is read at 8 bits with a warning.
* Pillow's 32-bit integer mode ``I`` is read on the 16-bit scale (0..65535) and its
  float mode ``F`` as sRGB values in [0, 1]; values outside those ranges are refused.
* A file with more than ``max_pixels`` pixels is refused before it is decoded, and
  every file is fully decoded, so truncated files are detected.
* Every failure is an :class:`~panocolor.errors.ImageReadError` with the one-line
  message ``"cannot read {source}: {reason}"``.
"""

from __future__ import annotations

import warnings

import numpy as np

from panocolor.errors import ColorInputWarning, UnusableReferenceError
from panocolor.imaging.colorspace import gray_to_lightness, rgb_to_lab
from panocolor.io.decode import ImageSource, decode
from panocolor.types import ColorImage, GrayImage

DEFAULT_MAX_PIXELS = 250_000_000
"""Largest image read by default: 250 megapixels, well above 12-50 MP archive scans."""

CHROMA_THRESHOLD = 3.0
"""A photo counts as colour when the 99th percentile of its CIELAB chroma exceeds this.

About one just-noticeable difference: JPEG noise and the slight tint of scanned
gray prints stay below it, while any real colour photo is far above it.
"""

MIN_REFERENCE_SIDE = 32
"""Smallest reference, in pixels per side: a smaller photo cannot carry colour statistics.

A 2x2 reference gives a magenta-and-green sky. Every photo of the development set is
at least 300 pixels a side, and even its 32x32 thumbnails have 473 or more colours.
"""

MIN_REFERENCE_COLOURS = 32
"""Fewest distinct colours (counted at 8 bits per channel) a reference must have.

Refuses flat fills and posterised images of a handful of colours, but not palette
photos (GIF, PNG-8): a photo reduced to 64 or 256 colours still colours well, and
every photo of the development set has 13,452 distinct colours or more.
"""

_CHROMA_PERCENTILE = 99.0
_CHROMA_SAMPLES = 1_000_000  # a strided sample this big estimates the percentile well


def _chroma_percentile(lab: np.ndarray) -> float:
    """The 99th percentile of C*ab = hypot(a*, b*), on a strided sample of big images."""
    height, width = lab.shape[:2]
    step = max(1, int(np.sqrt(height * width / _CHROMA_SAMPLES)))
    sample = lab[::step, ::step]
    return float(np.percentile(np.hypot(sample[..., 1], sample[..., 2]), _CHROMA_PERCENTILE))


def _distinct_colours(rgb: np.ndarray, enough: int) -> int:
    """The number of distinct 8-bit colours of (H, W, 3) ``rgb`` in [0, 1], at least up to
    ``enough``: counting stops there, so a real photo costs one band of rows."""
    seen = np.zeros(1 << 24, bool)
    rows = max(1, _CHROMA_SAMPLES // rgb.shape[1])
    count = 0
    for top in range(0, rgb.shape[0], rows):
        values = np.rint(rgb[top : top + rows] * np.float32(255)).astype(np.uint32)
        seen[(values[..., 0] << 16) | (values[..., 1] << 8) | values[..., 2]] = True
        count = int(np.count_nonzero(seen))
        if count >= enough:
            break
    return count


def read_gray(source: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> GrayImage:
    """Read a grayscale photo as CIELAB lightness.

    A colour photo is accepted too: its CIELAB L* is used and a
    :class:`~panocolor.errors.ColorInputWarning` names it. "Colour" means real
    chroma (99th-percentile C*ab above :data:`CHROMA_THRESHOLD`); an RGB file whose
    channels are equal is simply gray. Transparent pixels are composited onto white.

    Parameters
    ----------
    source : str, os.PathLike, PIL.Image.Image or ndarray
        A file, an image, or an (H, W) / (H, W, 2|3|4) array of uint8, uint16,
        bool or float in [0, 1] (RGB channel order).
    max_pixels : int, optional
        Refuse images with more pixels than this (decompression-bomb guard).

    Returns
    -------
    image : GrayImage
        ``lightness`` is (H, W) float32 L* in [0, 100], upright (EXIF orientation
        applied) at full resolution; ``bit_depth`` is 16 for 16-bit sources
        (16-bit PNG/TIFF, uint16 arrays), else 8.

    Raises
    ------
    ImageReadError
        The source cannot be read (missing, not an image, corrupt, truncated, too big).

    Examples
    --------
    >>> image = read_gray(np.full((2, 3), 255, np.uint8))
    >>> image.shape, float(image.lightness[0, 0]), image.bit_depth
    ((2, 3), 100.0, 8)
    """
    decoded = decode(source, max_pixels)
    opaque = None
    if decoded.alpha is not None:
        opaque = np.where(decoded.alpha > 0, _lightness(decoded.own), np.float32(100.0))
    if decoded.pixels.ndim == 2:
        lightness = gray_to_lightness(decoded.pixels)
        return GrayImage(lightness, decoded.bit_depth, decoded.source, False, decoded.alpha, opaque)
    lab = rgb_to_lab(decoded.pixels)
    lightness = np.ascontiguousarray(lab[..., 0])
    chroma = _chroma_percentile(lab)
    was_color = chroma > CHROMA_THRESHOLD
    if was_color:
        warnings.warn(
            f"{decoded.name} is a colour photo (99th-percentile chroma {chroma:.1f}); "
            "using its CIELAB lightness as the gray input",
            ColorInputWarning,
            stacklevel=2,
        )
    return GrayImage(lightness, decoded.bit_depth, decoded.source, was_color, decoded.alpha, opaque)


def _lightness(pixels: np.ndarray) -> np.ndarray:
    """L* of (H, W) gray or (H, W, 3) sRGB pixels in [0, 1]."""
    if pixels.ndim == 2:
        return gray_to_lightness(pixels)
    return np.ascontiguousarray(rgb_to_lab(pixels)[..., 0])


def read_color(source: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ColorImage:
    """Read a colour reference photo as CIELAB.

    Same reading rules as :func:`read_gray` (alpha composited onto white, EXIF
    orientation applied, 16-bit sources read at 16 bits). Files, PIL images and arrays
    are checked alike: a reference must be colour, at least
    :data:`MIN_REFERENCE_SIDE` pixels a side and have at least
    :data:`MIN_REFERENCE_COLOURS` distinct colours.

    Parameters
    ----------
    source : str, os.PathLike, PIL.Image.Image or ndarray
        A file, an image, or an (H, W, 3|4) array of uint8, uint16 or float in [0, 1].
    max_pixels : int, optional
        Refuse images with more pixels than this.

    Returns
    -------
    image : ColorImage
        ``lab`` is (H, W, 3) float32: L* in [0, 100], a* and b* about [-128, 127].

    Raises
    ------
    ImageReadError
        The source cannot be read.
    UnusableReferenceError
        The photo has no colour (gray, or chroma at most :data:`CHROMA_THRESHOLD`), or
        is too small or has too few colours to carry colour statistics.
    """
    decoded = decode(source, max_pixels)
    advice = "give a colour photo"
    height, width = decoded.pixels.shape[:2]
    if min(height, width) < MIN_REFERENCE_SIDE:
        raise UnusableReferenceError(
            f"reference {decoded.name} is too small to carry colour statistics: {width}x"
            f"{height} pixels, at least {MIN_REFERENCE_SIDE}x{MIN_REFERENCE_SIDE} needed; "
            "give a larger colour photo"
        )
    if decoded.pixels.ndim == 2:
        raise UnusableReferenceError(
            f"reference {decoded.name} has no colour (it is a grayscale image); {advice}"
        )
    colours = _distinct_colours(decoded.pixels, MIN_REFERENCE_COLOURS)
    if colours < MIN_REFERENCE_COLOURS:
        raise UnusableReferenceError(
            f"reference {decoded.name} has too few colours to carry colour statistics: "
            f"{colours} distinct colours, at least {MIN_REFERENCE_COLOURS} needed; "
            "give a colour photo"
        )
    lab = rgb_to_lab(decoded.pixels)
    chroma = _chroma_percentile(lab)
    if chroma <= CHROMA_THRESHOLD:
        raise UnusableReferenceError(
            f"reference {decoded.name} has no colour (99th-percentile chroma {chroma:.1f}, "
            f"at most {CHROMA_THRESHOLD:g}); {advice}"
        )
    return ColorImage(lab, decoded.source)


def read_rgb(source: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read a photo as sRGB values, e.g. a ground-truth colour image for evaluation.

    Same reading rules as :func:`read_gray`; gray photos give three equal channels.

    Parameters
    ----------
    source : str, os.PathLike, PIL.Image.Image or ndarray
        A file, an image, or an array as for :func:`read_gray`.
    max_pixels : int, optional
        Refuse images with more pixels than this.

    Returns
    -------
    rgb : (H, W, 3) float32 ndarray
        sRGB in [0, 1], upright, alpha composited onto white.

    Raises
    ------
    ImageReadError
        The source cannot be read.
    """
    pixels = decode(source, max_pixels).pixels
    if pixels.ndim == 2:
        return np.repeat(pixels[..., None], 3, axis=2)
    return pixels
