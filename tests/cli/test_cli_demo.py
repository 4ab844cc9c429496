"""`panocolor demo` with and without the models, and the models-missing warning of colorize."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import color, data
from typer.testing import CliRunner

from panocolor.cli import app
from panocolor.cli.demo import demo_images

runner = CliRunner()
MISSING = "the segmentation models were not found"
DEMO_FILES = ["colorized.png", "comparison.png", "gray.png", "reference.png"]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def no_models(tmp_path, monkeypatch):
    """An empty model folder everywhere the product looks (option, variable, user cache)."""
    empty = tmp_path / "empty-models"
    empty.mkdir()
    monkeypatch.setenv("PANOCOLOR_MODEL_DIR", str(empty))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return empty


def _lab(path):
    return color.rgb2lab(np.asarray(Image.open(path).convert("RGB")) / 255.0)


def test_demo_images_are_the_bundled_photo_split_in_two():
    gray, reference = demo_images()
    assert gray.dtype == np.uint8 and gray.shape == (300, 270)
    assert reference.shape == (300, 271, 3) and reference.std(axis=2).mean() > 10


def test_demo_with_models_colours_object_by_object(tmp_path, model_dir):
    out = tmp_path / "demo"
    result = invoke("demo", "-o", out, "--model-dir", model_dir)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted([*DEMO_FILES, "explain.png"])
    assert "coloured object by object" in result.output and MISSING not in result.output
    assert "segments: " in result.output and "cat" in result.output
    lab, gray = _lab(out / "colorized.png"), _lab(out / "gray.png")
    assert np.abs(lab[..., 0] - gray[..., 0]).max() <= 0.5  # only colour was added
    fur = lab[100:250, 30:200]  # the cat's cheek and muzzle
    assert fur[..., 2].mean() > 10 and fur[..., 1].mean() > 0  # tabby brown, not grey or green
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    assert np.median(chroma) > 8  # coloured throughout, not a faint tint
    panel = np.asarray(Image.open(out / "explain.png"))
    assert panel.shape[0] > 300 and panel.shape[1] > 3 * 260  # 3 tiles + cards
    comparison = np.asarray(Image.open(out / "comparison.png"))
    assert comparison.shape == (300, 270 + 271 + 270 + 2 * 8, 3)

    before = {name: (out / name).read_bytes() for name in DEMO_FILES}
    again = invoke("demo", "-o", out, "--model-dir", model_dir)
    assert again.exit_code == 1 and "--overwrite" in again.output
    assert {name: (out / name).read_bytes() for name in DEMO_FILES} == before


def test_demo_without_models_says_what_is_missing(tmp_path, no_models):
    out = tmp_path / "demo"
    result = invoke("demo", "-o", out, "--transfer", "reinhard")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == DEMO_FILES  # no explain panel
    warning = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and MISSING in warning[0]
    assert "deeplabv3_mnv2_pascal_quant.tflite" in warning[0] and str(no_models) in warning[0]
    assert "`panocolor models fetch`" in warning[0] and "explain panel" in warning[0]
    assert "coloured from the whole reference" in result.output


@pytest.mark.parametrize("where", ["option", "variable"])
def test_colorize_without_models_warns_once_and_plainly(tmp_path, photos, no_models, where):
    gray, reference = photos
    second = tmp_path / "second.png"
    Image.fromarray(data.moon()[::8, ::8]).save(second)
    out, panel = tmp_path / "out.png", tmp_path / "panel.png"
    model_option = ["--model-dir", no_models] if where == "option" else []
    args = ["colorize", gray, "-r", reference, "--ref", f"sky={reference}", "-o", out]
    result = invoke(*args, "--explain", panel, *model_option)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result.output
    assert MISSING in warnings[0] and "coloured from the whole reference" in warnings[0]
    assert "--ref and --explain cannot be used" in warnings[0]
    assert "`panocolor models fetch`" in warnings[0]
    assert out.is_file() and not panel.exists()

    several = invoke("colorize", gray, second, "-r", reference, "-o", tmp_path / "many")
    assert several.exit_code == 0, several.output
    assert several.output.count(MISSING) == 1  # once per run, not once per photo
    assert "--ref" not in several.output.split(MISSING)[1].split("\n")[0]


def test_no_warning_when_segmentation_is_switched_off(photos, tmp_path, no_models):
    gray, reference = photos
    result = invoke("colorize", gray, "-r", reference, "-o", tmp_path / "o.png", "-s", "none")
    assert result.exit_code == 0 and "warning:" not in result.output
