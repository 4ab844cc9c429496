"""The plan's image keys: typed, spelled exactly as before in files and JSON."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from panocolor.reference import ImageKey, ReferenceChoice, ReferenceImage, ReferencePlan
from panocolor.types import ColorImage


@pytest.mark.parametrize(
    ("key", "spelling"),
    [
        (ImageKey.reference(), "reference"),
        (ImageKey.of_class("sky"), "class:sky"),
        (ImageKey.of_class("sky-other-merged"), "class:sky-other-merged"),
        (ImageKey.of_segment(3), "segment:3"),
        (ImageKey.of_segment(0), "segment:0"),
        (ImageKey.of_gallery(Path("/photos/cat.jpg")), "/photos/cat.jpg"),
        (ImageKey.of_gallery("photos/no-suffix"), "photos/no-suffix"),
        (ImageKey.of_gallery("dog.png"), "dog.png"),
    ],
)
def test_key_round_trips_through_its_spelling(key: ImageKey, spelling: str) -> None:
    assert str(key) == spelling
    assert f"({key})" == f"({spelling})"
    assert ImageKey.parse(spelling) == key
    assert ImageKey.parse(str(key)) == key
    assert hash(ImageKey.parse(spelling)) == hash(key)


def test_key_fields() -> None:
    assert ImageKey.of_segment(7) == ImageKey("segment", "7") == ImageKey("segment", 7)
    assert ImageKey.of_segment(7).segment_id == 7
    assert ImageKey.parse("class:a:b") == ImageKey("class", "a:b")  # only the first colon
    assert ImageKey.of_class("sky") != ImageKey.of_gallery("sky.jpg")
    with pytest.raises(ValueError, match="not a segment key"):
        _ = ImageKey.of_class("sky").segment_id


@pytest.mark.parametrize(
    "spelling",
    [
        "",
        "refrence",
        "Reference",
        "class",
        "class:",
        "class: sky",
        "segment:",
        "segment:x",
        "segment:-1",
        "segment:03",
        "segment:1.5",
        "sgment:3",
        "photo",
    ],
)
def test_bad_spellings_raise_a_clear_error(spelling: str) -> None:
    with pytest.raises(ValueError, match=r"image key") as error:
        ImageKey.parse(spelling)
    assert repr(spelling) in str(error.value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("reference", "x"),
        ("class", ""),
        ("segment", "a"),
        ("gallery", ""),
        ("gallery", "reference"),
        ("gallery", "class:sky"),
        ("photo", "a.jpg"),
    ],
)
def test_bad_fields_raise(kind: str, value: str) -> None:
    with pytest.raises(ValueError, match="bad image key"):
        ImageKey(kind, value)  # type: ignore[arg-type]


def test_parse_wants_a_string() -> None:
    with pytest.raises(ValueError, match="spelled as a str"):
        ImageKey.parse(3)  # type: ignore[arg-type]


def test_plan_writes_keys_as_before() -> None:
    lab = np.zeros((4, 4, 3), np.float32)
    sky, seg = ImageKey.of_class("sky"), ImageKey.of_segment(2)
    plan = ReferencePlan(
        (
            ReferenceChoice(1, "sky", sky, (1,), "class"),
            ReferenceChoice(2, "cat", seg, (), "segment"),
        ),
        {
            sky: ReferenceImage(sky, ColorImage(lab, source=Path("sky.jpg"))),
            seg: ReferenceImage(seg, ColorImage(lab)),
        },
    )
    assert plan.to_dict()["choices"] == [
        {
            "segment_id": 1,
            "label": "sky",
            "reference": "class:sky",
            "region_ids": [1],
            "reason": "class",
            "score": None,
            "file": "sky.jpg",
        },
        {
            "segment_id": 2,
            "label": "cat",
            "reference": "segment:2",
            "region_ids": [],
            "reason": "segment",
            "score": None,
            "file": "segment:2",
        },
    ]
    with pytest.raises(ValueError, match=r"\['class:dog'\]"):
        ReferencePlan((ReferenceChoice(1, "dog", ImageKey.of_class("dog")),), {})
