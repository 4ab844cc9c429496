"""`panocolor colorize` and `panocolor demo` through the real CLI entry point."""

import numpy as np
import pytest
from PIL import Image
from skimage import color, data
from typer.testing import CliRunner

from panocolor.cli import app

runner = CliRunner()


@pytest.fixture()
def photos(tmp_path):
    gray = tmp_path / "gray.png"
    Image.fromarray(data.camera()[::4, ::4]).save(gray)
    reference = tmp_path / "reference.jpg"
    Image.fromarray(data.coffee()[::2, ::2]).save(reference)
    return gray, reference


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def max_delta_l(rgb, gray_path):
    """Largest |L* out - L* in| over the photo (both from 8-bit pixels)."""
    gray = np.asarray(Image.open(gray_path).convert("L"))
    lightness_in = color.rgb2lab(np.dstack([gray] * 3) / 255.0)[..., 0]
    return float(np.abs(color.rgb2lab(rgb / 255.0)[..., 0] - lightness_in).max())


def test_colorize_one_file(photos, tmp_path):
    gray, reference = photos
    out = tmp_path / "out.png"
    result = invoke("colorize", gray, "-r", reference, "-o", out)
    assert result.exit_code == 0, result.output
    rgb = np.asarray(Image.open(out))
    assert rgb.shape == (128, 128, 3)
    assert rgb.std(axis=2).mean() > 2  # coloured, not gray
    assert max_delta_l(rgb, gray) <= 0.5  # L* kept, up to 8-bit rounding


def test_existing_output_is_kept_without_overwrite(photos, tmp_path):
    gray, reference = photos
    out = tmp_path / "out.png"
    out.write_bytes(b"precious")
    result = invoke("colorize", gray, "-r", reference, "-o", out)
    assert result.exit_code == 1
    assert "--overwrite" in result.output
    assert out.read_bytes() == b"precious"
    assert invoke("colorize", gray, "-r", reference, "-o", out, "--overwrite").exit_code == 0
    assert out.read_bytes() != b"precious"


def test_output_over_input_is_refused(photos):
    gray, reference = photos
    before = gray.read_bytes()
    result = invoke("colorize", gray, "-r", reference, "-o", gray, "--overwrite")
    assert result.exit_code == 1
    assert "is the input itself" in result.output
    assert gray.read_bytes() == before


def test_several_inputs_into_a_folder_with_a_broken_one(photos, tmp_path):
    gray, reference = photos
    second = tmp_path / "second.png"
    Image.fromarray(data.moon()[::4, ::4]).save(second)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    out_dir = tmp_path / "coloured"
    result = invoke("colorize", gray, second, broken, "-r", reference, "-o", out_dir)
    assert result.exit_code == 1
    assert sorted(p.name for p in out_dir.iterdir()) == ["gray.png", "second.png"]
    assert "broken.jpg" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "cannot read"), (b"hello", "cannot read")],
)
def test_bad_input_gives_one_line_error(photos, tmp_path, content, message):
    _, reference = photos
    bad = tmp_path / "bad.png"
    bad.write_bytes(content)
    result = invoke("colorize", bad, "-r", reference, "-o", tmp_path / "o.png")
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.png").exists()


def test_gray_reference_is_refused(photos, tmp_path):
    gray, _ = photos
    result = invoke("colorize", gray, "-r", gray, "-o", tmp_path / "o.png")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert str(gray) in lines[0] and "no colour" in lines[0] and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gray.png", "reference.jpg"]


def test_unknown_transfer_lists_choices(photos, tmp_path):
    gray, reference = photos
    result = invoke("colorize", gray, "-r", reference, "-o", tmp_path / "o.png", "-t", "nope")
    assert result.exit_code == 1
    assert "photoreal" in result.output


def test_help_shows_examples():
    result = invoke("colorize", "--help")
    assert result.exit_code == 0
    assert "panocolor colorize grandma.jpg" in result.output


@pytest.mark.parametrize("mode", ["fast", "faithful"])
def test_per_object_with_class_reference_and_explain_panel(tmp_path, model_dir, mode):
    """Real models: the cat takes the --ref photo, the rest the -r photo; the panel is written."""
    gray = tmp_path / "cat.png"
    Image.fromarray(color.rgb2gray(data.chelsea()[::2, ::2]) * 255).convert("L").save(gray)
    reference, cat_reference = tmp_path / "coffee.jpg", tmp_path / "astronaut.jpg"
    Image.fromarray(data.coffee()[::2, ::2]).save(reference)
    Image.fromarray(data.astronaut()[::2, ::2]).save(cat_reference)
    out, panel = tmp_path / "out.png", tmp_path / "panel.png"
    args = ["colorize", gray, "-r", reference, "--ref", f"cat={cat_reference}", "-o", out]
    result = invoke(*args, "--mode", mode, "--explain", panel, "--model-dir", model_dir)
    assert result.exit_code == 0, result.output
    assert "cat: class" in result.output
    rgb = np.asarray(Image.open(out))
    assert rgb.shape == (150, 226, 3)
    assert max_delta_l(rgb, gray) <= 0.5
    figure = np.asarray(Image.open(panel))
    # Three 300 px tiles on top (input, segments, result) and at least one card row below.
    assert figure.shape[0] > 300 + 140 and figure.shape[1] > 3 * 300


def test_16_bit_input_gives_16_bit_output_with_its_lightness(photos, tmp_path):
    import cv2

    _, reference = photos
    rng = np.random.default_rng(3)
    smooth = cv2.GaussianBlur(rng.random((96, 128)), (0, 0), 6)
    gray16 = np.round((smooth - smooth.min()) / np.ptp(smooth) * 60000 + 2000).astype(np.uint16)
    source, out = tmp_path / "deep.png", tmp_path / "deep_out.png"
    cv2.imwrite(str(source), gray16)
    result = invoke("colorize", source, "-r", reference, "-o", out, "-s", "none")
    assert result.exit_code == 0, result.output
    written = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    assert written.dtype == np.uint16 and written.shape == (96, 128, 3)
    rgb = written[..., ::-1] / 65535.0
    lightness_in = color.rgb2lab(np.dstack([gray16 / 65535.0] * 3))[..., 0]
    assert np.abs(color.rgb2lab(rgb)[..., 0] - lightness_in).max() <= 0.05
    assert np.hypot(*color.rgb2lab(rgb)[..., 1:].transpose(2, 0, 1)).mean() > 2  # coloured
