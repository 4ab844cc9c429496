"""Writing output photos, atomically and never over an existing file by accident.

The format comes from the extension: PNG and TIFF keep 16-bit pixels; JPEG and
WebP hold 8 bits only, so 16-bit pixels are rounded to 8 bits for them (both are
written lossy at quality :data:`LOSSY_QUALITY`). TIFFs are deflate-compressed.
No metadata (EXIF, ICC) is written; the pixels are sRGB.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
import tifffile
from PIL import Image

from panocolor.errors import ImageWriteError, PanocolorError
from panocolor.io.formats import FORMATS, IMAGE_SUFFIXES

WRITE_EXTENSIONS = IMAGE_SUFFIXES
"""Extensions :func:`write_image` understands (in any letter case)."""

LOSSY_QUALITY = 95
"""JPEG and WebP quality: visually lossless, about a third of PNG's size."""


def to_pixels(rgb: np.ndarray, bit_depth: int) -> np.ndarray:
    """Quantise sRGB values to integer pixels, rounding to the nearest level.

    Parameters
    ----------
    rgb : (..., ) array_like
        sRGB values in [0, 1], e.g. (H, W, 3) or (H, W); values outside are clipped.
    bit_depth : int
        8 or 16.

    Returns
    -------
    pixels : ndarray
        Same shape; uint8 in 0..255 for 8 bits, uint16 in 0..65535 for 16 bits.

    Raises
    ------
    ValueError
        ``bit_depth`` is not 8 or 16, or ``rgb`` holds NaN.

    Examples
    --------
    >>> to_pixels(np.array([0.0, 0.5, 1.0]), 8).tolist()
    [0, 128, 255]
    """
    if bit_depth not in (8, 16):
        raise ValueError(f"bit_depth must be 8 or 16, got {bit_depth}")
    values = np.asarray(rgb, dtype=np.float32)
    if np.isnan(values).any():
        raise ValueError("rgb contains NaN")
    white = 255 if bit_depth == 8 else 65535
    dtype = np.uint8 if bit_depth == 8 else np.uint16
    return np.rint(np.clip(values, 0.0, 1.0) * np.float32(white)).astype(dtype)


def _to_8bit(pixels: np.ndarray) -> np.ndarray:
    if pixels.dtype == np.uint8:
        return pixels
    # round(v / 257) in integers: 65535 / 257 = 255 exactly
    return ((pixels.astype(np.uint32) + 128) // 257).astype(np.uint8)


def _encode(file: BinaryIO, pixels: np.ndarray, extension: str) -> None:
    """Write ``pixels`` to ``file`` in the format named by ``extension``."""
    image_format = FORMATS[extension]
    if image_format == "PNG" and pixels.dtype == np.uint16 and pixels.ndim == 3:
        # Pillow has no 16-bit RGB mode; OpenCV writes it, in BGR order.
        ok, encoded = cv2.imencode(".png", np.ascontiguousarray(pixels[..., ::-1]))
        if not ok:
            raise OSError("OpenCV could not encode the PNG")
        file.write(encoded.tobytes())
    elif image_format == "PNG":
        Image.fromarray(pixels).save(file, format="PNG")  # 16-bit gray becomes mode I;16
    elif image_format == "TIFF":
        photometric = "rgb" if pixels.ndim == 3 else "minisblack"
        tifffile.imwrite(file, pixels, photometric=photometric, compression="zlib")
    else:  # JPEG, WEBP: 8 bits only
        image = Image.fromarray(_to_8bit(pixels))
        image.save(file, format=image_format, quality=LOSSY_QUALITY)


def _exists_error(path: Path) -> ImageWriteError:
    return ImageWriteError(f"cannot write {path}: the file exists; use --overwrite to replace it")


def _publish(temp: Path, path: Path, overwrite: bool) -> None:
    """Move the finished temporary file to ``path`` in one step."""
    if overwrite:
        os.replace(temp, path)
        return
    try:
        os.link(temp, path)  # atomic, and unlike os.replace it refuses an existing path
    except FileExistsError:
        raise _exists_error(path) from None
    except OSError:  # a filesystem without hard links: check, then replace
        if path.exists():
            raise _exists_error(path) from None
        os.replace(temp, path)


def _extension_error(path: Path) -> ImageWriteError:
    extension = path.suffix.lower()
    return ImageWriteError(
        f"cannot write {path}: panocolor does not write {extension or 'files without an extension'}"
        f"; it writes {', '.join(WRITE_EXTENSIONS)}"
    )


def _reason(error: BaseException) -> str:
    """An OS error's reason without the file name it carries (which may be a temporary file)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    return " ".join(str(error).split()) or type(error).__name__


def check_writable(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Check, before any work, that :func:`write_image` can write ``path``.

    The extension must be one of :data:`WRITE_EXTENSIONS`; ``path`` must not be a
    directory, nor exist unless ``overwrite``; the nearest existing folder on the way to
    it must be a folder this process may create files in (missing folders below it are
    created by :func:`write_image`); when the parent folder exists, a file is created in
    it and removed again, which also catches read-only file systems (and works for root,
    whom permission bits do not stop).

    Parameters
    ----------
    path : str or os.PathLike
        The output file.
    overwrite : bool, optional
        Whether an existing file may be replaced.

    Returns
    -------
    path : Path

    Raises
    ------
    ImageWriteError
        One line naming ``path`` and what is wrong with it.
    """
    path = Path(path)
    if path.suffix.lower() not in WRITE_EXTENSIONS:
        raise _extension_error(path)
    if path.is_dir():
        raise ImageWriteError(f"cannot write {path}: it is a directory")
    if path.exists() and not overwrite:
        raise _exists_error(path)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise ImageWriteError(f"cannot write {path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ImageWriteError(f"cannot write {path}: no permission to create files in {folder}")
    if folder == path.parent:
        probe = folder / f".{path.name}.{secrets.token_hex(6)}.part"
        try:
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except OSError as error:
            raise ImageWriteError(
                f"cannot write {path}: cannot create files in {folder} ({_reason(error)})"
            ) from None
        probe.unlink(missing_ok=True)
    return path


def write_image(
    path: str | os.PathLike[str], pixels: np.ndarray, *, overwrite: bool = False
) -> Path:
    """Write pixels to an image file, atomically.

    The file is written to a hidden temporary file in the same folder, flushed to
    disk and then renamed, so ``path`` either keeps its old state or holds the
    complete new image; on any failure the temporary file is removed. Missing
    parent folders are created.

    Parameters
    ----------
    path : str or os.PathLike
        Output file; its extension (one of :data:`WRITE_EXTENSIONS`) picks the format.
    pixels : (H, W, 3) or (H, W) ndarray of uint8 or uint16
        sRGB (or gray) pixels. 16 bits are kept in PNG and TIFF and rounded to 8
        bits in JPEG and WebP.
    overwrite : bool, optional
        Replace ``path`` if it exists. Without it an existing file is never touched.

    Returns
    -------
    path : Path
        The written file.

    Raises
    ------
    ImageWriteError
        Unknown extension, ``path`` exists (without ``overwrite``) or is a
        directory, or the folder or file cannot be written (see :func:`check_writable`);
        the message names ``path``, never the temporary file.
    ValueError
        ``pixels`` has the wrong shape or dtype.
    """
    path = Path(path)
    extension = path.suffix.lower()
    if extension not in WRITE_EXTENSIONS:
        raise _extension_error(path)
    if not isinstance(pixels, np.ndarray) or pixels.dtype not in (np.uint8, np.uint16):
        raise ValueError("pixels must be a uint8 or uint16 ndarray")
    if pixels.size == 0 or not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)):
        raise ValueError(f"pixels must be (H, W, 3) or (H, W), got shape {pixels.shape}")
    check_writable(path, overwrite=overwrite)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL claims a fresh name; mode 0o666 lets the umask decide, like a plain open()
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        with open(temp, "wb") as file:
            _encode(file, pixels, extension)
            file.flush()
            os.fsync(file.fileno())  # the data is on disk before the name points at it
        _publish(temp, path, overwrite)
    except PanocolorError:
        raise
    except Exception as exc:
        raise ImageWriteError(f"cannot write {path}: {_reason(exc)}") from exc
    finally:
        temp.unlink(missing_ok=True)
    return path
