"""The segmentation stage's output: a panoptic segmentation, typed.

A :class:`Segmentation` is an (H, W) map of segment ids where every pixel belongs to
exactly one segment, plus one :class:`Segment` record per id (class, thing or stuff,
confidence, area). Ids are unique across things and stuff, so an instance id can never
be mistaken for a stuff class. Class ids are COCO panoptic category ids (the common
vocabulary of every backend, see :mod:`panocolor.segment.classes`); ``class_id == 0``
means a region without a class, labelled ``unknown-k``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np

UNKNOWN_CLASS_ID = 0
PANOPTIC_FILE_SOURCE = "panoptic-file"
"""``Segment.source`` of segments read from a panoptic file (ground truth, or a user's)."""
USER_SOURCE = "user"
"""``Segment.source`` of a segment a person named (e.g. renamed in the web app)."""


@dataclass(frozen=True)
class Segment:
    """One segment of a :class:`Segmentation`.

    Attributes
    ----------
    id : int
        Its value in ``Segmentation.ids``, >= 1.
    class_id : int
        COCO panoptic category id; 0 for a region without a class.
    label : str
        Class name (COCO category name), or ``unknown-k`` when ``class_id == 0``.
    is_thing : bool
        True for a countable object instance, False for a stuff region.
    area : int
        Number of pixels, >= 1.
    score : float or None
        Confidence in [0, 1], or None when the backend gives none.
    source : str
        What produced it (``deeplab-voc``, ``deeplab-cityscapes``, ``superpixel``...).
    """

    id: int
    class_id: int
    label: str
    is_thing: bool
    area: int
    score: float | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if self.id < 1:
            raise ValueError(f"Segment.id must be >= 1, got {self.id}")
        if self.area < 1:
            raise ValueError(f"Segment.area must be >= 1, got {self.area} (segment {self.id})")
        if self.score is not None and not 0.0 <= self.score <= 1.0:
            raise ValueError(f"Segment.score must be in [0, 1] or None, got {self.score}")

    @property
    def label_given(self) -> bool:
        """Whether the class was given rather than guessed by a model.

        True for a segment a person named (``source == "user"``) and for a labelled
        segment of a panoptic file without a score (ground truth). Per-object
        colorization keeps a given label to its reference region, where a model's
        label only says where to look first (it may be wrong).
        """
        if self.source == USER_SOURCE:
            return True
        return (
            self.source == PANOPTIC_FILE_SOURCE
            and self.score is None
            and self.class_id != UNKNOWN_CLASS_ID
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (the keys of the attributes)."""
        return {
            "id": self.id,
            "class_id": self.class_id,
            "label": self.label,
            "is_thing": self.is_thing,
            "area": self.area,
            "score": self.score,
            "source": self.source,
        }


@dataclass(frozen=True, eq=False)
class Segmentation:
    """A panoptic segmentation: every pixel in exactly one listed segment.

    Attributes
    ----------
    ids : (H, W) int32 ndarray
        Segment id of each pixel; every value is the ``id`` of one listed segment.
    segments : tuple of Segment
        One record per id, areas matching the pixel counts.

    Raises
    ------
    ValueError
        If ``ids`` is not a 2-D int32 array, a pixel is uncovered (id 0 or an id not
        listed), ids repeat, or an area does not match its pixel count.
    """

    ids: np.ndarray
    segments: tuple[Segment, ...]

    def __post_init__(self) -> None:
        ids = self.ids
        if not isinstance(ids, np.ndarray) or ids.ndim != 2 or ids.dtype != np.int32:
            got = getattr(ids, "dtype", type(ids).__name__), getattr(ids, "shape", None)
            raise ValueError(f"ids must be an (H, W) int32 ndarray, got {got}")
        if ids.size == 0:
            raise ValueError(f"ids must not be empty, got shape {ids.shape}")
        object.__setattr__(self, "segments", tuple(self.segments))
        listed = [s.id for s in self.segments]
        if len(set(listed)) != len(listed):
            raise ValueError("segment ids must be unique")
        low, high = int(ids.min()), int(ids.max())
        if low < 1:
            raise ValueError(f"{int(np.count_nonzero(ids < 1))} pixels are not covered (id < 1)")
        counts = np.bincount(ids.ravel(), minlength=max(high, max(listed, default=0)) + 1)
        unlisted = set(np.flatnonzero(counts).tolist()) - set(listed)
        if unlisted:
            raise ValueError(f"ids {sorted(unlisted)[:10]} appear in the map but are not listed")
        for s in self.segments:
            if counts[s.id] != s.area:
                raise ValueError(f"segment {s.id} has area {s.area} but {counts[s.id]} pixels")

    @property
    def shape(self) -> tuple[int, int]:
        """(H, W) of the label map."""
        return self.ids.shape  # type: ignore[return-value]

    def get(self, segment_id: int) -> Segment:
        """The record of ``segment_id``; KeyError if it is not listed."""
        for s in self.segments:
            if s.id == segment_id:
                return s
        raise KeyError(f"no segment with id {segment_id}")

    def mask(self, segment_id: int) -> np.ndarray:
        """(H, W) bool mask of one segment."""
        self.get(segment_id)
        return self.ids == segment_id

    def by_label(self, label: str) -> tuple[Segment, ...]:
        """Segments whose label is ``label``, largest first."""
        found = [s for s in self.segments if s.label == label]
        return tuple(sorted(found, key=lambda s: -s.area))

    def named(self, labels: Mapping[int, str]) -> Segmentation:
        """This segmentation with segments ``labels`` (id -> class name) named by a person.

        A named segment has no score and ``source == "user"``, so its label counts as
        given (:attr:`Segment.label_given`).
        """
        segments = tuple(
            replace(s, label=labels[s.id], score=None, source=USER_SOURCE) if s.id in labels else s
            for s in self.segments
        )
        return Segmentation(self.ids, segments)

    def resized(self, shape: tuple[int, int]) -> Segmentation:
        """The same segmentation at another size (nearest neighbour).

        Segments that vanish at the new size are dropped; areas are recounted.

        Parameters
        ----------
        shape : (H', W') tuple of int
            Target size.
        """
        height, width = (int(v) for v in shape)
        if height < 1 or width < 1:
            raise ValueError(f"shape must be positive, got {shape}")
        ids = cv2.resize(self.ids, (width, height), interpolation=cv2.INTER_NEAREST)
        return self._recounted(ids)

    def _recounted(self, ids: np.ndarray) -> Segmentation:
        counts = np.bincount(ids.ravel(), minlength=int(self.ids.max()) + 1)
        kept = tuple(replace(s, area=int(counts[s.id])) for s in self.segments if counts[s.id])
        return Segmentation(ids, kept)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: size and segment records (not the pixels)."""
        return {
            "height": self.shape[0],
            "width": self.shape[1],
            "segments": [s.to_dict() for s in self.segments],
        }
