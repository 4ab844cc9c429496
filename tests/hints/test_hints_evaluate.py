"""``panocolor evaluate --hints``: the user-guided protocol (Zhang et al. 2017)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from panocolor.cli import app
from panocolor.evaluate.hints import hinted_methods, parse_counts, parse_hinted_name, sample_hints

RUNNER = CliRunner()


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _mean(rows, method, field="delta_e"):
    return float(np.mean([float(r[field]) for r in rows if r["method"] == method]))


def test_names_and_counts():
    assert parse_counts("0,1,5,5") == [0, 1, 5]
    assert hinted_methods(["reinhard"], [0, 10]) == ["reinhard+h0", "reinhard+h10"]
    assert parse_hinted_name("perobject-fast+h10") == ("perobject-fast", 10)
    assert parse_hinted_name("perobject-fast") is None
    with pytest.raises(ValueError, match=">= 0"):
        parse_counts("-1")


def test_sampled_hints_are_seeded_nested_and_take_the_mean_colour():
    truth = np.zeros((40, 60, 3), np.float32)
    truth[:, 30:] = (1.0, 0.5, 0.0)
    few, many = sample_hints(truth, 3, "a.png"), sample_hints(truth, 10, "a.png")
    assert many[:3] == few and sample_hints(truth, 10, "a.png") == many
    assert sample_hints(truth, 10, "b.png") != many
    for hint in many:
        if hint.x <= 27 or hint.x >= 32:  # away from the colour border: the window's colour
            assert hint.rgb == ((255, 128, 0) if hint.x >= 32 else (0, 0, 0))


@pytest.fixture
def pairs_csv(tmp_path: Path) -> Path:
    """Two photos of two flat-ish coloured halves; each is the other's reference."""
    rng = np.random.default_rng(0)
    root = tmp_path / "data"
    root.mkdir()
    for name, left, right in [
        ("a", (200, 40, 40), (40, 60, 200)),
        ("b", (40, 160, 60), (220, 200, 40)),
    ]:
        pixels = np.zeros((48, 64, 3), np.float32)
        pixels[:, :32], pixels[:, 32:] = left, right
        pixels[:, 32:] *= 0.6
        pixels += rng.normal(0, 3, pixels.shape)
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(root / f"{name}.png")
    (root / "pairs.csv").write_text("target,reference,note\na.png,b.png,x\nb.png,a.png,y\n")
    return root / "pairs.csv"


def test_evaluate_hints_gives_one_row_per_method_and_count(pairs_csv, tmp_path):
    out = tmp_path / "out"
    args = ["evaluate", str(pairs_csv), "--out", str(out), "--protocol", "pairs"]
    result = RUNNER.invoke(app, [*args, "-m", "reinhard", "-m", "hints-only", "--hints", "0,20"])
    assert result.exit_code == 0, result.output
    rows = _rows(out / "results.csv")
    methods = list(dict.fromkeys(r["method"] for r in rows))
    assert methods == [
        "gray",
        "reinhard",
        "reinhard+h0",
        "reinhard+h20",
        "hints-only+h0",
        "hints-only+h20",
    ]
    assert not any(r["error"] for r in rows)
    assert _mean(rows, "reinhard+h0") == pytest.approx(_mean(rows, "reinhard"))
    assert _mean(rows, "reinhard+h20") < _mean(rows, "reinhard+h0") - 5
    assert _mean(rows, "hints-only+h0") == pytest.approx(_mean(rows, "gray"))
    assert _mean(rows, "hints-only+h20") < _mean(rows, "gray") - 5
    assert "reinhard+h20" in (out / "summary.md").read_text()
    bad = RUNNER.invoke(app, [*args, "--hints", "x", "--overwrite"])
    assert bad.exit_code != 0 and "--hints" in bad.output


def test_evaluate_hints_on_shared_photos(shared_data, tmp_path):
    """Two COCO pairs of different photos: 20 hints bring CIEDE2000 well down."""
    with open(shared_data / "pairs.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["target"].startswith("coco/")][:2]
    subset = tmp_path / "pairs.csv"
    subset.write_text(
        "target,reference\n" + "".join(f"{r['target']},{r['reference']}\n" for r in rows)
    )
    out = tmp_path / "out"
    args = ["evaluate", str(subset), "--root", str(shared_data), "--protocol", "pairs"]
    opts = ["-m", "photoreal-texture", "--hints", "0,20", "--max-side", "320", "--out", str(out)]
    result = RUNNER.invoke(app, [*args, *opts, "--sheet-rows", "0"])
    assert result.exit_code == 0, result.output
    scored = _rows(out / "results.csv")
    assert not any(r["error"] for r in scored)
    assert _mean(scored, "photoreal-texture+h20") < _mean(scored, "photoreal-texture+h0") - 1
    assert _mean(scored, "photoreal-texture+h20", "psnr") > _mean(
        scored, "photoreal-texture+h0", "psnr"
    )
