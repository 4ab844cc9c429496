"""Fixtures shared by the CLI tests."""

from __future__ import annotations

import pytest
from PIL import Image
from skimage import data


@pytest.fixture()
def photos(tmp_path):
    """A small gray photo and a colour reference, as files in ``tmp_path``."""
    gray = tmp_path / "gray.png"
    Image.fromarray(data.camera()[::8, ::8]).save(gray)
    reference = tmp_path / "reference.jpg"
    Image.fromarray(data.coffee()[::4, ::4]).save(reference)
    return gray, reference
