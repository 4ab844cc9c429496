"""No runtime chatter on stderr, and on/off flags shown as flags in ``--help``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PIL import Image
from skimage import color, data
from typer.testing import CliRunner

from panocolor.cli import app
from panocolor.models._runtime import runtime_stderr_filtered

runner = CliRunner()
CHATTER = "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."

COMMANDS = [
    [],
    ["colorize"],
    ["demo"],
    ["classes"],
    ["segment"],
    ["evaluate"],
    ["batch"],
    ["serve"],
    ["models"],
    ["models", "list"],
    ["models", "fetch"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "panocolor")
def test_help_shows_flags_without_a_value_placeholder(command):
    result = runner.invoke(app, [*command, "--help"], terminal_width=120)
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    help_line = next(line for line in result.output.splitlines() if "--help" in line)
    assert help_line.split("--help")[1].split()[:2] == ["-h", "Show"]


def test_help_still_shows_what_value_options_take():
    result = runner.invoke(app, ["colorize", "--help"], terminal_width=120)
    overwrite = next(line for line in result.output.splitlines() if "--overwrite" in line)
    assert "<" not in overwrite and "Replace outputs" in overwrite
    reference = next(line for line in result.output.splitlines() if "--reference" in line)
    assert "<path>" in reference


def test_runtime_chatter_is_dropped_and_the_rest_passed_on(capfd):
    with runtime_stderr_filtered():
        os.write(2, f"{CHATTER}\nERROR: something real\n".encode())
    captured = capfd.readouterr()
    assert CHATTER not in captured.err
    assert "ERROR: something real" in captured.err


def test_colorize_with_models_prints_no_runtime_chatter(tmp_path, model_dir):
    """A real ``panocolor colorize`` process with the models: stderr has no XNNPACK line."""
    gray, reference, out = tmp_path / "cat.png", tmp_path / "coffee.jpg", tmp_path / "out.png"
    Image.fromarray((color.rgb2gray(data.chelsea()[::2, ::2]) * 255).astype("uint8")).save(gray)
    Image.fromarray(data.coffee()[::2, ::2]).save(reference)
    env = {**os.environ, "PANOCOLOR_MODEL_DIR": str(model_dir)}
    command = [sys.executable, "-m", "panocolor", "colorize", str(gray), "-r", str(reference)]
    done = subprocess.run(
        [*command, "-o", str(out)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "segment 1 cat" in done.stderr  # the models did run
    assert "XNNPACK" not in done.stderr and "INFO:" not in done.stderr, done.stderr
    assert out.is_file()
