"""The weight-free fallback segmenter."""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from skimage import data

from panocolor.imaging.colorspace import rgb_to_lab
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


def _edges(labels: np.ndarray) -> np.ndarray:
    """Pixels whose right or lower neighbour has another label."""
    edges = np.zeros(labels.shape, bool)
    edges[:, :-1] |= labels[:, 1:] != labels[:, :-1]
    edges[:-1] |= labels[1:] != labels[:-1]
    return edges


def test_regions_follow_the_edges_of_flat_noisy_regions() -> None:
    """Three flat regions (a slanted edge and a disc) with noise: the segments are the regions.

    Measured: 5 segments, 98.2% of pixels in their segment's region, every true edge
    pixel within 2 px of a segment edge; 3.0% of the pixels lie in two thin strips
    that straddle the edges (Felzenszwalb's pre-smoothing makes the edge pixels a
    region of their own).
    """
    height, width = 120, 160
    y, x = np.mgrid[0:height, 0:width]
    truth = np.zeros((height, width), int)
    truth[x >= 0.35 * width + 0.15 * y] = 1
    truth[np.hypot(y - 70, x - 115) < 30] = 2
    noise = np.random.default_rng(3).normal(0.0, 3.0, truth.shape)
    lightness = np.clip(np.choose(truth, [25.0, 55.0, 85.0]) + noise, 0, 100).astype(np.float32)
    seg = build_segmenter("superpixel")(lightness)
    assert 3 <= len(seg.segments) <= 10

    purity = {}  # segment id -> (pixels, fraction in its majority region)
    for segment in seg.segments:
        counts = np.bincount(truth[seg.ids == segment.id], minlength=3)
        purity[segment.id] = (counts.sum(), counts.max() / counts.sum())
    inside = sum(n * p for n, p in purity.values()) / truth.size
    assert inside >= 0.95, f"only {inside:.1%} of pixels in their segment's region"
    crossing = sum(n for n, p in purity.values() if p < 0.9) / truth.size
    assert crossing <= 0.05, f"{crossing:.1%} of pixels in segments that cross an edge"
    for region in range(3):  # every region is mostly one segment of its own
        majority = np.bincount(seg.ids[truth == region]).max()
        assert majority >= 0.9 * (truth == region).sum()

    found = ndimage.binary_dilation(_edges(seg.ids), iterations=2)
    recall = found[_edges(truth)].mean()
    assert recall >= 0.9, f"boundary recall {recall:.2f}"


def test_tiny_image() -> None:
    seg = build_segmenter("superpixel")(np.array([[0.0, 100.0]], np.float32))
    assert seg.shape == (1, 2) and seg.ids.min() >= 1
