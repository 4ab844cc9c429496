"""The stuff probe: shipped weights, reproducible training, better stuff names."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from panocolor.evaluate.train_stuff import main as train
from panocolor.segment import Segmentation, build_segmenter
from panocolor.segment.classes import resolve_class
from panocolor.segment.deeplab import probe_stuff
from panocolor.segment.stuff import GROUPS, OUTPUTS, StuffProbe, default_probe, probe_inputs


def test_shipped_probe_loads_with_the_expected_shape() -> None:
    probe = default_probe()
    assert probe.weights.shape == (2 * 320 + 19 + 3, len(OUTPUTS))
    assert probe.mean.shape == probe.scale.shape == (probe.weights.shape[0],)
    assert np.isfinite(probe.weights).all() and (probe.scale > 0).all()


def test_group_names_are_names_users_can_type() -> None:
    from panocolor.segment.classes import coco_categories

    for group, ids in GROUPS.items():
        name = coco_categories()[ids[0]].name
        assert resolve_class(name) == name and resolve_class(group) == name


def test_probe_inputs_and_soft_fusion_are_deterministic() -> None:
    rng = np.random.default_rng(0)
    descriptors = rng.normal(size=(33, 33, 320)).astype(np.float32)
    cityscapes = rng.integers(0, 19, (513, 513)).astype(np.uint8)
    gray = rng.integers(0, 256, (200, 300)).astype(np.uint8)
    inputs = probe_inputs(descriptors, cityscapes, gray)
    assert inputs.shape == (33 * 33, 662)
    p = default_probe().probabilities(inputs)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    grid = p.reshape(33, 33, -1)
    first, second = probe_stuff(grid, (513, 513)), probe_stuff(grid.copy(), (513, 513))
    assert first.dtype == np.uint8 and np.array_equal(first, second)
    assert first.max() < len(OUTPUTS)


def test_soft_fusion_puts_borders_between_cell_centres() -> None:
    probabilities = np.zeros((2, 2, len(OUTPUTS)), np.float32)
    probabilities[0, :, 1] = 1.0  # top row sky
    probabilities[1, :, 2] = 0.6  # bottom row mostly tree
    probabilities[1, :, 3] = 0.4
    out = probe_stuff(probabilities, (100, 100))
    assert set(np.unique(out[:40])) == {1} and set(np.unique(out[60:])) == {2}


def test_probe_rejects_other_group_tables() -> None:
    probe = default_probe()
    with pytest.raises(ValueError, match="weights must be"):
        StuffProbe(probe.mean, probe.scale, probe.weights[:, :3], probe.bias[:3])


def test_training_command_is_reproducible_on_two_photos(shared_data, model_dir, tmp_path) -> None:
    args = ["--data", str(shared_data), "--model-dir", str(model_dir), "--limit", "2"]
    assert train([*args, "--out", str(tmp_path / "a.npz")]) == 0
    assert train([*args, "--out", str(tmp_path / "b.npz")]) == 0
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    probe = StuffProbe.load(tmp_path / "a.npz")
    assert probe.weights.shape == default_probe().weights.shape


def test_probe_calls_a_mountain_stream_sky_tree_and_grass(shared_data, model_dir) -> None:
    """Kodak is not in the probe's training set: kodim13's sky, trees and meadow."""
    from panocolor.io import read_gray

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lightness = read_gray(shared_data / "kodak" / "kodim13.png").lightness
    top = slice(0, lightness.shape[0] // 6)

    def top_label(segmentation: Segmentation) -> str:
        ids, counts = np.unique(segmentation.ids[top], return_counts=True)
        return segmentation.get(int(ids[counts.argmax()])).label

    with_probe = build_segmenter("deeplab", model_dir=model_dir, probe="default")(lightness)
    without = build_segmenter("deeplab", model_dir=model_dir, probe=None)(lightness)
    assert isinstance(with_probe, Segmentation) and with_probe.ids.shape == lightness.shape
    assert top_label(with_probe) == "sky-other-merged"
    assert top_label(without) == "building-other-merged"  # what the probe fixes
    labels = {s.label for s in with_probe.segments}
    assert {"tree-merged", "grass-merged"} <= labels and "road" not in labels
    assert all(s.class_id > 0 or s.label.startswith("unknown-") for s in with_probe.segments)
