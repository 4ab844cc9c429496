"""The last resort: colour a segment from a whole photo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from panocolor.reference.base import Proposal, ReferenceChoice, is_classed
from panocolor.reference.photo import SegmentedReference
from panocolor.segment.segmentation import Segment, Segmentation


@dataclass(eq=False)
class WholeReference:
    """Serve every pending segment from the whole of one photo.

    This is why no segment is ever left without colour: a segment whose class no
    reference shows still gets the overall palette of the main reference photo
    (reason ``whole-reference``). It is also where class-less ``unknown-k`` segments
    go, on purpose (reason ``resemblance``): no class can pick a region for them, so
    every pixel takes colour from the reference pixels it resembles, wherever they
    are (on lightness, texture and, with the DeepLab VOC model, the network's
    descriptors; see :class:`~panocolor.transfer.photoreal.PhotorealTransfer`).
    Pinning them to the one most alike region instead raised CIEDE2000 by about 1 on
    the development pairs.
    """

    reference: SegmentedReference

    def propose(
        self, lightness: np.ndarray, segmentation: Segmentation, pending: Sequence[Segment]
    ) -> Proposal:
        image, _ = self.reference.get()
        choices = [
            ReferenceChoice(
                s.id, s.label, image.key, (), "whole-reference" if is_classed(s) else "resemblance"
            )
            for s in pending
        ]
        return Proposal(choices=choices, images=[image])
