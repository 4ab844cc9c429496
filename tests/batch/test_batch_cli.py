"""``panocolor batch`` through the CLI: layouts, lists, broken files, reruns, per-object."""

import csv
import json

import numpy as np
import pytest
from PIL import Image
from skimage import data
from typer.testing import CliRunner

from panocolor.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def scans(tmp_path):
    """A folder tree of small gray photos, one broken file, and a colour reference."""
    root = tmp_path / "scans"
    camera = data.camera()
    for name, step in (("a.png", 8), ("1950/b.jpg", 6), ("1950/summer/c.tif", 7)):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(camera[::step, ::step]).save(path)
    (root / "1950" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    reference = tmp_path / "reference.jpg"
    Image.fromarray(data.coffee()[::4, ::4]).save(reference)
    return root, reference


def manifest(out):
    lines = (out / "panocolor-manifest.jsonl").read_text().splitlines()
    return {record["key"]: record for record in map(json.loads, lines)}


def test_folder_with_a_broken_file(scans, tmp_path):
    root, reference = scans
    out = tmp_path / "out"
    result = invoke("batch", root, "-o", out, "-r", reference, "--segmenter", "none", "-w", "1")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "3 done" in result.output and "1 failed" in result.output
    for name, step in (("a.png", 8), ("1950/b.jpg", 6), ("1950/summer/c.tif", 7)):
        rgb = np.asarray(Image.open(out / name))
        assert rgb.shape == data.camera()[::step, ::step].shape + (3,)
    assert not (out / "1950" / "broken.png").exists()
    with (out / "panocolor-failures.csv").open() as file:
        (failure,) = list(csv.DictReader(file))
    assert failure["input"].endswith("broken.png") and "cannot read" in failure["reason"]
    records = manifest(out)
    assert set(records) == {"a.png", "1950/b.jpg", "1950/summer/c.tif"}
    record = records["1950/summer/c.tif"]
    assert record["settings"]["transfer"] == "photoreal"
    assert record["references"] == {"reference": str(reference.resolve())}
    assert record["version"] and record["timings"]["total"] > 0

    # A second run skips the finished photos and fails the broken one again.
    mtimes = {name: (out / name).stat().st_mtime_ns for name in records}
    result = invoke("batch", root, "-o", out, "-r", reference, "--segmenter", "none")
    assert result.exit_code == 1
    assert "0 done, 3 skipped" in result.output
    assert {name: (out / name).stat().st_mtime_ns for name in records} == mtimes


def test_csv_list_reference_per_row(scans, tmp_path):
    root, reference = scans
    other = tmp_path / "astronaut.png"
    Image.fromarray(data.astronaut()[::4, ::4]).save(other)
    listing = root / "list.csv"
    listing.write_text("input,reference\na.png,../astronaut.png\n1950/b.jpg,\n")
    out = tmp_path / "out"
    args = ("-o", out, "-r", reference, "--segmenter", "none", "--transfer", "reinhard")
    result = invoke("batch", listing, *args)
    assert result.exit_code == 0, result.output
    records = manifest(out)
    assert records["a.png"]["references"] == {"reference": str(other.resolve())}
    assert records["1950/b.jpg"]["references"] == {"reference": str(reference.resolve())}
    assert sorted(p.name for p in out.rglob("*.*") if not p.name.startswith(".")) == [
        "a.png",
        "b.jpg",
        "panocolor-manifest.jsonl",
    ]


def test_existing_outputs_need_overwrite(scans, tmp_path):
    root, reference = scans
    (root / "1950" / "broken.png").unlink()
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.png").write_bytes(b"precious")
    args = ("batch", root, "-o", out, "-r", reference, "--segmenter", "none")
    result = invoke(*args)
    assert result.exit_code == 1 and "--overwrite" in result.output
    assert (out / "a.png").read_bytes() == b"precious"
    result = invoke(*args, "--overwrite")
    assert result.exit_code == 0, result.output
    assert "3 done" in result.output
    assert Image.open(out / "a.png").size == (64, 64)


def test_bad_options_are_one_line_errors(scans, tmp_path):
    root, reference = scans
    for extra, message in (
        (("--engine", "spark"), "--engine must be one of"),
        (("--ref", "sky"), "CLASS=PATH"),
        (("--transfer", "nope"), "nope"),
    ):
        result = invoke("batch", root, "-o", tmp_path / "out", "-r", reference, *extra)
        assert result.exit_code != 0 and message in result.output
        assert "Traceback" not in result.output
    result = invoke("batch", root, "-o", tmp_path / "out", "-r", tmp_path / "missing.jpg")
    assert result.exit_code == 1 and "missing.jpg" in result.output


def test_per_object_default_records_the_plan(model_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("PANOCOLOR_MODEL_DIR", str(model_dir))
    root = tmp_path / "in"
    root.mkdir()
    Image.fromarray(np.asarray(Image.fromarray(data.astronaut()).convert("L"))[::2, ::2]).save(
        root / "astronaut.png"
    )
    reference = tmp_path / "coffee.jpg"
    Image.fromarray(data.coffee()[::2, ::2]).save(reference)
    out = tmp_path / "out"
    result = invoke("batch", root, "-o", out, "-r", reference, "-w", "1")
    assert result.exit_code == 0, result.output
    record = manifest(out)["astronaut.png"]
    assert record["settings"]["segmenter"] == "auto"
    assert record["references"]["choices"], record["references"]
    assert {"segment", "plan", "transfer"} <= set(record["timings"])
    assert Image.open(out / "astronaut.png").size == (256, 256)
