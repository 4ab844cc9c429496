"""One colour photo for everything, region to region.

The reference is segmented too; each target segment takes colour from the
reference segments of the same class, or, with ``by_appearance``, from the
reference segment that looks most alike (level, spread and texture of L*) when it is
alike enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from panocolor.reference.base import (
    ImageKey,
    Proposal,
    ReferenceChoice,
    ReferenceImage,
    is_classed,
    shrink_color,
)
from panocolor.reference.describe import descriptor_similarity, texture_descriptor
from panocolor.segment.base import Segmenter
from panocolor.segment.segmentation import Segment, Segmentation
from panocolor.types import ColorImage

REFERENCE_PIXELS = 512 * 512  # references are segmented and drawn from at this size


@dataclass(eq=False)
class SegmentedReference:
    """A colour photo with its own segmentation, computed once and shared by sources.

    Parameters
    ----------
    image : ColorImage
        The photo.
    segmenter : Segmenter or None
        Segments it on first use (None: the photo has no regions).
    key : ImageKey
        Its key in the plan (default: the reference's).
    given : Segmentation, optional
        Its segmentation, when known already (then ``segmenter`` is not used).
    """

    image: ColorImage
    segmenter: Segmenter | None
    key: ImageKey = ImageKey.reference()
    given: Segmentation | None = None
    _cache: dict[str, tuple[ReferenceImage, Segmentation | None]] = field(
        default_factory=dict, repr=False
    )
    _descriptors: list[tuple[int, np.ndarray]] | None = field(default=None, repr=False)

    def get(self) -> tuple[ReferenceImage, Segmentation | None]:
        if not self._cache:
            small = shrink_color(self.image, REFERENCE_PIXELS)
            if self.given is not None:
                segmentation = self.given.resized(small.shape)
            elif self.segmenter is not None:
                segmentation = self.segmenter(small.lab[..., 0])
            else:
                segmentation = None
            label_map = segmentation.ids if segmentation else None
            self._cache["value"] = (ReferenceImage(self.key, small, label_map), segmentation)
        return self._cache["value"]

    def region_descriptors(self) -> list[tuple[int, np.ndarray]]:
        """(segment id, :func:`~panocolor.reference.describe.texture_descriptor`) of each
        of its segments, computed once (empty without a segmentation)."""
        if self._descriptors is None:
            image, segmentation = self.get()
            ref_l = image.image.lab[..., 0]
            self._descriptors = [
                (s.id, texture_descriptor(ref_l, segmentation.ids == s.id))
                for s in (segmentation.segments if segmentation else ())
            ]
        return self._descriptors


@dataclass(eq=False)
class ReferencePhoto:
    """Same-class regions of one reference photo (or the most alike region).

    Parameters
    ----------
    reference : SegmentedReference
        The photo and its segmentation.
    by_appearance : bool
        False: serve only segments whose class the reference also shows. True: serve
        classed segments whose class it does not show with the most similar-looking
        reference segment. Class-less ``unknown-k`` regions are left to
        :class:`~panocolor.reference.whole.WholeReference` (reason ``resemblance``).
    min_similarity : float
        A look-alike region is used only if its similarity
        (:func:`~panocolor.reference.describe.descriptor_similarity`) reaches this;
        otherwise the whole reference serves the segment. On the 32 COCO development
        pairs (true segments, fast mode with a full region remap) no gate gave 13.25
        mean CIEDE2000, 0.5 gave 12.79 and 0.8 gave 12.74 (the same as never using a
        look-alike), hence 0.8.
    """

    reference: SegmentedReference
    by_appearance: bool = False
    min_similarity: float = 0.8

    def propose(
        self, lightness: np.ndarray, segmentation: Segmentation, pending: Sequence[Segment]
    ) -> Proposal:
        image, ref_segmentation = self.reference.get()
        if ref_segmentation is None:
            return Proposal()
        proposal = Proposal(images=[image])
        if not self.by_appearance:
            for segment in pending:
                same = ref_segmentation.by_label(segment.label) if is_classed(segment) else ()
                if same:
                    proposal.choices.append(
                        ReferenceChoice(
                            segment.id,
                            segment.label,
                            image.key,
                            tuple(s.id for s in same),
                            "same-class",
                        )
                    )
            return proposal
        classed = [segment for segment in pending if is_classed(segment)]
        candidates = self.reference.region_descriptors() if classed else []
        for segment in classed:
            target = texture_descriptor(lightness, segmentation.ids == segment.id)
            scores = [descriptor_similarity(target, d) for _, d in candidates]
            best = int(np.argmax(scores))
            if scores[best] < self.min_similarity:
                continue  # nothing alike enough: the whole reference serves it
            proposal.choices.append(
                ReferenceChoice(
                    segment.id,
                    segment.label,
                    image.key,
                    (candidates[best][0],),
                    "appearance",
                    round(scores[best], 4),
                )
            )
        return proposal
