"""The Colorizer: the one place the stages run in order, and what it hands between them."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.pipeline import Colorizer, Settings
from panocolor.segment.segmentation import Segment, Segmentation
from panocolor.transfer import build_transfer
from panocolor.transfer.photoreal import PhotorealTransfer
from panocolor.types import ColorImage, GrayImage


@pytest.mark.parametrize("mode", ["fast", "faithful"])
def test_the_network_runs_once_per_photo(model_dir, mode):
    """Segmenting target and reference and describing both for photoreal: two runs, not more.

    The descriptors of the target are taken from its full-resolution L* (as the segmenter
    saw it), not from the working-size copy, which the run cache would not recognise.
    """
    transfer = PhotorealTransfer(model_dir=model_dir)
    colorizer = Colorizer(
        Settings(segmenter="deeplab", mode=mode, model_dir=model_dir), transfer=transfer
    )
    model = colorizer.segmenter.voc
    assert colorizer.transfer.semantic_encoder().model is model
    model.forget()
    runs = model.runs
    colorizer(data.astronaut(), ColorImage(rgb_to_lab(data.coffee() / 255.0)))
    assert model.runs - runs == 2


def test_a_batch_reference_is_segmented_once(model_dir):
    """Photos coloured one after another from one reference object reuse its segments.

    The second photo segments only itself; a new reference object is segmented again;
    the outputs are those of a fresh colorizer.
    """

    class Counting:
        def __init__(self, inner):
            self.inner, self.calls = inner, 0

        def __call__(self, lightness):
            self.calls += 1
            return self.inner(lightness)

    settings = Settings(segmenter="deeplab", model_dir=model_dir)
    counting = Counting(Colorizer(settings).segmenter)
    colorizer = Colorizer(settings, segmenter=counting)  # the instance given is the one used
    reference = ColorImage(rgb_to_lab(data.coffee() / 255.0))
    colorizer(data.astronaut(), reference)
    assert counting.calls == 2  # the photo and its reference
    again = colorizer(data.chelsea(), reference)
    assert counting.calls == 3
    fresh = Colorizer(Settings(segmenter="deeplab", model_dir=model_dir))(data.chelsea(), reference)
    np.testing.assert_array_equal(again.rgb, fresh.rgb)
    colorizer(data.chelsea(), ColorImage(reference.lab.copy()))
    assert counting.calls == 5


def test_the_pipeline_hands_the_match_confidence_on():
    """Per object, each segment's match confidence reaches the result (the hints use it)."""
    lab = np.zeros((90, 120, 3), np.float32)
    lab[:45], lab[45:] = (70.0, -5.0, -40.0), (75.0, 0.0, 65.0)
    lab[..., 0] += np.random.default_rng(0).normal(0, 2, lab.shape[:2])
    ids = (np.where(np.arange(90)[:, None] < 45, 1, 2) * np.ones((1, 120))).astype(np.int32)
    segments = tuple(
        Segment(k, 100 + k, name, False, int((ids == k).sum()))
        for k, name in ((1, "sky-other-merged"), (2, "grass-merged"))
    )
    target = Segmentation(ids, segments)
    colorizer = Colorizer(Settings(segmenter="none"), transfer=build_transfer("photoreal"))
    reference = ColorImage(lab[:, ::-1].copy())
    result = colorizer(GrayImage(lab[..., 0]), reference, segmentation=target)
    assert set(result.match_confidence) == {1, 2}
    assert all(0.0 < value <= 1.0 for value in result.match_confidence.values())
    assert colorizer(GrayImage(lab[..., 0]), reference).match_confidence == {}  # no segments
