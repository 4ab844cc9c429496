"""Soft masks: feathered segment masks that partition every pixel."""

from __future__ import annotations

import numpy as np
import pytest

from panocolor.composite.masks import soft_masks, working_masks
from panocolor.segment import Segment, Segmentation


@pytest.mark.parametrize("with_guide", [False, True])
def test_soft_masks_are_a_partition_of_unity(with_guide: bool) -> None:
    rng = np.random.default_rng(0)
    lightness = (rng.random((40, 50)) * 100).astype(np.float32)
    ids = np.ones((40, 50), np.int32)
    ids[10:30, 5:25] = 2
    ids[:, 40:] = 3
    seg = Segmentation(
        ids,
        tuple(Segment(i, 0, f"unknown-{i}", False, int((ids == i).sum())) for i in (1, 2, 3)),
    )
    masks = soft_masks(seg, lightness if with_guide else None, radius=3)
    assert masks.shape == (3, 40, 50) and masks.dtype == np.float32
    assert masks.min() >= 0.0
    np.testing.assert_allclose(masks.sum(axis=0), 1.0, atol=1e-5)
    assert masks[1, 20, 15] > 0.9  # deep inside segment 2


def test_soft_masks_follow_the_gray_photos_edge() -> None:
    """Guided by L*, the feather stops at a lightness edge; a box blur crosses it."""
    lightness = np.full((30, 40), 20.0, np.float32)
    lightness[:, 20:] = 80.0  # the edge is at column 20...
    ids = np.ones((30, 40), np.int32)
    ids[:, 17:] = 2  # ...but the segments split 3 pixels before it
    dark, light = (Segment(i, 0, f"unknown-{i}", False, int((ids == i).sum())) for i in (1, 2))
    seg = Segmentation(ids, (dark, light))
    guided, boxed = soft_masks(seg, lightness, radius=4), soft_masks(seg, None, radius=4)
    # Past the edge the dark segment 1 has (almost) no weight when guided.
    assert guided[0, :, 20:].max() < 0.01
    assert boxed[0, :, 20].mean() > 0.1


def test_working_masks_drop_what_vanishes_and_index_the_rest() -> None:
    """At a quarter of the pixels a one-pixel segment vanishes; the others keep a row."""
    lightness = np.tile(np.linspace(0, 100, 80, dtype=np.float32), (60, 1))
    ids = np.ones((60, 80), np.int32)
    ids[:, 40:] = 3
    ids[31, 61] = 2  # gone when every other row and column is kept
    seg = Segmentation(
        ids,
        tuple(Segment(i, 0, f"unknown-{i}", False, int((ids == i).sum())) for i in (1, 2, 3)),
    )
    small_l, small_seg, weights, index = working_masks(lightness, seg, 60 * 80 // 4, radius=2)
    assert small_l.shape == small_seg.shape == weights.shape[1:] == (30, 40)
    assert index == {1: 0, 3: 1}
    np.testing.assert_allclose(weights.sum(axis=0), 1.0, atol=1e-5)
    assert weights[index[3], 15, 35] > 0.9  # deep inside segment 3
