"""`panocolor colorize` checks its outputs before any model runs, and names the user's paths."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image
from skimage import data
from typer.testing import CliRunner

import panocolor.api
from panocolor.cli import app

runner = CliRunner()
FORMATS = ".png, .jpg, .jpeg, .tif, .tiff, .webp"


@pytest.fixture()
def colorizer_built(monkeypatch):
    """Records each Colorizer the command builds (i.e. models loaded, work started)."""
    built = []
    real = panocolor.api.Colorizer

    def recording(*args, **kwargs):
        built.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(panocolor.api, "Colorizer", recording)
    return built


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _one_error_line(result) -> str:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output and ".part" not in result.output
    return lines[0]


@pytest.mark.parametrize("name", ["out.gif", "out.bmp", "out.xyz", "out.GIF"])
def test_unwritable_suffix_is_an_error_listing_the_formats(photos, tmp_path, colorizer_built, name):
    gray, reference = photos
    before = sorted(os.listdir(tmp_path))
    line = _one_error_line(invoke("colorize", gray, "-r", reference, "-o", tmp_path / name))
    assert f"cannot write {tmp_path / name}" in line and FORMATS in line
    assert sorted(os.listdir(tmp_path)) == before  # no folder called out.gif
    assert colorizer_built == []


def test_existing_folder_with_a_dot_takes_the_output(photos, tmp_path):
    gray, reference = photos
    folder = tmp_path / "results.v2"
    folder.mkdir()
    result = invoke("colorize", gray, "-r", reference, "-o", folder, "-s", "none")
    assert result.exit_code == 0, result.output
    assert os.listdir(folder) == ["gray.png"]


def test_parent_that_is_a_file_fails_before_any_work(photos, tmp_path, colorizer_built):
    gray, reference = photos
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    target = blocker / "sub" / "out.png"
    line = _one_error_line(invoke("colorize", gray, "-r", reference, "-o", target))
    assert line == f"error: cannot write {target}: {blocker} is a file, not a folder"
    assert colorizer_built == []
    assert blocker.read_text() == "a file, not a folder"


def test_explain_panel_path_is_checked_first_too(photos, tmp_path, colorizer_built):
    gray, reference = photos
    out = tmp_path / "out.png"
    args = ["colorize", gray, "-r", reference, "-o", out, "--explain", tmp_path / "panel.gif"]
    line = _one_error_line(invoke(*args))
    assert f"cannot write {tmp_path / 'panel.gif'}" in line and FORMATS in line
    assert colorizer_built == [] and not out.exists()


def test_missing_parent_folders_are_created(photos, tmp_path):
    gray, reference = photos
    target = tmp_path / "new" / "deeper" / "out.png"
    result = invoke("colorize", gray, "-r", reference, "-o", target, "-s", "none")
    assert result.exit_code == 0, result.output
    assert np.asarray(Image.open(target)).shape == (64, 64, 3)


def test_several_inputs_need_a_folder(photos, tmp_path, colorizer_built):
    gray, reference = photos
    second = tmp_path / "second.png"
    Image.fromarray(data.moon()[::8, ::8]).save(second)
    before = sorted(os.listdir(tmp_path))
    line = _one_error_line(
        invoke("colorize", gray, second, "-r", reference, "-o", tmp_path / "o.png")
    )
    assert "2 inputs need an output folder" in line and str(tmp_path / "o.png") in line
    assert sorted(os.listdir(tmp_path)) == before and colorizer_built == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in a read-only folder")
def test_read_only_folder_fails_before_any_work(photos, tmp_path, colorizer_built):
    gray, reference = photos
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        line = _one_error_line(invoke("colorize", gray, "-r", reference, "-o", locked / "o.png"))
    finally:
        locked.chmod(0o700)
    assert (
        line == f"error: cannot write {locked / 'o.png'}: no permission to create files in {locked}"
    )
    assert colorizer_built == []


def test_folder_that_refuses_files_is_named_not_the_temporary_file(
    photos, tmp_path, colorizer_built, monkeypatch
):
    """A folder where creating a file fails (read-only file system, or permissions as
    non-root): the probe fails before any work and the message names the output."""
    import panocolor.io.write as write_module

    gray, reference = photos
    real_open = os.open

    def refusing_open(path, flags, *args):
        if str(path).endswith(".part"):
            raise OSError(30, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(write_module.os, "open", refusing_open)
    target = tmp_path / "out.png"
    line = _one_error_line(invoke("colorize", gray, "-r", reference, "-o", target))
    assert line == (
        f"error: cannot write {target}: cannot create files in {tmp_path} (read-only file system)"
    )
    assert colorizer_built == [] and not target.exists()
