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
def test_key_is_spelled_as_before(key: ImageKey, spelling: str) -> None:
    assert str(key) == spelling
    assert f"({key})" == f"({spelling})"


def test_different_keys_are_spelled_differently() -> None:
    keys = [
        ImageKey.reference(),
        ImageKey.of_class("sky"),
        ImageKey.of_class("sky.jpg"),
        ImageKey.of_segment(3),
        ImageKey.of_gallery("sky.jpg"),
        ImageKey.of_gallery("photos/3"),
    ]
    assert len({str(k) for k in keys}) == len(set(keys)) == len(keys)
    assert ImageKey.of_segment(7) == ImageKey("segment", "7") == ImageKey("segment", 7)
    assert hash(ImageKey.of_segment(7)) == hash(ImageKey("segment", 7))


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("reference", "x"),
        ("class", ""),
        ("segment", "a"),
        ("gallery", ""),
        ("gallery", "reference"),
        ("gallery", "class:sky"),
        ("gallery", "segment:3"),
        ("gallery", "photo"),
        ("segment", "03"),
        ("segment", "-1"),
        ("class", " sky"),
        ("photo", "a.jpg"),
    ],
)
def test_bad_fields_raise(kind: str, value: str) -> None:
    with pytest.raises(ValueError, match="bad image key"):
        ImageKey(kind, value)  # type: ignore[arg-type]


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
