"""Parts of a region pair (transfer/parts.py), and part anchoring through the real backend."""

from __future__ import annotations

import numpy as np
import pytest

from panocolor.composite.anchor import anchor_parts, anchor_segment, matched_confidence
from panocolor.segment.semantic import SemanticFeatures
from panocolor.transfer.base import RegionPair, RegionParts
from panocolor.transfer.parts import MIN_PART_PIXELS, part_membership
from panocolor.transfer.photoreal import PhotorealTransfer

RED, BLUE = (60.0, 40.0), (-20.0, -50.0)
A, B = (1.0, 0.0), (0.0, 1.0)  # two meanings, as a stand-in encoder's descriptors


def _stand_in(target: np.ndarray, target_grid: np.ndarray, reference_grid: np.ndarray):
    def encoder(lightness: np.ndarray) -> SemanticFeatures:
        grid = target_grid if lightness is target else reference_grid
        return SemanticFeatures(grid, grid, lightness.shape)

    return encoder


@pytest.fixture
def halves():
    """Target: left half means A, right half B. Reference: top half B and red, bottom A and blue."""
    rng = np.random.default_rng(0)
    target = (50 + 5 * rng.standard_normal((64, 128))).astype(np.float32)
    reference = np.zeros((64, 128, 3), np.float32)
    reference[..., 0] = 50 + 5 * rng.standard_normal((64, 128))
    reference[:32, :, 1:], reference[32:, :, 1:] = RED, BLUE
    target_grid = np.zeros((8, 16, 2), np.float32)
    target_grid[:, :8], target_grid[:, 8:] = A, B
    reference_grid = np.zeros((8, 16, 2), np.float32)
    reference_grid[:4], reference_grid[4:] = B, A
    return target, reference, target_grid, reference_grid


def test_parts_split_a_region_pair_by_meaning_and_carry_their_reference_colour(halves):
    target, reference, target_grid, reference_grid = halves
    backend = PhotorealTransfer(encoder=_stand_in(target, target_grid, reference_grid), parts=2)
    whole = np.ones(target.shape, bool)
    parts = backend.region_parts(target, reference, RegionPair(whole, whole, whole))
    assert parts is not None and parts.reference_ab.shape == (2, 2)
    left, right = parts.membership[8:-8, 8:56], parts.membership[8:-8, 72:120]
    left_part, right_part = (
        int(left.mean(axis=(0, 1)).argmax()),
        int(right.mean(axis=(0, 1)).argmax()),
    )
    assert left_part != right_part
    assert left[..., left_part].min() > 0.9 and right[..., right_part].min() > 0.9
    # The left half means A, which is blue in the reference; the right half B, red.
    np.testing.assert_allclose(parts.reference_ab[left_part], BLUE, atol=3.0)
    np.testing.assert_allclose(parts.reference_ab[right_part], RED, atol=3.0)
    np.testing.assert_allclose(parts.membership.sum(axis=-1), 1.0, atol=1e-5)


def test_a_part_only_one_side_has_is_dropped(halves):
    target, reference, _, reference_grid = halves
    all_a = np.zeros((8, 16, 2), np.float32)
    all_a[...] = A
    backend = PhotorealTransfer(encoder=_stand_in(target, all_a, reference_grid), parts=2)
    whole = np.ones(target.shape, bool)
    parts = backend.region_parts(target, reference, RegionPair(whole, whole, whole))
    assert parts is not None and parts.reference_ab.shape == (1, 2)
    np.testing.assert_allclose(parts.reference_ab[0], BLUE, atol=3.0)


def test_no_parts_without_descriptors_region_segment_or_pixels(halves):
    target, reference, target_grid, reference_grid = halves
    encoder = _stand_in(target, target_grid, reference_grid)
    whole = np.ones(target.shape, bool)
    few = np.zeros(target.shape, bool)
    few[:2, : MIN_PART_PIXELS // 4] = True  # fewer working pixels than a part needs
    with_model = PhotorealTransfer(encoder=encoder)
    assert (
        PhotorealTransfer(semantic_weight=0.0).region_parts(
            target, reference, RegionPair(whole, whole, whole)
        )
        is None
    )
    assert (
        PhotorealTransfer(encoder=encoder, parts=1).region_parts(
            target, reference, RegionPair(whole, whole, whole)
        )
        is None
    )
    assert with_model.region_parts(target, reference, RegionPair(whole, None, whole)) is None
    assert with_model.region_parts(target, reference, RegionPair(whole, whole, None)) is None
    assert with_model.region_parts(target, reference, RegionPair(few, whole, few)) is None
    assert with_model.region_parts(target, reference, RegionPair(whole, few, whole)) is None
    flat = np.ones((8, 16, 2), np.float32)
    alike = PhotorealTransfer(encoder=_stand_in(target, flat, flat))
    assert alike.region_parts(target, reference, RegionPair(whole, whole, whole)) is None


def test_parts_are_the_same_for_the_same_inputs(halves):
    target, reference, target_grid, reference_grid = halves
    whole = np.ones(target.shape, bool)
    runs = [
        PhotorealTransfer(encoder=_stand_in(target, target_grid, reference_grid)).region_parts(
            target, reference, RegionPair(whole, whole, whole)
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].membership, runs[1].membership)
    np.testing.assert_array_equal(runs[0].reference_ab, runs[1].reference_ab)


def test_membership_is_soft_only_between_parts():
    centres = np.array([[0.0, 0.0], [10.0, 0.0]])
    points = np.array([[0.0, 0.0], [5.0, 0.0], [10.0, 0.0]], np.float32)
    got = part_membership(points, centres, softness=10.0)
    np.testing.assert_allclose(got.sum(axis=-1), 1.0, rtol=1e-6)
    assert got[0, 0] > 0.99 and got[2, 1] > 0.99
    np.testing.assert_allclose(got[1], (0.5, 0.5), atol=1e-6)


@pytest.mark.parametrize("confidence", [0.0, 0.1, 0.25, 0.4])
def test_anchor_parts_moves_each_part_towards_its_reference_and_keeps_texture(confidence):
    rng = np.random.default_rng(1)
    chroma = (rng.normal(size=(6, 8, 2)) * 3 + (20.0, 5.0)).astype(np.float32)
    membership = np.zeros((6, 8, 2), np.float32)
    membership[:, :4, 0] = membership[:, 4:, 1] = 1.0
    parts = RegionParts(membership, np.array([BLUE, RED], np.float32))
    core = np.ones((6, 8), bool)
    out = anchor_parts(chroma, core, confidence, parts)
    strength = 1.0 - confidence / 0.5
    for columns, target in ((slice(None, 4), BLUE), (slice(4, None), RED)):
        before, after = chroma[:, columns], out[:, columns]
        expected = before.mean(axis=(0, 1)) + strength * (target - before.mean(axis=(0, 1)))
        np.testing.assert_allclose(after.mean(axis=(0, 1)), expected, atol=1e-3)
        np.testing.assert_allclose(
            after - after.mean(axis=(0, 1)), before - before.mean(axis=(0, 1)), atol=1e-3
        )


def test_anchor_parts_leaves_confident_or_partless_segments_alone():
    chroma = np.ones((4, 4, 2), np.float32)
    core = np.ones((4, 4), bool)
    parts = RegionParts(np.ones((4, 4, 1), np.float32), np.array([RED], np.float32))
    assert anchor_parts(chroma, core, 0.5, parts) is chroma
    assert anchor_parts(chroma, core, None, parts) is chroma
    assert anchor_parts(chroma, core, 0.0, None) is chroma


def test_a_part_matched_to_the_wrong_thing_is_drawn_to_its_counterpart():
    """Lightness says left = red, meaning says left = blue: a light face and face paint.

    The target's left half (meaning A) is light, its right half (B) dark; in the
    reference, B is light and red with noisy chroma, A dark and blue. Matching follows
    lightness, so the left half comes out red, and weakly (the red's chroma is noisy).
    The region's mean is the same either way, so only part anchoring moves it to blue.
    """
    rng = np.random.default_rng(2)
    target = np.empty((64, 128), np.float32)
    target[:, :64], target[:, 64:] = 70.0, 30.0
    target += rng.normal(size=target.shape).astype(np.float32)
    reference = np.zeros((64, 128, 3), np.float32)
    reference[:32, :, 0], reference[32:, :, 0] = 70.0, 30.0
    reference[..., 0] += rng.normal(size=(64, 128)).astype(np.float32)
    reference[:32, :, 1:] = np.asarray(RED) + 20 * rng.normal(size=(32, 128, 2))
    reference[32:, :, 1:] = BLUE
    target_grid = np.zeros((8, 16, 2), np.float32)
    target_grid[:, :8], target_grid[:, 8:] = A, B
    reference_grid = np.zeros((8, 16, 2), np.float32)
    reference_grid[:4], reference_grid[4:] = B, A
    encoder = _stand_in(target, target_grid, reference_grid)
    whole = np.ones(target.shape, bool)
    pair = RegionPair(whole, whole, whole)
    left = (slice(8, -8), slice(8, 56))

    def colour(parts: int) -> tuple[np.ndarray, float]:
        backend = PhotorealTransfer(encoder=encoder, parts=parts, query_stride=1)
        ((chroma, trust),) = backend.match_regions(target, reference, [pair])
        confidence = matched_confidence(trust, whole)
        refined = backend.refine(target, chroma, trust)
        region_ab = reference[..., 1:].reshape(-1, 2).mean(axis=0)
        out = anchor_segment(
            backend, target, target, reference, pair, refined, confidence, region_ab
        )
        return out[left].mean(axis=(0, 1)), confidence

    unparted, confidence = colour(parts=0)
    parted, _ = colour(parts=2)
    assert confidence < 0.4  # weak: anchoring acts
    assert np.linalg.norm(unparted - RED) < np.linalg.norm(unparted - BLUE)  # the wrong part
    assert np.linalg.norm(parted - BLUE) < 0.5 * np.linalg.norm(unparted - BLUE)
