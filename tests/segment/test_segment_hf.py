"""The experimental Hugging Face backend: conversion always, loading with transformers only."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

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


@pytest.mark.skipif(
    importlib.util.find_spec("transformers") is not None, reason="transformers is installed"
)
def test_without_transformers_the_error_says_how_to_install() -> None:
    with pytest.raises(PanocolorError, match=r"panocolor\[hf\]"):
        build_segmenter("hf")


def test_tiny_random_mask2former(tmp_path) -> None:
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("torch")
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
    transformers.Mask2FormerForUniversalSegmentation(config).save_pretrained(tmp_path)
    transformers.Mask2FormerImageProcessor(size={"height": 64, "width": 64}).save_pretrained(
        tmp_path
    )
    segmenter = build_segmenter("hf", model=str(tmp_path), threshold=0.0)
    seg = segmenter(np.linspace(0, 100, 48 * 40, dtype=np.float32).reshape(48, 40))
    assert seg.shape == (48, 40) and seg.ids.min() >= 1
