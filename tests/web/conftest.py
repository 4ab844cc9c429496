"""Fixtures of the web tests: small real photos and an app with the superpixel segmenter."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data
from skimage.transform import resize

from panocolor.pipeline import Settings
from panocolor.web import Limits, create_app

SUPERPIXEL = Settings(segmenter="superpixel", mode="faithful", transfer="reinhard")
LIMITS = Limits(max_upload_bytes=300_000, max_pixels=200_000)


def _encoded(pixels: np.ndarray, image_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=image_format)
    return buffer.getvalue()


def _small(rgb: np.ndarray, side: int = 128) -> np.ndarray:
    height, width = rgb.shape[:2]
    shape = (round(height * side / max(height, width)), round(width * side / max(height, width)))
    return (resize(rgb, shape, anti_aliasing=True) * 255).round().astype(np.uint8)


@pytest.fixture(scope="module")
def gray_png() -> bytes:
    rgb = _small(data.chelsea())
    return _encoded(np.dot(rgb, [0.299, 0.587, 0.114]).round().astype(np.uint8))


@pytest.fixture(scope="module")
def colour_jpeg() -> bytes:
    return _encoded(_small(data.coffee()), "JPEG")


@pytest.fixture(scope="module")
def other_jpeg() -> bytes:
    return _encoded(_small(data.astronaut()), "JPEG")


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    gallery = tmp_path / "gallery"
    (gallery / "sub").mkdir(parents=True)
    Image.fromarray(_small(data.astronaut(), 64)).save(gallery / "astronaut.png")
    Image.fromarray(_small(data.coffee(), 64)).save(gallery / "sub" / "coffee.jpg")
    app = create_app(SUPERPIXEL, gallery=gallery, limits=LIMITS, warm_up=False)
    with TestClient(app) as test_client:
        yield test_client
