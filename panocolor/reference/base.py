"""The reference stage's data: where each segment's colour comes from.

A :class:`ReferencePlan` is plain data (so the CLI's ``--explain``, the web app and a
batch manifest can all show it): for every segment of the gray photo, one
:class:`ReferenceChoice` naming a colour image, the region of it to draw colour
from, and why it was chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Literal, Protocol, get_args, runtime_checkable

import numpy as np

from panocolor.imaging.resample import resize_to_pixels
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


ImageKind = Literal[
    "reference",  # the one reference photo (-r)
    "class",  # the user's photo for one class (--ref CLASS=PATH)
    "segment",  # the photo chosen for one target segment (web app swaps)
    "gallery",  # a gallery photo, named by its path
]
IMAGE_KINDS: tuple[ImageKind, ...] = get_args(ImageKind)
_PREFIXED = ("class", "segment")  # the kinds spelled ``kind:value``


@dataclass(frozen=True)
class ImageKey:
    """Names a :class:`ReferenceImage` inside a plan.

    ``str(key)`` is the key's spelling in explain output, batch manifests and the web
    app's JSON: ``reference``, ``class:sky``, ``segment:3``, or a gallery photo's path;
    :meth:`parse` reads it back.

    Attributes
    ----------
    kind : ImageKind
        What kind of image it is.
    value : str
        The class name, segment id or gallery path ("" for the reference). A segment id
        may be given as an int.

    Raises
    ------
    ValueError
        If the value does not fit the kind (see :meth:`parse` for the spellings).
    """

    kind: ImageKind
    value: str = ""

    def __post_init__(self) -> None:
        value = self.value
        if self.kind == "segment" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
            object.__setattr__(self, "value", value)
        if not isinstance(value, str):
            raise ValueError(f"image key value must be a str, got {value!r}")
        problem = _key_problem(self.kind, value)
        if problem:
            raise ValueError(f"bad image key {self.kind}={value!r}: {problem}")

    @classmethod
    def reference(cls) -> ImageKey:
        return cls("reference")

    @classmethod
    def of_class(cls, label: str) -> ImageKey:
        return cls("class", label)

    @classmethod
    def of_segment(cls, segment_id: int) -> ImageKey:
        return cls("segment", str(segment_id))

    @classmethod
    def of_gallery(cls, path: str | Path) -> ImageKey:
        return cls("gallery", str(path))

    @property
    def segment_id(self) -> int:
        """The target segment's id (``segment`` keys only)."""
        if self.kind != "segment":
            raise ValueError(f"{self} is not a segment key")
        return int(self.value)

    def __str__(self) -> str:
        if self.kind == "reference":
            return "reference"
        if self.kind == "gallery":
            return self.value
        return f"{self.kind}:{self.value}"

    @classmethod
    def parse(cls, text: str) -> ImageKey:
        """The key spelled ``text`` (the inverse of ``str``).

        Spellings: ``reference``; ``class:LABEL``; ``segment:ID`` (ID a non-negative
        integer without leading zeros); anything else is a gallery photo's path, which
        must have a file suffix or a folder in it (``photos/cat.jpg``).

        Raises
        ------
        ValueError
            If ``text`` is none of these (``refrence``, ``class:``, ``segment:x``...).
        """
        if not isinstance(text, str):
            raise ValueError(f"an image key is spelled as a str, got {text!r}")
        kind, colon, value = text.partition(":")
        if text == "reference":
            kind, value = "reference", ""
        elif not (colon and kind in _PREFIXED):
            kind, value = "gallery", text
        problem = _key_problem(kind, value)
        if problem:
            raise ValueError(
                f"not an image key: {text!r} ({problem}; expected 'reference', "
                "'class:LABEL', 'segment:ID' or a gallery photo's path)"
            )
        return cls(kind, value)  # type: ignore[arg-type]


def _check_key(key: object) -> None:
    if not isinstance(key, ImageKey):
        raise TypeError(f"plan images are named by an ImageKey, got {key!r}")


def _key_problem(kind: str, value: str) -> str | None:
    """Why ``value`` cannot be a ``kind`` key (None when it can)."""
    if kind not in IMAGE_KINDS:
        return f"unknown kind (expected one of {', '.join(IMAGE_KINDS)})"
    if kind == "reference":
        return "the reference key has no value" if value else None
    if not value or value != value.strip():
        return "the value is empty or has surrounding blanks"
    if kind == "segment" and not (value.isascii() and value.isdigit() and str(int(value)) == value):
        return "a segment id is a non-negative integer without leading zeros"
    if kind == "gallery":
        path = PurePath(value)
        if value == "reference" or value.partition(":")[0] in _PREFIXED:
            return "a gallery path would read back as another kind of key"
        if not path.suffix and len(path.parts) < 2:
            return "a gallery path needs a file suffix or a folder in it"
    return None


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
        _check_key(self.key)


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
        _check_key(self.image_key)

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
        by_region: dict[tuple[str, tuple[int, ...]], list[ReferenceChoice]] = {}
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


def is_classed(segment: Segment) -> bool:
    """True for segments with a real class (``unknown-k`` regions have none)."""
    return segment.class_id != UNKNOWN_CLASS_ID


def shrink_color(image: ColorImage, max_pixels: int) -> ColorImage:
    """``image`` at most ``max_pixels`` large (references need no more than the working size)."""
    if image.lab.shape[0] * image.lab.shape[1] <= max_pixels:
        return image
    return ColorImage(resize_to_pixels(image.lab, max_pixels), source=image.source)
