"""Tests for panocolor.io.write: quantisation, formats, no overwrite, atomic writes."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest
import tifffile
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

import panocolor.io.write as write_module
from panocolor.errors import ImageWriteError
from panocolor.io import read_rgb, to_pixels, write_image
from panocolor.io.write import check_writable

RNG = np.random.default_rng(11)


def _pixels(bit_depth: int, shape: tuple[int, ...] = (20, 30, 3)) -> np.ndarray:
    dtype = np.uint8 if bit_depth == 8 else np.uint16
    return RNG.integers(0, np.iinfo(dtype).max + 1, shape, dtype=dtype)


# ---------------------------------------------------------------- to_pixels


def test_to_pixels_rounds_and_clips():
    values = np.array([-0.5, 0.0, 0.4 / 255, 0.6 / 255, 0.5, 1.0, 2.0])
    np.testing.assert_array_equal(to_pixels(values, 8), [0, 0, 0, 1, 128, 255, 255])
    assert to_pixels(values, 8).dtype == np.uint8
    sixteen = to_pixels(values, 16)
    assert sixteen.dtype == np.uint16
    np.testing.assert_array_equal(sixteen, [0, 0, 103, 154, 32768, 65535, 65535])


def test_to_pixels_rejects_bad_arguments():
    with pytest.raises(ValueError, match="bit_depth"):
        to_pixels(np.zeros(3), 12)
    with pytest.raises(ValueError, match="NaN"):
        to_pixels(np.array([np.nan]), 8)


@settings(max_examples=60, deadline=None)
@given(
    bit_depth=st.sampled_from([8, 16]),
    values=hnp.arrays(
        np.float64, hnp.array_shapes(max_dims=3, max_side=8), elements=st.floats(0, 1)
    ),
)
def test_to_pixels_is_nearest_level_and_round_trips(bit_depth, values):
    white = 255 if bit_depth == 8 else 65535
    pixels = to_pixels(values, bit_depth)
    assert pixels.shape == values.shape
    assert np.all(np.abs(pixels / white - values) <= 0.5 / white + 1e-6)
    np.testing.assert_array_equal(to_pixels(pixels / white, bit_depth), pixels)


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize("bit_depth", [8, 16])
@pytest.mark.parametrize("suffix", [".png", ".tif", ".tiff", ".PNG"])
@pytest.mark.parametrize("shape", [(20, 30, 3), (20, 30)])
def test_lossless_round_trip_keeps_bit_depth(bit_depth, suffix, shape, tmp_path):
    pixels = _pixels(bit_depth, shape)
    path = write_image(tmp_path / f"out{suffix}", pixels)
    assert path == tmp_path / f"out{suffix}"
    if suffix.lower() == ".png":
        stored = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        stored = stored[..., ::-1] if stored.ndim == 3 else stored
    else:
        stored = tifffile.imread(path)
    assert stored.dtype == pixels.dtype
    np.testing.assert_array_equal(stored, pixels)
    white = 255 if bit_depth == 8 else 65535
    rgb = read_rgb(path)
    expected = pixels if pixels.ndim == 3 else np.repeat(pixels[..., None], 3, axis=2)
    assert rgb.shape == expected.shape
    # read back as the very levels written, scaled to [0, 1]
    np.testing.assert_allclose(rgb, expected / white, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(to_pixels(rgb, bit_depth), expected)


@pytest.mark.parametrize("suffix", [".jpg", ".jpeg", ".webp"])
@pytest.mark.parametrize("bit_depth", [8, 16])
def test_lossy_formats_are_8_bit(suffix, bit_depth, tmp_path):
    smooth = np.linspace(0, 1, 64 * 48 * 3).reshape(48, 64, 3)
    pixels = to_pixels(smooth, bit_depth)
    path = write_image(tmp_path / f"out{suffix}", pixels)
    with Image.open(path) as image:
        assert image.mode == "RGB" and image.size == (64, 48)
    np.testing.assert_allclose(read_rgb(path), smooth, atol=0.03)


def test_16_to_8_bit_reduction_rounds(tmp_path):
    values = np.array([[0, 128, 129, 32896, 65535]], np.uint16)
    np.testing.assert_array_equal(write_module._to_8bit(values), [[0, 0, 1, 128, 255]])


def test_gray_jpeg(tmp_path):
    path = write_image(tmp_path / "gray.jpg", np.full((8, 8), 200, np.uint8))
    with Image.open(path) as image:
        assert image.mode == "L"


# ---------------------------------------------------------------- safety


def test_existing_file_is_not_overwritten_without_flag(tmp_path):
    path = tmp_path / "out.png"
    path.write_bytes(b"precious")
    with pytest.raises(ImageWriteError, match="use --overwrite") as excinfo:
        write_image(path, _pixels(8))
    assert str(path) in str(excinfo.value) and "\n" not in str(excinfo.value)
    assert path.read_bytes() == b"precious"
    assert os.listdir(tmp_path) == ["out.png"]


def test_overwrite_replaces_the_file(tmp_path):
    path = tmp_path / "out.png"
    path.write_bytes(b"old")
    pixels = _pixels(8)
    write_image(path, pixels, overwrite=True)
    np.testing.assert_array_equal(np.asarray(Image.open(path)), pixels)
    assert os.listdir(tmp_path) == ["out.png"]


def _failing_encoder(file, pixels, extension):
    file.write(b"half an image")
    raise OSError("disk full")


@pytest.mark.parametrize("existing", [False, True])
def test_failed_write_leaves_no_output_and_no_temp_file(existing, tmp_path, monkeypatch):
    path = tmp_path / "out.png"
    if existing:
        path.write_bytes(b"old")
    monkeypatch.setattr(write_module, "_encode", _failing_encoder)
    with pytest.raises(ImageWriteError, match="disk full") as excinfo:
        write_image(path, _pixels(8), overwrite=True)
    assert str(excinfo.value).startswith(f"cannot write {path}: ")
    assert os.listdir(tmp_path) == (["out.png"] if existing else [])
    if existing:
        assert path.read_bytes() == b"old"


def test_file_appearing_during_the_write_is_not_replaced(tmp_path, monkeypatch):
    path = tmp_path / "out.png"
    real_encode = write_module._encode

    def racing_encoder(file, pixels, extension):
        path.write_bytes(b"written by someone else")
        real_encode(file, pixels, extension)

    monkeypatch.setattr(write_module, "_encode", racing_encoder)
    with pytest.raises(ImageWriteError, match="use --overwrite"):
        write_image(path, _pixels(8))
    assert path.read_bytes() == b"written by someone else"
    assert os.listdir(tmp_path) == ["out.png"]


def test_parent_folders_are_created(tmp_path):
    path = write_image(tmp_path / "a" / "b" / "out.tif", _pixels(16))
    assert path.is_file()


@pytest.mark.parametrize("name", ["out.bmp", "out", "out.png.txt", "out.GIF"])
def test_unknown_extension(name, tmp_path):
    with pytest.raises(ImageWriteError) as excinfo:
        write_image(tmp_path / name, _pixels(8))
    message = str(excinfo.value)
    assert message.startswith(f"cannot write {tmp_path / name}: panocolor does not write ")
    assert message.endswith("it writes .png, .jpg, .jpeg, .tif, .tiff, .webp")
    assert os.listdir(tmp_path) == []


def test_os_error_names_the_output_not_the_temporary_file(tmp_path, monkeypatch):
    """A failing write reports the user's path and the reason, never ``.out.png.<hex>.part``."""
    path = tmp_path / "out.png"

    def failing_encoder(file, pixels, extension):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".out.png.25b5739b3feb.part"))

    monkeypatch.setattr(write_module, "_encode", failing_encoder)
    with pytest.raises(ImageWriteError) as excinfo:
        write_image(path, _pixels(8))
    assert str(excinfo.value) == f"cannot write {path}: permission denied"
    assert os.listdir(tmp_path) == []


def test_parent_that_is_a_file(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_bytes(b"keep")
    target = blocker / "out.png"
    with pytest.raises(ImageWriteError) as excinfo:
        write_image(target, _pixels(8))
    assert str(excinfo.value) == f"cannot write {target}: {blocker} is a file, not a folder"
    with pytest.raises(ImageWriteError, match="is a file, not a folder"):
        check_writable(blocker / "a" / "b" / "out.png")
    assert blocker.read_bytes() == b"keep" and os.listdir(tmp_path) == ["notes.txt"]


def test_check_writable_leaves_nothing_behind(tmp_path):
    assert check_writable(tmp_path / "out.png") == tmp_path / "out.png"
    assert check_writable(tmp_path / "new" / "out.tif") == tmp_path / "new" / "out.tif"
    assert os.listdir(tmp_path) == []  # the probe is removed; missing folders are not made
    (tmp_path / "out.png").write_bytes(b"old")
    with pytest.raises(ImageWriteError, match="use --overwrite"):
        check_writable(tmp_path / "out.png")
    assert check_writable(tmp_path / "out.png", overwrite=True) == tmp_path / "out.png"
    assert os.listdir(tmp_path) == ["out.png"]


def test_directory_target(tmp_path):
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(ImageWriteError, match="directory"):
        write_image(tmp_path / "dir.png", _pixels(8), overwrite=True)


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((4, 4, 3), np.float32),
        np.zeros((4, 4, 4), np.uint8),
        np.zeros((0, 4, 3), np.uint8),
        np.zeros(4, np.uint8),
    ],
)
def test_bad_pixels(pixels, tmp_path):
    with pytest.raises(ValueError, match="pixels"):
        write_image(tmp_path / "out.png", pixels)


def test_folder_without_write_permission(tmp_path, monkeypatch):
    """The permission branch (run as root, os.access would say yes: it is simulated here)."""
    monkeypatch.setattr(write_module.os, "access", lambda path, mode: False)
    with pytest.raises(ImageWriteError) as excinfo:
        check_writable(tmp_path / "sub" / "out.png")
    assert str(excinfo.value) == (
        f"cannot write {tmp_path / 'sub' / 'out.png'}: no permission to create files in {tmp_path}"
    )
    assert os.listdir(tmp_path) == []
