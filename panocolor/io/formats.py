"""The one table of image file suffixes panocolor reads from folders and writes."""

FORMATS: dict[str, str] = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WEBP",
}
"""Lower-case suffix -> format: what :func:`~panocolor.io.write_image` writes, and
which files of a folder are taken for photos (the readers decode by content, so any
file Pillow reads can be given by name)."""

IMAGE_SUFFIXES: tuple[str, ...] = tuple(FORMATS)
"""The suffixes of :data:`FORMATS`, in order: ``(".png", ".jpg", ..., ".webp")``."""
