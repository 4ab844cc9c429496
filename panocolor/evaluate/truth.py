"""True segmentations of evaluation images, when the data set has them.

The development set keeps COCO photos as ``coco/<split>2017/<id>.jpg`` with their
panoptic ground truth in ``coco/panoptic_<split>2017/<id>.png`` and
``coco/panoptic_<split>2017.json``; :func:`truth_segmentation` finds that file pair
for a photo, or returns None for photos without one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from panocolor.segment import Segmentation, read_coco


def truth_files(photo: Path) -> tuple[Path, Path] | None:
    """The (panoptic PNG, JSON) pair of a COCO-layout photo, or None."""
    split = photo.parent.name  # e.g. "val2017"
    png = photo.parent.parent / f"panoptic_{split}" / f"{photo.stem}.png"
    json_path = photo.parent.parent / f"panoptic_{split}.json"
    return (png, json_path) if png.is_file() and json_path.is_file() else None


def truth_segmentation(photo: Path | None, shape: tuple[int, int]) -> Segmentation | None:
    """The true panoptic segmentation of ``photo`` at ``shape`` (nearest neighbour), or None."""
    files = truth_files(Path(photo)) if photo is not None else None
    if files is None:
        return None
    segmentation = read_coco(*files)
    return segmentation if segmentation.shape == shape else segmentation.resized(shape)


def recounted(segmentation: Segmentation, ids: np.ndarray) -> Segmentation:
    """A segmentation with an id map cut from the old one (areas recounted, empties dropped)."""
    ids = np.ascontiguousarray(ids, dtype=np.int32)
    counts = np.bincount(ids.ravel(), minlength=int(segmentation.ids.max()) + 1)
    kept = tuple(replace(s, area=int(counts[s.id])) for s in segmentation.segments if counts[s.id])
    return Segmentation(ids, kept)
