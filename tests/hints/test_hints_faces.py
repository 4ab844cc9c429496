"""Hints through the faces: colorize(), the CLI (--hint, --scribbles, --segment-colour)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import color, data
from typer.testing import CliRunner

from panocolor import colorize
from panocolor.api import colorize_result
from panocolor.cli import app
from panocolor.explain import hint_lines, mark_hints
from panocolor.hints import Hint, HintError

runner = CliRunner()
BLUE = (30, 60, 200)


def _hue(ab: np.ndarray) -> float:
    return float(np.degrees(np.arctan2(ab[..., 1], ab[..., 0])))


def _blue_hue() -> float:
    return _hue(color.rgb2lab(np.array([[BLUE]]) / 255.0)[0, 0, 1:])


@pytest.fixture()
def photos(tmp_path):
    gray = tmp_path / "gray.png"
    Image.fromarray(data.camera()[::4, ::4]).save(gray)
    reference = tmp_path / "reference.jpg"
    Image.fromarray(data.coffee()[::2, ::2]).save(reference)
    return gray, reference


def test_colorize_with_a_hint_and_with_hints_alone(photos):
    gray, reference = photos
    plain = colorize(gray, reference, transfer="reinhard", segmenter="none")
    hinted = colorize(
        gray, reference, transfer="reinhard", segmenter="none", hints=[Hint(20, 100, BLUE)]
    )
    alone = colorize_result(
        gray, transfer="reinhard", segmenter="none", hints=[Hint(20, 100, BLUE)]
    )
    for rgb in (hinted, alone.rgb):
        lab = color.rgb2lab(rgb / 255.0)
        gap = abs((_hue(lab[100, 20, 1:]) - _blue_hue() + 180) % 360 - 180)
        assert gap < 5.0
    assert not np.array_equal(plain, hinted)
    assert alone.ab[0, 127].tolist() == [0.0, 0.0]  # far from the hint: gray
    with pytest.raises(HintError, match="outside"):
        colorize(gray, reference, transfer="reinhard", hints=[Hint(500, 1, BLUE)])


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_cli_colorizes_with_hints_and_no_reference(photos, tmp_path):
    gray, reference = photos
    out = tmp_path / "out.png"
    result = invoke("colorize", gray, "-o", out, "-s", "none", "--hint", "20,100=#1e3cc8")
    assert result.exit_code == 0, result.output
    assert "hint 1 at x=20, y=100: #1e3cc8" in result.output
    lab = color.rgb2lab(np.asarray(Image.open(out)) / 255.0)
    assert abs((_hue(lab[100, 20, 1:]) - _blue_hue() + 180) % 360 - 180) < 5.0
    with_reference = tmp_path / "ref.png"
    args = ["colorize", gray, "-r", reference, "-o", with_reference, "-s", "none", "-t", "reinhard"]
    assert invoke(*args, "--hint", "20,100=#1e3cc8").exit_code == 0


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--hint", "500,3=#ff0000", "outside the 128x128 photo"),
        ("--hint", "5,3=#ff00zz", "six hex digits"),
        ("--hint", "5;3=#ff0000", "X,Y=#RRGGBB"),
        ("--segment-colour", "car", "CLASS_OR_ID=#RRGGBB"),
        ("--segment-colour", "1=#ff0000", "need segments"),
    ],
)
def test_cli_bad_hints_give_one_line_errors(photos, tmp_path, option, value, message):
    gray, reference = photos
    args = ["colorize", gray, "-r", reference, "-o", tmp_path / "o.png", "-s", "none"]
    result = invoke(*args, option, value)
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.png").exists()


def test_cli_scribbles_of_the_wrong_size_are_refused(photos, tmp_path):
    gray, _ = photos
    scribbles = tmp_path / "s.png"
    Image.fromarray(np.zeros((64, 64, 4), np.uint8)).save(scribbles)
    result = invoke("colorize", gray, "-o", tmp_path / "o.png", "--scribbles", scribbles)
    assert result.exit_code != 0
    assert "64x64 but the photo is 128x128" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_cli_scribbles_colour_the_photo(photos, tmp_path):
    gray, _ = photos
    rgba = np.zeros((128, 128, 4), np.uint8)
    rgba[90:110, 20] = (*BLUE, 255)
    Image.fromarray(rgba).save(tmp_path / "s.png")
    out = tmp_path / "o.png"
    result = invoke("colorize", gray, "-o", out, "-s", "none", "--scribbles", tmp_path / "s.png")
    assert result.exit_code == 0, result.output
    lab = color.rgb2lab(np.asarray(Image.open(out)) / 255.0)
    assert abs((_hue(lab[100, 20, 1:]) - _blue_hue() + 180) % 360 - 180) < 5.0


def test_explain_rings_the_hints_in_their_colour():
    view = np.full((100, 150, 3), 128, np.uint8)
    marked = mark_hints(view, [Hint(300, 100, (250, 20, 20))], (200, 300))
    near = marked[40:60, 140:150].reshape(-1, 3)
    assert ((near[:, 0] > 200) & (near[:, 1] < 80)).any()  # a red ring around (150, 50)
    assert (marked[:30, :100] == 128).all()  # and nothing elsewhere
    assert hint_lines([Hint(1, 2, (255, 0, 16))]) == ["hint 1 at x=1, y=2: #ff0010"]


def test_per_object_explain_with_a_segment_colour(tmp_path, model_dir):
    """Real models: --segment-colour cat pins the cat (the whole photo here); panel written."""
    gray = tmp_path / "cat.png"
    Image.fromarray(color.rgb2gray(data.chelsea()[::2, ::2]) * 255).convert("L").save(gray)
    reference = tmp_path / "coffee.jpg"
    Image.fromarray(data.coffee()[::2, ::2]).save(reference)
    out, panel = tmp_path / "out.png", tmp_path / "panel.png"
    args = ["colorize", gray, "-r", reference, "-o", out, "--model-dir", model_dir]
    result = invoke(*args, "--segment-colour", "cat=#1e3cc8", "--explain", panel)
    assert result.exit_code == 0, result.output
    assert panel.is_file()
    lab = color.rgb2lab(np.asarray(Image.open(out)) / 255.0)
    assert abs((_hue(lab[90, 120, 1:]) - _blue_hue() + 180) % 360 - 180) < 10.0  # the cat's body
