"""The default segmenter with the real TFLite models on real small images."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import data

from panocolor.errors import ModelNotFoundError
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.segment import DeepLabModel, DeepLabSegmenter, build_segmenter
from panocolor.segment.classes import model_labels


def lightness_of(rgb: np.ndarray) -> np.ndarray:
    return rgb_to_lab(rgb / 255.0)[..., 0]


@pytest.fixture(scope="module")
def segmenter(model_dir) -> DeepLabSegmenter:
    return build_segmenter("deeplab", model_dir=model_dir)


@pytest.fixture(scope="module")
def chelsea(segmenter):
    lightness = lightness_of(data.chelsea())
    return lightness, segmenter(lightness)


def test_gray_cat_is_one_big_cat_segment(chelsea) -> None:
    lightness, seg = chelsea
    assert seg.shape == lightness.shape
    cats = seg.by_label("cat")
    assert cats and cats[0].is_thing and cats[0].class_id == 17
    assert cats[0].area > 0.6 * lightness.size  # the cat fills most of this photo
    assert 0.5 < cats[0].score <= 1.0
    centre = seg.ids[150:300, 150:350]  # the cat's head and body
    assert (centre == cats[0].id).mean() > 0.9
    assert all(s.source.startswith(("deeplab-", "superpixel")) for s in seg.segments)


def test_thing_and_stuff_ids_never_collide(model_dir) -> None:
    seg = build_segmenter("deeplab", model_dir=model_dir)(lightness_of(data.astronaut()))
    things = [s for s in seg.segments if s.is_thing]
    stuff = [s for s in seg.segments if not s.is_thing]
    assert things and stuff
    assert not {s.id for s in things} & {s.id for s in stuff}
    assert "person" in {s.label for s in things}
    for s in things:  # each instance is one connected piece of its class
        assert seg.mask(s.id).sum() == s.area


def test_every_pixel_is_covered_and_interpreters_are_reused(segmenter, model_dir) -> None:
    lightness = lightness_of(data.coffee())
    seg = segmenter(lightness)
    assert seg.ids.shape == lightness.shape and seg.ids.min() >= 1
    assert sum(s.area for s in seg.segments) == lightness.size
    again = DeepLabSegmenter(model_dir)
    assert again.voc is segmenter.voc and again.cityscapes is segmenter.cityscapes


def test_unrefined_class_map_is_blockier(segmenter, model_dir, chelsea) -> None:
    lightness, _ = chelsea
    plain = DeepLabSegmenter(model_dir, refine=False)
    classes, support = plain.class_map(lightness)
    assert support is None and classes.shape == lightness.shape
    seg = plain(lightness)
    assert all(s.score is None for s in seg.segments)
    assert seg.by_label("cat")[0].area > 0.6 * lightness.size


def test_cityscapes_street_photo_in_gray(model_dir, segmenter) -> None:
    rgb = np.asarray(Image.open(model_dir / "cityscapes_segmentation.bmp").convert("RGB"))
    truth = np.asarray(Image.open(model_dir / "cityscapes_segmentation_mask.bmp"))
    gray = np.round(np.asarray(Image.fromarray(rgb).convert("L"))).astype(np.uint8)
    model = segmenter.cityscapes
    # In colour the model reproduces 92% of the ground truth; in gray, measured 75.6%
    # (trees and hedges become "building"). Guard against regressions of the gray path.
    assert (model(gray) == truth).mean() > 0.74
    # The fused segmenter on the same gray photo, cars from VOC in both. Without the
    # probe, road and sidewalk come from Cityscapes; the probe (never trained on a
    # street photo) calls both "road" and the trees "tree".
    names = model_labels("cityscapes")
    cityscapes_stuff = DeepLabSegmenter(model_dir, probe=None)(lightness_of(rgb))
    probed = segmenter(lightness_of(rgb))
    wanted = [
        (cityscapes_stuff, {"road": "road", "sidewalk": "pavement-merged", "car": "car"}),
        (probed, {"road": "road", "sidewalk": "road", "vegetation": "tree-merged", "car": "car"}),
    ]
    for seg, labels in wanted:
        for trainid_name, label in labels.items():
            inside = truth == names.index(trainid_name)
            predicted = np.isin(seg.ids, [s.id for s in seg.by_label(label)])
            assert predicted[inside].mean() > 0.75, (trainid_name, label)


def test_missing_model_names_the_file_and_the_fixes(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PANOCOLOR_MODEL_DIR", raising=False)
    monkeypatch.setattr("panocolor.models._store.cache_dir", lambda: tmp_path / "cache")
    with pytest.raises(ModelNotFoundError, match="deeplabv3_mnv2_pascal_quant.tflite") as error:
        DeepLabSegmenter(tmp_path)
    assert "panocolor models fetch" in str(error.value) and "--model-dir" in str(error.value)


def test_model_wrapper_output(model_dir) -> None:
    model = DeepLabModel.shared(model_dir / "deeplabv3_mnv2_pascal_quant.tflite")
    ids = model(np.full((100, 80), 128, np.uint8))
    assert ids.shape == (513, 513) and ids.dtype == np.uint8 and ids.max() <= 20
