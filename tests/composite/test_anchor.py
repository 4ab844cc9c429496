"""Anchoring a weakly matched segment's colour to its reference region's mean."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from panocolor.composite.anchor import (
    CONFIDENT,
    anchor_segment,
    anchor_to_region,
    coherent_tone,
    matched_confidence,
)
from panocolor.reference.base import region_chroma
from panocolor.transfer.base import RegionPair


def field(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 8.0, (12, 16, 2)).astype(np.float32)


def test_region_chroma_is_the_regions_mean_and_none_without_a_region():
    lab = np.zeros((4, 4, 3), np.float32)
    lab[:2, :, 1:] = (30.0, -10.0)
    region = np.zeros((4, 4), bool)
    region[:2] = True
    np.testing.assert_allclose(region_chroma(lab, region), [30.0, -10.0])
    assert region_chroma(lab, None) is None
    assert region_chroma(lab, np.zeros((4, 4), bool)) is None


@given(st.floats(1e-3, 1.0), st.integers(0, 2**16))  # 0: no matches (below)
def test_the_shift_grows_as_the_matches_weaken_and_keeps_the_texture(confidence, seed):
    chroma = field(seed)
    core = np.zeros(chroma.shape[:2], bool)
    core[2:9, 3:12] = True
    target = np.array([25.0, -15.0], np.float32)
    out = anchor_to_region(
        chroma, core, matched_confidence(np.full(core.shape, confidence, np.float32), core), target
    )
    strength = max(0.0, 1.0 - confidence / CONFIDENT)
    before, after = chroma[core].mean(axis=0), out[core].mean(axis=0)
    np.testing.assert_allclose(after - before, strength * (target - before), atol=1e-3)
    # One shift for the whole field: differences between pixels stay as matched.
    np.testing.assert_allclose(out - out[0, 0], chroma - chroma[0, 0], atol=1e-3)


def test_a_confident_segment_or_one_without_region_or_matches_is_left_alone():
    chroma, core = field(), np.ones((12, 16), bool)
    target = np.array([40.0, 0.0], np.float32)
    assert (
        anchor_to_region(chroma, core, matched_confidence(np.full(core.shape, 0.8), core), target)
        is chroma
    )
    assert (
        anchor_to_region(chroma, core, matched_confidence(np.full(core.shape, 0.1), core), None)
        is chroma
    )
    unmatched = np.zeros(core.shape, np.float32)
    assert anchor_to_region(chroma, core, matched_confidence(unmatched, core), target) is chroma


def test_only_the_cores_matched_pixels_set_the_confidence():
    chroma, core = field(), np.zeros((12, 16), bool)
    core[:, :8] = True
    confidence = np.zeros(core.shape, np.float32)
    confidence[::2, :8:2] = 0.25  # a lattice of matches inside the core, none elsewhere
    confidence[:, 8:] = 1.0  # a confident neighbour does not count
    out = anchor_to_region(
        chroma, core, matched_confidence(confidence, core), np.array([10.0, 10.0], np.float32)
    )
    before = chroma[core].mean(axis=0)
    expected = 0.5 * (np.array([10.0, 10.0]) - before)  # 1 - 0.25 / 0.5
    np.testing.assert_allclose(out[core].mean(axis=0) - before, expected, atol=1e-3)


@pytest.mark.parametrize("confident", [0.25, 1.0])
def test_confident_sets_where_anchoring_stops(confident):
    chroma, core = field(), np.ones((12, 16), bool)
    half = np.full(core.shape, confident / 2, np.float32)
    out = anchor_to_region(
        chroma, core, matched_confidence(half, core), np.zeros(2, np.float32), confident=confident
    )
    np.testing.assert_allclose(out.mean(axis=(0, 1)), 0.5 * chroma.mean(axis=(0, 1)), atol=1e-3)


def test_a_weak_segment_becomes_one_tone_per_surface_the_gray_photo_shows():
    """Patches on one even surface merge; a lightness edge and the outside are kept."""
    rng = np.random.default_rng(3)
    lightness = np.full((40, 60), 70.0, np.float32)
    lightness[:, 30:] = 30.0  # two surfaces: light left, dark right
    lightness += rng.normal(0, 0.3, lightness.shape).astype(np.float32)
    chroma = np.zeros((40, 60, 2), np.float32)
    chroma[:20, :30] = (25.0, 30.0)  # the light surface in a yellow and a green patch
    chroma[20:, :30] = (-20.0, 10.0)
    chroma[:, 30:] = (0.0, -30.0)  # the dark one blue
    core = np.zeros((40, 60), bool)
    core[:, :55] = True
    toned = coherent_tone(chroma, lightness, core)
    light = toned[2:-2, 2:28]
    assert np.ptp(light[..., 0]) < 5.0, "the light surface is one tone"
    assert light[..., 0].mean() == pytest.approx(2.5, abs=3.0)  # between its two patches
    assert np.abs(toned[5:-5, 34:52] - (0.0, -30.0)).max() < 1.0, "the edge is kept"
    np.testing.assert_array_equal(toned[~core], chroma[~core])  # outside: untouched
    assert coherent_tone(chroma, lightness, np.zeros_like(core)) is chroma


def test_only_weak_segments_are_made_coherent_with_or_without_a_region():
    """From ``CONFIDENT`` up a segment is kept as matched; below, even one with no region
    to anchor to (an ``unknown-k`` segment) is made one tone."""
    lightness = np.full((12, 16), 50.0, np.float32)
    chroma = field()
    core = np.ones((12, 16), bool)
    pair = RegionPair(core, None, core)
    reference = np.zeros((12, 16, 3), np.float32)

    def anchored(trust: float) -> np.ndarray:
        # No matcher: neither path may need its parts (there is no region to part).
        return anchor_segment(None, lightness, lightness, reference, pair, chroma, trust, None)

    assert anchored(CONFIDENT) is chroma
    toned = anchored(0.2)
    assert np.ptp(toned[..., 0]) < 0.2 * np.ptp(chroma[..., 0])
