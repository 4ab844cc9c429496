"""Shared fixtures: the development data and model files beside the repo, when present."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from panocolor.models import MODEL_FILES, file_sha256, search_dirs

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PANOCOLOR_SHARED", REPO.parent / "shared"))

# Skip reasons that CI refuses when ../shared is present (see pytest_sessionfinish).
NEEDS_DATA = "needs the development data:"
NEEDS_MODELS = "needs the segmentation model files:"
_REQUIRED_MODELS = (
    "deeplabv3_mnv2_pascal_quant.tflite",
    "deeplab_mobilenet_edgetpu_slim_cityscapes_quant.tflite",
)

# Hypothesis: `--hypothesis-profile ci` (what .ci/run uses) is derandomized and bounded;
# the default `dev` profile explores more, with fresh random examples each run.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=25,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip when it is absent."""
    path = SHARED / "data"
    if not (path / "pairs.csv").is_file():
        pytest.skip(f"{NEEDS_DATA} not found at {path}")
    return path


def find_test_model_dir() -> Path | None:
    """The folder the product would use for the segmentation models, else ../shared/models.

    Searched like the product does (``$PANOCOLOR_MODEL_DIR``, then the user cache), with
    ../shared/models as the development copy; a folder counts only when every required
    file is there with its pinned sha256.
    """
    for folder in (*search_dirs(None), SHARED / "models"):
        if all(
            (folder / name).is_file() and file_sha256(folder / name) == MODEL_FILES[name].sha256
            for name in _REQUIRED_MODELS
        ):
            return folder
    return None


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """A model directory holding the segmentation models, found as the product finds them."""
    path = find_test_model_dir()
    if path is None:
        where = ", ".join(str(p) for p in (*search_dirs(None), SHARED / "models"))
        pytest.skip(f"{NEEDS_MODELS} not found in {where}")
    return path


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    terminalreporter.write_line(f"tests skipped: {len(skipped)}")


def pytest_sessionfinish(session, exitstatus) -> None:
    """In CI with ../shared present, a test skipped for want of data or models is a failure."""
    if os.environ.get("CI", "").lower() != "true" or not SHARED.is_dir():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    missing = [
        report.nodeid
        for report in reporter.stats.get("skipped", [])
        if any(tag in str(report.longrepr) for tag in (NEEDS_DATA, NEEDS_MODELS))
    ]
    if missing:
        reporter.write_line(
            f"CI=true and {SHARED} is present, but {len(missing)} tests skipped for want of "
            f"data or models (a broken model path must not turn CI green): {missing[:5]}",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
