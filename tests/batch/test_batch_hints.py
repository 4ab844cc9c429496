"""The batch CSV's ``hints`` column: JSON point hints or a scribble PNG per row."""

import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from panocolor.batch import list_jobs
from panocolor.cli import app
from panocolor.errors import PanocolorError
from panocolor.imaging.colorspace import rgb_to_lab

runner = CliRunner()


def gray_photo(path, height=48, width=64):
    """Two flat halves (dark left, light right): a hint on one stays on its side."""
    pixels = np.full((height, width), 170, np.uint8)
    pixels[:, : width // 2] = 70
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


def chroma(path):
    return rgb_to_lab(np.asarray(Image.open(path).convert("RGB"), np.float32) / 255.0)[..., 1:]


def test_hints_cells_are_read_and_checked_when_listing(tmp_path):
    listing = tmp_path / "list.csv"
    listing.write_text(
        "input,reference,hints\n"
        'a.png,,"[""40,10=#c00000"", {""x"": 1, ""y"": 2, ""colour"": ""#0000ff""}]"\n'
        "b.png,ref.jpg,marks/b.png\n"
        "c.png,ref.jpg,\n"
    )
    a, b, c = list_jobs(listing, tmp_path / "out")
    assert json.loads(a.hints) == ["40,10=#c00000", {"x": 1, "y": 2, "colour": "#0000ff"}]
    assert a.scribbles is None and b.hints is None
    assert b.scribbles == str(tmp_path / "marks" / "b.png")
    assert c.hints is None and c.scribbles is None


@pytest.mark.parametrize(
    "cell", ['"[""40,10=red""]"', '"[""40=#c00000""]"', '"[{""x"": 1}]"', '"[1, 2"']
)
def test_a_malformed_hints_cell_names_its_line(tmp_path, cell):
    listing = tmp_path / "list.csv"
    listing.write_text(f"input,hints\na.png,\nb.png,{cell}\n")
    with pytest.raises(PanocolorError, match=r"line 3: hints column"):
        list_jobs(listing, tmp_path / "out")


def test_batch_colours_rows_from_their_hints_alone(tmp_path):
    root = tmp_path / "in"
    for name in ("hinted.png", "scribbled.png", "outside.png"):
        gray_photo(root / name)
    scribbles = np.zeros((48, 64, 4), np.uint8)
    scribbles[20:28, 40:48] = (0, 60, 200, 255)  # a blue stroke on the light half
    Image.fromarray(scribbles).save(root / "strokes.png")
    (root / "list.csv").write_text(
        "input,hints\n"
        'hinted.png,"[""10,20=#c00000""]"\n'
        "scribbled.png,strokes.png\n"
        'outside.png,"[""640,20=#c00000""]"\n'
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["batch", str(root / "list.csv"), "-o", str(out), "--segmenter", "none", "-w", "1"]
    )
    assert result.exit_code == 1, result.output  # one photo failed
    assert "Traceback" not in result.output and "2 done" in result.output

    hinted = chroma(out / "hinted.png")
    assert hinted[..., 0][:, :32].mean() > 20  # red on the hint's dark half
    assert np.abs(hinted[:, 40:]).max() < 2  # the light half, no hint, stays gray
    scribbled = chroma(out / "scribbled.png")
    assert scribbled[..., 1][:, 36:].mean() < -20  # blue over the stroke's half
    assert np.abs(scribbled[:, :28]).max() < 2

    records = {
        json.loads(line)["key"]: json.loads(line)
        for line in (out / "panocolor-manifest.jsonl").read_text().splitlines()
    }
    assert records["hinted.png"]["guidance"] == {"hints": ["10,20=#c00000"]}
    assert records["scribbled.png"]["guidance"] == {"scribbles": str(root / "strokes.png")}
    failures = (out / "panocolor-failures.csv").read_text()
    assert "outside.png" in failures and "outside the 64x48 photo" in failures
    assert not (out / "outside.png").exists()
