"""Evaluation protocols, runner and report on small synthetic photos."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from panocolor.composite.compose import compose_lab
from panocolor.errors import UnknownBackendError, UnusableReferenceError
from panocolor.evaluate.protocols import (
    downscale,
    load_sample,
    plan_samples,
    self_reference,
)
from panocolor.evaluate.report import summarize, summary_markdown
from panocolor.evaluate.runner import (
    METHODS,
    Method,
    iter_evaluation,
    method_names,
    run_evaluation,
)
from panocolor.evaluate.sheet import ContactSheet
from panocolor.imaging.colorspace import rgb_to_lab


@METHODS.register("test-refuses")
def _refusing_method() -> Method:
    """A method that refuses every reference, as a real one may."""

    def refuse(sample):  # noqa: ANN001, ANN202
        raise UnusableReferenceError("test method refuses")

    return refuse


def _photo(ab: tuple[float, float], seed: int, shape: tuple[int, int] = (48, 64)) -> np.ndarray:
    """A textured uint8 photo with one constant chroma ``ab``."""
    rng = np.random.default_rng(seed)
    rows, cols = np.indices(shape)
    lightness = 50 + 25 * np.sin(cols / 7 + seed) * np.cos(rows / 5) + rng.normal(0, 3, shape)
    rgb = compose_lab(np.clip(lightness, 5, 95), np.broadcast_to(ab, shape + (2,)))
    return np.round(rgb * 255).astype(np.uint8)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Three small photos and a pairs CSV in the shared data's format."""
    root = tmp_path / "data"
    (root / "set").mkdir(parents=True)
    for name, ab, seed in [
        ("warm", (20.0, 35.0), 1),
        ("cool", (-15.0, -30.0), 2),
        ("green", (-35.0, 20.0), 3),
    ]:
        Image.fromarray(_photo(ab, seed)).save(root / "set" / f"{name}.png")
    (root / "pairs.csv").write_text(
        "target,reference,note\n"
        "set/warm.png,set/cool.png,manual: test\n"
        "set/green.png,set/warm.png,manual: test\n"
    )
    return root


def test_self_reference_is_the_mirrored_central_80_percent() -> None:
    image = np.arange(100 * 50 * 3).reshape(100, 50, 3)
    reference = self_reference(image)
    assert reference.shape == (80, 40, 3)
    np.testing.assert_array_equal(reference, image[10:90, 5:45][:, ::-1])


def test_downscale_limits_the_longer_side() -> None:
    image = np.ones((300, 120, 3), np.float32)
    assert downscale(image, 150).shape == (150, 60, 3)
    assert downscale(image, None) is image
    assert downscale(image, 400) is image


def test_plan_samples(data_dir: Path) -> None:
    csv = data_dir / "pairs.csv"
    assert [s.name for s in plan_samples(csv)] == ["set/warm.png", "set/cool.png", "set/green.png"]
    assert all(s.reference is None and s.reference_name == "self" for s in plan_samples(csv))
    pairs = plan_samples(csv, protocol="pairs")
    assert [(s.name, s.reference_name) for s in pairs] == [
        ("set/warm.png", "set/cool.png"),
        ("set/green.png", "set/warm.png"),
    ]
    assert pairs[0].reference == data_dir / "set" / "cool.png"
    assert len(plan_samples(csv, limit=1)) == 1
    assert [s.name for s in plan_samples(data_dir / "set")] == ["cool.png", "green.png", "warm.png"]
    with pytest.raises(ValueError, match="protocol 'self'"):
        plan_samples(data_dir / "set", protocol="pairs")


def test_load_sample_gives_the_exact_lightness_of_the_truth(data_dir: Path) -> None:
    spec = plan_samples(data_dir / "pairs.csv", protocol="pairs")[0]
    sample = load_sample(spec, max_side=32)
    assert sample.truth.shape == (24, 32, 3)
    np.testing.assert_array_equal(sample.truth * 255, np.round(sample.truth * 255))
    np.testing.assert_array_equal(sample.gray.lightness, rgb_to_lab(sample.truth)[..., 0])
    assert sample.reference.shape == (24, 32)
    assert sample.reference.lab[..., 2].mean() < 0  # the cool reference, not the warm target


def test_runner_scores_floors_and_reinhard_beats_gray_on_a_tinted_photo(data_dir: Path) -> None:
    results = run_evaluation(data_dir / "pairs.csv", [], protocol="self", max_side=None)
    assert [(r.image, r.method) for r in results[:2]] == [
        ("set/warm.png", "gray"),
        ("set/warm.png", "reinhard"),
    ]
    assert len(results) == 6 and not any(r.error for r in results)
    by_key = {(r.image, r.method): r for r in results}
    for image in ("set/warm.png", "set/cool.png", "set/green.png"):
        gray, reinhard = by_key[image, "gray"], by_key[image, "reinhard"]
        assert reinhard.delta_e < gray.delta_e / 3
        assert reinhard.psnr > gray.psnr
        assert gray.colourfulness < 1.0
        assert reinhard.colourfulness_ratio == pytest.approx(1.0, abs=0.15)
        assert max(gray.p99_delta_l, reinhard.p99_delta_l) <= 0.5
        assert (gray.height, gray.width) == (48, 64) and gray.seconds > 0


def test_every_output_keeps_the_lightness_to_8_bit_rounding(data_dir: Path) -> None:
    """max |ΔL*| over every pixel of every output (not a percentile) stays within rounding."""
    specs = plan_samples(data_dir / "pairs.csv", protocol="self")
    checked = 0
    for outcome in iter_evaluation(specs, ["gray", "reinhard", "photoreal"], max_side=None):
        for name, output in outcome.outputs.items():
            assert output.rgb.dtype == np.uint8
            written_l = rgb_to_lab(output.rgb / 255.0)[..., 0]
            error = np.abs(written_l - outcome.sample.gray.lightness).max()
            assert error <= 0.5, (outcome.spec.name, name, error)
            checked += 1
    assert checked == 9


def test_registered_methods_run_without_runner_changes_and_failures_become_rows(
    data_dir: Path,
) -> None:
    assert {"gray", "reinhard", "test-refuses"} <= set(method_names())
    specs = plan_samples(data_dir / "pairs.csv", protocol="pairs")
    outcomes = list(iter_evaluation(specs, ["test-refuses", "reinhard"], max_side=32))
    assert [r.method for r in outcomes[0].results] == ["gray", "reinhard", "test-refuses"]
    refused = outcomes[0].results[2]
    assert refused.error == "test method refuses" and math.isnan(refused.delta_e)
    assert set(outcomes[0].outputs) == {"gray", "reinhard"}


def test_unreadable_images_become_error_rows(data_dir: Path) -> None:
    (data_dir / "set" / "cool.png").write_bytes(b"not a png")
    results = run_evaluation(data_dir / "pairs.csv", [], protocol="self", max_side=32)
    broken = [r for r in results if r.image == "set/cool.png"]
    assert len(broken) == 2 and all("cannot read" in r.error for r in broken)
    assert sum(not r.error for r in results) == 4


def test_unknown_method_fails_before_reading() -> None:
    with pytest.raises(UnknownBackendError, match="unknown method 'nope'"):
        run_evaluation([], ["nope"])


def test_summary_and_contact_sheet(data_dir: Path) -> None:
    specs = plan_samples(data_dir / "pairs.csv", protocol="pairs")
    sheet = ContactSheet(["gray", "reinhard", "test-refuses"], max_rows=1, height=40)
    results = []
    for outcome in iter_evaluation(specs, ["test-refuses"], max_side=64):
        results += outcome.results
        sheet.add(outcome)
    summaries = summarize(results)
    assert [s.method for s in summaries] == ["gray", "reinhard", "test-refuses"]
    assert summaries[2].images == 0 and summaries[2].failed == 2 and math.isnan(summaries[2].psnr)
    assert summaries[1].p99_delta_l_max >= summaries[1].p99_delta_l
    markdown = summary_markdown(summaries, "protocol: pairs")
    assert "| reinhard | 2 | 0 |" in markdown and "| test-refuses | 0 | 2 | – |" in markdown
    image = sheet.render()
    assert image.dtype == np.uint8 and len(sheet.rows) == 1
    assert image.shape[0] == 18 + 14 + 40 + 4  # header + one row
