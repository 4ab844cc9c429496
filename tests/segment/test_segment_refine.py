"""Segmentation helpers: hole filling, guided refinement of class maps, superpixels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from panocolor.segment.refine import refine_labels, upsample_labels
from panocolor.segment.regions import fill_holes, superpixels


@settings(max_examples=40, deadline=None)
@given(arrays(np.int32, (12, 15), elements=st.integers(0, 4)))
def test_fill_holes_takes_a_nearest_labelled_pixel(ids) -> None:
    holes = ids == 0
    if holes.all():
        return
    filled = fill_holes(ids, holes)
    assert (filled > 0).all() and (filled[~holes] == ids[~holes]).all()
    ys, xs = np.nonzero(~holes)
    for y, x in zip(*np.nonzero(holes), strict=True):
        d = np.hypot(ys - y, xs - x)
        near = ids[ys[d <= d.min() + 1.5], xs[d <= d.min() + 1.5]]  # 3x3 mask: approximate
        assert filled[y, x] in near


@pytest.mark.parametrize("edge", [203, 206])
def test_refinement_snaps_a_coarse_border_to_the_image_edge(edge: int) -> None:
    guide = np.full((400, 400), 0.2, np.float32)
    guide[:, edge:] = 0.8  # the true border
    coarse = np.zeros((50, 50), np.uint8)
    coarse[:, 25:] = 1  # the model's border, at x = 200
    assert np.argmax(upsample_labels(coarse, (400, 400))[0]) == 200
    refined, support = refine_labels(coarse, guide, radius=0.05, eps=1e-3, work_pixels=160_000)
    assert (np.argmax(refined, axis=1) == edge).all()
    assert support.min() >= 0.0 and support.max() <= 1.0
    # With coefficients computed at a quarter of the pixels, the border still moves.
    coarse_work, _ = refine_labels(coarse, guide, radius=0.05, eps=1e-3, work_pixels=40_000)
    assert abs(np.argmax(coarse_work[0]) - edge) < abs(200 - edge)


def test_refinement_of_a_single_class_is_constant() -> None:
    labels, support = refine_labels(np.full((5, 5), 3, np.uint8), np.zeros((9, 7), np.float32))
    assert (labels == 3).all() and (support == 1).all()


def test_superpixels_cover_the_image() -> None:
    gray = np.zeros((120, 160), np.uint8)
    gray[:, 80:] = 200
    regions = superpixels(gray, work_pixels=5000)
    assert regions.shape == gray.shape
    assert len(np.unique(regions[:, :70])) == 1 and regions[0, 0] != regions[0, 150]
