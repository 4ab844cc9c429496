"""The function API: ``panocolor.colorize``."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PIL import Image

from panocolor.colorspace import compose_lab
from panocolor.io import read_color, read_gray, to_pixels
from panocolor.transfer import DEFAULT_TRANSFER, ColorTransfer, build_transfer
from panocolor.types import ColorImage, Colorized, GrayImage

ImageSource = str | Path | Image.Image | np.ndarray


def _as_gray(gray: GrayImage | ImageSource) -> GrayImage:
    return gray if isinstance(gray, GrayImage) else read_gray(gray)


def _as_color(reference: ColorImage | ImageSource) -> ColorImage:
    return reference if isinstance(reference, ColorImage) else read_color(reference)


def colorize_result(
    gray: GrayImage | ImageSource,
    reference: ColorImage | ImageSource,
    *,
    transfer: str | ColorTransfer = DEFAULT_TRANSFER,
) -> Colorized:
    """Colorize ``gray`` from ``reference`` and return the pixels with their L*, chroma and timings.

    See :func:`colorize` for the parameters.
    """
    started = time.perf_counter()
    gray_image, reference_image = _as_gray(gray), _as_color(reference)
    backend = build_transfer(transfer) if isinstance(transfer, str) else transfer
    read_done = time.perf_counter()
    ab = backend(gray_image.lightness, reference_image.lab)
    transfer_done = time.perf_counter()
    rgb = to_pixels(compose_lab(gray_image.lightness, ab), gray_image.bit_depth)
    return Colorized(
        rgb=rgb,
        lightness=gray_image.lightness,
        ab=ab,
        timings={
            "read": read_done - started,
            "transfer": transfer_done - read_done,
            "compose": time.perf_counter() - transfer_done,
        },
    )


def colorize(
    gray: GrayImage | ImageSource,
    reference: ColorImage | ImageSource,
    *,
    transfer: str | ColorTransfer = DEFAULT_TRANSFER,
) -> np.ndarray:
    """Colorize a gray photo with the colours of a reference photo.

    Only chroma moves: the output's CIELAB L* is the input's (up to 8- or 16-bit
    rounding), and chroma is reduced, not clipped, where it would leave the sRGB gamut.

    Parameters
    ----------
    gray : GrayImage, path, PIL image or ndarray
        The photo to colorize. Arrays are (H, W) gray (uint8, uint16 or float in
        [0, 1]); a colour photo is converted to gray with a warning.
    reference : ColorImage, path, PIL image or ndarray
        A colour photo of the same kind of scene; (h, w, 3) for arrays.
    transfer : str or ColorTransfer, optional
        A registered backend name (``"photoreal"``, ``"reinhard"``, ``"neural"``)
        or a backend instance.

    Returns
    -------
    rgb : (H, W, 3) ndarray
        uint8 sRGB, or uint16 when the input was 16-bit.

    Raises
    ------
    ImageReadError
        If a file cannot be read.
    UnusableReferenceError
        If the reference has no colour.
    UnknownBackendError
        If ``transfer`` names no registered backend.

    Examples
    --------
    >>> from skimage import data
    >>> rgb = colorize(data.camera()[:64, :64], data.astronaut()[:64, :64], transfer="reinhard")
    >>> rgb.shape, rgb.dtype
    ((64, 64, 3), dtype('uint8'))
    """
    return colorize_result(gray, reference, transfer=transfer).rgb
