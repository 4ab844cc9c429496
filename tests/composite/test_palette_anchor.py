"""A segment whose class no reference shows is anchored to its class's typical colour."""

import numpy as np
import pytest

from panocolor.composite.perobject import faithful_chroma, fast_chroma
from panocolor.reference.base import ImageKey, ReferenceChoice
from panocolor.reference.palette import StuffPalette, segment_anchor
from panocolor.transfer import build_transfer
from panocolor.types import ColorImage
from tests.composite.test_perobject import banded_lab, plan_for, segmentation_of

PALETTE = StuffPalette({"tree-merged": (-30.0, 30.0)})


def test_the_anchor_is_the_region_s_colour_else_the_palette_s_for_a_whole_reference():
    region = np.array([5.0, 5.0], np.float32)
    whole = ReferenceChoice(1, "tree-merged", ImageKey.reference(), (), "whole-reference")
    same = ReferenceChoice(1, "tree-merged", ImageKey.reference(), (3,), "same-class")
    assert segment_anchor(region, same, "tree-merged", PALETTE) is region
    np.testing.assert_array_equal(segment_anchor(None, whole, "tree-merged", PALETTE), (-30, 30))
    assert segment_anchor(None, whole, "person", PALETTE) is None  # no typical colour
    assert segment_anchor(None, whole, "tree-merged", None) is None
    resemblance = ReferenceChoice(1, "tree-merged", ImageKey.reference(), (), "resemblance")
    assert segment_anchor(None, resemblance, "tree-merged", PALETTE) is None


@pytest.fixture(scope="module")
def dark_trees():
    """Sky over field, mirrored as the reference; the target also has dark trees, which
    the reference lacks (so they match its sky, weakly)."""
    rng = np.random.default_rng(0)
    lab = banded_lab(rng)
    bands = np.where(np.arange(90)[:, None] < 45, 1, 2) * np.ones((1, 120), int)
    reference = ColorImage(lab[:, ::-1].copy())
    lightness = lab[..., 0].copy()
    lightness[50:85, 30:90] = 35 + rng.normal(0, 6, (35, 60))
    ids = bands.copy()
    ids[50:85, 30:90] = 3
    target = segmentation_of(ids, {1: "sky", 2: "grass", 3: "tree-merged"})
    plan = plan_for(lightness, target, reference, segmentation_of(bands, {1: "sky", 2: "grass"}))
    assert plan.choice(3).reason == "whole-reference"
    return lightness, target, plan


@pytest.mark.parametrize("mode_chroma", [fast_chroma, faithful_chroma])
def test_weakly_matched_trees_move_to_the_palette_colour_and_the_sky_stays(dark_trees, mode_chroma):
    lightness, target, plan = dark_trees
    transfer = build_transfer("photoreal")
    bare = mode_chroma(lightness, target, plan, transfer)
    anchored = mode_chroma(lightness, target, plan, transfer, palette=PALETTE)
    trust = anchored.confidence[3]
    assert trust < 0.5  # weak: anchoring applies
    trees = (slice(52, 83), slice(32, 88))
    before = bare.ab[trees].reshape(-1, 2).mean(axis=0)
    after = anchored.ab[trees].reshape(-1, 2).mean(axis=0)
    assert before[1] < -20, "without a palette the trees take the reference's blue"
    expected = before + (1 - trust / 0.5) * (np.array([-30.0, 30.0]) - before)
    np.testing.assert_allclose(after, expected, atol=3.0)
    np.testing.assert_allclose(anchored.ab[5:40], bare.ab[5:40], atol=0.5)  # the sky
