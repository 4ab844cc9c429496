"""Per-class references from the user: ``--ref person=grandma.jpg --ref sky=sky.jpg``.

Class names may be plain aliases (``sky``, ``vegetation``) of the COCO names segments carry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from panocolor.reference.base import (
    ImageKey,
    Proposal,
    ReferenceChoice,
    ReferenceImage,
    shrink_color,
)
from panocolor.reference.photo import REFERENCE_PIXELS, SegmentedReference
from panocolor.segment.base import Segmenter
from panocolor.segment.classes import resolve_class
from panocolor.segment.segmentation import Segment, Segmentation
from panocolor.types import ColorImage


@dataclass(eq=False)
class ClassReferences:
    """Serve each segment whose class the user gave a photo for.

    Colour is drawn from that photo's own segments of the same class when its
    segmentation finds any, else from the whole photo.

    Parameters
    ----------
    photos : mapping of str to ColorImage
        Class name -> colour photo. A name is a COCO panoptic name (``sky-other-merged``)
        or a plain alias of one (``sky``); see
        :func:`~panocolor.segment.classes.resolve_class`.
    segmenter : Segmenter or None
        Used to find the class inside each photo.

    Raises
    ------
    UnknownClassError
        If a name is neither a class nor an alias (the message suggests close names).
    """

    photos: Mapping[str, ColorImage]
    segmenter: Segmenter | None = None
    _references: dict[str, SegmentedReference] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._references = {}
        for name, image in self.photos.items():
            label = resolve_class(name)
            self._references[label] = SegmentedReference(
                image, self.segmenter, key=ImageKey.of_class(label)
            )

    def propose(
        self, lightness: np.ndarray, segmentation: Segmentation, pending: Sequence[Segment]
    ) -> Proposal:
        proposal = Proposal()
        for segment in pending:
            reference = self._references.get(segment.label)
            if reference is None:
                continue
            image, ref_segmentation = reference.get()
            same = ref_segmentation.by_label(segment.label) if ref_segmentation else ()
            proposal.images.append(image)
            proposal.choices.append(
                ReferenceChoice(
                    segment.id, segment.label, image.key, tuple(s.id for s in same), "class"
                )
            )
        return proposal


@dataclass(eq=False)
class SegmentReferences:
    """Serve chosen segments from chosen photos (whole photo), e.g. a swap in the web app.

    Parameters
    ----------
    photos : mapping of int to ColorImage
        Target segment id -> colour photo.
    """

    photos: Mapping[int, ColorImage]

    def propose(
        self, lightness: np.ndarray, segmentation: Segmentation, pending: Sequence[Segment]
    ) -> Proposal:
        proposal = Proposal()
        for segment in pending:
            if segment.id in self.photos:
                key = ImageKey.of_segment(segment.id)
                image = shrink_color(self.photos[segment.id], REFERENCE_PIXELS)
                proposal.images.append(ReferenceImage(key, image))
                proposal.choices.append(
                    ReferenceChoice(segment.id, segment.label, key, (), "segment")
                )
        return proposal
