"""The gamut-safe composition of L* and chroma: its invariants, and the search it replaced."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from panocolor.composite.compose import compose_lab
from panocolor.imaging.colorspace import lab_to_linear, lightness_to_gray, rgb_to_lab


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


def _bisection_scale(lightness: np.ndarray, ab: np.ndarray, iterations: int = 20) -> np.ndarray:
    """The reference: per pixel, the largest s in [0, 1] with (L*, s a*, s b*) in sRGB.

    What compose_lab did before its chroma table (bisection over the scale).
    """
    low = np.zeros(lightness.shape, np.float32)
    high = np.ones(lightness.shape, np.float32)
    for _ in range(iterations):
        mid = (low + high) * 0.5
        lab = np.concatenate([lightness[:, None], ab * mid[:, None]], axis=-1)
        linear = lab_to_linear(lab)
        ok = np.all((linear >= -1e-6) & (linear <= 1.0 + 1e-6), axis=-1)
        low, high = np.where(ok, mid, low), np.where(ok, high, mid)
    return low


def _chroma(lab: np.ndarray) -> np.ndarray:
    return np.hypot(lab[..., 1], lab[..., 2])


def _random_and_edge_colours() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    lightness = rng.uniform(0, 100, 20000).astype(np.float32)
    ab = rng.uniform(-128, 127, (20000, 2)).astype(np.float32)
    hues = np.radians(np.arange(0, 360, 2.5, dtype=np.float32))
    saturated = 180.0 * np.stack([np.cos(hues), np.sin(hues)], axis=-1)
    edges_l = np.repeat(np.float32([0.0, 0.3, 50.0, 99.7, 100.0]), len(hues))
    lightness = np.concatenate([lightness, edges_l, np.linspace(0, 100, 50, dtype=np.float32)])
    ab = np.concatenate([ab, np.tile(saturated, (5, 1)), np.zeros((50, 2), np.float32)])
    return lightness, ab.astype(np.float32)


def test_compose_matches_the_bisection_it_replaced():
    lightness, ab = _random_and_edge_colours()
    out = rgb_to_lab(compose_lab(lightness[None], ab[None]))[0]
    expected = _bisection_scale(lightness, ab) * np.hypot(ab[:, 0], ab[:, 1])
    deviation = _chroma(out) - expected
    hue = np.degrees(np.arctan2(ab[:, 1], ab[:, 0])) % 360
    # Near the yellow cusp the boundary folds and the bisection lands on either side.
    usual = ~((lightness > 90) & (hue > 90) & (hue < 120))
    assert np.abs(out[:, 0] - lightness).max() <= 0.02
    assert deviation[usual].max() <= 0.5  # never more saturated than the boundary allows
    assert deviation[usual].min() >= -6.0  # at most 6 C* less, near L* 0 and the blue cusp
    assert np.percentile(np.abs(deviation[usual]), 99) <= 0.5
    assert np.abs(deviation).mean() <= 0.2


def test_compose_on_the_gray_axis_and_at_black_and_white():
    lightness = np.linspace(0, 100, 101, dtype=np.float32)[None]
    gray = compose_lab(lightness, np.zeros(lightness.shape + (2,), np.float32))
    np.testing.assert_allclose(
        gray, np.repeat(lightness_to_gray(lightness)[..., None], 3, 2), atol=1e-4
    )
    ends = compose_lab(np.float32([[0.0, 100.0]]), np.float32([[[90.0, -60.0], [-40.0, 120.0]]]))
    np.testing.assert_allclose(ends, [[[0, 0, 0], [1, 1, 1]]], atol=1e-4)
