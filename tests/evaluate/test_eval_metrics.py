"""Evaluation metrics against hand values and scikit-image references."""

from __future__ import annotations

import math

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from panocolor.composite.compose import compose_lab
from panocolor.evaluate.metrics import (
    colourfulness,
    colourfulness_ratio,
    mean_ciede2000,
    p99_lightness_error,
    psnr,
    ssim,
    to_unit_rgb,
)
from panocolor.imaging.colorspace import gray_to_lightness

RNG = np.random.default_rng(0)


def test_psnr_of_known_noise() -> None:
    truth = np.full((8, 8, 3), 128 / 255, np.float32)
    noise = np.where(np.indices((8, 8, 3)).sum(axis=0) % 2 == 0, 4, -4) / 255
    assert psnr(truth + noise, truth) == pytest.approx(20 * math.log10(255 / 4), abs=1e-6)


def test_psnr_matches_skimage_and_is_infinite_for_identical_images() -> None:
    truth = RNG.random((20, 30, 3))
    output = np.clip(truth + RNG.normal(0, 0.05, truth.shape), 0, 1)
    assert psnr(output, truth) == pytest.approx(
        peak_signal_noise_ratio(truth, output, data_range=1.0)
    )
    assert psnr(truth, truth) == math.inf


def test_ssim_matches_skimage_and_handles_tiny_images() -> None:
    truth = RNG.random((32, 24, 3))
    output = np.clip(truth + RNG.normal(0, 0.1, truth.shape), 0, 1)
    expected = structural_similarity(output, truth, channel_axis=-1, data_range=1.0)
    assert ssim(output, truth) == pytest.approx(expected)
    assert ssim(truth, truth) == pytest.approx(1.0)
    assert ssim(truth[:5, :4], truth[:5, :4]) == pytest.approx(1.0)


def test_metrics_reject_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="shapes differ"):
        psnr(np.zeros((4, 4, 3)), np.zeros((4, 5, 3)))


# Sharma, Wu & Dalal (2005), supplementary test data, pairs 1, 2, 7 and 17.
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
]


def test_ciede2000_reproduces_sharma_test_data() -> None:
    first = np.array([[a for a, _, _ in SHARMA]])
    second = np.array([[b for _, b, _ in SHARMA]])
    expected = np.mean([d for _, _, d in SHARMA])
    assert mean_ciede2000(first, second) == pytest.approx(expected, abs=1e-4)
    assert mean_ciede2000(first[:, :1], second[:, :1]) == pytest.approx(2.0425, abs=1e-4)
    assert mean_ciede2000(first, first) == 0.0


def test_colourfulness_of_flat_images() -> None:
    assert colourfulness(np.full((6, 6, 3), 0.4)) == 0.0
    red = np.zeros((6, 6, 3))
    red[..., 0] = 1.0  # rg = 255, yb = 127.5 everywhere, no spread
    assert colourfulness(red) == pytest.approx(0.3 * math.hypot(255, 127.5))


def test_colourfulness_of_a_two_colour_image() -> None:
    image = np.zeros((4, 4, 3))
    image[:2, :, 0] = 1.0  # red: rg = 255, yb = 127.5
    image[2:, :, 2] = 1.0  # blue: rg = 0, yb = -255
    sigma_rg, mu_rg = 127.5, 127.5
    sigma_yb, mu_yb = 191.25, -63.75
    expected = math.hypot(sigma_rg, sigma_yb) + 0.3 * math.hypot(mu_rg, mu_yb)
    assert colourfulness(image) == pytest.approx(expected)


def test_colourfulness_does_not_overflow_on_8_bit_input() -> None:
    green = np.zeros((2, 2, 3), np.uint8)
    green[..., 1] = 255  # R - G in uint8 would wrap to 1
    assert colourfulness(to_unit_rgb(green)) == pytest.approx(0.3 * math.hypot(255, 127.5))


def test_colourfulness_ratio() -> None:
    truth = RNG.random((10, 10, 3))
    gray = np.repeat(truth[..., :1], 3, axis=2)
    assert colourfulness_ratio(truth, truth) == pytest.approx(1.0)
    assert colourfulness_ratio(gray, truth) == 0.0
    assert math.isnan(colourfulness_ratio(truth, gray))


def test_p99_lightness_error() -> None:
    pixels = np.full((10, 10, 3), 128, np.uint8)
    lightness = gray_to_lightness(np.full((10, 10), 128 / 255)) + 3.0
    assert p99_lightness_error(pixels, lightness) == pytest.approx(3.0, abs=1e-3)

    lightness = np.linspace(5, 95, 400, dtype=np.float32).reshape(20, 20)
    ab = np.full((20, 20, 2), [20.0, -30.0], np.float32)
    written = np.round(compose_lab(lightness, ab) * 255).astype(np.uint8)
    assert p99_lightness_error(written, lightness) < 0.5


def test_to_unit_rgb_scales_by_dtype() -> None:
    assert to_unit_rgb(np.array([[[65535, 0, 32768]]], np.uint16))[0, 0, 0] == 1.0
    assert to_unit_rgb(np.array([[[255, 0, 51]]], np.uint8))[0, 0, 2] == pytest.approx(0.2)
