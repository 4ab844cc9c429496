"""Colour conversions against scikit-image, and the gamut-safe composition's invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import color

from panocolor.colorspace import (
    compose_lab,
    gray_to_lightness,
    lab_to_linear,
    lab_to_rgb,
    lightness_to_gray,
    rgb_to_lab,
)


def test_rgb_to_lab_matches_skimage():
    rgb = np.random.default_rng(0).random((64, 64, 3)).astype(np.float32)
    np.testing.assert_allclose(rgb_to_lab(rgb), color.rgb2lab(rgb), atol=1e-3)


def test_lab_to_rgb_round_trip():
    rgb = np.random.default_rng(1).random((32, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(lab_to_rgb(rgb_to_lab(rgb)), rgb, atol=1e-4)


def test_gray_lightness_round_trip_and_skimage():
    gray = np.linspace(0, 1, 1001, dtype=np.float32)[None]
    lightness = gray_to_lightness(gray)
    np.testing.assert_allclose(lightness, color.rgb2lab(np.dstack([gray] * 3))[..., 0], atol=1e-3)
    np.testing.assert_allclose(lightness_to_gray(lightness), gray, atol=1e-5)


def test_compose_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="ab must have shape"):
        compose_lab(np.zeros((4, 4)), np.zeros((4, 5, 2)))


lightness_maps = arrays(np.float32, (6, 7), elements=st.floats(0, 100, width=32))
chroma_maps = arrays(np.float32, (6, 7, 2), elements=st.floats(-128, 127, width=32))


@settings(max_examples=60, deadline=None)
@given(lightness=lightness_maps, ab=chroma_maps)
def test_compose_keeps_lightness_and_stays_in_gamut(lightness, ab):
    rgb = compose_lab(lightness, ab)
    assert rgb.min() >= 0.0 and rgb.max() <= 1.0
    # Exact in float, before any quantisation.
    np.testing.assert_allclose(rgb_to_lab(rgb)[..., 0], lightness, atol=0.02)
    # Within 0.5 L* after 8-bit rounding, 0.05 after 16-bit (the product's promise).
    for white, tolerance in ((255, 0.5), (65535, 0.05)):
        quantised = np.round(rgb * white) / white
        assert np.abs(rgb_to_lab(quantised)[..., 0] - lightness).max() <= tolerance


@settings(max_examples=60, deadline=None)
@given(lightness=lightness_maps, ab=chroma_maps)
def test_compose_reduces_chroma_without_turning_hue(lightness, ab):
    lab = rgb_to_lab(compose_lab(lightness, ab))
    chroma_in = np.hypot(ab[..., 0], ab[..., 1])
    chroma_out = np.hypot(lab[..., 1], lab[..., 2])
    assert np.all(chroma_out <= chroma_in + 0.05)
    visible = (chroma_out > 5) & (chroma_in > 5)
    hue_in = np.arctan2(ab[..., 1], ab[..., 0])[visible]
    hue_out = np.arctan2(lab[..., 2], lab[..., 1])[visible]
    turn = np.angle(np.exp(1j * (hue_out - hue_in)))
    assert np.all(np.abs(turn) < 0.05)


def test_compose_keeps_in_gamut_colours_unchanged():
    rgb = np.random.default_rng(2).random((16, 16, 3)).astype(np.float32)
    lab = rgb_to_lab(rgb)
    np.testing.assert_allclose(compose_lab(lab[..., 0], lab[..., 1:]), rgb, atol=1e-4)
    assert np.all(np.isfinite(lab_to_linear(lab)))
