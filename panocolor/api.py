"""The function API: ``panocolor.colorize`` and the reusable :class:`Colorizer`."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from panocolor.composite import compose_lab, composite_chroma
from panocolor.composite.perobject import MODES, Mode, perobject_chroma
from panocolor.errors import ModelNotFoundError, PanocolorError
from panocolor.hints import Hint, SegmentColour, apply_hints, make_guidance
from panocolor.imaging import resize_to_pixels, resize_to_shape
from panocolor.io import ImageSource, read_color, read_gray, to_pixels
from panocolor.pipeline import Colorized
from panocolor.reference import (
    ClassReferences,
    GalleryIndex,
    GallerySource,
    ReferencePhoto,
    ReferenceSource,
    SegmentedReference,
    SegmentReferences,
    WholeReference,
    plan_references,
)
from panocolor.segment import Segmentation, Segmenter, build_segmenter
from panocolor.transfer import DEFAULT_TRANSFER, ColorTransfer, build_transfer
from panocolor.types import ColorImage, GrayImage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """How a :class:`Colorizer` works (everything but the images).

    Attributes
    ----------
    transfer : str
        Colour transfer backend (``photoreal``, ``reinhard``, ``neural``).
    segmenter : str
        ``auto`` (``deeplab`` when its model files are found, else single-reference),
        ``none`` (single-reference: one transfer for the whole photo), or a segmenter
        name (``deeplab``, ``superpixel``...).
    mode : {"fast", "faithful"}
        Per-object compositing mode (see :mod:`panocolor.composite.perobject`).
    gallery : Path or None
        Folder of colour photos to pick per-segment references from.
    model_dir : Path or None
        Folder searched first for model files.
    segment_pixels : int
        The gray photo is segmented at most this large (chroma is computed at an even
        smaller working size and upsampled guided by full-resolution L*).
    """

    transfer: str = DEFAULT_TRANSFER
    segmenter: str = "auto"
    mode: Mode = "fast"
    gallery: Path | None = None
    model_dir: Path | None = None
    segment_pixels: int = 1_000_000

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise PanocolorError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")

    def to_dict(self) -> dict[str, object]:
        return {
            "transfer": self.transfer,
            "segmenter": self.segmenter,
            "mode": self.mode,
            "gallery": str(self.gallery) if self.gallery else None,
            "segment_pixels": self.segment_pixels,
        }


def _as_gray(gray: GrayImage | ImageSource) -> GrayImage:
    return gray if isinstance(gray, GrayImage) else read_gray(gray)


def _as_color(reference: ColorImage | ImageSource) -> ColorImage:
    return reference if isinstance(reference, ColorImage) else read_color(reference)


def _build_segmenter(settings: Settings) -> Segmenter | None:
    if settings.segmenter == "none":
        return None
    if settings.segmenter == "auto":
        try:
            return build_segmenter("deeplab", model_dir=settings.model_dir)
        except ModelNotFoundError as error:
            log.info("segmentation models not found (%s); using one reference for all", error)
            return None
    options = {"model_dir": settings.model_dir} if settings.segmenter == "deeplab" else {}
    return build_segmenter(settings.segmenter, **options)


class Colorizer:
    """Colorize many photos with the same settings; models are loaded once.

    Parameters
    ----------
    settings : Settings, optional
        Backends and modes; see :class:`Settings`.
    transfer : ColorTransfer, optional
        A backend instance to use instead of ``settings.transfer``.

    Examples
    --------
    >>> from skimage import data
    >>> colorizer = Colorizer(Settings(transfer="reinhard", segmenter="none"))
    >>> colorizer(data.camera()[:32, :32], data.astronaut()[:32, :32]).rgb.shape
    (32, 32, 3)
    """

    def __init__(self, settings: Settings | None = None, *, transfer: ColorTransfer | None = None):
        self.settings = settings or Settings()
        self.transfer = transfer or build_transfer(self.settings.transfer)
        self.segmenter = _build_segmenter(self.settings)
        self.gallery: GalleryIndex | None = None
        if self.settings.gallery is not None:
            if self.segmenter is None:
                raise PanocolorError("a gallery needs a segmenter (--segmenter deeplab)")
            from panocolor.reference.describe import Embedder

            self.gallery = GalleryIndex(
                self.settings.gallery, self.segmenter, Embedder(self.settings.model_dir)
            )

    @property
    def per_object(self) -> bool:
        return self.segmenter is not None

    def __call__(
        self,
        gray: GrayImage | ImageSource,
        reference: ColorImage | ImageSource | None = None,
        *,
        class_references: Mapping[str, ColorImage | ImageSource] | None = None,
        segment_references: Mapping[int, ColorImage | ImageSource] | None = None,
        segmentation: Segmentation | None = None,
        reference_segmentation: Segmentation | None = None,
        hints: Sequence[Hint] | None = None,
        scribbles: np.ndarray | None = None,
        segment_colours: Sequence[SegmentColour] | None = None,
    ) -> Colorized:
        """Colorize one gray photo.

        Parameters
        ----------
        gray : GrayImage, path, PIL image or ndarray
            The photo.
        reference : ColorImage, path, PIL image or ndarray, optional
            One colour photo for everything (segments take colour region to region).
        class_references : mapping of str to image, optional
            Class name -> colour photo, preferred for segments of that class.
        segment_references : mapping of int to image, optional
            Segment id -> colour photo, for those very segments (e.g. a swap in the web app).
        segmentation : Segmentation, optional
            Use these segments instead of running the segmenter (e.g. with renamed classes).
        reference_segmentation : Segmentation, optional
            The same for ``reference`` (e.g. both read with the ``panoptic-file`` backend).
        hints : sequence of Hint, optional
            Point colour hints (full-size pixel positions); they win where they reach.
        scribbles : (H, W, 4) uint8 ndarray, optional
            RGBA colour scribbles the photo's size, transparent where there is no hint.
        segment_colours : sequence of SegmentColour, optional
            Segments (by id or class) pinned to a colour; need a segmentation.

        With hints and no reference at all, what no hint reaches stays neutral gray.

        Returns
        -------
        Colorized
            Pixels, L*, chroma, timings, and for per-object colorization the
            segmentation and the reference plan.
        """
        started = time.perf_counter()
        gray_image = _as_gray(gray)
        reference_image = _as_color(reference) if reference is not None else None
        by_class = {k: _as_color(v) for k, v in (class_references or {}).items()}
        by_segment = {k: _as_color(v) for k, v in (segment_references or {}).items()}
        guidance = make_guidance(hints, scribbles, segment_colours).check(gray_image.shape)
        timings = {"read": time.perf_counter() - started}
        lightness = gray_image.lightness
        # A transparent photo is coloured from its own L*, not the white it was composited
        # onto (that white would be painted as bright content along a fading alpha edge).
        own_l = lightness if gray_image.alpha is None else gray_image.opaque_lightness

        plan = None
        no_reference = reference_image is None and not by_class and not by_segment
        if guidance and no_reference and self.gallery is None:
            # Hints alone: colour only where they reach (segments, when found, guide them).
            if segmentation is None and self.segmenter is not None:
                segmentation = self.segmenter(resize_to_pixels(own_l, self.settings.segment_pixels))
            ab = np.zeros(own_l.shape + (2,), np.float32)
        elif self.segmenter is None and segmentation is None:
            if reference_image is None:
                raise PanocolorError("give a reference photo (-r) or enable segmentation")
            ab = self.transfer(own_l, reference_image.lab)
            timings["transfer"] = time.perf_counter() - started - timings["read"]
        else:
            mark = time.perf_counter()
            if segmentation is None:
                small = resize_to_pixels(own_l, self.settings.segment_pixels)
                segmentation = self.segmenter(small)  # type: ignore[misc]
            timings["segment"] = time.perf_counter() - mark
            mark = time.perf_counter()
            plan_l = resize_to_shape(own_l, segmentation.shape)
            sources = self._sources(
                plan_l, reference_image, by_class, by_segment, reference_segmentation
            )
            plan = plan_references(plan_l, segmentation, sources)
            timings["plan"] = time.perf_counter() - mark
            mark = time.perf_counter()
            ab = perobject_chroma(own_l, segmentation, plan, self.transfer, self.settings.mode)
            timings["transfer"] = time.perf_counter() - mark
        if guidance:
            mark = time.perf_counter()
            ab = apply_hints(own_l, ab, guidance, segmentation)
            timings["hints"] = time.perf_counter() - mark
        mark = time.perf_counter()
        if gray_image.alpha is not None:
            ab = composite_chroma(own_l, ab, gray_image.alpha)
        rgb = to_pixels(compose_lab(lightness, ab), gray_image.bit_depth)
        timings["compose"] = time.perf_counter() - mark
        return Colorized(rgb, lightness, ab, timings, segmentation=segmentation, plan=plan)

    def _sources(
        self,
        lightness: np.ndarray,
        reference: ColorImage | None,
        by_class: dict[str, ColorImage],
        by_segment: dict[int, ColorImage],
        reference_segmentation: Segmentation | None,
    ) -> list[ReferenceSource]:
        sources: list[ReferenceSource] = []
        if by_segment:
            sources.append(SegmentReferences(by_segment))
        if by_class:
            sources.append(ClassReferences(by_class, self.segmenter))
        main = None
        if reference is not None:
            main = SegmentedReference(reference, self.segmenter, given=reference_segmentation)
        if main is not None:
            sources.append(ReferencePhoto(main))
        if self.gallery is not None:
            sources.append(GallerySource(self.gallery))
        if main is None and self.gallery is not None:
            # No main photo: the gallery photo most like the whole gray photo is the fallback.
            entry = self.gallery.most_similar_photo(self.gallery.embedder(lightness))
            if entry is not None:
                main = SegmentedReference(read_color(entry.path), None, key=str(entry.path))
        if main is None and by_class:
            # Else the first per-class photo is the fallback palette.
            label, image = next(iter(by_class.items()))
            main = SegmentedReference(image, self.segmenter, key=f"class:{label}")
        if main is not None:
            sources += [ReferencePhoto(main, by_appearance=True), WholeReference(main)]
        return sources


def colorize_result(
    gray: GrayImage | ImageSource,
    reference: ColorImage | ImageSource | None = None,
    *,
    transfer: str | ColorTransfer = DEFAULT_TRANSFER,
    segmenter: str = "none",
    mode: Mode = "fast",
    class_references: Mapping[str, ColorImage | ImageSource] | None = None,
    gallery: str | Path | None = None,
    model_dir: str | Path | None = None,
    hints: Sequence[Hint] | None = None,
    scribbles: np.ndarray | None = None,
    segment_colours: Sequence[SegmentColour] | None = None,
) -> Colorized:
    """Like :func:`colorize`, but return the pixels with L*, chroma, timings, segments and plan."""
    settings = Settings(
        transfer=transfer if isinstance(transfer, str) else DEFAULT_TRANSFER,
        segmenter=segmenter,
        mode=mode,
        gallery=Path(gallery) if gallery else None,
        model_dir=Path(model_dir) if model_dir else None,
    )
    colorizer = Colorizer(settings, transfer=None if isinstance(transfer, str) else transfer)
    return colorizer(
        gray,
        reference,
        class_references=class_references,
        hints=hints,
        scribbles=scribbles,
        segment_colours=segment_colours,
    )


def colorize(
    gray: GrayImage | ImageSource,
    reference: ColorImage | ImageSource | None = None,
    *,
    transfer: str | ColorTransfer = DEFAULT_TRANSFER,
    segmenter: str = "none",
    mode: Mode = "fast",
    class_references: Mapping[str, ColorImage | ImageSource] | None = None,
    gallery: str | Path | None = None,
    model_dir: str | Path | None = None,
    hints: Sequence[Hint] | None = None,
    scribbles: np.ndarray | None = None,
    segment_colours: Sequence[SegmentColour] | None = None,
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
    transfer : str or ColorTransfer, optional
        A registered backend name (``"photoreal"``, ``"reinhard"``, ``"neural"``)
        or a backend instance.
    segmenter : str, optional
        ``"none"`` (default here: one transfer for the whole photo), ``"auto"``,
        ``"deeplab"``, ``"superpixel"``...: colorize object by object.
    mode : {"fast", "faithful"}, optional
        Per-object compositing mode.
    class_references : mapping of str to image, optional
        Per-class colour photos (``{"sky": "sky.jpg"}``).
    gallery : path, optional
        Folder of colour photos to choose per-segment references from.
    model_dir : path, optional
        Folder searched first for model files.
    hints : sequence of Hint, optional
        Point colour hints, e.g. ``[Hint(x=120, y=45, rgb=(31, 58, 147))]``: hue and
        saturation at that pixel, spread over the surface it falls on. With hints, the
        reference is optional (without one, what no hint reaches stays gray).
    scribbles : (H, W, 4) uint8 ndarray, optional
        RGBA scribbles the photo's size (transparent: no hint), see
        :func:`panocolor.hints.read_scribbles`.
    segment_colours : sequence of SegmentColour, optional
        Segments pinned to a colour (needs a segmenter).

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

    Examples
    --------
    >>> from skimage import data
    >>> rgb = colorize(data.camera()[:64, :64], data.astronaut()[:64, :64], transfer="reinhard")
    >>> rgb.shape, rgb.dtype
    ((64, 64, 3), dtype('uint8'))
    """
    return colorize_result(
        gray,
        reference,
        transfer=transfer,
        segmenter=segmenter,
        mode=mode,
        class_references=class_references,
        gallery=gallery,
        model_dir=model_dir,
        hints=hints,
        scribbles=scribbles,
        segment_colours=segment_colours,
    ).rgb
