"""Working on an image band by band: row slices, and running a function over them in threads.

Large images are processed in bands of rows so that temporaries stay cache- or
memory-sized; numpy and OpenCV release the GIL on arrays this size, so bands also run
in parallel threads (as many as OpenCV is set to use, ``cv2.getNumThreads()``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import cv2

BAND_PIXELS = 1 << 18  # default pixels per band: a few MB of float32 per channel


def row_bands(height: int, width: int, pixels: int = BAND_PIXELS) -> list[slice]:
    """Row slices of about ``pixels`` pixels each (at least one row) covering ``height`` rows.

    >>> row_bands(5, 2, pixels=4)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    rows = max(1, pixels // max(1, width))
    return [slice(start, min(height, start + rows)) for start in range(0, height, rows)]


def in_threads(function: Callable[[slice], None], bands: Sequence[slice]) -> None:
    """Call ``function(band)`` for every band, on up to ``cv2.getNumThreads()`` threads.

    An exception raised in a band is raised here.
    """
    if len(bands) <= 1:
        for band in bands:
            function(band)
        return
    with ThreadPoolExecutor(max(1, min(cv2.getNumThreads(), len(bands)))) as pool:
        list(pool.map(function, bands))  # list() re-raises a band's error
