"""The Ray engine on a local Ray instance with 2 CPUs."""

import json

import numpy as np
import pytest
from PIL import Image
from skimage import data
from typer.testing import CliRunner

from panocolor.cli import app

pytest.importorskip("ray.data")
pytestmark = pytest.mark.slow


def test_ray_engine_colorizes_and_records(tmp_path):
    root, out = tmp_path / "in", tmp_path / "out"
    camera = data.camera()
    names = ["a.png", "b.png", "sub/c.png", "sub/broken.png"]
    for step, name in zip((6, 7, 8), names, strict=False):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(camera[::step, ::step]).save(root / name)
    (root / "sub" / "broken.png").write_bytes(b"not an image")
    reference = tmp_path / "reference.jpg"
    Image.fromarray(data.coffee()[::4, ::4]).save(reference)

    args = ["batch", root, "-o", out, "-r", reference, "--segmenter", "none"]
    result = CliRunner().invoke(app, [str(a) for a in args + ["--engine", "ray", "-w", "2"]])
    assert result.exit_code == 1, result.output
    assert "3 done" in result.output and "1 failed" in result.output
    assert "Traceback" not in result.output
    lines = (out / "panocolor-manifest.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["key"] for line in lines) == ["a.png", "b.png", "sub/c.png"]
    for step, name in zip((6, 7, 8), names, strict=False):
        assert np.asarray(Image.open(out / name)).shape == camera[::step, ::step].shape + (3,)
    assert "broken.png" in (out / "panocolor-failures.csv").read_text()
