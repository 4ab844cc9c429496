"""Ask the reference sources, in priority order, for every segment's reference."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from panocolor.errors import PanocolorError
from panocolor.reference.base import (
    ImageKey,
    ReferenceChoice,
    ReferenceImage,
    ReferencePlan,
    ReferenceSource,
)
from panocolor.segment.segmentation import Segmentation


def plan_references(
    lightness: np.ndarray, segmentation: Segmentation, sources: Sequence[ReferenceSource]
) -> ReferencePlan:
    """Choose a reference for every segment; the first source that serves a segment wins.

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        The gray photo's L*, at the segmentation's size.
    segmentation : Segmentation
        Its segments.
    sources : sequence of ReferenceSource
        In priority order; end with a :class:`~panocolor.reference.whole.WholeReference`
        so that every segment is served.

    Returns
    -------
    ReferencePlan
        One choice per segment, in the order of ``segmentation.segments``.

    Raises
    ------
    PanocolorError
        If some segment is served by no source (e.g. no reference was given at all).
    """
    chosen: dict[int, ReferenceChoice] = {}
    images: dict[ImageKey, ReferenceImage] = {}
    pending = list(segmentation.segments)
    for source in sources:
        if not pending:
            break
        proposal = source.propose(lightness, segmentation, pending)
        for image in proposal.images:
            images.setdefault(image.key, image)
        for choice in proposal.choices:
            chosen.setdefault(choice.segment_id, choice)
        pending = [s for s in pending if s.id not in chosen]
    if pending:
        labels = ", ".join(sorted({s.label for s in pending}))
        raise PanocolorError(
            f"no reference for segments of class {labels}; give a reference photo "
            "(-r), a per-class reference (--ref CLASS=PATH) or a gallery (--gallery)"
        )
    order = [chosen[s.id] for s in segmentation.segments]
    used = {c.image_key for c in order}
    return ReferencePlan(tuple(order), {k: v for k, v in images.items() if k in used})
