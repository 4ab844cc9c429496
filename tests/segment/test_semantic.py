"""Semantic descriptors from the DeepLab VOC model's inner tensors, on real photos."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from panocolor.imaging import lightness_to_uint8 as to_uint8
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.segment import DeepLabModel, build_segmenter
from panocolor.segment.classes import model_labels
from panocolor.segment.deeplab import CITYSCAPES_MODEL, VOC_MODEL
from panocolor.segment.semantic import (
    LAYERS,
    DeepLabEncoder,
    SemanticFeatures,
    joint_pca,
    to_grid,
)


def lightness_of(rgb: np.ndarray) -> np.ndarray:
    return rgb_to_lab(rgb / 255.0)[..., 0]


@pytest.fixture(scope="module")
def voc(model_dir) -> DeepLabModel:
    return DeepLabModel.shared(model_dir / VOC_MODEL)


@pytest.mark.parametrize(
    ("layer", "shape"),
    [("backbone", (33, 33, 320)), ("aspp", (33, 33, 256)), ("fine", (65, 65, 192))],
)
def test_run_gives_ids_and_descriptors_of_each_layer(voc, layer, shape) -> None:
    gray = to_uint8(lightness_of(data.chelsea()))
    ids, features = voc.run(gray, layer=layer)
    np.testing.assert_array_equal(ids, voc(gray))
    assert features.descriptors.shape == shape and features.descriptors.dtype == np.float32
    assert features.layer == layer and features.image_size == gray.shape
    assert np.isfinite(features.descriptors).all() and features.descriptors.std() > 0.1
    # The soft class scores are the model's: their argmax is the cat over the middle.
    assert features.logits.shape == (33, 33, 21)
    cat = model_labels("voc").index("cat")
    assert (features.logits[10:23, 10:23].argmax(-1) == cat).mean() > 0.8


def test_inner_tensors_are_not_reused_buffers(voc) -> None:
    """The backbone tensor is not the logits (what the runtime returns without preserve-all)."""
    _, features = voc.run(to_uint8(lightness_of(data.astronaut())))
    backbone, logits = features.descriptors, features.logits
    assert backbone.shape[:2] == logits.shape[:2]
    assert not np.allclose(backbone[..., :21], logits)
    assert backbone.min() < 0 < backbone.max()  # the projection layer is linear (no ReLU)


def test_one_model_run_serves_the_segmenter_and_the_encoder(model_dir) -> None:
    lightness = lightness_of(data.coffee())
    segmenter = build_segmenter("deeplab", model_dir=model_dir)
    encoder = DeepLabEncoder(model_dir)
    assert encoder.model is segmenter.voc
    before = segmenter.voc.runs
    segmenter(lightness)
    features = encoder(lightness)
    encoder(lightness[::-1].copy())  # another photo does run the model
    assert segmenter.voc.runs == before + 2
    assert features.image_size == lightness.shape and features.grid == (33, 33)


def test_only_the_voc_model_has_semantics(model_dir) -> None:
    cityscapes = DeepLabModel.shared(model_dir / CITYSCAPES_MODEL, inner=False)
    assert not cityscapes.has_semantics
    with pytest.raises(ValueError, match="no descriptor layer 'backbone'"):
        cityscapes.run(np.full((40, 40), 128, np.uint8))
    with pytest.raises(ValueError, match="layer must be one of backbone, aspp, fine"):
        DeepLabEncoder(model_dir, layer="logits")


def test_descriptors_find_the_same_place_in_a_mirrored_photo(model_dir) -> None:
    """Nearest descriptors across a photo and its mirror image are mostly mirrored cells."""
    encoder = DeepLabEncoder(model_dir)
    lightness = lightness_of(data.astronaut())
    a = encoder(lightness).descriptors
    b = encoder(lightness[:, ::-1].copy()).descriptors
    flat_a, flat_b = a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1])
    distance = ((flat_a[:, None, :] - flat_b[None, :, :]) ** 2).sum(-1)
    row, col = np.divmod(distance.argmin(axis=1), b.shape[1])
    own_row, own_col = np.divmod(np.arange(len(flat_a)), a.shape[1])
    near = (np.abs(row - own_row) <= 2) & (np.abs(col - (a.shape[1] - 1 - own_col)) <= 2)
    assert near.mean() > 0.6


def test_features_are_validated() -> None:
    good = np.zeros((3, 3, 4), np.float32)
    with pytest.raises(ValueError, match="descriptors must be an \\(h, w, C\\) float32"):
        SemanticFeatures(np.zeros((3, 3), np.float32), good, (10, 10))
    with pytest.raises(ValueError, match="logits must be"):
        SemanticFeatures(good, good.astype(np.float64), (10, 10))
    with pytest.raises(ValueError, match="image_size must be"):
        SemanticFeatures(good, good, (0, 10))
    assert SemanticFeatures(good, good, (10.0, 12.0)).image_size == (10, 12)


def test_joint_pca_shares_one_basis_and_scales_the_first_component(model_dir) -> None:
    encoder = DeepLabEncoder(model_dir)
    a = encoder(lightness_of(data.astronaut())).descriptors
    b = encoder(lightness_of(data.coffee())).descriptors
    ra, rb = joint_pca(a, b, 8)
    assert ra.shape == (33, 33, 8) and rb.shape == (33, 33, 8) and ra.dtype == np.float32
    pooled = np.concatenate([ra.reshape(-1, 8), rb.reshape(-1, 8)])
    np.testing.assert_allclose(pooled.mean(0), 0, atol=1e-4)
    spread = pooled.std(0)
    assert spread[0] == pytest.approx(1.0, rel=1e-4)
    assert np.all(np.diff(spread) <= 1e-5)  # components ordered by spread
    # One basis: the same descriptors give the same projection on either side.
    same_a, same_b = joint_pca(a, a.copy(), 8)
    np.testing.assert_allclose(same_a, same_b)
    with pytest.raises(ValueError, match="descriptor channels differ"):
        joint_pca(a, b[..., :10], 8)
    with pytest.raises(ValueError, match="components must be >= 1"):
        joint_pca(a, b, 0)


def test_to_grid_resamples_bilinearly() -> None:
    grid = np.zeros((2, 2, 3), np.float32)
    grid[:, 1] = 1.0
    out = to_grid(grid, (4, 8))
    assert out.shape == (4, 8, 3)
    np.testing.assert_allclose(out[:, 0], 0.0)
    np.testing.assert_allclose(out[:, -1], 1.0)
    assert np.all(np.diff(out[0, :, 0]) >= 0)
    assert to_grid(grid[..., :1], (1, 1)).shape == (1, 1, 1)


def test_layers_table_names_real_tensors(voc) -> None:
    assert voc.has_semantics
    assert set(LAYERS) == {"backbone", "aspp", "fine"}
