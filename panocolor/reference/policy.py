"""The order in which reference sources are asked for each segment's colour.

Most specific first: the user's per-segment photos, then per-class photos, then the
main reference region by region (same class), the gallery, the main reference by
appearance, and finally the whole main reference. Without a main photo, the gallery
photo most like the gray photo, or else the first per-class photo, takes its place.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from panocolor.io import read_color
from panocolor.reference.base import ImageKey, ReferenceSource
from panocolor.reference.classes import ClassReferences, SegmentReferences
from panocolor.reference.gallery import GalleryIndex, GallerySource
from panocolor.reference.photo import ReferencePhoto, SegmentedReference
from panocolor.reference.whole import WholeReference
from panocolor.segment import Segmentation, Segmenter
from panocolor.types import ColorImage


def reference_sources(
    lightness: np.ndarray,
    segmenter: Segmenter | None,
    *,
    reference: ColorImage | SegmentedReference | None = None,
    by_class: Mapping[str, ColorImage] | None = None,
    by_segment: Mapping[int, ColorImage] | None = None,
    reference_segmentation: Segmentation | None = None,
    gallery: GalleryIndex | None = None,
) -> list[ReferenceSource]:
    """The sources :func:`~panocolor.reference.plan_references` asks, in order.

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        The gray photo's L* at the segmentation's size (for the gallery fallback).
    segmenter : Segmenter or None
        Segments the reference photos (None: they are matched as a whole).
    reference : ColorImage or SegmentedReference, optional
        The main colour photo (segmented already, or on first use, by ``segmenter``
        unless ``reference_segmentation`` is given).
    by_class, by_segment : mapping, optional
        Class name -> photo and segment id -> photo given by the user.
    reference_segmentation : Segmentation, optional
        The main photo's segments, when known (instead of running ``segmenter``).
    gallery : GalleryIndex, optional
        Colour photos to choose per-segment references from.

    Returns
    -------
    list of ReferenceSource
    """
    by_class, by_segment = dict(by_class or {}), dict(by_segment or {})
    sources: list[ReferenceSource] = []
    if by_segment:
        sources.append(SegmentReferences(by_segment))
    if by_class:
        sources.append(ClassReferences(by_class, segmenter))
    main = None
    if isinstance(reference, SegmentedReference):
        main = reference
    elif reference is not None:
        main = SegmentedReference(reference, segmenter, given=reference_segmentation)
    if main is not None:
        sources.append(ReferencePhoto(main))
    if gallery is not None:
        sources.append(GallerySource(gallery))
        if main is None:
            # No main photo: the gallery photo most like the whole gray photo is the fallback.
            entry = gallery.most_similar_photo(gallery.embedder(lightness))
            if entry is not None:
                main = SegmentedReference(
                    read_color(entry.path), None, key=ImageKey.of_gallery(entry.path)
                )
    if main is None and by_class:
        # Else the first per-class photo is the fallback palette.
        label, image = next(iter(by_class.items()))
        main = SegmentedReference(image, segmenter, key=ImageKey.of_class(label))
    if main is not None:
        sources += [ReferencePhoto(main, by_appearance=True), WholeReference(main)]
    return sources
