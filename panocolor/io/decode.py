"""Format details behind the readers: from a path, PIL image or array to float pixels.

:func:`decode` gives upright sRGB pixels in [0, 1] with the alpha composited onto
white, the bit depth and a name for messages; :mod:`panocolor.io.read` turns them
into CIELAB. The rules (16-bit PNG and TIFF decoders, EXIF orientation, Pillow's
global limits, one-line errors) are those listed in :mod:`panocolor.io.read`.
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

from panocolor.errors import PanocolorError
from panocolor.io.pixels import bit_depth_of, normalise, orient, read_error

ImageSource = str | os.PathLike[str] | Image.Image | np.ndarray
"""What the readers accept: a file path, a PIL image or a numpy array."""

_PNG_16BIT_COLOR_TYPES = (2, 4, 6)  # RGB, gray+alpha, RGBA: Pillow reduces them to 8 bits
_TIFF_BITS_PER_SAMPLE, _TIFF_PHOTOMETRIC, _TIFF_RGB = 258, 262, 2

# Pillow's decompression-bomb limit and truncated-image switch are module globals;
# this lock makes panocolor's temporary settings invisible to its other readers.
_PILLOW_LOCK = threading.Lock()


@dataclass(frozen=True)
class Decoded:
    """A decoded source: its pixels, bit depth, file (if any) and name for messages."""

    pixels: np.ndarray  # (H, W) gray or (H, W, 3) RGB, float32 in [0, 1], upright, opaque
    bit_depth: int
    source: Path | None
    name: str
    alpha: np.ndarray | None = None  # (H, W) float32 coverage, None when fully opaque
    own: np.ndarray | None = None  # the pixels before compositing onto white


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
def pillow_settings() -> Iterator[None]:
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
        raise read_error(
            name,
            f"{width}x{height} = {width * height:,} pixels is more than the limit of "
            f"{max_pixels:,} (max_pixels); the file may be a decompression bomb",
        )
    if width * height == 0:
        raise read_error(name, "the image is empty (0 pixels)")


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
            raise read_error(name, "32-bit integer pixels outside 0..65535 are not supported")
        return values.astype(np.uint16)
    if mode == "P":
        return np.asarray(img.convert("RGBA" if "transparency" in img.info else "RGB"))
    if mode in ("PA", "La", "RGBa"):
        return np.asarray(img.convert({"PA": "RGBA", "La": "LA", "RGBa": "RGBA"}[mode]))
    try:
        return np.asarray(img.convert("RGB"))  # CMYK, YCbCr, HSV, RGBX...
    except ValueError as exc:
        raise read_error(name, f"unsupported image mode {mode}") from exc


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # a damaged EXIF block must not make the photo unreadable
        return 1
    return value if value in range(1, 9) else 1


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


def read_tiff_16bit(path: Path, channels: int) -> np.ndarray:
    """A 16-bit RGB TIFF's first page as stored (not oriented), by tifffile."""
    with tifffile.TiffFile(path) as tif:
        page = tif.pages.first
        array = page.asarray()
        if page.axes.startswith("S"):  # planar configuration: samples first
            array = np.moveaxis(array, 0, -1)
    return array[..., :channels]


def read_opencv_16bit(path: Path, channels: int) -> np.ndarray | None:
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
    for upright in (orient(candidate, orientation), candidate):
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
    upright_8bit = orient(_pil_array(img, name), _orientation(img))
    if not _is_16bit_color(img, path):
        return upright_8bit
    channels = upright_8bit.shape[2]
    reason = "OpenCV's decode disagrees with Pillow's"
    if img.format == "TIFF":
        # tifffile is trusted without the high-byte check: Pillow misreads some
        # 16-bit TIFFs (planar ones), while tifffile reads the tags exactly.
        try:
            array = orient(read_tiff_16bit(path, channels), stored_orientation)
        except ValueError as exc:  # e.g. LZW needs the optional imagecodecs package
            reason = " ".join(str(exc).split())
        else:
            if array.shape == upright_8bit.shape:
                return array
            reason = f"tifffile read a page of shape {array.shape}"
    array = read_opencv_16bit(path, channels)
    upright = _upright_16bit(array, upright_8bit, stored_orientation)
    if upright is None:
        warnings.warn(
            f"{name}: reading this 16-bit file at 8 bits ({reason})", UserWarning, stacklevel=5
        )
        return upright_8bit
    return upright


def _decoded(array: np.ndarray, source: Path | None, name: str) -> Decoded:
    pixels = normalise(array, name)
    return Decoded(pixels.composited, bit_depth_of(array), source, name, pixels.alpha, pixels.own)


def _decode_file(path: Path, max_pixels: int) -> Decoded:
    name = str(path)
    if not path.exists():
        raise read_error(name, "no such file")
    if path.is_dir():
        raise read_error(name, "it is a directory, not an image file")
    try:
        if path.stat().st_size == 0:
            raise read_error(name, "the file is empty (0 bytes)")
        with pillow_settings(), Image.open(path) as img:
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
        raise read_error(name, "permission denied") from exc
    except Exception as exc:
        raise read_error(name, _reason(exc)) from exc
    return _decoded(array, path, name)


def _decode_pil(img: Image.Image, max_pixels: int) -> Decoded:
    filename = getattr(img, "filename", "")
    name = str(filename) if filename else "the given PIL image"
    try:
        with pillow_settings():
            _check_size(*img.size, max_pixels, name)
            img.load()
            array = orient(_pil_array(img, name), _orientation(img))
    except PanocolorError:
        raise
    except Exception as exc:
        raise read_error(name, _reason(exc)) from exc
    return _decoded(array, Path(filename) if filename else None, name)


def decode(source: ImageSource, max_pixels: int) -> Decoded:
    """Decode a path, PIL image or array into upright, opaque float sRGB pixels.

    Raises
    ------
    ImageReadError
        The source cannot be read (missing, not an image, corrupt, truncated, too big).
    ValueError
        ``max_pixels`` is not a positive integer.
    TypeError
        ``source`` is not a path, a PIL image or an array.
    """
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise ValueError(f"max_pixels must be a positive integer, got {max_pixels!r}")
    if isinstance(source, np.ndarray):
        name = f"the given array of shape {source.shape}"
        if source.ndim >= 2:
            _check_size(source.shape[1], source.shape[0], max_pixels, name)
        return _decoded(source, None, name)
    if isinstance(source, Image.Image):
        return _decode_pil(source, max_pixels)
    if isinstance(source, str | os.PathLike):
        return _decode_file(Path(source), max_pixels)
    raise TypeError(
        f"source must be a path, a PIL image or a numpy array, not {type(source).__name__}"
    )
