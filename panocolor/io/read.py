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
  (:func:`composite_chroma`), not painted onto the half-white edge.
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

import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import tifffile
from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

from panocolor.colorspace import compose_lab, gray_to_lightness, rgb_to_lab
from panocolor.errors import (
    ColorInputWarning,
    ImageReadError,
    PanocolorError,
    UnusableReferenceError,
)
from panocolor.types import ColorImage, GrayImage

ImageSource = str | os.PathLike[str] | Image.Image | np.ndarray

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
_INTEGER_WHITE = {"?": 1.0, "B": 255.0, "H": 65535.0}  # by dtype.char: bool, uint8, uint16
_FLOAT_TOLERANCE = 1e-3  # float inputs may overshoot [0, 1] by rounding error
_PNG_16BIT_COLOR_TYPES = (2, 4, 6)  # RGB, gray+alpha, RGBA: Pillow reduces them to 8 bits
_TIFF_BITS_PER_SAMPLE, _TIFF_PHOTOMETRIC, _TIFF_RGB = 258, 262, 2

# Pillow's decompression-bomb limit and truncated-image switch are module globals;
# this lock makes panocolor's temporary settings invisible to its other readers.
_PILLOW_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Pixels:
    composited: np.ndarray  # (H, W) gray or (H, W, 3) RGB, float32 in [0, 1], opaque
    alpha: np.ndarray | None = None  # (H, W) float32 coverage, None when fully opaque
    own: np.ndarray | None = None  # the pixels before compositing, where alpha is not None


@dataclass(frozen=True)
class _Decoded:
    pixels: np.ndarray  # (H, W) gray or (H, W, 3) RGB, float32 in [0, 1], upright, opaque
    bit_depth: int
    source: Path | None
    name: str
    alpha: np.ndarray | None = None  # (H, W) float32 coverage, None when fully opaque
    own: np.ndarray | None = None  # the pixels before compositing onto white


def _error(name: str, reason: str) -> ImageReadError:
    return ImageReadError(f"cannot read {name}: {reason}")


def _reason(exc: BaseException) -> str:
    """One line saying why a decoder failed, without the decoder's traceback."""
    if isinstance(exc, UnidentifiedImageError):
        return "not an image file, or an image format that cannot be read"
    if isinstance(exc, MemoryError):
        return "not enough memory to decode it"
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "truncated" in text.lower():
        return "the file is truncated (incomplete download or copy?)"
    return f"corrupt or unsupported image ({text})"


@contextmanager
def _pillow_settings() -> Iterator[None]:
    """Let Pillow decode any size (the caller checks ``max_pixels`` on the header
    instead) and never accept truncated files, restoring the globals afterwards."""
    with _PILLOW_LOCK:
        saved = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
        Image.MAX_IMAGE_PIXELS = None
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = saved


def _check_size(width: int, height: int, max_pixels: int, name: str) -> None:
    if width * height > max_pixels:
        raise _error(
            name,
            f"{width}x{height} = {width * height:,} pixels is more than the limit of "
            f"{max_pixels:,} (max_pixels); the file may be a decompression bomb",
        )
    if width * height == 0:
        raise _error(name, "the image is empty (0 pixels)")


def _gray_if_equal(pixels: np.ndarray) -> np.ndarray:
    """(H, W, 3) pixels whose three channels are equal as (H, W), others unchanged."""
    if (
        pixels.ndim == 3
        and np.array_equal(pixels[..., 0], pixels[..., 1])
        and np.array_equal(pixels[..., 1], pixels[..., 2])
    ):
        return pixels[..., 0]
    return pixels


def _normalise(array: np.ndarray, name: str) -> _Pixels:
    """Integer, bool or float pixels -> float32 in [0, 1], alpha composited onto white.

    The composited pixels are (H, W) for gray data, including RGB data whose channels
    are all equal, else (H, W, 3); where some pixel is not opaque, the alpha and the
    pixels before compositing come too.
    """
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (2, 3, 4)):
        raise _error(name, f"pixels of shape {array.shape} are not (H, W) or (H, W, 2|3|4)")
    if array.dtype.char in _INTEGER_WHITE:
        pixels = array.astype(np.float32) / np.float32(_INTEGER_WHITE[array.dtype.char])
    elif np.issubdtype(array.dtype, np.floating):
        pixels = array.astype(np.float32)
        low, high = float(pixels.min()), float(pixels.max())
        if not (np.isfinite(low) and np.isfinite(high)):
            raise _error(name, "float pixels contain NaN or infinity")
        if low < -_FLOAT_TOLERANCE or high > 1.0 + _FLOAT_TOLERANCE:
            raise _error(name, f"float pixels span [{low:g}, {high:g}], expected [0, 1]")
        pixels = np.clip(pixels, 0.0, 1.0)
    else:
        raise _error(name, f"pixels of dtype {array.dtype} are not uint8, uint16, bool or float")
    if not (pixels.ndim == 3 and pixels.shape[2] in (2, 4)):
        return _Pixels(_gray_if_equal(pixels))
    alpha = pixels[..., -1:]
    color = pixels[..., :-1]
    composited = np.minimum(color * alpha + (1.0 - alpha), 1.0)
    if composited.shape[2] == 1:
        composited, color = composited[..., 0], color[..., 0]
    composited = _gray_if_equal(composited)
    if np.all(alpha == 1.0):
        return _Pixels(composited)
    return _Pixels(composited, np.ascontiguousarray(alpha[..., 0]), _gray_if_equal(color))


def _bit_depth(array: np.ndarray) -> int:
    return 16 if array.dtype.char == "H" else 8


def _pil_array(img: Image.Image, name: str) -> np.ndarray:
    """The decoded pixels of a loaded Pillow image as uint8/uint16/bool/float32."""
    mode = img.mode
    if mode in ("1", "L", "LA", "RGB", "RGBA", "F"):
        return np.asarray(img)
    if mode.startswith("I;16"):
        return np.asarray(img).astype(np.uint16)  # also makes big-endian data native
    if mode == "I":
        values = np.asarray(img)
        if values.min() < 0 or values.max() > 65535:
            raise _error(name, "32-bit integer pixels outside 0..65535 are not supported")
        return values.astype(np.uint16)
    if mode == "P":
        return np.asarray(img.convert("RGBA" if "transparency" in img.info else "RGB"))
    if mode in ("PA", "La", "RGBa"):
        return np.asarray(img.convert({"PA": "RGBA", "La": "LA", "RGBa": "RGBA"}[mode]))
    try:
        return np.asarray(img.convert("RGB"))  # CMYK, YCbCr, HSV, RGBX...
    except ValueError as exc:
        raise _error(name, f"unsupported image mode {mode}") from exc


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # a damaged EXIF block must not make the photo unreadable
        return 1
    return value if value in range(1, 9) else 1


def _orient(pixels: np.ndarray, orientation: int) -> np.ndarray:
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


def _is_16bit_color(img: Image.Image, path: Path) -> bool:
    """Whether Pillow would reduce this file to 8 bits (16-bit RGB/RGBA/LA PNG or RGB TIFF)."""
    if img.format == "PNG":
        with open(path, "rb") as file:
            header = file.read(26)  # signature, IHDR length and type, width, height, depth, type
        depth, color_type = header[24:26]
        return header[12:16] == b"IHDR" and depth == 16 and color_type in _PNG_16BIT_COLOR_TYPES
    if img.format == "TIFF":
        tags = img.tag_v2  # type: ignore[attr-defined]
        bits = tags.get(_TIFF_BITS_PER_SAMPLE, (8,))
        bits = bits if isinstance(bits, tuple) else (bits,)
        return tags.get(_TIFF_PHOTOMETRIC) == _TIFF_RGB and set(bits) == {16}
    return False


def _bgr_to_rgb(array: np.ndarray) -> np.ndarray:
    """OpenCV's BGR(A) channel order -> RGB(A)."""
    return np.concatenate([array[..., 2::-1], array[..., 3:]], axis=2)


def _read_tiff_16bit(path: Path, channels: int) -> np.ndarray:
    """A 16-bit RGB TIFF's first page as stored (not oriented), by tifffile."""
    with tifffile.TiffFile(path) as tif:
        page = tif.pages.first
        array = page.asarray()
        if page.axes.startswith("S"):  # planar configuration: samples first
            array = np.moveaxis(array, 0, -1)
    return array[..., :channels]


def _read_opencv_16bit(path: Path, channels: int) -> np.ndarray | None:
    """A 16-bit colour PNG or TIFF by OpenCV, which needs no extra package for LZW or
    JPEG-compressed TIFFs but applies TIFF orientations itself."""
    # IMREAD_UNCHANGED keeps 16 bits and alpha.
    array = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if array is None or array.ndim != 3 or array.dtype != np.uint16:
        return None
    return _bgr_to_rgb(array)[..., :channels]


def _upright_16bit(
    candidate: np.ndarray | None, upright_8bit: np.ndarray, orientation: int
) -> np.ndarray | None:
    """``candidate`` made upright, if its high bytes then equal Pillow's 8-bit decode.

    Pillow keeps exactly the high byte of 16-bit samples, so this checks a second
    decoder's channels and orientation; as stored or already upright both pass.
    """
    if candidate is None or candidate.ndim != upright_8bit.ndim:
        return None
    for upright in (_orient(candidate, orientation), candidate):
        if np.array_equal((upright >> 8).astype(np.uint8), upright_8bit):
            return np.ascontiguousarray(upright)
    return None


def _file_pixels(img: Image.Image, path: Path, stored_orientation: int) -> np.ndarray:
    """The upright pixels of a loaded file, at 16 bits where the file has them.

    ``stored_orientation`` is the file's EXIF orientation read before loading:
    Pillow may apply a TIFF's orientation while loading it and drop the tag, and
    the 16-bit decoders may or may not have applied it.
    """
    name = str(path)
    upright_8bit = _orient(_pil_array(img, name), _orientation(img))
    if not _is_16bit_color(img, path):
        return upright_8bit
    channels = upright_8bit.shape[2]
    reason = "OpenCV's decode disagrees with Pillow's"
    if img.format == "TIFF":
        # tifffile is trusted without the high-byte check: Pillow misreads some
        # 16-bit TIFFs (planar ones), while tifffile reads the tags exactly.
        try:
            array = _orient(_read_tiff_16bit(path, channels), stored_orientation)
        except ValueError as exc:  # e.g. LZW needs the optional imagecodecs package
            reason = " ".join(str(exc).split())
        else:
            if array.shape == upright_8bit.shape:
                return array
            reason = f"tifffile read a page of shape {array.shape}"
    array = _read_opencv_16bit(path, channels)
    upright = _upright_16bit(array, upright_8bit, stored_orientation)
    if upright is None:
        warnings.warn(
            f"{name}: reading this 16-bit file at 8 bits ({reason})", UserWarning, stacklevel=5
        )
        return upright_8bit
    return upright


def _decode_file(path: Path, max_pixels: int) -> _Decoded:
    name = str(path)
    if not path.exists():
        raise _error(name, "no such file")
    if path.is_dir():
        raise _error(name, "it is a directory, not an image file")
    try:
        if path.stat().st_size == 0:
            raise _error(name, "the file is empty (0 bytes)")
        with _pillow_settings(), Image.open(path) as img:
            _check_size(*img.size, max_pixels, name)
            # TIFF tags come with the header; other formats may need loading for EXIF.
            stored_orientation = _orientation(img) if img.format == "TIFF" else None
            img.load()  # decode everything now, so that truncated files fail here
            if stored_orientation is None:
                stored_orientation = _orientation(img)
            array = _file_pixels(img, path, stored_orientation)
    except PanocolorError:
        raise
    except PermissionError as exc:
        raise _error(name, "permission denied") from exc
    except Exception as exc:
        raise _error(name, _reason(exc)) from exc
    pixels = _normalise(array, name)
    return _Decoded(pixels.composited, _bit_depth(array), path, name, pixels.alpha, pixels.own)


def _decode_pil(img: Image.Image, max_pixels: int) -> _Decoded:
    filename = getattr(img, "filename", "")
    name = str(filename) if filename else "the given PIL image"
    try:
        with _pillow_settings():
            _check_size(*img.size, max_pixels, name)
            img.load()
            array = _orient(_pil_array(img, name), _orientation(img))
    except PanocolorError:
        raise
    except Exception as exc:
        raise _error(name, _reason(exc)) from exc
    source = Path(filename) if filename else None
    pixels = _normalise(array, name)
    return _Decoded(pixels.composited, _bit_depth(array), source, name, pixels.alpha, pixels.own)


def _decode(source: ImageSource, max_pixels: int) -> _Decoded:
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise ValueError(f"max_pixels must be a positive integer, got {max_pixels!r}")
    if isinstance(source, np.ndarray):
        name = f"the given array of shape {source.shape}"
        if source.ndim >= 2:
            _check_size(source.shape[1], source.shape[0], max_pixels, name)
        pixels = _normalise(source, name)
        return _Decoded(pixels.composited, _bit_depth(source), None, name, pixels.alpha, pixels.own)
    if isinstance(source, Image.Image):
        return _decode_pil(source, max_pixels)
    if isinstance(source, str | os.PathLike):
        return _decode_file(Path(source), max_pixels)
    raise TypeError(
        f"source must be a path, a PIL image or a numpy array, not {type(source).__name__}"
    )


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
    decoded = _decode(source, max_pixels)
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
    decoded = _decode(source, max_pixels)
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
    pixels = _decode(source, max_pixels).pixels
    if pixels.ndim == 2:
        return np.repeat(pixels[..., None], 3, axis=2)
    return pixels
