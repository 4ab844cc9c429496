"""Tests for panocolor.io.read: every input kind, and one-line errors for bad files."""

from __future__ import annotations

import struct
import warnings
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import ExifTags, Image, ImageFile, ImageOps

import panocolor.io.decode as decode_module
from panocolor.errors import ColorInputWarning, ImageReadError, UnusableReferenceError
from panocolor.imaging.colorspace import gray_to_lightness, lab_to_rgb, rgb_to_lab
from panocolor.io import (
    DEFAULT_MAX_PIXELS,
    MIN_REFERENCE_COLOURS,
    MIN_REFERENCE_SIDE,
    read_color,
    read_gray,
    read_rgb,
)

RNG = np.random.default_rng(7)


def _png(path: Path, width: int, height: int, depth: int, color_type: int, raw: bytes) -> Path:
    """A minimal PNG written by hand: any header, including lying ones."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


def _png16(path: Path, array: np.ndarray, color_type: int) -> Path:
    """A 16-bit PNG of (H, W[, C]) uint16 ``array`` (each row led by filter byte 0)."""
    height, width = array.shape[:2]
    rows = array.astype(">u2").reshape(height, -1).view(np.uint8).reshape(height, -1)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1).tobytes()
    return _png(path, width, height, 16, color_type, raw)


def _colour_photo(shape: tuple[int, int] = (40, 48)) -> np.ndarray:
    """A smooth, clearly coloured uint8 RGB image."""
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]]
    rgb = np.stack([x * 255 // shape[1], y * 255 // shape[0], np.full(shape, 60)], axis=-1)
    return rgb.astype(np.uint8)


def _assert_one_line_error(excinfo: pytest.ExceptionInfo, path: Path | str) -> None:
    message = str(excinfo.value)
    assert message.startswith(f"cannot read {path}: ")
    assert "\n" not in message
    assert len(message) < 400


# ---------------------------------------------------------------- bad inputs


def _bad_file(kind: str, tmp_path: Path) -> Path:
    good_png = tmp_path / "good.png"
    Image.fromarray(RNG.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(good_png)
    path = tmp_path / f"bad-{kind}.png"
    if kind == "missing":
        return tmp_path / "no-such-file.png"
    if kind == "directory":
        path.mkdir()
    elif kind == "zero-byte":
        path.write_bytes(b"")
    elif kind == "text":
        path = tmp_path / "notes.jpg"
        path.write_text("this is not an image\n" * 10)
    elif kind == "random-bytes":
        path.write_bytes(RNG.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    elif kind == "corrupt-png":
        data = bytearray(good_png.read_bytes())
        data[60:200] = bytes(140)  # inside the compressed pixel data
        path.write_bytes(bytes(data))
    elif kind == "truncated-png":
        data = good_png.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "truncated-jpeg":
        path = tmp_path / "cut.jpg"
        Image.fromarray(_colour_photo((64, 64))).save(tmp_path / "full.jpg", quality=90)
        data = (tmp_path / "full.jpg").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "truncated-16bit-png":
        _png16(tmp_path / "full16.png", RNG.integers(0, 65536, (32, 32, 3), dtype=np.uint16), 2)
        data = (tmp_path / "full16.png").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "bomb":
        # The header claims 100000 x 100000 pixels; the data is a few bytes.
        _png(path, 100_000, 100_000, 8, 0, b"\x00" * 64)
    return path


BAD_KINDS = [
    "missing",
    "directory",
    "zero-byte",
    "text",
    "random-bytes",
    "corrupt-png",
    "truncated-png",
    "truncated-jpeg",
    "truncated-16bit-png",
    "bomb",
]


@pytest.mark.parametrize("kind", BAD_KINDS)
@pytest.mark.parametrize("reader", [read_gray, read_color, read_rgb])
def test_bad_files_raise_one_line_read_error(kind, reader, tmp_path):
    path = _bad_file(kind, tmp_path)
    with pytest.raises(ImageReadError) as excinfo:
        reader(path)
    _assert_one_line_error(excinfo, path)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("missing", "no such file"),
        ("directory", "directory"),
        ("zero-byte", "empty"),
        ("text", "not an image"),
        ("truncated-png", "truncated"),
        ("truncated-jpeg", "truncated"),
        ("bomb", "max_pixels"),
    ],
)
def test_error_reasons_are_specific(kind, words, tmp_path):
    path = _bad_file(kind, tmp_path)
    with pytest.raises(ImageReadError, match=words):
        read_gray(path)


def test_max_pixels_limits_real_files_arrays_and_pil_images(tmp_path):
    path = tmp_path / "small.png"
    Image.fromarray(np.zeros((10, 20), np.uint8)).save(path)
    assert read_gray(path, max_pixels=200).shape == (10, 20)
    for source in (path, np.zeros((10, 20), np.uint8), Image.open(path)):
        with pytest.raises(ImageReadError, match="200 pixels is more than the limit of 199"):
            read_gray(source, max_pixels=199)
    assert DEFAULT_MAX_PIXELS >= 50_000_000


def test_pillow_globals_are_restored_and_truncation_detected_regardless(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1234)
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # set by some other library
    with pytest.raises(ImageReadError, match="truncated"):
        read_gray(_bad_file("truncated-png", tmp_path))
    good = tmp_path / "big-enough.png"
    Image.fromarray(np.zeros((50, 50), np.uint8)).save(good)  # 2500 > 2 * 1234 pixels
    assert read_gray(good).shape == (50, 50)
    assert Image.MAX_IMAGE_PIXELS == 1234
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


@pytest.mark.parametrize(
    ("array", "words"),
    [
        (np.zeros((4, 4), np.int32), "dtype int32"),
        (np.zeros((4, 4, 5), np.uint8), "shape"),
        (np.zeros(4, np.uint8), "shape"),
        (np.full((4, 4), 1.5, np.float32), "expected \\[0, 1\\]"),
        (np.full((4, 4), np.nan), "NaN"),
        (np.zeros((0, 4), np.uint8), "empty"),
    ],
)
def test_bad_arrays_raise_read_error(array, words):
    with pytest.raises(ImageReadError, match=words) as excinfo:
        read_gray(array)
    _assert_one_line_error(excinfo, f"the given array of shape {array.shape}")


def test_wrong_argument_types():
    with pytest.raises(TypeError):
        read_gray(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_pixels"):
        read_gray(np.zeros((2, 2), np.uint8), max_pixels=0)


def test_reading_never_modifies_the_file(tmp_path):
    path = tmp_path / "in.jpg"
    Image.fromarray(_colour_photo()).save(path)
    before = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.warns(ColorInputWarning):
        read_gray(path)
    read_color(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# ---------------------------------------------------------------- gray inputs


def test_8bit_gray_png(tmp_path):
    gray = RNG.integers(0, 256, (30, 40), dtype=np.uint8)
    path = tmp_path / "gray.png"
    Image.fromarray(gray).save(path)
    image = read_gray(path)
    assert image.lightness.dtype == np.float32 and image.shape == (30, 40)
    np.testing.assert_array_equal(image.lightness, gray_to_lightness(gray / 255))
    assert (image.bit_depth, image.source, image.was_color) == (8, path, False)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16bit_gray_keeps_its_values(suffix, tmp_path):
    gray = RNG.integers(0, 65536, (30, 40), dtype=np.uint16)
    path = tmp_path / f"gray16{suffix}"
    Image.fromarray(gray).save(path)
    image = read_gray(path)
    assert image.bit_depth == 16
    np.testing.assert_array_equal(image.lightness, gray_to_lightness(gray / 65535))


def test_16bit_rgb_png_keeps_16_bits(tmp_path):
    rgb = RNG.integers(0, 65536, (36, 40, 3), dtype=np.uint16)
    path = _png16(tmp_path / "rgb16.png", rgb, color_type=2)
    np.testing.assert_array_equal(read_rgb(path), (rgb / 65535).astype(np.float32))
    np.testing.assert_array_equal(read_color(path).lab, rgb_to_lab(rgb / 65535))
    with pytest.warns(ColorInputWarning):
        assert read_gray(path).bit_depth == 16


def test_16bit_rgb_png_with_equal_channels_is_gray_without_warning(tmp_path):
    gray = RNG.integers(0, 65536, (20, 30), dtype=np.uint16)
    path = tmp_path / "gray-as-rgb16.png"
    assert cv2.imwrite(str(path), np.repeat(gray[..., None], 3, axis=2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = read_gray(path)
    assert (image.bit_depth, image.was_color) == (16, False)
    np.testing.assert_array_equal(image.lightness, gray_to_lightness(gray / 65535))


def test_16bit_rgba_and_gray_alpha_pngs_composite_onto_white(tmp_path):
    rgba = np.zeros((2, 2, 4), np.uint16)
    rgba[..., 0] = 65535  # red where opaque
    rgba[..., 3] = [[65535, 0], [32768, 65535]]
    path = _png16(tmp_path / "rgba16.png", rgba, color_type=6)
    rgb = read_rgb(path)
    np.testing.assert_allclose(rgb[0, 0], [1, 0, 0])
    np.testing.assert_allclose(rgb[0, 1], [1, 1, 1])
    np.testing.assert_allclose(rgb[1, 0], [1, 0.5, 0.5], atol=1e-4)

    gray_alpha = np.stack([np.zeros((2, 2)), rgba[..., 3]], axis=-1).astype(np.uint16)
    image = read_gray(_png16(tmp_path / "la16.png", gray_alpha, color_type=4))
    assert image.bit_depth == 16 and not image.was_color
    np.testing.assert_allclose(image.lightness[0], [0.0, 100.0], atol=1e-3)


@pytest.mark.parametrize("planar", [False, True])
def test_16bit_rgb_tiff_keeps_16_bits(planar, tmp_path):
    rgb = RNG.integers(0, 65536, (20, 30, 3), dtype=np.uint16)
    path = tmp_path / "rgb16.tif"
    data, config = (np.moveaxis(rgb, -1, 0), "separate") if planar else (rgb, "contig")
    tifffile.imwrite(path, data, photometric="rgb", planarconfig=config)
    np.testing.assert_array_equal(read_rgb(path), (rgb / 65535).astype(np.float32))
    with pytest.warns(ColorInputWarning):
        assert read_gray(path).bit_depth == 16


def _no_codec(*args, **kwargs):
    raise ValueError("<COMPRESSION.LZW: 5> requires the 'imagecodecs' package")


def test_lzw_16bit_rgb_tiff_keeps_16_bits(tmp_path):
    rgb = RNG.integers(0, 65536, (20, 30, 3), dtype=np.uint16)
    path = tmp_path / "lzw16.tif"
    assert cv2.imwrite(str(path), rgb[..., ::-1])  # OpenCV writes LZW TIFFs
    np.testing.assert_array_equal(read_rgb(path), (rgb / 65535).astype(np.float32))


UPRIGHT = {1: lambda a: a, 3: lambda a: a[::-1, ::-1], 6: lambda a: np.rot90(a, -1)}


@pytest.mark.parametrize("orientation", [1, 3, 6])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_tiff_orientation_is_applied_once(orientation, dtype, tmp_path, monkeypatch):
    white = np.iinfo(dtype).max
    rgb = RNG.integers(0, white + 1, (20, 30, 3), dtype=dtype)
    path = tmp_path / "oriented.tif"
    tifffile.imwrite(path, rgb, photometric="rgb", extratags=[(274, "H", 1, orientation, True)])
    expected = (UPRIGHT[orientation](rgb) / white).astype(np.float32)
    np.testing.assert_array_equal(read_rgb(path), expected)
    monkeypatch.setattr(decode_module, "read_tiff_16bit", _no_codec)  # OpenCV decodes it
    np.testing.assert_array_equal(read_rgb(path), expected)


def test_16bit_tiff_nothing_can_decode_falls_back_to_8_bits(tmp_path, monkeypatch):
    rgb = RNG.integers(0, 65536, (36, 40, 3), dtype=np.uint16)
    path = tmp_path / "rgb16.tif"
    tifffile.imwrite(path, rgb, photometric="rgb")
    monkeypatch.setattr(decode_module, "read_tiff_16bit", _no_codec)
    monkeypatch.setattr(decode_module, "read_opencv_16bit", lambda *args: None)
    with pytest.warns(UserWarning, match="at 8 bits.*imagecodecs"):
        image = read_color(path)
    np.testing.assert_allclose(lab_to_rgb(image.lab), rgb / 65535, atol=1 / 255)


def test_tiff_and_webp_and_jpeg(tmp_path):
    rgb = _colour_photo()
    Image.fromarray(rgb).save(tmp_path / "c.tif")
    Image.fromarray(rgb).save(tmp_path / "c.webp", lossless=True)
    Image.fromarray(rgb).save(tmp_path / "c.jpg", quality=100, subsampling=0)
    for name in ("c.tif", "c.webp"):
        np.testing.assert_array_equal(read_rgb(tmp_path / name), rgb / np.float32(255))
    np.testing.assert_allclose(read_rgb(tmp_path / "c.jpg"), rgb / 255, atol=0.02)


def test_palette_images(tmp_path):
    gray_palette = Image.fromarray(RNG.integers(0, 256, (16, 16), dtype=np.uint8)).convert(
        "P", palette=Image.Palette.ADAPTIVE
    )
    gray_palette.save(tmp_path / "gray-p.png")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not read_gray(tmp_path / "gray-p.png").was_color

    colour = Image.fromarray(_colour_photo()).convert("P", palette=Image.Palette.ADAPTIVE)
    colour.save(tmp_path / "colour-p.png")
    expected = np.asarray(colour.convert("RGB")) / np.float32(255)
    np.testing.assert_array_equal(read_rgb(tmp_path / "colour-p.png"), expected)
    read_color(tmp_path / "colour-p.png")

    transparent = Image.new("P", (2, 1))
    transparent.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    transparent.putdata([0, 1])
    transparent.save(tmp_path / "trns.png", transparency=0)
    np.testing.assert_array_equal(read_rgb(tmp_path / "trns.png")[0], [[1, 1, 1], [1, 0, 0]])


def test_la_and_rgba_alpha_composite_onto_white(tmp_path):
    la = np.array([[[0, 255], [0, 0], [0, 51]]], np.uint8)
    Image.fromarray(la, "LA").save(tmp_path / "la.png")
    image = read_gray(tmp_path / "la.png")
    np.testing.assert_allclose(image.lightness[0], gray_to_lightness(np.array([0, 1, 0.8])))

    rgba = np.array([[[0, 0, 255, 255], [0, 0, 255, 0], [0, 0, 255, 51]]], np.uint8)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "rgba.png")
    np.testing.assert_allclose(
        read_rgb(tmp_path / "rgba.png")[0], [[0, 0, 1], [1, 1, 1], [0.8, 0.8, 1]], atol=1e-6
    )


def test_alpha_and_the_pixels_before_compositing_are_kept(tmp_path):
    gray = np.array([[0, 51, 102, 204]], np.uint8)
    alpha = np.array([[255, 128, 0, 51]], np.uint8)
    Image.fromarray(np.dstack([gray, alpha]), "LA").save(tmp_path / "la.png")
    rgba = np.dstack([np.repeat(gray[..., None], 3, axis=2), alpha])
    rgba[0, 2, :3] = (255, 0, 0)  # a hidden colour under a transparent pixel
    for source in (tmp_path / "la.png", rgba):
        image = read_gray(source)
        np.testing.assert_array_equal(image.alpha, alpha / np.float32(255))
        a = alpha[0] / 255.0
        np.testing.assert_allclose(
            image.lightness[0], gray_to_lightness(gray[0] / 255.0 * a + 1 - a), atol=1e-4
        )
        # The photo's own L*, and white's where nothing of the photo shows.
        expected = gray_to_lightness(gray[0] / 255.0)
        expected[2] = 100.0
        np.testing.assert_allclose(image.opaque_lightness[0], expected, atol=1e-4)
        assert not image.was_color
    opaque = read_gray(np.dstack([gray, np.full_like(gray, 255)]))
    assert opaque.alpha is None and opaque.opaque_lightness is None
    assert read_gray(gray).alpha is None


@pytest.mark.parametrize("suffix", [".jpg", ".tif"])
def test_cmyk_files(suffix, tmp_path):
    path = tmp_path / f"cmyk{suffix}"
    Image.fromarray(_colour_photo()).convert("CMYK").save(path)
    expected = np.asarray(Image.open(path).convert("RGB")) / np.float32(255)
    np.testing.assert_array_equal(read_rgb(path), expected)
    assert read_color(path).shape == (40, 48)


def test_1bit_and_integer_and_float_modes(tmp_path):
    bits = RNG.integers(0, 2, (8, 8)).astype(bool)
    Image.fromarray(bits).save(tmp_path / "bits.png")
    image = read_gray(tmp_path / "bits.png")
    np.testing.assert_allclose(image.lightness, np.where(bits, 100.0, 0.0), atol=1e-4)

    values = RNG.integers(0, 65536, (8, 8)).astype(np.int32)
    Image.fromarray(values, "I").save(tmp_path / "int.tif")
    image = read_gray(tmp_path / "int.tif")
    assert image.bit_depth == 16
    np.testing.assert_array_equal(image.lightness, gray_to_lightness(values / 65535))

    Image.fromarray(np.full((8, 8), 70000, np.int32), "I").save(tmp_path / "int-big.tif")
    with pytest.raises(ImageReadError, match="0..65535"):
        read_gray(tmp_path / "int-big.tif")

    floats = RNG.random((8, 8), dtype=np.float32)
    Image.fromarray(floats, "F").save(tmp_path / "float.tif")
    np.testing.assert_array_equal(
        read_gray(tmp_path / "float.tif").lightness, gray_to_lightness(floats)
    )

    Image.fromarray(floats * 255, "F").save(tmp_path / "float-255.tif")
    with pytest.raises(ImageReadError, match="expected \\[0, 1\\]"):
        read_gray(tmp_path / "float-255.tif")


# ---------------------------------------------------------------- orientation


def test_exif_orientation_6_jpeg_is_rotated(tmp_path):
    rgb = _colour_photo((40, 48))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    path = tmp_path / "rotated.jpg"
    Image.fromarray(rgb).save(path, exif=exif, quality=100, subsampling=0)
    image = read_color(path)
    assert image.shape == (48, 40)
    upright = ImageOps.exif_transpose(Image.open(path))
    np.testing.assert_array_equal(image.lab, rgb_to_lab(np.asarray(upright) / 255))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillow(orientation, tmp_path):
    rgb = _colour_photo((6, 10))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    path = tmp_path / "o.png"
    Image.fromarray(rgb).save(path, exif=exif)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(path))) / np.float32(255)
    np.testing.assert_array_equal(read_rgb(path), expected)


def test_exif_orientation_of_16bit_rgb_png(tmp_path):
    rgb = RNG.integers(0, 65536, (6, 10, 3), dtype=np.uint16)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 8
    path = tmp_path / "o16.png"
    _png16(path, rgb, color_type=2)
    # Insert an eXIf chunk before IEND.
    body = exif.tobytes()
    crc = struct.pack(">I", zlib.crc32(b"eXIf" + body))
    data = path.read_bytes()
    chunk = struct.pack(">I", len(body)) + b"eXIf" + body + crc
    path.write_bytes(data[:-12] + chunk + data[-12:])
    np.testing.assert_array_equal(read_rgb(path), np.rot90(rgb / np.float32(65535), 1))


# ---------------------------------------------------------------- colour handling


def test_colour_input_warns_and_uses_lab_lightness(tmp_path):
    rgb = _colour_photo()
    path = tmp_path / "colour.png"
    Image.fromarray(rgb).save(path)
    with pytest.warns(ColorInputWarning, match=str(path)):
        image = read_gray(path)
    assert image.was_color and image.bit_depth == 8
    np.testing.assert_array_equal(image.lightness, rgb_to_lab(rgb / 255)[..., 0])


def test_rgb_file_with_equal_channels_is_gray(tmp_path):
    gray = RNG.integers(0, 256, (20, 20), dtype=np.uint8)
    path = tmp_path / "gray-rgb.png"
    Image.fromarray(gray).convert("RGB").save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = read_gray(path)
    assert not image.was_color
    np.testing.assert_array_equal(image.lightness, gray_to_lightness(gray / 255))


def test_gray_references_are_refused(tmp_path):
    gray = RNG.integers(0, 256, (40, 40), dtype=np.uint8)
    Image.fromarray(gray).save(tmp_path / "gray.png")
    with pytest.raises(UnusableReferenceError, match="has no colour.*give a colour photo"):
        read_color(tmp_path / "gray.png")

    nearly_gray = np.repeat(gray[..., None], 3, axis=2)
    nearly_gray[..., 2] = np.clip(gray.astype(int) + 1, 0, 255)  # a faint blue cast
    Image.fromarray(nearly_gray).save(tmp_path / "tinted.png")
    with pytest.raises(UnusableReferenceError, match=r"tinted\.png has no colour \(99th"):
        read_color(tmp_path / "tinted.png")


def test_colour_reference_is_accepted(tmp_path, coffee_rgb):
    path = tmp_path / "coffee.png"
    Image.fromarray(coffee_rgb).save(path)
    image = read_color(path)
    assert image.source == path and image.lab.dtype == np.float32
    np.testing.assert_array_equal(image.lab, rgb_to_lab(coffee_rgb / 255))


def _sources(rgb: np.ndarray, tmp_path: Path) -> list:
    """The same pixels as a file, a PIL image and an array."""
    path = tmp_path / "reference.png"
    Image.fromarray(rgb).save(path)
    return [path, Image.fromarray(rgb), rgb]


def test_tiny_references_are_refused_from_files_images_and_arrays(tmp_path):
    import panocolor

    tiny = np.array([[[40, 90, 200], [200, 60, 40]], [[50, 160, 60], [220, 200, 40]]], np.uint8)
    thin = _colour_photo((MIN_REFERENCE_SIDE - 1, 200))
    gray = np.zeros((48, 48), np.uint8)
    for rgb, found in ((tiny, "2x2"), (thin, "200x31")):
        for source in _sources(rgb, tmp_path):
            for read in (read_color, lambda s: panocolor.colorize(gray, s, transfer="reinhard")):
                with pytest.raises(UnusableReferenceError) as excinfo:
                    read(source)
                message = str(excinfo.value)
                assert f"{found} pixels, at least 32x32 needed" in message, message
                assert "too small to carry colour statistics" in message and "\n" not in message


def test_references_of_a_few_colours_are_refused(tmp_path):
    import panocolor

    few = np.zeros((64, 64, 3), np.uint8)
    few[:32, :32], few[:32, 32:], few[32:, :32], few[32:, 32:] = (
        (200, 40, 160),
        (40, 200, 60),
        (30, 60, 200),
        (220, 210, 30),
    )
    for source in _sources(few, tmp_path):
        with pytest.raises(UnusableReferenceError, match=r"4 distinct colours, at least 32 "):
            read_color(source)
        with pytest.raises(UnusableReferenceError, match="too few colours"):
            panocolor.colorize(np.zeros((48, 48), np.uint8), source, transfer="reinhard")
    # 16 bits: colours are counted at 8 bits, so 16-bit noise does not make them many.
    noisy16 = few.astype(np.uint16) * 257 + RNG.integers(0, 64, few.shape, dtype=np.uint16)
    with pytest.raises(UnusableReferenceError, match="4 distinct colours"):
        read_color(noisy16)


def test_smallest_and_palette_references_are_accepted(astronaut_rgb):
    photo = Image.fromarray(astronaut_rgb)
    side = MIN_REFERENCE_SIDE
    assert read_color(photo.resize((side, side), Image.Resampling.BILINEAR)).shape == (side, side)
    palette = photo.quantize(MIN_REFERENCE_COLOURS)  # a GIF-like photo of 32 colours
    assert len(palette.getcolors()) == MIN_REFERENCE_COLOURS
    assert read_color(palette).shape == (512, 512)
    assert read_color(palette.convert("RGB")).shape == (512, 512)
    assert MIN_REFERENCE_COLOURS <= 64  # 64-colour GIF photos must stay usable


def test_every_development_photo_is_a_usable_reference(shared_data):
    import csv

    with open(shared_data / "manifest.csv", newline="") as file:
        paths = [shared_data / row["path"] for row in csv.DictReader(file)]
    assert len(paths) >= 50
    for path in paths:
        assert read_color(path).lab.shape[2] == 3


# ---------------------------------------------------------------- arrays and PIL images


def test_array_inputs():
    gray8 = RNG.integers(0, 256, (5, 6), dtype=np.uint8)
    gray16 = RNG.integers(0, 65536, (5, 6), dtype=np.uint16)
    image = read_gray(gray16)
    assert (image.bit_depth, image.source) == (16, None)
    np.testing.assert_array_equal(image.lightness, gray_to_lightness(gray16 / 65535))
    np.testing.assert_array_equal(
        read_gray(gray8[..., None]).lightness, gray_to_lightness(gray8 / 255)
    )
    np.testing.assert_array_equal(
        read_gray(gray16.astype(">u2")).lightness, gray_to_lightness(gray16 / 65535)
    )
    floats = np.linspace(0, 1, 30).reshape(5, 6)
    np.testing.assert_array_equal(read_gray(floats).lightness, gray_to_lightness(floats))
    assert read_gray(floats).bit_depth == 8
    np.testing.assert_allclose(read_gray(np.ones((2, 2), bool)).lightness, 100.0)
    np.testing.assert_array_equal(
        read_rgb(gray8), np.repeat(gray8[..., None] / np.float32(255), 3, 2)
    )

    rgba = np.zeros((2, 2, 4), np.float32)
    rgba[..., 1] = 1.0
    rgba[0, 0, 3] = 1.0
    np.testing.assert_array_equal(read_rgb(rgba)[..., 0], [[0, 1], [1, 1]])

    with pytest.warns(ColorInputWarning, match="the given array"):
        assert read_gray(_colour_photo()).was_color


def test_pil_image_inputs(tmp_path, astronaut_rgb):
    image = read_color(Image.fromarray(astronaut_rgb))
    assert image.source is None
    np.testing.assert_array_equal(image.lab, rgb_to_lab(astronaut_rgb / 255))

    path = tmp_path / "astronaut.png"
    Image.fromarray(astronaut_rgb).save(path)
    with Image.open(path) as opened:
        assert read_color(opened).source == path

    gray16 = Image.fromarray(RNG.integers(0, 65536, (5, 6), dtype=np.uint16))
    assert read_gray(gray16).bit_depth == 16
    assert read_gray(Image.fromarray(astronaut_rgb).convert("L")).shape == (512, 512)


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        dtype=st.sampled_from([np.uint8, np.uint16]),
        shape=hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12),
    )
)
def test_read_gray_of_integer_arrays_is_gray_to_lightness(gray):
    white = 255 if gray.dtype == np.uint8 else 65535
    image = read_gray(gray)
    assert image.bit_depth == (8 if white == 255 else 16)
    np.testing.assert_array_equal(image.lightness, gray_to_lightness(gray / white))
