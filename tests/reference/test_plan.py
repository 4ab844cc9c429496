"""ReferencePlan: choices grouped by the region they draw from, for compositing."""

from __future__ import annotations

import numpy as np
import pytest

from panocolor.reference.base import ImageKey, ReferenceChoice, ReferenceImage, ReferencePlan
from panocolor.types import ColorImage


def test_groups_share_a_region_once_in_plan_order():
    main, sky = ImageKey("reference"), ImageKey("class", "sky")
    label_map = np.array([[1, 1, 2], [3, 3, 2]], np.int32)
    photo = ReferenceImage(main, ColorImage(np.zeros((2, 3, 3), np.float32)), label_map)
    other = ReferenceImage(sky, ColorImage(np.zeros((4, 4, 3), np.float32)))
    plan = ReferencePlan(
        (
            ReferenceChoice(1, "sky", main, (2, 1), "same-class"),
            ReferenceChoice(2, "grass", main, (3,), "same-class"),
            ReferenceChoice(3, "sky", main, (1, 2), "same-class"),  # same region
            ReferenceChoice(4, "sky", sky, (), "class"),
            ReferenceChoice(5, "cat", main, (), "whole-reference"),
        ),
        {main: photo, sky: other},
    )
    groups = plan.groups()
    assert [(str(g.image.key), g.segment_ids) for g in groups] == [
        ("reference", (1, 3)),
        ("reference", (2,)),
        ("class:sky", (4,)),
        ("reference", (5,)),
    ]
    np.testing.assert_array_equal(groups[0].region, [[True, True, True], [False, False, True]])
    np.testing.assert_array_equal(groups[1].region, [[False, False, False], [True, True, False]])
    assert groups[2].region is None and groups[3].region is None  # the whole image
    assert sorted(i for g in groups for i in g.segment_ids) == [1, 2, 3, 4, 5]


def test_a_plan_naming_a_missing_image_is_refused():
    with pytest.raises(ValueError, match="does not hold"):
        ReferencePlan((ReferenceChoice(1, "sky", ImageKey("class", "nowhere")),))
