"""Taking images in: size checks, decoding with panocolor's readers, previews, the gallery."""

from __future__ import annotations

import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

from panocolor.errors import ImageReadError, PanocolorError
from panocolor.imaging.colorspace import lab_to_rgb, lightness_to_gray
from panocolor.io import IMAGE_SUFFIXES, read_color, read_gray, to_pixels
from panocolor.io.decode import pillow_settings
from panocolor.web.store import ImageRecord, Role, new_id

PREVIEW_SIDE = 1024
"""Longest side of the previews shown by the page."""

GALLERY_ID_PATTERN = r"^[0-9a-f]{16}$"
_CHUNK = 1 << 20


class TooLargeError(Exception):
    """An upload exceeds a byte or pixel limit (HTTP 413)."""


def megabytes(size: int) -> str:
    """A byte count in MB (2**20 bytes, as ``--max-upload-mb`` counts), up to 3 decimals.

    Examples
    --------
    >>> megabytes(64 * 2**20), megabytes(round(0.5 * 2**20)), megabytes(1536 * 2**20)
    ('64 MB', '0.5 MB', '1,536 MB')
    """
    return f"{size / 2**20:,.3f}".rstrip("0").rstrip(".") + " MB"


def upload_limit_message(max_bytes: int, what: str = "the file") -> str:
    """The 413 message for an upload over ``max_bytes``."""
    return f"{what} is larger than the upload limit of {megabytes(max_bytes)}"


def save_upload(source: BinaryIO, path: Path, max_bytes: int) -> int:
    """Copy an upload to ``path``, refusing more than ``max_bytes``; return its size.

    Raises
    ------
    TooLargeError
        If the data is larger than ``max_bytes`` (nothing is left at ``path``).
    """
    size = 0
    try:
        with open(path, "xb") as file:
            while chunk := source.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLargeError(upload_limit_message(max_bytes))
                file.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return size


def header_size(path: Path) -> tuple[int, int] | None:
    """(width, height) from the file header without decoding (None if Pillow cannot tell).

    Pillow's own decompression-bomb limit is lifted while reading the header, so
    a huge image reports its real size (only ``max_pixels`` decides).
    """
    try:
        with pillow_settings(), Image.open(path) as img:
            return img.width, img.height
    except Exception:  # unreadable: the full decode reports why
        return None


def pixel_limit_message(name: str, width: int, height: int, max_pixels: int) -> str:
    """The 413 message for an image of ``width`` x ``height`` over ``max_pixels``."""
    return (
        f"{name} has {width * height:,} pixels ({width:,} x {height:,}), "
        f"more than the limit of {max_pixels:,} pixels"
    )


def _preview(pixels: np.ndarray, path: Path) -> None:
    """Write 8-bit ``pixels`` (sRGB values in [0, 1]) as a PNG at most PREVIEW_SIDE large."""
    image = Image.fromarray(to_pixels(pixels, 8))
    image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS)
    image.save(path, format="PNG")


def load_image(
    path: Path, role: Role, name: str, folder: Path, max_pixels: int, *, image_id: str | None = None
) -> ImageRecord:
    """Check and decode an image file, write its preview into ``folder``, describe it.

    Parameters
    ----------
    path : Path
        The stored file.
    role : {"target", "reference"}
        Targets are read as gray (a colour photo gives its lightness, with a warning);
        references must have colour.
    name : str
        Display name, used in messages instead of the server-side path.
    folder : Path
        Where the preview goes.
    max_pixels : int
        Pixel limit.
    image_id : str, optional
        The id to use (default: a new one).

    Raises
    ------
    TooLargeError
        If the image has more than ``max_pixels`` pixels.
    PanocolorError
        ImageReadError if it is not a readable image, UnusableReferenceError for a
        reference without colour; messages name ``name``, never the server path.
    """
    size = header_size(path)
    if size is not None and size[0] * size[1] > max_pixels:
        raise TooLargeError(pixel_limit_message(name, *size, max_pixels))
    if path.stat().st_size == 0:
        raise ImageReadError(f"cannot read {name}: the file is empty (0 bytes)")
    image_id = image_id or new_id()
    preview = folder / f"{image_id}.preview.png"
    try:
        warnings: tuple[str, ...] = ()
        if role == "target":
            gray = read_gray(path, max_pixels=max_pixels)
            height, width = gray.shape
            bit_depth = gray.bit_depth
            _preview(lightness_to_gray(gray.lightness), preview)
            if gray.was_color:
                warnings = (f"{name} is a colour photo; its lightness is used as the gray photo",)
        else:
            color = read_color(path, max_pixels=max_pixels)
            height, width = color.shape
            bit_depth = 8
            _preview(lab_to_rgb(color.lab), preview)
    except PanocolorError as error:
        raise type(error)(str(error).replace(str(path), name)) from None
    return ImageRecord(image_id, role, name, path, preview, width, height, bit_depth, warnings)


def png_bytes(pixels: np.ndarray) -> bytes:
    """PNG encoding of uint8 (H, W[, 3]) or uint16 (H, W) pixels."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class GalleryItem:
    """A photo of the gallery folder: ``id`` (hash of its relative path), ``name``, ``path``."""

    id: str
    name: str
    path: Path


class Gallery:
    """The colour photos of a folder (searched recursively), offered as references.

    Clients name photos by id only; their previews are made on first request.

    Parameters
    ----------
    folder : Path
        The gallery folder.
    cache : Path
        Folder for previews.
    max_pixels : int
        Pixel limit for reading the photos.
    """

    def __init__(self, folder: Path, cache: Path, max_pixels: int) -> None:
        if not folder.is_dir():
            raise ImageReadError(f"gallery {folder} is not a folder")
        self.folder = folder
        self.cache = cache
        self.max_pixels = max_pixels
        photos = sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
        )
        self.items: dict[str, GalleryItem] = {}
        for photo in photos:
            name = photo.relative_to(folder).as_posix()
            item_id = hashlib.sha1(name.encode()).hexdigest()[:16]
            self.items[item_id] = GalleryItem(item_id, name, photo)
        self._by_path = {item.path.resolve(): item for item in self.items.values()}

    def find(self, path: str | Path) -> GalleryItem | None:
        """The item of a photo path (as a reference plan names it), if it is in the gallery."""
        return self._by_path.get(Path(path).resolve())

    def record(self, item: GalleryItem, role: Role, folder: Path) -> ImageRecord:
        """Copy a gallery photo into a session ``folder`` and describe it like an upload."""
        image_id = new_id()
        copy = folder / f"{image_id}.upload"
        shutil.copyfile(item.path, copy)
        return load_image(copy, role, item.name, folder, self.max_pixels, image_id=image_id)

    def preview(self, item: GalleryItem) -> Path:
        """The item's preview PNG (made once)."""
        path = self.cache / f"gallery-{item.id}.png"
        if not path.exists():
            color = read_color(item.path, max_pixels=self.max_pixels)
            temp = path.with_name(f".{new_id()}.png")
            _preview(lab_to_rgb(color.lab), temp)
            temp.replace(path)
        return path
