"""The :class:`Colorizer`: the one place where the stages run, in order.

read -> segment (``Segmentation``) -> choose references (``ReferencePlan``) ->
transfer colour per reference region (chroma) -> composite L* + chroma into pixels
(:class:`~panocolor.pipeline.Colorized`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

from panocolor.composite import compose_pixels, composite_chroma
from panocolor.composite.perobject import perobject_chroma
from panocolor.errors import PanocolorError
from panocolor.hints import Hint, SegmentColour, apply_hints, make_guidance
from panocolor.imaging import resize_to_pixels, resize_to_shape
from panocolor.imaging.recent import RecentInputs
from panocolor.io import ImageSource, read_color, read_gray
from panocolor.pipeline.result import Colorized
from panocolor.pipeline.settings import Settings
from panocolor.reference import (
    GalleryIndex,
    SegmentedReference,
    plan_references,
    reference_sources,
)
from panocolor.reference.palette import StuffPalette, default_palette
from panocolor.segment import SEGMENTERS, Segmentation, Segmenter
from panocolor.transfer import TRANSFERS, ColorTransfer
from panocolor.types import ColorImage, GrayImage


def _as_gray(gray: GrayImage | ImageSource) -> GrayImage:
    return gray if isinstance(gray, GrayImage) else read_gray(gray)


def _as_color(reference: ColorImage | ImageSource) -> ColorImage:
    return reference if isinstance(reference, ColorImage) else read_color(reference)


class Colorizer:
    """Colorize many photos with the same settings; models are loaded once.

    Parameters
    ----------
    settings : Settings, optional
        Backends and modes; see :class:`Settings`.
    transfer : ColorTransfer, optional
        A backend instance to use instead of ``settings.transfer``.
    segmenter : Segmenter, optional
        A segmenter instance to use instead of ``settings.segmenter`` (e.g. one with
        its own stuff probe).
    palette : StuffPalette, "default" or None, optional
        Typical colours of stuff classes, the anchor of weakly matched segments whose
        class no reference shows (:mod:`panocolor.reference.palette`; "default" is the
        shipped one, None anchors them to nothing).

    Examples
    --------
    >>> from skimage import data
    >>> colorizer = Colorizer(Settings(transfer="reinhard", segmenter="none"))
    >>> colorizer(data.camera()[:32, :32], data.astronaut()[:32, :32]).rgb.shape
    (32, 32, 3)
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transfer: ColorTransfer | None = None,
        segmenter: Segmenter | None = None,
        palette: StuffPalette | Literal["default"] | None = "default",
    ):
        self.settings = settings or Settings()
        # Typical stuff colours for segments no reference shows (None: no such anchor).
        self.palette = default_palette() if palette == "default" else palette
        model_dir = {"model_dir": self.settings.model_dir}
        name = self.settings.transfer
        self.transfer = transfer or TRANSFERS.build(name, **TRANSFERS.takes(name, **model_dir))
        name = self.settings.segmenter
        self.segmenter = segmenter or SEGMENTERS.build(name, **SEGMENTERS.takes(name, **model_dir))
        self.gallery: GalleryIndex | None = None
        # The main reference's segmentation and region descriptors, kept for the same
        # reference object (held until another reference comes): the batch worker passes
        # one object for all its photos. The web app reads the file anew for each job.
        self._references = RecentInputs(1)
        if self.settings.gallery is not None:
            if self.segmenter is None:
                raise PanocolorError("a gallery needs a segmenter (--segmenter deeplab)")
            from panocolor.reference.describe import Embedder

            self.gallery = GalleryIndex(
                self.settings.gallery, self.segmenter, Embedder(self.settings.model_dir)
            )

    @property
    def per_object(self) -> bool:
        """Whether photos are coloured object by object (a segmenter was built)."""
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
        confidence: dict[int, float] = {}
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
            main = reference_image
            if reference_image is not None and reference_segmentation is None:
                main = self._references.get(
                    (reference_image.lab,),
                    lambda: SegmentedReference(reference_image, self.segmenter),
                )
            sources = reference_sources(
                plan_l,
                self.segmenter,
                reference=main,
                by_class=by_class,
                by_segment=by_segment,
                reference_segmentation=reference_segmentation,
                gallery=self.gallery,
            )
            plan = plan_references(plan_l, segmentation, sources)
            timings["plan"] = time.perf_counter() - mark
            mark = time.perf_counter()
            ab, confidence = perobject_chroma(
                own_l, segmentation, plan, self.transfer, self.settings.mode, self.palette
            )
            timings["transfer"] = time.perf_counter() - mark
        if guidance:
            mark = time.perf_counter()
            ab = apply_hints(own_l, ab, guidance, segmentation, match_confidence=confidence)
            timings["hints"] = time.perf_counter() - mark
        mark = time.perf_counter()
        if gray_image.alpha is not None:
            ab = composite_chroma(own_l, ab, gray_image.alpha)
        rgb = compose_pixels(lightness, ab, gray_image.bit_depth)
        timings["compose"] = time.perf_counter() - mark
        return Colorized(
            rgb,
            lightness,
            ab,
            timings,
            segmentation=segmentation,
            plan=plan,
            match_confidence=confidence,
        )
