"""The blotchiness metric on synthetic images where the answer is known."""

import numpy as np
import pytest
from skimage import data

from panocolor.evaluate.region_metrics import blotchiness
from panocolor.imaging.colorspace import rgb_to_lab

SIDE = 96


def _lab(lightness: np.ndarray, ab: np.ndarray) -> np.ndarray:
    return np.concatenate([lightness[..., None], ab], axis=-1).astype(np.float32)


def _flat_scene() -> tuple[np.ndarray, np.ndarray]:
    """Even lightness (a face, say) and its true, uniform skin chroma."""
    lightness = np.full((SIDE, SIDE), 65.0, np.float32)
    return lightness, np.broadcast_to(np.float32([18.0, 20.0]), (SIDE, SIDE, 2))


def test_patchy_colouring_scores_worse_than_a_coherent_one_of_the_same_mean():
    lightness, skin = _flat_scene()
    truth = _lab(lightness, skin)
    coherent = _lab(lightness, np.broadcast_to(np.float32([5.0, 25.0]), skin.shape))
    rows, cols = np.mgrid[:SIDE, :SIDE]
    checker = np.where(((rows // 16 + cols // 16) % 2)[..., None] == 0, 1.0, -1.0)
    patchy = _lab(lightness, np.float32([5.0, 25.0]) + checker * np.float32([-30.0, 25.0]))
    assert patchy[..., 1:].mean(axis=(0, 1)) == pytest.approx(coherent[0, 0, 1:], abs=1e-3)
    assert blotchiness(coherent, truth) == pytest.approx(0.0, abs=1e-6)
    assert blotchiness(patchy, truth) > 1.0


def test_a_chroma_edge_on_a_lightness_edge_is_not_penalised():
    rows, cols = np.mgrid[:SIDE, :SIDE]
    left = (cols < SIDE // 2)[..., None]
    lightness = np.where(left[..., 0], 40.0, 70.0).astype(np.float32)
    truth = _lab(lightness, np.zeros((SIDE, SIDE, 2), np.float32))
    on_edge = _lab(lightness, np.where(left, [40.0, -20.0], [-10.0, 30.0]))
    assert blotchiness(on_edge, truth) < 1e-3
    # The same chroma edge 20 px away from the lightness edge is a blotch.
    shifted = (cols < SIDE // 2 - 20)[..., None]
    off_edge = _lab(lightness, np.where(shifted, [40.0, -20.0], [-10.0, 30.0]))
    assert blotchiness(off_edge, truth) > 0.1


def test_truth_and_gray_score_zero_on_a_photo():
    truth = rgb_to_lab(data.astronaut()[::4, ::4] / 255.0)
    gray = truth.copy()
    gray[..., 1:] = 0.0
    assert blotchiness(truth, truth) == 0.0
    assert blotchiness(gray, truth) == 0.0
    noisy = truth.copy()
    noisy[..., 1:] += np.random.default_rng(0).normal(0, 15, truth[..., 1:].shape)
    assert blotchiness(noisy, truth) > blotchiness(truth, truth)


def test_blotchiness_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shapes differ"):
        blotchiness(np.zeros((4, 4, 3)), np.zeros((4, 5, 3)))
