"""Hints move only chroma: the output's L* is the input's, whatever the photo and hints."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from panocolor.composite import compose_lab
from panocolor.hints import Hint, apply_hints, make_guidance
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.pipeline import Colorizer, Settings
from panocolor.types import ColorImage, GrayImage

colours = st.tuples(*[st.integers(0, 255)] * 3)


@st.composite
def photos_with_hints(draw):
    height, width = draw(st.integers(8, 90)), draw(st.integers(8, 90))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    # Smooth shapes plus hard edges and noise, L* over the whole range.
    coarse = rng.uniform(0, 100, (max(2, height // 8), max(2, width // 8))).astype(np.float32)
    lightness = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_NEAREST)
    lightness = np.clip(lightness + rng.normal(0, 3, lightness.shape), 0, 100).astype(np.float32)
    chroma = rng.normal(0, 30, (height, width, 2)).astype(np.float32)
    count = draw(st.integers(1, 12))
    hints = [
        Hint(draw(st.integers(0, width - 1)), draw(st.integers(0, height - 1)), draw(colours))
        for _ in range(count)
    ]
    return lightness, chroma, hints


@given(photos_with_hints())
def test_lightness_is_exact_with_hints(case):
    lightness, chroma, hints = case
    ab = apply_hints(lightness, chroma, make_guidance(hints))
    assert ab.shape == chroma.shape and np.isfinite(ab).all()
    out = rgb_to_lab(compose_lab(lightness, ab))[..., 0]
    assert np.abs(out - lightness).max() < 0.02


@given(photos_with_hints(), st.booleans())
def test_colorizer_keeps_lightness_with_hints(case, with_reference):
    """Through Colorizer (8-bit output), with a reference or from the hints alone."""
    lightness, chroma, hints = case
    lab = np.dstack([np.full(chroma.shape[:2], 60.0, np.float32), chroma])
    reference = ColorImage(lab) if with_reference else None
    colorizer = Colorizer(Settings(transfer="reinhard", segmenter="none"))
    result = colorizer(GrayImage(lightness), reference, hints=hints)
    out = rgb_to_lab(result.rgb / 255.0)[..., 0]
    assert np.abs(out - lightness).max() < 0.6  # 8-bit rounding
