"""Fixtures of the batch tests: small photo folders, and real batch processes to kill."""

from __future__ import annotations

import pytest
from PIL import Image
from skimage import data

from tests.batch.killing import NAMES, SIZES, Batch


@pytest.fixture()
def photos(tmp_path):
    """Eight gray photos of distinct sizes in two subfolders, and a colour reference."""
    root = tmp_path / "in"
    gray = Image.fromarray(data.astronaut()).convert("L")
    for name, (height, width) in zip(NAMES, SIZES, strict=True):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        gray.resize((width, height)).save(root / name)
    reference = tmp_path / "reference.jpg"
    Image.fromarray(data.coffee()[::2, ::2]).save(reference)
    return root, reference


@pytest.fixture()
def batches(tmp_path):
    """Start batches (``batches(args, hooks)``); whatever survives is killed at teardown."""
    started: list[Batch] = []

    def start(args, hooks=None, env=None):
        batch = Batch(args, tmp_path / f"hooks{len(started)}", hooks, env)
        started.append(batch)
        return batch

    yield start
    for batch in started:
        batch.cleanup()
