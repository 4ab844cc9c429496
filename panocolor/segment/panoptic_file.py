"""Panoptic segmentations stored as COCO panoptic PNG + JSON (Detectron2 / Mask2Former output).

In the PNG, a pixel's segment id is ``R + 256 * G + 256**2 * B``; the JSON's
``segments_info`` gives each id its ``category_id``. Id 0 and ids the JSON does not
list are void: they are filled from the nearest segment, so every pixel is covered.
This lets users bring a bigger model's output, and lets evaluation use true segments.
The same format is what ``panocolor segment --coco`` writes (class-less regions get
``category_id`` 0, listed as category "unknown").
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError
from scipy import ndimage

from panocolor.errors import ImageReadError, PanocolorError
from panocolor.segment.base import SEGMENTERS, check_lightness
from panocolor.segment.classes import coco_categories
from panocolor.segment.regions import fill_holes
from panocolor.segment.segmentation import (
    PANOPTIC_FILE_SOURCE,
    UNKNOWN_CLASS_ID,
    Segment,
    Segmentation,
)


def decode_ids(rgb: np.ndarray) -> np.ndarray:
    """Segment ids of a COCO panoptic PNG.

    Parameters
    ----------
    rgb : (H, W, 3) uint8 ndarray

    Returns
    -------
    ids : (H, W) int32 ndarray
        ``R + 256 * G + 256**2 * B``.
    """
    rgb = rgb.astype(np.int32)
    return rgb[..., 0] + 256 * rgb[..., 1] + 65536 * rgb[..., 2]


def encode_ids(ids: np.ndarray) -> np.ndarray:
    """Inverse of :func:`decode_ids`: (H, W) ids in [0, 2**24) to (H, W, 3) uint8 RGB."""
    ids = ids.astype(np.int64)
    if ids.min() < 0 or ids.max() >= 1 << 24:
        raise ValueError("ids must be in [0, 2**24) to fit a COCO panoptic PNG")
    return np.stack([ids % 256, ids // 256 % 256, ids // 65536], axis=-1).astype(np.uint8)


def from_coco(
    ids: np.ndarray,
    segments_info: list[dict[str, Any]],
    categories: dict[int, dict[str, Any]] | None = None,
    *,
    source: str = PANOPTIC_FILE_SOURCE,
) -> Segmentation:
    """Build a :class:`Segmentation` from a decoded COCO panoptic annotation.

    Parameters
    ----------
    ids : (H, W) int ndarray
        Decoded PNG ids; 0 and unlisted ids are void.
    segments_info : list of dict
        Records with ``id`` and ``category_id`` (optionally ``isthing``, ``score``).
    categories : dict of int to dict, optional
        ``{id: {"name": ..., "isthing": ...}}``; default the COCO panoptic categories.
        ``category_id`` 0 means a class-less region (label ``unknown-k``).
    source : str, optional
        Stored in each segment.

    Returns
    -------
    segmentation : Segmentation
        Segments in the order of ``segments_info`` with ids 1..n (listed segments
        with no pixels are dropped); void pixels take their nearest segment's id.
    """
    if categories is None:
        categories = {
            i: {"name": c.name, "isthing": c.is_thing} for i, c in coco_categories().items()
        }
    listed = np.array([int(s["id"]) for s in segments_info], np.int64)
    if listed.size == 0 or np.unique(listed).size != listed.size:
        raise PanocolorError("segments_info must list each segment id once (and at least one)")
    order = np.argsort(listed)
    position = np.clip(np.searchsorted(listed[order], ids), 0, listed.size - 1)
    matched = listed[order][position] == ids
    labels = np.where(matched, order[position] + 1, 0).astype(np.int32)
    holes = labels == 0
    if holes.all():
        labels[:] = 1
        records: list[dict[str, Any]] = [{"category_id": UNKNOWN_CLASS_ID}]
    else:
        labels = fill_holes(labels, holes)
        records = list(segments_info)
    counts = np.bincount(labels.ravel(), minlength=len(records) + 1)
    kept = [k for k in range(1, len(records) + 1) if counts[k]]
    lookup = np.zeros(len(records) + 1, np.int32)
    lookup[kept] = np.arange(1, len(kept) + 1, dtype=np.int32)
    labels = lookup[labels]
    segments = []
    unknown = 0
    for new_id, k in enumerate(kept, start=1):
        info = records[k - 1]
        class_id = int(info["category_id"])
        category = categories.get(class_id, {})
        if class_id == UNKNOWN_CLASS_ID:
            unknown += 1
            label, is_thing = f"unknown-{unknown}", False
        else:
            label = str(category.get("name", f"category-{class_id}"))
            is_thing = bool(info.get("isthing", category.get("isthing", False)))
        score = info.get("score")
        score = None if score is None else float(np.clip(score, 0.0, 1.0))
        segments.append(Segment(new_id, class_id, label, is_thing, int(counts[k]), score, source))
    return Segmentation(labels, tuple(segments))


def to_coco(segmentation: Segmentation, file_name: str) -> tuple[np.ndarray, dict[str, Any]]:
    """COCO panoptic PNG pixels and JSON for a segmentation.

    Parameters
    ----------
    segmentation : Segmentation
    file_name : str
        Name of the PNG, stored in the annotation.

    Returns
    -------
    rgb : (H, W, 3) uint8 ndarray
        The PNG's pixels (:func:`encode_ids` of the label map).
    document : dict
        ``{"annotations": [{"file_name", "image_id", "segments_info"}], "categories"}``;
        each segment record has ``id``, ``category_id``, ``iscrowd``, ``isthing``,
        ``area``, ``bbox`` (x, y, w, h) and ``score`` when known.
    """
    ids = segmentation.ids
    boxes = ndimage.find_objects(ids)
    infos = []
    for s in segmentation.segments:
        rows, cols = boxes[s.id - 1]
        info = {
            "id": s.id,
            "category_id": s.class_id,
            "iscrowd": 0,
            "isthing": int(s.is_thing),
            "area": s.area,
            "bbox": [cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start],
        }
        if s.score is not None:
            info["score"] = s.score
        infos.append(info)
    categories = {UNKNOWN_CLASS_ID: {"id": 0, "name": "unknown", "isthing": 0}}
    for s in segmentation.segments:
        if s.class_id not in categories:
            categories[s.class_id] = {"id": s.class_id, "name": s.label, "isthing": int(s.is_thing)}
    used = sorted({s.class_id for s in segmentation.segments})
    annotation = {"file_name": file_name, "image_id": Path(file_name).stem, "segments_info": infos}
    document = {"annotations": [annotation], "categories": [categories[i] for i in used]}
    return encode_ids(ids), document


def default_json(png: Path) -> Path:
    """The JSON beside a panoptic PNG: ``x.json`` or the COCO layout's ``<folder>.json``."""
    for candidate in (png.with_suffix(".json"), png.parent.with_suffix(".json")):
        if candidate.is_file():
            return candidate
    raise PanocolorError(
        f"no JSON found for {png} (looked for {png.with_suffix('.json')} and "
        f"{png.parent.with_suffix('.json')}); pass it explicitly"
    )


def read_coco(
    png: str | os.PathLike[str], json_path: str | os.PathLike[str] | None = None
) -> Segmentation:
    """Read a COCO panoptic PNG and its JSON into a :class:`Segmentation`.

    Parameters
    ----------
    png : path-like
        The PNG of segment ids.
    json_path : path-like, optional
        A COCO panoptic JSON (the annotation whose ``file_name`` is the PNG's name is
        used), a single annotation with ``segments_info``, or a bare list of segment
        records; default :func:`default_json`.

    Raises
    ------
    ImageReadError
        If the PNG cannot be read.
    PanocolorError
        If the JSON is missing, malformed or has no annotation for the PNG.
    """
    png = Path(png)
    json_path = Path(json_path) if json_path is not None else default_json(png)
    try:
        with Image.open(png) as image:
            rgb = np.asarray(image.convert("RGB"))
    except (OSError, UnidentifiedImageError) as error:
        raise ImageReadError(f"cannot read panoptic PNG {png}: {error}") from None
    try:
        document = json.loads(json_path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise PanocolorError(f"cannot read panoptic JSON {json_path}: {error}") from None
    categories = None
    if isinstance(document, dict) and "categories" in document:
        categories = {int(c["id"]): c for c in document["categories"]}
    if isinstance(document, list):
        infos = document
    elif "segments_info" in document:
        infos = document["segments_info"]
    else:
        matches = [a for a in document.get("annotations", []) if a.get("file_name") == png.name]
        if not matches:
            raise PanocolorError(f"{json_path} has no annotation with file_name {png.name!r}")
        infos = matches[0]["segments_info"]
    return from_coco(decode_ids(rgb), infos, categories)


@SEGMENTERS.register("panoptic-file")
class PanopticFileSegmenter:
    """Use a precomputed COCO panoptic PNG + JSON as the segmentation.

    Parameters
    ----------
    png : path-like
        The panoptic PNG.
    json_path : path-like, optional
        Its JSON (see :func:`read_coco`).
    """

    def __init__(
        self, png: str | os.PathLike[str], json_path: str | os.PathLike[str] | None = None
    ) -> None:
        self.png = Path(png)
        self.json_path = json_path

    def __repr__(self) -> str:
        return f"PanopticFileSegmenter(png={str(self.png)!r})"

    def __call__(self, lightness: np.ndarray) -> Segmentation:
        """The file's segmentation, resized to the photo when it has the same aspect.

        Parameters
        ----------
        lightness : (H, W) array_like
            L* in [0, 100]; only its size is used.

        Raises
        ------
        PanocolorError
            If the PNG's aspect ratio differs from the photo's by more than 1%.
        """
        shape = check_lightness(lightness).shape
        segmentation = read_coco(self.png, self.json_path)
        if segmentation.shape == shape:
            return segmentation
        (h, w), (height, width) = segmentation.shape, shape
        if abs(h * width - w * height) > 0.01 * h * width:
            raise PanocolorError(
                f"panoptic PNG {self.png} is {w}x{h} but the photo is {width}x{height}"
            )
        return segmentation.resized(shape)
