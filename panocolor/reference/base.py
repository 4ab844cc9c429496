"""The reference stage's data: where each segment's colour comes from.

A :class:`ReferencePlan` is plain data (so the CLI's ``--explain``, the web app and a
batch manifest can all show it): for every segment of the gray photo, one
:class:`ReferenceChoice` naming a colour image, the region of it to draw colour
from, and why it was chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from panocolor.imaging.resample import resize_to_pixels
from panocolor.reference.keys import ImageKey, check_key
from panocolor.segment.segmentation import UNKNOWN_CLASS_ID, Segment, Segmentation
from panocolor.types import ColorImage

Reason = Literal[
    "segment",  # the caller chose this image for this very segment
    "class",  # the user's reference for this class (--ref CLASS=PATH)
    "same-class",  # same-class region(s) of the one reference photo
    "gallery",  # most similar same-class segment of a gallery photo
    "appearance",  # most similar-looking region of the reference (no same class there)
    "resemblance",  # a class-less segment: the reference pixels it resembles, anywhere
    "whole-reference",  # fallback: the whole reference photo
]


@dataclass(frozen=True, eq=False)
class ReferenceImage:
    """A colour image a plan draws from.

    Attributes
    ----------
    key : ImageKey
        Identifies the image inside a plan (spelled ``reference``, ``class:sky``, a
        gallery path...).
    image : ColorImage
        Its pixels in CIELAB.
    label_map : (h, w) int32 ndarray or None
        Its own segmentation's ids, when it was segmented (to draw from regions).
    """

    key: ImageKey
    image: ColorImage
    label_map: np.ndarray | None = None

    def __post_init__(self) -> None:
        check_key(self.key)


@dataclass(frozen=True)
class ReferenceChoice:
    """Where one segment's colour comes from.

    Attributes
    ----------
    segment_id : int
        The target segment.
    label : str
        The target segment's class name.
    image_key : ImageKey
        Key of the :class:`ReferenceImage` in the plan.
    region_ids : tuple of int
        Segment ids of that image's ``label_map`` to draw from; empty = the whole image.
    reason : Reason
        Why this image and region were chosen.
    score : float or None
        Similarity of the choice in [0, 1] where one was computed.
    """

    segment_id: int
    label: str
    image_key: ImageKey
    region_ids: tuple[int, ...] = ()
    reason: Reason = "whole-reference"
    score: float | None = None

    def __post_init__(self) -> None:
        check_key(self.image_key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment_id": self.segment_id,
            "label": self.label,
            "reference": str(self.image_key),
            "region_ids": list(self.region_ids),
            "reason": self.reason,
            "score": self.score,
        }


@dataclass(frozen=True, eq=False)
class RegionGroup:
    """Target segments that draw colour from one region of one reference image.

    Attributes
    ----------
    image : ReferenceImage
        The image.
    region : (h, w) bool ndarray or None
        Its pixels to draw from (None: all of it).
    segment_ids : tuple of int
        The target segments, in plan order.
    """

    image: ReferenceImage
    region: np.ndarray | None
    segment_ids: tuple[int, ...]

    @cached_property
    def mean_chroma(self) -> np.ndarray | None:
        """(2,) float32 mean a*b* of the region (:func:`region_chroma`), computed once."""
        return region_chroma(self.image.image.lab, self.region)


@dataclass(frozen=True, eq=False)
class ReferencePlan:
    """One :class:`ReferenceChoice` per target segment, and the images they name."""

    choices: tuple[ReferenceChoice, ...]
    images: dict[ImageKey, ReferenceImage] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = {c.image_key for c in self.choices} - set(self.images)
        if missing:
            names = sorted(str(key) for key in missing)
            raise ValueError(f"plan names images it does not hold: {names}")

    def choice(self, segment_id: int) -> ReferenceChoice:
        for choice in self.choices:
            if choice.segment_id == segment_id:
                return choice
        raise KeyError(f"no reference choice for segment {segment_id}")

    def region(self, choice: ReferenceChoice) -> np.ndarray | None:
        """(h, w) bool mask of the reference pixels ``choice`` draws from (None = all)."""
        reference = self.images[choice.image_key]
        if not choice.region_ids or reference.label_map is None:
            return None
        return np.isin(reference.label_map, choice.region_ids)

    def groups(self) -> tuple[RegionGroup, ...]:
        """The choices grouped by the image region they draw from, in plan order.

        What compositing works on: segments of one group share a transfer, and each
        group's region mask is computed here, once.
        """
        by_region: dict[tuple[ImageKey, tuple[int, ...]], list[ReferenceChoice]] = {}
        for choice in self.choices:
            key = (choice.image_key, tuple(sorted(choice.region_ids)))
            by_region.setdefault(key, []).append(choice)
        return tuple(
            RegionGroup(
                self.images[members[0].image_key],
                self.region(members[0]),
                tuple(choice.segment_id for choice in members),
            )
            for members in by_region.values()
        )

    def to_dict(self) -> dict[str, Any]:
        sources = {
            key: str(ref.image.source) if ref.image.source else str(key)
            for key, ref in self.images.items()
        }
        return {
            "choices": [c.to_dict() | {"file": sources[c.image_key]} for c in self.choices],
        }


@dataclass
class Proposal:
    """What a reference source offers: choices for some segments and the images they use."""

    choices: list[ReferenceChoice] = field(default_factory=list)
    images: list[ReferenceImage] = field(default_factory=list)


@runtime_checkable
class ReferenceSource(Protocol):
    """Contract of every reference source.

    ``propose(lightness, segmentation, pending)`` returns choices for those of the
    ``pending`` segments it can serve (possibly none). Sources are asked in priority
    order; each segment keeps the first choice it gets.
    """

    def propose(
        self, lightness: np.ndarray, segmentation: Segmentation, pending: Sequence[Segment]
    ) -> Proposal: ...


def region_chroma(reference_lab: np.ndarray, region: np.ndarray | None) -> np.ndarray | None:
    """Mean a*b* of a reference region.

    Parameters
    ----------
    reference_lab : (h, w, 3) float ndarray
        The reference in CIELAB.
    region : (h, w) bool ndarray or None
        The region's pixels; None (the whole reference) has no region to anchor to.

    Returns
    -------
    (2,) float32 ndarray or None
        None when there is no region or it is empty.
    """
    if region is None or not region.any():
        return None
    return reference_lab[region][:, 1:].mean(axis=0).astype(np.float32)


def is_classed(segment: Segment) -> bool:
    """True for segments with a real class (``unknown-k`` regions have none)."""
    return segment.class_id != UNKNOWN_CLASS_ID


def shrink_color(image: ColorImage, max_pixels: int) -> ColorImage:
    """``image`` at most ``max_pixels`` large (references need no more than the working size)."""
    if image.lab.shape[0] * image.lab.shape[1] <= max_pixels:
        return image
    return ColorImage(resize_to_pixels(image.lab, max_pixels), source=image.source)
