"""The function API: ``panocolor.colorize`` and ``panocolor.colorize_result``.

Both take the same options (:class:`ColorizeOptions`); for many photos with the same
settings, build one :class:`~panocolor.pipeline.Colorizer` instead (models load once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypedDict, Unpack

import numpy as np

from panocolor.composite.perobject import Mode
from panocolor.defaults import DEFAULT_MODE, DEFAULT_SEGMENTER, DEFAULT_TRANSFER
from panocolor.hints import Hint, SegmentColour
from panocolor.io import ImageSource
from panocolor.pipeline import Colorized, Colorizer, Settings
from panocolor.transfer import ColorTransfer
from panocolor.types import ColorImage, GrayImage


class ColorizeOptions(TypedDict, total=False):
    """Keyword options of :func:`colorize` and :func:`colorize_result`.

    Attributes
    ----------
    transfer : str or ColorTransfer
        A registered backend name (``"photoreal"``, the default, ``"reinhard"``,
        ``"neural"``) or a backend instance.
    segmenter : str
        ``"auto"`` (default: ``deeplab`` object by object when its model files are
        found, else one reference for the whole photo), ``"none"``, ``"deeplab"``,
        ``"superpixel"``...
    mode : {"fast", "faithful"}
        Per-object compositing mode (default ``"fast"``).
    class_references : mapping of str to image
        Per-class colour photos (``{"sky": "sky.jpg"}``).
    gallery : path
        Folder of colour photos to choose per-segment references from.
    model_dir : path
        Folder searched first for model files.
    hints : sequence of Hint
        Point colour hints, e.g. ``[Hint(x=120, y=45, rgb=(31, 58, 147))]``: hue and
        saturation at that pixel, spread over the surface it falls on. With hints, the
        reference is optional (without one, what no hint reaches stays gray).
    scribbles : (H, W, 4) uint8 ndarray
        RGBA scribbles the photo's size (transparent: no hint), see
        :func:`panocolor.hints.read_scribbles`.
    segment_colours : sequence of SegmentColour
        Segments pinned to a colour (needs a segmenter).
    """

    transfer: str | ColorTransfer
    segmenter: str
    mode: Mode
    class_references: Mapping[str, ColorImage | ImageSource] | None
    gallery: str | Path | None
    model_dir: str | Path | None
    hints: Sequence[Hint] | None
    scribbles: np.ndarray | None
    segment_colours: Sequence[SegmentColour] | None


def colorize_result(
    gray: GrayImage | ImageSource,
    reference: ColorImage | ImageSource | None = None,
    **options: Unpack[ColorizeOptions],
) -> Colorized:
    """Like :func:`colorize`, but return the pixels with L*, chroma, timings, segments and plan."""
    unknown = sorted(set(options) - set(ColorizeOptions.__annotations__))
    if unknown:
        known = ", ".join(ColorizeOptions.__annotations__)
        raise TypeError(f"unexpected option(s) {', '.join(unknown)}; the options are: {known}")
    transfer = options.get("transfer", DEFAULT_TRANSFER)
    gallery, model_dir = options.get("gallery"), options.get("model_dir")
    settings = Settings(
        transfer=transfer if isinstance(transfer, str) else DEFAULT_TRANSFER,
        segmenter=options.get("segmenter", DEFAULT_SEGMENTER),
        mode=options.get("mode", DEFAULT_MODE),  # type: ignore[arg-type]
        gallery=Path(gallery) if gallery else None,
        model_dir=Path(model_dir) if model_dir else None,
    )
    colorizer = Colorizer(settings, transfer=None if isinstance(transfer, str) else transfer)
    return colorizer(
        gray,
        reference,
        class_references=options.get("class_references"),
        hints=options.get("hints"),
        scribbles=options.get("scribbles"),
        segment_colours=options.get("segment_colours"),
    )


def colorize(
    gray: GrayImage | ImageSource,
    reference: ColorImage | ImageSource | None = None,
    **options: Unpack[ColorizeOptions],
) -> np.ndarray:
    """Colorize a gray photo with the colours of reference photos.

    Only chroma moves: the output's CIELAB L* is the input's (up to 8- or 16-bit
    rounding), and chroma is reduced, not clipped, where it would leave the sRGB gamut.

    Parameters
    ----------
    gray : GrayImage, path, PIL image or ndarray
        The photo to colorize. Arrays are (H, W) gray (uint8, uint16 or float in
        [0, 1]); a colour photo is converted to gray with a warning.
    reference : ColorImage, path, PIL image or ndarray, optional
        A colour photo of the same kind of scene; (h, w, 3) for arrays.
    **options
        ``transfer``, ``segmenter``, ``mode``, ``class_references``, ``gallery``,
        ``model_dir``, ``hints``, ``scribbles``, ``segment_colours``: see
        :class:`ColorizeOptions`. The defaults are those of the CLI.

    Returns
    -------
    rgb : (H, W, 3) ndarray
        uint8 sRGB, or uint16 when the input was 16-bit.

    Raises
    ------
    ImageReadError
        If a file cannot be read.
    UnusableReferenceError
        If a reference has no colour.
    UnknownBackendError
        If ``transfer`` or ``segmenter`` names no registered backend.
    HintError
        If a hint lies outside the photo, a colour is invalid or scribbles have another size.
    TypeError
        If an option is not one of :class:`ColorizeOptions`.

    Examples
    --------
    >>> from skimage import data
    >>> rgb = colorize(data.camera()[:64, :64], data.astronaut()[:64, :64], transfer="reinhard")
    >>> rgb.shape, rgb.dtype
    ((64, 64, 3), dtype('uint8'))
    """
    return colorize_result(gray, reference, **options).rgb
