"""The typed output: validation, helpers, soft masks, registry, and coverage as a property."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from panocolor.errors import PanocolorError, UnknownBackendError
from panocolor.segment import (
    SEGMENTERS,
    Segment,
    Segmentation,
    Segmenter,
    build_segmenter,
)
from panocolor.segment.regions import assemble
from panocolor.segment.segmentation import PANOPTIC_FILE_SOURCE, USER_SOURCE


def two_halves() -> Segmentation:
    ids = np.ones((4, 6), np.int32)
    ids[:, 3:] = 2
    return Segmentation(
        ids,
        (
            Segment(1, 17, "cat", True, 12, 0.9, "test"),
            Segment(2, 187, "sky-other-merged", False, 12, None, "test"),
        ),
    )


def test_segment_fields_are_checked() -> None:
    with pytest.raises(ValueError, match="id must be >= 1"):
        Segment(0, 1, "person", True, 5)
    with pytest.raises(ValueError, match="area"):
        Segment(1, 1, "person", True, 0)
    with pytest.raises(ValueError, match="score"):
        Segment(1, 1, "person", True, 5, 1.5)


@pytest.mark.parametrize(
    ("ids", "segments", "message"),
    [
        (np.zeros((2, 2), np.int32), (), "not covered"),
        (np.ones((2, 2), np.int64), (Segment(1, 0, "unknown-1", False, 4),), "int32"),
        (np.full((2, 2), 3, np.int32), (Segment(1, 0, "unknown-1", False, 4),), "not listed"),
        (np.ones((2, 2), np.int32), (Segment(1, 0, "unknown-1", False, 3),), "area"),
        (
            np.ones((2, 2), np.int32),
            (Segment(1, 0, "a", False, 4), Segment(1, 0, "b", False, 4)),
            "unique",
        ),
    ],
)
def test_segmentation_rejects_invalid_maps(ids, segments, message) -> None:
    with pytest.raises(ValueError, match=message):
        Segmentation(ids, segments)


def test_helpers() -> None:
    seg = two_halves()
    assert seg.shape == (4, 6)
    assert seg.mask(2).sum() == 12 and seg.mask(2)[:, 3:].all()
    assert seg.by_label("cat") == (seg.segments[0],)
    assert seg.get(2).label == "sky-other-merged"
    with pytest.raises(KeyError):
        seg.get(7)
    small = seg.resized((2, 3))
    assert small.shape == (2, 3) and sum(s.area for s in small.segments) == 6
    assert seg.to_dict()["segments"][0]["label"] == "cat"


def test_given_labels_are_a_persons_or_a_files_without_scores() -> None:
    """Model labels are guesses; a panoptic file's unscored labels and a rename are given."""
    seg = two_halves()
    assert not any(s.label_given for s in seg.segments)  # source "test": a model's
    truth = Segment(3, 187, "sky-other-merged", False, 5, None, PANOPTIC_FILE_SOURCE)
    assert truth.label_given
    assert not Segment(3, 187, "sky-other-merged", False, 5, 0.7, PANOPTIC_FILE_SOURCE).label_given
    assert not Segment(3, 0, "unknown-1", False, 5, None, PANOPTIC_FILE_SOURCE).label_given
    named = seg.named({1: "dog"})
    dog, sky = named.segments
    assert (dog.label, dog.score, dog.source, dog.label_given) == ("dog", None, USER_SOURCE, True)
    assert sky == seg.segments[1] and not sky.label_given
    assert named.ids is seg.ids and seg.segments[0].label == "cat"  # the original is kept


def test_resized_drops_vanished_segments() -> None:
    ids = np.ones((10, 10), np.int32)
    ids[3, 3] = 2
    seg = Segmentation(
        ids, (Segment(1, 0, "unknown-1", False, 99), Segment(2, 1, "person", True, 1))
    )
    assert [s.id for s in seg.resized((2, 2)).segments] == [1]


def test_registry_and_builder() -> None:
    assert {"deeplab", "superpixel", "panoptic-file", "hf"} <= set(SEGMENTERS.names())
    with pytest.raises(UnknownBackendError, match="choose one of"):
        build_segmenter("nope")
    with pytest.raises(PanocolorError, match="superpixel"):
        build_segmenter("superpixel", model_dir="x")
    assert isinstance(build_segmenter("superpixel"), Segmenter)


@st.composite
def class_maps(draw):
    height = draw(st.integers(4, 40))
    width = draw(st.integers(4, 40))
    classes = draw(arrays(np.uint8, (height, width), elements=st.integers(0, 3)))
    return classes


TABLE = ((0, ""), (17, "test"), (1, "test"), (187, "test"))  # unknown, cat, person, sky


@settings(max_examples=60, deadline=None)
@given(classes=class_maps(), min_area=st.sampled_from([0.0, 0.01, 0.2]))
def test_assemble_covers_every_pixel_and_keeps_ids_apart(classes, min_area) -> None:
    regions = (np.arange(classes.size).reshape(classes.shape) // 7).astype(np.int32)
    seg = assemble(classes, TABLE, lambda: regions, min_area=min_area, min_region=min_area)
    # Segmentation's own validation has checked coverage; check it again explicitly.
    assert seg.ids.min() >= 1
    assert np.isin(seg.ids, [s.id for s in seg.segments]).all()
    assert sum(s.area for s in seg.segments) == classes.size
    things = {s.id for s in seg.segments if s.is_thing}
    stuff = {s.id for s in seg.segments if not s.is_thing}
    assert not things & stuff
    assert {s.label for s in seg.segments if s.is_thing} <= {"cat", "person"}
    assert all(s.class_id == 0 for s in seg.segments if s.label.startswith("unknown-"))


def test_assemble_splits_things_into_instances_and_merges_stuff() -> None:
    classes = np.zeros((20, 30), np.uint8)
    classes[2:8, 2:8] = 2  # person A
    classes[12:18, 20:28] = 2  # person B
    classes[:, 10:14] = 3  # sky strip
    classes[0:2, 25:30] = 3  # a second sky piece
    classes[19, 0] = 1  # one-pixel cat fragment
    seg = assemble(classes, TABLE, lambda: np.zeros((20, 30), np.int32), min_area=0.01)
    persons = seg.by_label("person")
    assert len(persons) == 2 and all(s.is_thing for s in persons)
    assert sorted(s.id for s in persons) == [1, 2]  # things are numbered first
    assert len(seg.by_label("sky-other-merged")) == 1
    assert not seg.by_label("cat")  # merged into a neighbour
    assert len([s for s in seg.segments if s.class_id == 0]) == 1
