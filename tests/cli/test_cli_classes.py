"""Class names users type (``--ref sky=...``): aliases, `panocolor classes`, refusals."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage import color
from typer.testing import CliRunner

import panocolor.api
from panocolor.cli import app
from panocolor.io import read_gray
from panocolor.reference import ClassReferences
from panocolor.segment.classes import (
    CLASS_ALIASES,
    UnknownClassError,
    class_aliases,
    coco_categories,
    resolve_class,
)
from panocolor.segment.deeplab import class_names

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], terminal_width=120)


def _blue_photo(path, shape=(96, 128)):
    rng = np.random.default_rng(0)
    pixels = np.array([60, 120, 230]) + rng.normal(0, 12, (*shape, 3))
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path)
    return path


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("sky", "sky-other-merged"),
        ("Sky", "sky-other-merged"),
        ("tree", "tree-merged"),
        ("vegetation", "tree-merged"),
        ("grass", "grass-merged"),
        ("building", "building-other-merged"),
        ("road", "road"),
        ("pavement", "pavement-merged"),
        ("sidewalk", "pavement-merged"),
        ("person", "person"),
        ("people", "person"),
        ("car", "car"),
        ("water", "water-other"),
        ("mountain", "mountain-merged"),
        ("motorbike", "motorcycle"),
        ("dining_table", "dining table"),
        ("sky-other-merged", "sky-other-merged"),
        ("unknown-3", "unknown-3"),
    ],
)
def test_plain_names_resolve_to_the_labels_segments_carry(typed, label):
    assert resolve_class(typed) == label


def test_every_alias_points_at_a_coco_class_and_every_segmenter_class_is_reachable():
    names = {c.name for c in coco_categories().values()}
    assert set(class_aliases().values()) <= names
    assert set(CLASS_ALIASES) <= set(class_aliases())
    assert {"sky-other-merged", "tree-merged", "person"} <= set(class_names()) <= names
    # The stuff probe's groups, not the Cityscapes classes it replaced by default.
    assert {"wall-other-merged", "snow"} <= set(class_names())
    assert "pavement-merged" not in class_names()
    assert "pavement-merged" in class_names(probe=False)  # the Cityscapes stuff instead


def test_the_listed_classes_are_those_the_default_segmenter_gives(model_dir, shared_data):
    from panocolor.io import read_color
    from panocolor.segment import build_segmenter

    segmenter = build_segmenter("deeplab", model_dir=model_dir)
    labels = set()
    for name in ("kodim13.png", "kodim04.png", "kodim16.png"):
        labels |= {
            s.label
            for s in segmenter(read_color(shared_data / "kodak" / name).lab[..., 0]).segments
        }
    # The shared models remember recent runs and reuse them for near-identical inputs:
    # forgotten, so that later tests segmenting these photos run the models themselves.
    segmenter.voc.forget()
    segmenter.cityscapes.forget()
    named = {label for label in labels if not label.startswith("unknown-")}
    assert len(named) >= 4 and named <= set(class_names())
    listed = tuple(coco_categories()[class_id].name for class_id, _ in segmenter.classes[1:])
    assert listed == class_names()  # the listing's defaults are the segmenter's


@pytest.mark.parametrize(
    ("typed", "suggested"), [("skye", "sky"), ("buildng", "building"), ("persn", "person")]
)
def test_unknown_names_are_refused_with_close_names(typed, suggested):
    with pytest.raises(UnknownClassError) as excinfo:
        resolve_class(typed)
    message = str(excinfo.value)
    assert message.startswith(f"unknown class {typed!r}; did you mean {suggested}")
    assert "`panocolor classes`" in message and "\n" not in message


def test_class_references_accept_aliases(astronaut_rgb):
    from panocolor.io import read_color

    source = ClassReferences({"sky": read_color(astronaut_rgb)})
    assert list(source._references) == ["sky-other-merged"]
    with pytest.raises(UnknownClassError):
        ClassReferences({"bogus": read_color(astronaut_rgb)})


def test_bogus_ref_class_is_refused_before_any_work(photos, tmp_path, monkeypatch):
    gray, reference = photos
    built = []
    monkeypatch.setattr(panocolor.api, "Colorizer", lambda *a, **k: built.append(a))
    out = tmp_path / "out.png"
    result = invoke("colorize", gray, "-r", reference, "--ref", f"skye={reference}", "-o", out)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        "error: --ref skye: unknown class 'skye'; did you mean sky? "
        "`panocolor classes` lists the class names"
    ]
    assert not out.exists() and built == []


def test_classes_command_lists_classes_and_aliases():
    result = invoke("classes")
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines() if line.startswith("  ")]
    rows = {cells[0]: cells[1:] for cells in (re.split(r"\s{2,}", line) for line in lines)}
    assert rows["sky-other-merged"] == ["clouds, sky"]
    assert "vegetation" in rows["tree-merged"][0] and "people" in rows["person"][0]
    assert rows["dining table"] == ["diningtable, table"]
    assert rows["mountain-merged"] == ["hill, mountain, mountains"]  # a stuff probe group
    assert rows["cat"] == [] and "playingfield" not in rows  # other COCO classes: --all
    everything = invoke("classes", "--all")
    listed = [re.split(r"\s{2,}", line.strip()) for line in everything.output.splitlines()]
    assert any(row[0] == "playingfield" for row in listed)


def test_colorize_help_points_to_the_classes_command():
    result = invoke("colorize", "--help")
    assert "panocolor classes" in " ".join(result.output.split())


def test_ref_class_without_a_segment_warns_naming_the_classes_found(photos, tmp_path):
    """Superpixel segments are all ``unknown-k``: a --ref sky matches none of them."""
    gray, reference = photos
    out = tmp_path / "out.png"
    sky = _blue_photo(tmp_path / "sky.png")
    args = ["colorize", gray, "-r", reference, "--ref", f"sky={sky}", "-o", out]
    result = invoke(*args, "--segmenter", "superpixel")
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.output.splitlines() if line.startswith("warning:"))
    assert warning.startswith(f"warning: --ref: no segment of {gray} is sky-other-merged (found: ")
    assert "unknown-1" in warning
    assert out.is_file()


def test_ref_sky_colours_the_sky_and_only_the_sky(tmp_path, shared_data, model_dir):
    """Real models: kodim16 (sea, palms, a big sky) from kodim13 (no sky found in it)."""
    gray = tmp_path / "lake.png"
    truth = np.asarray(Image.open(shared_data / "kodak" / "kodim16.png").convert("RGB"))
    lightness = color.rgb2lab(truth)[..., 0]
    gray_pixels = np.round(
        color.lab2rgb(np.dstack([lightness, 0 * lightness, 0 * lightness])) * 255
    )
    Image.fromarray(gray_pixels[..., 0].astype(np.uint8)).save(gray)
    reference = shared_data / "kodak" / "kodim13.png"
    sky_photo = _blue_photo(tmp_path / "blue.png")
    plain, with_sky = tmp_path / "plain.png", tmp_path / "sky.png"
    common = ["colorize", gray, "-r", reference, "--model-dir", model_dir]
    first = invoke(*common, "-o", plain)
    second = invoke(*common, "--ref", f"sky={sky_photo}", "-o", with_sky)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "sky-other-merged: class (class:sky-other-merged)" in second.output
    assert "warning" not in second.output

    from panocolor.segment import DeepLabSegmenter

    segmentation = DeepLabSegmenter(model_dir)(read_gray(gray).lightness)
    sky = np.isin(segmentation.ids, [s.id for s in segmentation.by_label("sky-other-merged")])
    assert 0.05 < sky.mean() < 0.9
    far = ~ndimage.binary_dilation(sky, iterations=30)  # beyond the feathered rim
    lab_plain = color.rgb2lab(np.asarray(Image.open(plain)) / 255.0)
    lab_sky = color.rgb2lab(np.asarray(Image.open(with_sky)) / 255.0)
    change = np.linalg.norm(lab_sky[..., 1:] - lab_plain[..., 1:], axis=-1)
    assert lab_sky[..., 2][sky].mean() < lab_plain[..., 2][sky].mean() - 20  # bluer sky
    assert lab_sky[..., 2][sky].mean() < -15
    assert np.mean(change[far] > 1.0) < 0.01  # the rest is left as it was
    gray_l = color.rgb2lab(np.dstack([np.asarray(Image.open(gray))] * 3) / 255.0)[..., 0]
    assert np.abs(lab_sky[..., 0] - gray_l).max() <= 0.5
