"""Segmentation metrics: perfect predictions score 1, void and unmapped pixels are left out."""

from __future__ import annotations

import numpy as np

from panocolor.evaluate.segment_metrics import Scores, boundary_matches, f_score, true_classes
from panocolor.evaluate.segmentation import coco_samples
from panocolor.segment.panoptic_file import from_coco


def semantic_map() -> np.ndarray:
    semantic = np.full((30, 40), 187, np.uint8)  # sky
    semantic[15:, :] = 193  # grass: counts as Cityscapes terrain
    semantic[10:25, 5:15] = 1  # person
    semantic[20:, 30:] = 92  # banner: no model knows it
    semantic[0, :] = 0  # void
    return semantic


def test_truth_mapping() -> None:
    truth = true_classes(np.array([[0, 1, 193, 194, 92, 189]], np.uint8))
    assert truth.tolist() == [[-1, 1, 193, 193, 0, 67]]  # table-merged counts as dining table


def test_perfect_prediction_scores_one() -> None:
    semantic = semantic_map()
    infos = [{"id": int(c), "category_id": int(c)} for c in np.unique(semantic) if c]
    prediction = from_coco(semantic.astype(np.int32), infos)
    scores = Scores()
    scores.add(prediction, semantic)
    assert scores.pixel_accuracy == 1.0 and scores.coverage == 1.0
    assert set(scores.iou()) == {1, 187, 193} and all(v == 1.0 for v in scores.iou().values())
    assert f_score(scores.boundary)[2] == 1.0


def test_wrong_prediction() -> None:
    semantic = semantic_map()
    everything_sky = from_coco(np.ones((30, 40), np.int32), [{"id": 1, "category_id": 187}])
    scores = Scores()
    scores.add(everything_sky, semantic)
    known = (semantic != 0) & (semantic != 92)
    assert np.isclose(scores.pixel_accuracy, (semantic[known] == 187).mean())
    assert scores.iou()[1] == 0.0 and 0 < scores.iou()[187] < 1


def test_boundary_tolerance() -> None:
    a = np.zeros((20, 20), np.int32)
    a[:, 10:] = 1
    b = np.zeros((20, 20), np.int32)
    b[:, 12:] = 1
    assert f_score(boundary_matches(a, b, 1.0))[2] == 0.0
    assert f_score(boundary_matches(a, b, 2.5))[2] == 1.0


def test_dataset_listing(shared_data) -> None:
    samples = coco_samples(shared_data)
    assert len(samples) == 31 and all(s.semantic.is_file() for s in samples)


def test_group_accuracy_and_both_known_tables() -> None:
    from panocolor.evaluate.segment_metrics import group_known

    semantic = np.full((20, 20), 187, np.uint8)  # sky
    semantic[10:, :] = 159  # snow: a stuff group, unknown to VOC + Cityscapes
    predicted = semantic.copy()
    predicted[10:, :10] = 154  # half the snow called sand
    infos = [{"id": int(c), "category_id": int(c)} for c in np.unique(predicted)]
    scores = Scores(table=group_known())
    scores.add(from_coco(predicted.astype(np.int32), infos), semantic)
    groups = scores.group_accuracy()
    assert groups["sky"] == 1.0 and groups["snow"] == 0.5 and np.isnan(groups["road"])
    assert scores.pixel_accuracy == 0.75  # snow is known to the group table
    assert scores.legacy_accuracy == 1.0  # ...but not to VOC + Cityscapes
