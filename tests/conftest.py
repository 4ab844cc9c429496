"""Shared fixtures: the development data and model files beside the repo, when present."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PANOCOLOR_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip when it is absent."""
    path = SHARED / "data"
    if not (path / "pairs.csv").is_file():
        pytest.skip(f"development data not found at {path}")
    return path


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """../shared/models, or skip when it is absent."""
    path = SHARED / "models"
    if not path.is_dir():
        pytest.skip(f"model directory not found at {path}")
    return path


@pytest.fixture(scope="session")
def astronaut_rgb() -> np.ndarray:
    """skimage's astronaut photo, (512, 512, 3) uint8."""
    from skimage import data

    return data.astronaut()


@pytest.fixture(scope="session")
def coffee_rgb() -> np.ndarray:
    """skimage's coffee photo, (400, 600, 3) uint8."""
    from skimage import data

    return data.coffee()
