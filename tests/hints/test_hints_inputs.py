"""Hint inputs: types, text spellings, scribble files, and the errors users get."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from panocolor.errors import PanocolorError
from panocolor.hints import (
    Hint,
    HintError,
    SegmentColour,
    apply_hints,
    make_guidance,
    parse_colour,
    parse_hint,
    parse_segment_colour,
    read_scribbles,
)


def test_text_spellings_parse():
    assert parse_hint(" 12, 7=#FF8000") == Hint(12, 7, (255, 128, 0))
    assert parse_colour("00ff7f") == (0, 255, 127)
    assert parse_segment_colour("sky=#3060c0") == SegmentColour("sky", (48, 96, 192))
    assert parse_segment_colour("4=#000000", flat=True) == SegmentColour(4, (0, 0, 0), True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12,7", "X,Y=#RRGGBB"),
        ("12=#ff0000", "X,Y=#RRGGBB"),
        ("a,7=#ff0000", "two whole numbers"),
        ("12,7=#ff00", "six hex digits"),
        ("12,7=red", "six hex digits"),
        ("-1,7=#ff0000", None),  # parsed; refused once the photo's size is known
    ],
)
def test_bad_hint_spellings_are_refused_clearly(text, message):
    if message is None:
        hint = parse_hint(text)
        with pytest.raises(HintError, match="outside the 10x10 photo"):
            hint.check_inside((10, 10))
        return
    with pytest.raises(HintError, match=message):
        parse_hint(text)


@pytest.mark.parametrize(
    "rgb", [(256, 0, 0), (-1, 0, 0), (0.5, 0, 0), ("ff", 0, 0), (1, 2), (True, 0, 0), "#ff0000"]
)
def test_invalid_colours_are_refused(rgb):
    with pytest.raises(HintError, match="colour"):
        Hint(0, 0, rgb)


@pytest.mark.parametrize("x, y", [(0.5, 1), ("3", 1), (None, 1)])
def test_invalid_positions_are_refused(x, y):
    with pytest.raises(HintError, match="position"):
        Hint(x, y, (1, 2, 3))


@pytest.mark.parametrize("x, y", [(40, 0), (0, 30), (-1, 5), (39, -1)])
def test_hints_outside_the_photo_are_refused_by_apply(x, y):
    lightness = np.full((30, 40), 50.0, np.float32)
    with pytest.raises(HintError, match=f"x={x}, y={y} is outside the 40x30 photo"):
        apply_hints(
            lightness, np.zeros((30, 40, 2), np.float32), make_guidance([Hint(x, y, (9, 9, 9))])
        )


def test_hint_errors_are_panocolor_errors_and_wrong_types_too():
    assert issubclass(HintError, PanocolorError)
    with pytest.raises(HintError, match="expected a Hint"):
        make_guidance([(1, 2, (3, 4, 5))])
    with pytest.raises(HintError, match="segment ids start at 1"):
        SegmentColour(0, (1, 2, 3))


@pytest.mark.parametrize(
    ("shape", "dtype", "message"),
    [((30, 41, 4), np.uint8, "41x30 but the photo is 40x30"), ((30, 40, 3), np.uint8, "RGBA")],
)
def test_wrong_scribbles_are_refused(shape, dtype, message):
    lightness = np.full((30, 40), 50.0, np.float32)
    guidance = make_guidance(scribbles=np.zeros(shape, dtype))
    with pytest.raises(HintError, match=message):
        apply_hints(lightness, np.zeros((30, 40, 2), np.float32), guidance)


def test_scribble_files_are_read_with_their_transparency(tmp_path):
    rgba = np.zeros((20, 30, 4), np.uint8)
    rgba[5:8, 4:20] = (200, 10, 10, 255)
    Image.fromarray(rgba).save(tmp_path / "s.png")
    read = read_scribbles(tmp_path / "s.png", (20, 30))
    np.testing.assert_array_equal(read[5:8, 4:20], rgba[5:8, 4:20])
    assert read[..., 3].sum() == rgba[..., 3].sum()
    with pytest.raises(HintError, match="30x20 but the photo is 31x20"):
        read_scribbles(tmp_path / "s.png", (20, 31))
    Image.fromarray(rgba[..., :3]).save(tmp_path / "opaque.png")
    with pytest.raises(HintError, match="no transparent pixels"):
        read_scribbles(tmp_path / "opaque.png")
