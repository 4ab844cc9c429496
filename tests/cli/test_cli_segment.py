"""``panocolor segment``: overlay, JSON and COCO outputs; errors as one line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from skimage import data
from typer.testing import CliRunner

from panocolor.cli import app
from panocolor.segment import read_coco


@pytest.fixture
def gray_photo(tmp_path):
    path = tmp_path / "cat.png"
    gray = np.round(data.chelsea().mean(axis=2)).astype(np.uint8)[::2, ::2]
    Image.fromarray(gray).save(path)
    return path


def test_superpixel_outputs(tmp_path, gray_photo) -> None:
    out = tmp_path / "out" / "seg.png"
    args = ["segment", str(gray_photo), "-o", str(out), "--json", str(tmp_path / "s.json")]
    result = CliRunner().invoke(app, [*args, "--coco", "--segmenter", "superpixel"])
    assert result.exit_code == 0, result.output
    overlay = np.asarray(Image.open(out))
    assert overlay.shape == (150, 226, 3) and overlay.std(axis=2).mean() > 1  # coloured
    records = json.loads((tmp_path / "s.json").read_text())
    assert records["width"] == 226 and records["segments"][0]["label"] == "unknown-1"
    coco = read_coco(tmp_path / "out" / "seg_panoptic.png")
    assert len(coco.segments) == len(records["segments"])
    again = CliRunner().invoke(app, [*args, "--segmenter", "superpixel"])
    assert again.exit_code == 1 and "--overwrite" in again.output
    replaced = CliRunner().invoke(app, [*args, "--segmenter", "superpixel", "--overwrite"])
    assert replaced.exit_code == 0


def test_deeplab_finds_the_cat(tmp_path, gray_photo, model_dir) -> None:
    out, json_path = tmp_path / "seg.png", tmp_path / "s.json"
    args = ["segment", str(gray_photo), "-o", str(out), "--model-dir", str(model_dir)]
    result = CliRunner().invoke(app, [*args, "--json", str(json_path)])
    assert result.exit_code == 0, result.output
    records = json.loads(json_path.read_text())
    assert records["source"] == str(gray_photo) and records["width"] == 226
    segments = records["segments"]
    assert sum(s["area"] for s in segments) == 150 * 226  # every pixel in one segment
    cat = [s for s in segments if s["label"] == "cat"]
    assert cat and all(s["is_thing"] for s in cat)
    assert sum(s["area"] for s in cat) > 0.5 * 150 * 226  # the cat fills most of the photo
    things = sum(s["is_thing"] for s in segments)
    labels = sorted({s["label"] for s in segments if not s["label"].startswith("unknown-")})
    lines = result.output.strip().splitlines()
    assert lines[0] == f"{len(segments)} segments ({things} things): {', '.join(labels)}"
    assert lines[1] == f"wrote {out}, {json_path}"
    overlay = np.asarray(Image.open(out))
    assert overlay.shape == (150, 226, 3) and overlay.std(axis=2).mean() > 1


def test_panoptic_file_through_the_cli(tmp_path, gray_photo) -> None:
    """Segments written with --coco and read back with panoptic-file are the same segments."""
    runner = CliRunner()
    first, first_json = tmp_path / "a.png", tmp_path / "a.json"
    made = runner.invoke(
        app,
        ["segment", str(gray_photo), "-o", str(first), "-s", "superpixel", "--coco"]
        + ["--json", str(first_json)],
    )
    assert made.exit_code == 0, made.output
    second, second_json = tmp_path / "b.png", tmp_path / "b.json"
    args = ["segment", str(gray_photo), "-o", str(second), "-s", "panoptic-file"]
    result = runner.invoke(
        app, [*args, "--panoptic", str(tmp_path / "a_panoptic.png"), "--json", str(second_json)]
    )
    assert result.exit_code == 0, result.output
    original = json.loads(first_json.read_text())["segments"]
    read_back = json.loads(second_json.read_text())["segments"]
    key = ("id", "label", "area", "is_thing")
    assert [[s[k] for k in key] for s in read_back] == [[s[k] for k in key] for s in original]
    np.testing.assert_array_equal(np.asarray(Image.open(second)), np.asarray(Image.open(first)))

    third = tmp_path / "c.png"
    missing = runner.invoke(
        app, ["segment", str(gray_photo), "-o", str(third), "-s", "panoptic-file"]
    )
    assert missing.exit_code == 1
    assert missing.output.strip() == "error: --segmenter panoptic-file needs --panoptic PNG"
    assert not third.exists()


def test_errors_are_one_line(tmp_path, gray_photo, monkeypatch) -> None:
    monkeypatch.delenv("PANOCOLOR_MODEL_DIR", raising=False)
    monkeypatch.setattr("panocolor.models._store.cache_dir", lambda: tmp_path / "cache")
    runner = CliRunner()
    no_models = runner.invoke(app, ["segment", str(gray_photo), "-o", str(tmp_path / "x.png")])
    assert no_models.exit_code == 1
    assert "deeplabv3_mnv2_pascal_quant.tflite" in no_models.output
    assert "panocolor models fetch" in no_models.output and "Traceback" not in no_models.output
    unknown = runner.invoke(app, ["segment", str(gray_photo), "-o", "x.png", "-s", "nope"])
    assert unknown.exit_code == 1 and "choose one of" in unknown.output


def test_unwritable_overlay_fails_before_segmenting(tmp_path, gray_photo, monkeypatch) -> None:
    import panocolor.segment

    built = []
    monkeypatch.setattr(panocolor.segment, "build_segmenter", lambda *a, **k: built.append(a))
    out = tmp_path / "seg.gif"
    result = CliRunner().invoke(app, ["segment", str(gray_photo), "-o", str(out)])
    assert result.exit_code == 1 and built == []
    assert result.output.strip() == (
        f"error: cannot write {out}: panocolor does not write .gif; "
        "it writes .png, .jpg, .jpeg, .tif, .tiff, .webp"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.png"]
