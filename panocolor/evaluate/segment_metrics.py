"""Segmentation metrics against COCO panoptic ground truth.

Predictions and ground truth are compared through the classes the models know:
each true COCO category that a model class covers (``panocolor.segment.classes``)
becomes that class; every other category is "unmapped". Metrics:

- per-class IoU over the dataset (intersection and union summed over images);
- pixel accuracy over pixels whose true class the models know: the VOC things and
  the stuff groups of :data:`panocolor.segment.stuff.GROUPS` (:func:`group_known`),
  and, for comparison with earlier reports, over the VOC + Cityscapes classes only
  (``known_categories``; Cityscapes "terrain" = grass, dirt, sand, playingfield);
- per-group accuracy: share of each stuff group's true pixels given that group;
- coverage: share of pixels inside a listed segment (must be 1);
- boundary F-score of the class maps, with a tolerance of 0.75% of the image
  diagonal (after Perazzi et al., CVPR 2016, doi:10.1109/CVPR.2016.85).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from panocolor.segment import Segmentation
from panocolor.segment.classes import (
    coco_categories,
    known_categories,
    model_classes,
)
from panocolor.segment.regions import fill_holes
from panocolor.segment.stuff import GROUPS, group_lut

BOUNDARY_TOLERANCE = 0.0075  # fraction of the image diagonal


def _lookup(table: dict[int, int], size: int) -> np.ndarray:
    lut = np.zeros(size, np.int32)
    for key, value in table.items():
        lut[key] = value
    return lut


def group_known() -> dict[int, int]:
    """COCO id -> assigned COCO id for the VOC things and the stuff-probe groups."""
    table = {i: ids[0] for ids in model_classes("voc").values() for i in ids}
    table.update({i: ids[0] for ids in GROUPS.values() for i in ids})
    return table


def predicted_classes(
    segmentation: Segmentation, known: dict[int, int] | None = None
) -> np.ndarray:
    """Known class (the model class's COCO id) per pixel; 0 for unknown or unmapped.

    Parameters
    ----------
    segmentation : Segmentation
    known : dict, optional
        COCO id -> assigned COCO id; default ``known_categories()``.

    Returns
    -------
    classes : (H, W) int32 ndarray
    """
    known = known_categories() if known is None else known
    per_id = np.zeros(int(segmentation.ids.max()) + 1, np.int32)
    for s in segmentation.segments:
        per_id[s.id] = known.get(s.class_id, 0)
    return per_id[segmentation.ids]


def true_classes(semantic: np.ndarray, known: dict[int, int] | None = None) -> np.ndarray:
    """Known class per pixel of a COCO semantic map: -1 void, 0 unmapped, else a COCO id.

    Parameters
    ----------
    semantic : (H, W) uint8 ndarray
        COCO panoptic category id per pixel, 0 = void.
    known : dict, optional
        As for :func:`predicted_classes`.
    """
    lut = _lookup(known_categories() if known is None else known, 256)
    return np.where(semantic == 0, -1, lut[semantic])


def boundaries(classes: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels whose right or lower neighbour has another class."""
    edge = np.zeros(classes.shape, bool)
    edge[:, :-1] |= classes[:, :-1] != classes[:, 1:]
    edge[:-1, :] |= classes[:-1, :] != classes[1:, :]
    return edge


def boundary_matches(predicted: np.ndarray, truth: np.ndarray, tolerance: float) -> np.ndarray:
    """Boundary counts for the F-score: [matched predicted, predicted, matched true, true].

    Parameters
    ----------
    predicted, truth : (H, W) int ndarray
        Class maps (void already filled in ``truth``).
    tolerance : float
        Distance in pixels within which a boundary pixel counts as matched.
    """

    def distance_to(edge: np.ndarray) -> np.ndarray:
        if not edge.any():
            return np.full(edge.shape, np.inf, np.float32)
        return cv2.distanceTransform((~edge).astype(np.uint8), cv2.DIST_L2, 3)

    pred_edge, true_edge = boundaries(predicted), boundaries(truth)
    return np.array(
        [
            int((distance_to(true_edge)[pred_edge] <= tolerance).sum()),
            int(pred_edge.sum()),
            int((distance_to(pred_edge)[true_edge] <= tolerance).sum()),
            int(true_edge.sum()),
        ]
    )


def f_score(counts: np.ndarray) -> tuple[float, float, float]:
    """(precision, recall, F) from :func:`boundary_matches` counts (summed or not)."""
    precision = counts[0] / counts[1] if counts[1] else 1.0
    recall = counts[2] / counts[3] if counts[3] else 1.0
    total = precision + recall
    return float(precision), float(recall), float(2 * precision * recall / total) if total else 0.0


@dataclass
class Scores:
    """Running totals over a dataset; see the module docstring for the metrics.

    ``table`` is the class table of IoU and :attr:`pixel_accuracy` (default
    ``known_categories()``); :attr:`legacy_accuracy` always uses ``known_categories()``.
    """

    table: dict[int, int] = field(default_factory=known_categories)
    legacy_correct: int = 0
    legacy_known: int = 0
    group_correct: np.ndarray = field(default_factory=lambda: np.zeros(len(GROUPS), np.int64))
    group_true: np.ndarray = field(default_factory=lambda: np.zeros(len(GROUPS), np.int64))
    intersection: dict[int, int] = field(default_factory=dict)
    union: dict[int, int] = field(default_factory=dict)
    true_pixels: dict[int, int] = field(default_factory=dict)
    correct: int = 0
    known: int = 0
    covered: int = 0
    pixels: int = 0
    boundary: np.ndarray = field(default_factory=lambda: np.zeros(4, np.int64))
    seconds: float = 0.0
    images: int = 0

    def add(self, segmentation: Segmentation, semantic: np.ndarray, seconds: float = 0.0) -> None:
        """Score one prediction against its (H, W) COCO semantic ground truth."""
        if semantic.shape != segmentation.shape:
            raise ValueError(f"ground truth {semantic.shape} != prediction {segmentation.shape}")
        predicted = predicted_classes(segmentation, self.table)
        truth = true_classes(semantic, self.table)
        self._add_legacy_and_groups(segmentation, semantic)
        valid = truth >= 0
        for c in np.union1d(np.unique(predicted[valid]), np.unique(truth[valid])):
            if c <= 0:
                continue
            p, t = (predicted == c) & valid, truth == c
            self.intersection[int(c)] = self.intersection.get(int(c), 0) + int((p & t).sum())
            self.union[int(c)] = self.union.get(int(c), 0) + int((p | t).sum())
            self.true_pixels[int(c)] = self.true_pixels.get(int(c), 0) + int(t.sum())
        known = truth > 0
        self.correct += int((predicted[known] == truth[known]).sum())
        self.known += int(known.sum())
        listed = np.array([s.id for s in segmentation.segments])
        self.covered += int(np.isin(segmentation.ids, listed).sum())
        self.pixels += semantic.size
        filled = fill_holes(truth, ~valid) if valid.any() else truth
        tolerance = max(1.0, BOUNDARY_TOLERANCE * float(np.hypot(*semantic.shape)))
        self.boundary += boundary_matches(predicted, filled, tolerance)
        self.seconds += seconds
        self.images += 1

    def _add_legacy_and_groups(self, segmentation: Segmentation, semantic: np.ndarray) -> None:
        predicted, truth = predicted_classes(segmentation), true_classes(semantic)
        self.legacy_correct += int((predicted[truth > 0] == truth[truth > 0]).sum())
        self.legacy_known += int((truth > 0).sum())
        lut = group_lut({c.id: c.is_thing for c in coco_categories().values()})
        per_id = np.zeros(int(segmentation.ids.max()) + 1, np.int64)
        for s in segmentation.segments:
            per_id[s.id] = lut[s.class_id] if s.class_id else 0
        true_group, predicted_group = lut[semantic], per_id[segmentation.ids]
        for k in range(1, len(GROUPS) + 1):
            t = (true_group == k) & (semantic > 0)
            self.group_true[k - 1] += int(t.sum())
            self.group_correct[k - 1] += int((predicted_group[t] == k).sum())

    @property
    def legacy_accuracy(self) -> float:
        """Pixel accuracy over the VOC + Cityscapes classes (``known_categories()``)."""
        return self.legacy_correct / self.legacy_known if self.legacy_known else float("nan")

    def group_accuracy(self) -> dict[str, float]:
        """Per stuff group: share of its true pixels predicted as that group."""
        return {
            g: self.group_correct[k] / self.group_true[k] if self.group_true[k] else float("nan")
            for k, g in enumerate(GROUPS)
        }

    def iou(self) -> dict[int, float]:
        """IoU per known class (COCO id) that appears in the truth or the predictions."""
        return {c: self.intersection[c] / self.union[c] for c in sorted(self.union)}

    @property
    def pixel_accuracy(self) -> float:
        return self.correct / self.known if self.known else float("nan")

    @property
    def coverage(self) -> float:
        return self.covered / self.pixels if self.pixels else float("nan")
