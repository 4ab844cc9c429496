"""The hint oracles: told the truth, they remove a bias they can see and nothing else."""

import numpy as np
import pytest

from panocolor.evaluate.hint_ceiling import ceilings, hint_residuals, propagated, segment_shift
from panocolor.hints import Hint
from panocolor.imaging.colorspace import lab_to_rgb, rgb_to_lab

SHAPE = (60, 80)


@pytest.fixture
def scene():
    """Left half dark, right half light; the output is right but for +12 a* on the left."""
    lightness = np.full(SHAPE, 70.0, np.float32)
    lightness[:, :40] = 35.0
    ids = np.where(np.arange(80) < 40, 1, 2)[None, :].repeat(60, axis=0)
    truth_ab = np.zeros(SHAPE + (2,), np.float32)
    truth_ab[:, :40] = (10.0, 20.0)
    truth_ab[:, 40:] = (-15.0, 5.0)
    ab = truth_ab.copy()
    ab[:, :40, 0] += 12.0
    # The truth as 8-bit pixels read back, as the protocol scores against.
    rgb = np.round(lab_to_rgb(np.dstack([lightness, truth_ab])) * 255) / 255
    truth_lab = rgb_to_lab(rgb.astype(np.float32))
    return lightness, ab, truth_ab, truth_lab, ids


def test_hint_residuals_are_the_true_minus_output_window_means(scene):
    _, ab, truth_ab, _, _ = scene
    residuals = hint_residuals(ab, truth_ab, [Hint(10, 30, (0, 0, 0)), Hint(70, 5, (0, 0, 0))])
    np.testing.assert_allclose(residuals, [[-12.0, 0.0], [0.0, 0.0]], atol=1e-5)


def test_segment_shift_corrects_the_hinted_segment_only(scene):
    _, ab, truth_ab, _, ids = scene
    wrong_right = ab.copy()
    wrong_right[:, 40:, 1] -= 6.0  # a bias in the segment no hint falls on
    shifted = segment_shift(wrong_right, truth_ab, ids, [Hint(10, 30, (0, 0, 0))])
    np.testing.assert_allclose(shifted[:, :40], truth_ab[:, :40], atol=1e-4)
    np.testing.assert_array_equal(shifted[:, 40:], wrong_right[:, 40:])


def test_propagated_residual_stays_on_its_side_of_an_edge(scene):
    lightness, ab, truth_ab, _, _ = scene
    hints = [Hint(20, 30, (0, 0, 0))]
    residuals = hint_residuals(ab, truth_ab, hints)
    for fade in (False, True):
        corrected = propagated(
            lightness, ab, hints, residuals, smoothness=1000.0, sigma=3.0, fade=fade
        )
        assert abs(corrected[30, 20, 0] - truth_ab[30, 20, 0]) < 1.0
        # Far side of the L* edge: within 2 a*b* units of the uncorrected output.
        assert np.abs(corrected[:, 44:] - ab[:, 44:]).max() < 2.0


def test_ceilings_rank_the_oracles_below_the_base(scene):
    lightness, ab, _, truth_lab, ids = scene
    scores = ceilings(lightness, ab, truth_lab, ids, [Hint(20, 30, (0, 0, 0))])
    assert scores["base"] > 1.0
    assert scores["segment shift"] < 0.5 * scores["base"]
    assert min(v for k, v in scores.items() if k.startswith("propagated")) < scores["base"]
