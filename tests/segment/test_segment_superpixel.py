"""The weight-free fallback segmenter."""

from __future__ import annotations

import numpy as np
from skimage import data

from panocolor.colorspace import rgb_to_lab
from panocolor.segment import build_segmenter


def test_regions_without_class_names() -> None:
    lightness = rgb_to_lab(data.astronaut() / 255.0)[..., 0]
    seg = build_segmenter("superpixel")(lightness)
    assert 3 <= len(seg.segments) <= 100
    assert all(s.class_id == 0 and s.label.startswith("unknown-") for s in seg.segments)
    assert all(not s.is_thing and s.score is None for s in seg.segments)
    assert sum(s.area for s in seg.segments) == lightness.size
    assert min(s.area for s in seg.segments) >= 0.01 * lightness.size


def test_flat_image_is_one_region() -> None:
    seg = build_segmenter("superpixel")(np.full((30, 40), 50.0, np.float32))
    assert [s.label for s in seg.segments] == ["unknown-1"] and seg.segments[0].area == 1200


def test_tiny_image() -> None:
    seg = build_segmenter("superpixel")(np.array([[0.0, 100.0]], np.float32))
    assert seg.shape == (1, 2) and seg.ids.min() >= 1
