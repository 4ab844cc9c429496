"""apply_hints on small synthetic photos: reach, edges, colour, segments, scribbles."""

from __future__ import annotations

import numpy as np
import pytest

from panocolor.hints import (
    Guidance,
    Hint,
    HintError,
    SegmentColour,
    Spread,
    apply_hints,
    make_guidance,
)
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.segment.segmentation import Segment, Segmentation

BLUE = (30, 60, 200)


def _two_regions(height: int = 300, width: int = 400, seed: int = 0):
    """Noisy dark left half, noisy light right half, and a textured reference chroma."""
    rng = np.random.default_rng(seed)
    lightness = np.full((height, width), 35.0, np.float32)
    lightness[:, width // 2 :] += 30.0
    lightness += rng.normal(0, 1, lightness.shape).astype(np.float32)
    chroma = np.zeros((height, width, 2), np.float32)
    chroma[:, : width // 2], chroma[:, width // 2 :] = (10.0, -5.0), (-8.0, 12.0)
    chroma += rng.normal(0, 2, chroma.shape).astype(np.float32)
    return lightness, chroma


def _hue(ab: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan2(ab[..., 1], ab[..., 0]))


def _hue_gap(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


@pytest.mark.parametrize("x", [199, 200])  # the last dark column, the first light one
def test_a_hint_exactly_on_an_edge_does_not_leak_across_it(x):
    lightness, chroma = _two_regions()
    ab = apply_hints(lightness, chroma, make_guidance([Hint(x, 150, BLUE)]))
    far = slice(200, None) if x < 200 else slice(0, 200)
    near = slice(180, 200) if x < 200 else slice(200, 220)
    moved = np.hypot(*np.moveaxis(ab - chroma, -1, 0))
    assert moved[:, far].max() <= 2.0  # the far side is the reference-only result
    assert moved[140:160, near].mean() > 20.0  # while the hint's own side took its colour


def test_the_hints_colour_is_reached_at_its_position():
    rng = np.random.default_rng(1)
    lightness = np.clip(50 + 15 * rng.standard_normal((120, 160)), 0, 100).astype(np.float32)
    chroma = rng.normal(0, 20, (120, 160, 2)).astype(np.float32)
    for rgb, (x, y) in [((200, 40, 40), (10, 20)), ((40, 160, 60), (150, 100)), (BLUE, (80, 60))]:
        ab = apply_hints(lightness, chroma, make_guidance([Hint(x, y, rgb)]))
        want = rgb_to_lab(np.asarray(rgb, np.float32) / 255)
        assert _hue_gap(_hue(ab[y, x]), _hue(want[1:])) < 3.0
        assert np.hypot(*ab[y, x]) > 5.0


def test_hints_alone_leave_the_far_side_gray():
    """Without a reference, a hint in one corner colours its corner; the far one stays gray."""
    lightness = np.tile(np.linspace(40, 60, 400, dtype=np.float32), (300, 1))
    ab = apply_hints(
        lightness, np.zeros((300, 400, 2), np.float32), make_guidance([Hint(5, 5, BLUE)])
    )
    assert np.hypot(*ab[5, 5]) > 20.0
    assert np.hypot(*np.moveaxis(ab[-60:, -60:], -1, 0)).max() < 1.0


def _bands(height: int = 90, width: int = 120) -> Segmentation:
    ids = np.repeat(np.arange(1, 4, dtype=np.int32), width // 3)[None, :].repeat(height, axis=0)
    labels = ["sky-other-merged", "person", "grass-merged"]
    segments = [
        Segment(k, 0, label, label == "person", int((ids == k).sum()))
        for k, label in zip((1, 2, 3), labels, strict=True)
    ]
    return Segmentation(ids, tuple(segments))


@pytest.mark.parametrize("target", [2, "people"])
@pytest.mark.parametrize("flat", [True, False])
def test_a_segment_colour_pins_that_segment_and_not_the_others(target, flat):
    rng = np.random.default_rng(2)
    segmentation = _bands()
    lightness = np.full((90, 120), 50.0, np.float32) + rng.normal(0, 2, (90, 120)).astype(
        np.float32
    )
    chroma = np.zeros((90, 120, 2), np.float32) + (-20.0, 25.0)
    chroma += rng.normal(0, 3, chroma.shape).astype(np.float32)
    guidance = make_guidance(segment_colours=[SegmentColour(target, (200, 30, 30), flat)])
    ab = apply_hints(lightness, chroma, guidance, segmentation)
    red = _hue(rgb_to_lab(np.array([200, 30, 30]) / 255.0)[1:])
    middle = ab[:, 44:76]
    assert max(_hue_gap(h, red) for h in _hue(middle).ravel()) < 5.0
    assert np.abs(ab[:, :36] - chroma[:, :36]).max() < 1.0
    assert np.abs(ab[:, 84:] - chroma[:, 84:]).max() < 1.0
    # Flat: the chroma varies only with L* (std 2 here); else with the reference's too.
    spread = np.hypot(*np.moveaxis(middle, -1, 0)).std()
    assert (spread < 4.0) if flat else (spread > 6.0)


def test_a_point_hint_fills_its_segment_and_stops_at_its_border():
    segmentation = _bands()
    lightness = np.full((90, 120), 50.0, np.float32)  # no lightness edge between bands,
    lightness[45:, 40:80] = 80.0  # but one inside the hinted band: the hint fills it all
    ab = apply_hints(
        lightness,
        np.zeros((90, 120, 2), np.float32),
        make_guidance([Hint(45, 10, BLUE)]),
        segmentation,
    )
    assert np.hypot(*np.moveaxis(ab[:, 42:78], -1, 0)).min() > 20.0  # the whole middle band
    assert np.abs(ab[:, :36]).max() < 1.0 and np.abs(ab[:, 84:]).max() < 1.0


def test_scribbles_colour_what_they_touch():
    lightness, chroma = _two_regions(120, 160)
    scribbles = np.zeros((120, 160, 4), np.uint8)
    scribbles[40:80, 30, :3], scribbles[40:80, 30, 3] = BLUE, 255  # a stroke on the dark side
    ab = apply_hints(lightness, chroma, make_guidance(scribbles=scribbles))
    blue = _hue(rgb_to_lab(np.array(BLUE) / 255.0)[1:])
    assert _hue_gap(_hue(ab[60, 30]), blue) < 3.0
    assert np.abs(ab[:, 80:] - chroma[:, 80:]).max() <= 2.0


def test_segment_colours_need_a_segment_that_is_there():
    lightness, chroma = _two_regions(90, 120)
    with pytest.raises(HintError, match="need segments"):
        apply_hints(lightness, chroma, make_guidance(segment_colours=[SegmentColour(1, BLUE)]))
    with pytest.raises(HintError, match="no segment 9"):
        pinned = make_guidance(segment_colours=[SegmentColour(9, BLUE)])
        apply_hints(lightness, chroma, pinned, _bands())
    with pytest.raises(HintError, match="no class car"):
        pinned = make_guidance(segment_colours=[SegmentColour("car", BLUE)])
        apply_hints(lightness, chroma, pinned, _bands())


def _hint_colour_at(lightness: float, a: float, b: float) -> tuple[int, int, int]:
    """The sRGB colour (8-bit) of (L*, a*, b*): a hint the reference nearly agrees with."""
    from panocolor.composite import compose_lab

    rgb = compose_lab(np.full((1, 1), lightness), np.array([[[a, b]]], np.float32))[0, 0]
    return tuple(int(v) for v in np.rint(rgb * 255))


def test_a_hint_close_to_the_reference_shifts_its_colours_and_keeps_their_texture():
    """Off by less than Spread.agree's first distance: a correction, not a flat fill."""
    rng = np.random.default_rng(3)
    lightness = np.full((120, 160), 50.0, np.float32)
    stripes = 6.0 * np.sin(np.arange(160, dtype=np.float32) / 3.0)  # texture along rows
    chroma = np.zeros((120, 160, 2), np.float32) + (20.0, 10.0)
    chroma[..., 0] += stripes
    chroma += rng.normal(0, 0.5, chroma.shape).astype(np.float32)
    hint = Hint(75, 60, _hint_colour_at(50.0, 23.0, 10.0))  # redder than around x = 75
    ab = apply_hints(lightness, chroma, make_guidance([hint]))
    residual = rgb_to_lab(np.asarray(hint.rgb, np.float32) / 255)[1:] - chroma[59:62, 74:77].mean(
        axis=(0, 1)
    )
    assert residual[0] > 2.0 and abs(residual[1]) < 1.0  # within Spread.agree's first distance
    near = (slice(50, 70), slice(62, 88))
    moved = (ab - chroma)[near]
    assert abs(moved[..., 0].mean() - residual[0]) < 1.0  # shifted by the residual ...
    assert np.abs(moved[..., 1]).mean() < 1.0
    texture = np.corrcoef(ab[near][..., 0].ravel(), chroma[near][..., 0].ravel())[0, 1]
    assert texture > 0.95  # ... with the reference's stripes kept, not flattened


def test_in_a_segment_a_close_hint_corrects_what_is_alike_and_a_far_one_fills_it():
    """One deeplab-like segment holding a red and a blue surface of the same L*."""
    lightness = np.full((300, 400), 50.0, np.float32)
    chroma = np.zeros((300, 400, 2), np.float32)
    chroma[:, :200], chroma[:, 200:] = (30.0, 15.0), (5.0, -35.0)
    ids = np.ones((300, 400), np.int32)
    segmentation = Segmentation(ids, (Segment(1, 0, "person", True, ids.size),))

    # 4 a* units redder than the reference's red: the red surface shifts, the blue stays.
    close = Hint(10, 150, _hint_colour_at(50.0, 34.0, 15.0))
    ab = apply_hints(lightness, chroma, make_guidance([close]), segmentation)
    assert np.abs((ab - chroma)[:, :190, 0] - 4.0).max() < 1.5
    assert np.abs(ab[:, 220:] - chroma[:, 220:]).max() < 1.0

    # Green, far from the red the reference gave there: the reference was wrong on the
    # segment, which the hint fills, blue surface included.
    far = Hint(10, 150, (40, 160, 60))
    ab = apply_hints(lightness, chroma, make_guidance([far]), segmentation)
    green = _hue(rgb_to_lab(np.array([40, 160, 60]) / 255.0)[1:])
    assert max(_hue_gap(h, green) for h in _hue(ab).ravel()) < 5.0


@pytest.mark.parametrize(("confidence", "filled"), [(0.2, True), (0.9, False), (None, True)])
def test_a_hint_fills_a_segment_only_as_far_as_its_match_was_unsure(confidence, filled):
    """A far hint in a segment the transfer matched confidently corrects its spot only."""
    lightness = np.full((300, 400), 50.0, np.float32)
    lightness[:, 200:] += 10.0  # an edge inside the segment: the hint's spread stops there
    chroma = np.zeros((300, 400, 2), np.float32)
    chroma[:, :200], chroma[:, 200:] = (30.0, 15.0), (5.0, -35.0)
    ids = np.ones((300, 400), np.int32)
    segmentation = Segmentation(ids, (Segment(1, 0, "person", True, ids.size),))
    green = (40, 160, 60)
    confidences = {} if confidence is None else {1: confidence}
    ab = apply_hints(
        lightness,
        chroma,
        Guidance((Hint(10, 150, green),), spread=Spread(confident=(0.45, 0.6))),
        segmentation,
        match_confidence=confidences,
    )
    green_hue = _hue(rgb_to_lab(np.array(green) / 255.0)[1:])
    assert max(_hue_gap(h, green_hue) for h in _hue(ab[140:160, 5:15]).ravel()) < 5.0
    beyond = np.abs(ab[:, 220:] - chroma[:, 220:]).max()
    assert beyond > 20.0 if filled else beyond < 1.0


@pytest.mark.parametrize("shape", [(1, 1), (7, 300), (613, 1000), (1500, 97)])
def test_joint_upsample_by_rows_equals_the_whole(shape):
    """The bands ``blend_hints`` hands to its threads put together the same pixels."""
    from panocolor.hints.upsample import joint_upsample, row_bands

    rng = np.random.default_rng(0)
    lightness = (100 * rng.random(shape)).astype(np.float32)
    small_shape = (max(1, shape[0] // 4), max(1, shape[1] // 4))
    small_l = (100 * rng.random(small_shape)).astype(np.float32)
    layer = rng.random(small_shape + (5,)).astype(np.float32)
    whole = joint_upsample(layer, small_l, lightness)
    bands = row_bands(*shape)
    assert [r for band in bands for r in range(band.start, band.stop)] == list(range(shape[0]))
    pieces = np.concatenate([joint_upsample(layer, small_l, lightness, rows=b) for b in bands])
    np.testing.assert_array_equal(pieces, whole)
    np.testing.assert_array_equal(
        joint_upsample(layer, small_l, lightness, rows=slice(shape[0] // 2, None)),
        whole[shape[0] // 2 :],
    )
