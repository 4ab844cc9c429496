"""The experimental Hugging Face backend: conversion always, loading with transformers only."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from scipy import ndimage

from panocolor.errors import PanocolorError
from panocolor.segment import build_segmenter
from panocolor.segment.hf import OWN_LABEL_OFFSET, from_hf


def test_conversion_of_post_processed_output() -> None:
    segmentation = np.zeros((6, 8), np.int32)
    segmentation[:, :4] = 1
    segmentation[:, 4:] = 2
    segmentation[0, 0] = -1  # void in some transformers versions
    infos = [
        {"id": 1, "label_id": 0, "score": 0.93, "was_fused": False},
        {"id": 2, "label_id": 119, "score": 0.8, "was_fused": True},
    ]
    id2label = {0: "person", 119: "sky-other-merged"}
    seg = from_hf(segmentation, infos, id2label)
    assert [(s.label, s.class_id, s.is_thing, s.score) for s in seg.segments] == [
        ("person", 1, True, 0.93),
        ("sky-other-merged", 187, False, 0.8),
    ]
    assert seg.ids[0, 0] == 1 and seg.segments[0].source == "hf"
    other = from_hf(segmentation, [{"id": 1, "label_id": 5, "score": 0.5}], {5: "wall"})
    assert other.segments[0].class_id == OWN_LABEL_OFFSET + 5
    empty = from_hf(np.zeros((3, 3), np.int32), [], id2label)
    assert [s.label for s in empty.segments] == ["unknown-1"]


@pytest.mark.parametrize("missing", ["transformers", "torch"])
def test_without_transformers_the_error_says_how_to_install(missing, monkeypatch) -> None:
    """Runs whether or not they are installed: a None entry in sys.modules fails the import."""
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(PanocolorError, match=r"needs transformers and torch") as excinfo:
        build_segmenter("hf")
    message = str(excinfo.value)
    assert "pip install panocolor[hf]" in message and "\n" not in message


def _tiny_mask2former(folder, transformers) -> None:
    config = transformers.Mask2FormerConfig(
        backbone_config=transformers.SwinConfig(
            embed_dim=16,
            depths=[1, 1, 1, 1],
            num_heads=[1, 1, 1, 1],
            window_size=4,
            out_features=["stage1", "stage2", "stage3", "stage4"],
        ),
        # 32: the pixel decoder's GroupNorm has 32 groups.
        hidden_dim=32,
        mask_feature_size=32,
        feature_size=32,
        encoder_layers=1,
        decoder_layers=2,
        num_queries=4,
        dim_feedforward=64,
        num_labels=2,
        id2label={0: "person", 1: "sky-other-merged"},
        label2id={"person": 0, "sky-other-merged": 1},
    )
    transformers.Mask2FormerForUniversalSegmentation(config).save_pretrained(folder)
    transformers.Mask2FormerImageProcessor(size={"height": 64, "width": 64}).save_pretrained(folder)


def test_tiny_random_mask2former(tmp_path) -> None:
    """A real (random) checkpoint loads and runs; then, with a network that answers
    "dark is a person, bright is sky", the segments follow the photo's edges.

    The stand-in answer replaces only the network's forward pass: panocolor's input
    conversion, transformers' pre- and post-processing (resizing to 64x64 and back)
    and the conversion to COCO classes are the real ones.
    """
    transformers = pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    _tiny_mask2former(tmp_path, transformers)
    segmenter = build_segmenter("hf", model=str(tmp_path), threshold=0.0)
    height, width = 48, 40
    y, x = np.mgrid[0:height, 0:width]
    dark = (x < 14 + 0.3 * y) | (np.hypot(y - 30, x - 32) < 7)  # a slanted edge and a disc
    lightness = np.where(dark, 30.0, 90.0).astype(np.float32)
    assert segmenter(lightness).shape == (height, width)  # the random network itself

    processor = segmenter.processor
    mean = torch.tensor(processor.image_mean).view(1, 3, 1, 1)
    std = torch.tensor(processor.image_std).view(1, 3, 1, 1)
    output_type = transformers.models.mask2former.modeling_mask2former
    output_type = output_type.Mask2FormerForUniversalSegmentationOutput

    def answer(pixel_values, **_):
        brightness = (pixel_values * std + mean).mean(dim=1, keepdim=True)  # sRGB in [0, 1]
        brightness = torch.nn.functional.avg_pool2d(brightness, 4)  # masks come at 1/4 size
        masks = torch.cat([40.0 * (brightness - 0.5), 40.0 * (0.5 - brightness)], dim=1)
        # query 0: sky-other-merged (label 1) where bright; query 1: person (label 0) where dark
        classes = torch.tensor([[[-9.0, 9.0, -9.0], [9.0, -9.0, -9.0]]])
        return output_type(class_queries_logits=classes, masks_queries_logits=masks)

    segmenter.model.forward = answer
    seg = segmenter(lightness)
    by_id = {s.id: s for s in seg.segments}
    assert sorted((s.label, s.class_id, s.is_thing) for s in seg.segments) == [
        ("person", 1, True),
        ("sky-other-merged", 187, False),
    ]
    person = np.vectorize(lambda i: by_id[i].label == "person")(seg.ids)
    assert (person == dark).mean() >= 0.95, f"{(person == dark).mean():.1%} of pixels right"
    found = ndimage.binary_dilation(person != ndimage.binary_erosion(person), iterations=2)
    edge = dark != ndimage.binary_erosion(dark)
    assert found[edge].mean() >= 0.9, f"boundary recall {found[edge].mean():.2f}"
