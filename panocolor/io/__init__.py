"""Reading photos into CIELAB and writing output pixels.

Readers (:func:`read_gray`, :func:`read_color`, :func:`read_rgb`) accept a path,
a PIL image or a numpy array, apply the EXIF orientation, composite transparency
onto white, keep 16-bit precision and raise :class:`~panocolor.errors.ImageReadError`
with a one-line message for anything unreadable. :func:`write_image` writes
atomically and never replaces an existing file unless asked to.
"""

from panocolor.io.formats import IMAGE_SUFFIXES
from panocolor.io.read import (
    CHROMA_THRESHOLD,
    DEFAULT_MAX_PIXELS,
    MIN_REFERENCE_COLOURS,
    MIN_REFERENCE_SIDE,
    ImageSource,
    read_color,
    read_gray,
    read_rgb,
)
from panocolor.io.write import LOSSY_QUALITY, WRITE_EXTENSIONS, to_pixels, write_image

__all__ = [
    "CHROMA_THRESHOLD",
    "DEFAULT_MAX_PIXELS",
    "IMAGE_SUFFIXES",
    "LOSSY_QUALITY",
    "MIN_REFERENCE_COLOURS",
    "MIN_REFERENCE_SIDE",
    "WRITE_EXTENSIONS",
    "ImageSource",
    "read_color",
    "read_gray",
    "read_rgb",
    "to_pixels",
    "write_image",
]
