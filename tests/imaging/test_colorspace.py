"""Colour conversions against scikit-image."""

import numpy as np
from skimage import color

from panocolor.imaging.colorspace import (
    gray_to_lightness,
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
