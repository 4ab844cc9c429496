"""The guided filter, and guided chroma upsampling: band by band above 262,144 pixels,
the same as in one piece."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from skimage import data

from panocolor.imaging import filters, guided_filter, guided_upsample, resize_to_pixels
from panocolor.imaging.colorspace import gray_to_lightness
from panocolor.pipeline import Colorizer, Settings


class BandSpy:
    """Wraps ``filters.row_bands`` and records how many bands each call returned."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: list[int] = []
        original = filters.row_bands

        def spy(height: int, width: int, **options: int) -> list[slice]:
            bands = original(height, width, **options)
            self.counts.append(len(bands))
            return bands

        monkeypatch.setattr(filters, "row_bands", spy)


def _inputs(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A real photo's L* at ``shape``, its working copy and chroma that follows it."""
    photo = cv2.resize(data.coffee(), (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(photo.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    lightness = np.ascontiguousarray(lab[..., 0])
    small_l = resize_to_pixels(lightness, 256 * 256)
    small_ab = resize_to_pixels(np.ascontiguousarray(lab[..., 1:]), 256 * 256)
    return lightness, small_l, small_ab


@pytest.mark.parametrize(
    "shape",
    [(513, 512), (700, 500), (2, 200_000), (100_000, 3)],
    ids=["just-above", "photo", "wide-strip", "tall-strip"],
)
def test_banded_upsampling_above_262144_pixels_equals_one_piece(monkeypatch, shape):
    assert shape[0] * shape[1] > 262_144
    lightness, small_l, small_ab = _inputs(shape)
    spy = BandSpy(monkeypatch)
    banded = guided_upsample(small_ab, small_l, lightness)
    assert spy.counts[-1] > 1, "the banded path must run above 262,144 pixels"

    monkeypatch.setattr(filters, "_BAND_PIXELS", 1 << 40)  # everything in one band
    whole = guided_upsample(small_ab, small_l, lightness)
    assert spy.counts[-1] == 1
    assert banded.shape == shape + (2,)
    np.testing.assert_allclose(banded, whole, atol=1e-4)


def test_up_to_262144_pixels_is_one_band(monkeypatch):
    lightness, small_l, small_ab = _inputs((512, 512))
    spy = BandSpy(monkeypatch)
    guided_upsample(small_ab, small_l, lightness)
    assert spy.counts == [1]


@given(height=st.integers(1, 5000), width=st.integers(1, 400_000))
def test_bands_cover_every_row_once_within_the_band_budget(height, width):
    bands = filters.row_bands(height, width, pixels=filters._BAND_PIXELS)
    rows = [r for band in bands for r in range(height)[band]]
    assert rows == list(range(height))
    for band in bands:
        count = len(range(height)[band])
        assert count == 1 or count * width <= filters._BAND_PIXELS


def test_colorizing_a_large_photo_goes_through_the_bands(monkeypatch):
    """From the pipeline too: a 600 x 500 photo (300,000 pixels) is upsampled in bands."""
    gray = cv2.resize(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY), (500, 600))
    spy = BandSpy(monkeypatch)
    result = Colorizer(Settings(segmenter="superpixel"))(gray, data.coffee())
    assert spy.counts and max(spy.counts) > 1
    assert result.rgb.shape == (600, 500, 3)
    np.testing.assert_array_equal(result.lightness, gray_to_lightness(gray / 255.0))


def test_single_channel_and_mismatched_inputs():
    lightness, small_l, small_ab = _inputs((300, 400))
    one = guided_upsample(small_ab[..., :1], small_l, lightness)
    both = guided_upsample(small_ab, small_l, lightness)
    assert one.shape == (300, 400, 1)
    np.testing.assert_allclose(one[..., 0], both[..., 0], atol=1e-4)
    with pytest.raises(ValueError, match="guide_small"):
        guided_upsample(small_ab, small_l[:, 1:], lightness)


def test_guided_filter_keeps_constants_and_edges() -> None:
    guide = np.zeros((30, 30), np.float32)
    guide[:, 15:] = 1.0
    out = guided_filter(guide, np.full((30, 30), 0.3, np.float32), 4, 1e-3)
    np.testing.assert_allclose(out, 0.3, atol=1e-5)
    step = guided_filter(guide, guide.copy(), 4, 1e-4)
    assert abs(step[5, 14]) < 0.05 and abs(step[5, 15] - 1.0) < 0.05


def test_guided_filter_matches_opencvs_on_every_channel() -> None:
    # He et al.'s filter as OpenCV's contrib module implements it, on an L*-scale guide
    # and a two-channel chroma image (how the neural transfer refines its output).
    rng = np.random.default_rng(0)
    lightness = cv2.GaussianBlur((rng.random((60, 80)) * 100).astype(np.float32), (7, 7), 2)
    chroma = (rng.random((60, 80, 2)) * 40 - 20).astype(np.float32)
    expected = cv2.ximgproc.guidedFilter(lightness, chroma, 4, 20.0)
    out = guided_filter(lightness, chroma, 4, 20.0)
    assert out.shape == chroma.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, atol=1e-3)
    np.testing.assert_array_equal(out[..., 1], guided_filter(lightness, chroma[..., 1], 4, 20.0))
