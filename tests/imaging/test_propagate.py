"""Confidence-weighted edge-aware chroma propagation on small synthetic images."""

from __future__ import annotations

import numpy as np
import pytest

from panocolor.imaging.propagate import lightness_guide, propagate_chroma


def _two_regions(height: int = 40, width: int = 60) -> np.ndarray:
    lightness = np.full((height, width), 30.0, np.float32)
    lightness[:, width // 2 :] = 70.0
    return lightness


def test_seeds_fill_their_own_region_and_do_not_cross_an_edge():
    """One confident pixel per flat region colours that whole region, and only it."""
    lightness = _two_regions()
    chroma = np.zeros(lightness.shape + (2,), np.float32)
    confidence = np.zeros(lightness.shape, np.float32)
    chroma[20, 3], confidence[20, 3] = (40.0, 10.0), 1.0
    chroma[5, 57], confidence[5, 57] = (-30.0, -20.0), 1.0
    ab = propagate_chroma(lightness, chroma, confidence)
    np.testing.assert_allclose(ab[:, :30], np.broadcast_to((40.0, 10.0), (40, 30, 2)), atol=0.5)
    np.testing.assert_allclose(ab[:, 30:], np.broadcast_to((-30.0, -20.0), (40, 30, 2)), atol=0.5)


def test_confident_pixels_outvote_unconfident_ones_in_a_flat_region():
    """A blotch of low-confidence colour in a flat region takes the region's tone."""
    rng = np.random.default_rng(0)
    lightness = np.full((48, 48), 50.0, np.float32)
    chroma = np.broadcast_to(np.float32([20.0, 30.0]), (48, 48, 2)).copy()
    confidence = np.ones((48, 48), np.float32)
    blotch = slice(8, 24), slice(8, 24)
    chroma[blotch] = (-40.0, -40.0)
    confidence[blotch] = 0.01
    chroma += rng.normal(0.0, 1.0, chroma.shape).astype(np.float32)
    ab = propagate_chroma(lightness, chroma, confidence)
    assert np.abs(ab[blotch] - (20.0, 30.0)).max() < 2.0
    # Without confidence, the same smoothing only dilutes the blotch.
    plain = propagate_chroma(lightness, chroma)
    assert np.abs(plain[blotch] - (20.0, 30.0)).max() > 8.0


def test_a_constant_field_is_reproduced_whatever_the_confidence():
    rng = np.random.default_rng(1)
    lightness = rng.uniform(0.0, 100.0, (32, 24)).astype(np.float32)
    chroma = np.broadcast_to(np.float32([-12.5, 33.0]), (32, 24, 2))
    confidence = rng.uniform(0.0, 1.0, (32, 24)).astype(np.float32)
    ab = propagate_chroma(lightness, chroma, confidence)
    assert ab.dtype == np.float32 and ab.shape == (32, 24, 2)
    np.testing.assert_allclose(ab, chroma, atol=1e-3)


def test_zero_confidence_everywhere_gives_neutral_gray():
    lightness = _two_regions()
    chroma = np.full(lightness.shape + (2,), 25.0, np.float32)
    ab = propagate_chroma(lightness, chroma, np.zeros(lightness.shape, np.float32))
    assert not ab.any()


def test_inputs_are_left_untouched_and_the_result_is_deterministic():
    rng = np.random.default_rng(2)
    lightness = rng.uniform(0.0, 100.0, (20, 30)).astype(np.float32)
    chroma = rng.normal(0.0, 20.0, (20, 30, 2)).astype(np.float32)
    confidence = rng.uniform(0.0, 1.0, (20, 30)).astype(np.float32)
    copies = lightness.copy(), chroma.copy(), confidence.copy()
    first = propagate_chroma(lightness, chroma, confidence)
    for array, copy in zip((lightness, chroma, confidence), copies, strict=True):
        np.testing.assert_array_equal(array, copy)
    np.testing.assert_array_equal(first, propagate_chroma(lightness, chroma, confidence))


def test_shapes_are_checked():
    with pytest.raises(ValueError, match="chroma"):
        propagate_chroma(np.zeros((4, 5), np.float32), np.zeros((5, 4, 2), np.float32))


def test_lightness_guide_spans_eight_bits():
    guide = lightness_guide(np.float32([[-5.0, 0.0, 50.0, 100.0, 120.0]]))
    np.testing.assert_array_equal(guide, [[0, 0, 128, 255, 255]])
