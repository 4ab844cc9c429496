"""The last resort: colour a segment from a whole photo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from panocolor.reference.base import REFERENCE_SOURCES, Proposal, ReferenceChoice
from panocolor.reference.photo import SegmentedReference
from panocolor.segment.base import Segment, Segmentation


@REFERENCE_SOURCES.register("whole")
@dataclass(eq=False)
class WholeReference:
    """Serve every pending segment from the whole of one photo (reason ``whole-reference``).

    This is why no segment is ever left without colour: a segment whose class no
    reference shows still gets the overall palette of the main reference photo.
    """

    reference: SegmentedReference

    def propose(
        self, lightness: np.ndarray, segmentation: Segmentation, pending: Sequence[Segment]
    ) -> Proposal:
        image, _ = self.reference.get()
        choices = [
            ReferenceChoice(s.id, s.label, image.key, (), "whole-reference") for s in pending
        ]
        return Proposal(choices=choices, images=[image])
