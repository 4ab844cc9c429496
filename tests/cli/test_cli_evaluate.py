"""``panocolor evaluate`` end to end, on synthetic photos and on the shared data."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from panocolor.cli import app

RUNNER = CliRunner()


@pytest.fixture
def pairs_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    root = tmp_path / "data"
    root.mkdir()
    for name, tint in [("a", (40, 0, -30)), ("b", (-20, 30, 10))]:
        base = rng.integers(40, 200, (40, 56, 1))
        pixels = np.clip(base + np.array(tint), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(root / f"{name}.png")
    (root / "pairs.csv").write_text("target,reference,note\na.png,b.png,x\nb.png,a.png,y\n")
    return root / "pairs.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_evaluate_writes_the_report_and_refuses_to_overwrite(
    pairs_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ["evaluate", str(pairs_csv), "--out", str(out), "-m", "reinhard", "--max-side", "32"]
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = _rows(out / "results.csv")
    assert [(r["image"], r["method"]) for r in rows] == [
        ("a.png", "gray"),
        ("a.png", "reinhard"),
        ("b.png", "gray"),
        ("b.png", "reinhard"),
    ]
    assert all(r["error"] == "" and float(r["delta_e"]) >= 0 for r in rows)
    assert rows[0]["reference"] == "self" and rows[0]["width"] == "32"
    summary = (out / "summary.md").read_text()
    assert "| gray | 2 | 0 |" in summary and "| reinhard | 2 | 0 |" in summary
    assert "reinhard" in result.stdout  # the rich summary table
    sheet = np.asarray(Image.open(out / "contact_sheet.png"))
    assert sheet.ndim == 3 and sheet.shape[0] > 2 * 160

    again = RUNNER.invoke(app, args)
    assert again.exit_code == 1 and "already exists" in again.output
    assert RUNNER.invoke(app, [*args, "--overwrite", "--protocol", "pairs"]).exit_code == 0
    assert [r["reference"] for r in _rows(out / "results.csv")][::2] == ["b.png", "a.png"]


def test_evaluate_rejects_unknown_methods(pairs_csv: Path, tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["evaluate", str(pairs_csv), "-o", str(tmp_path / "o"), "-m", "x"])
    assert result.exit_code == 1 and "unknown method 'x'" in result.output
    assert not (tmp_path / "o" / "results.csv").exists()


def test_evaluate_on_the_shared_data(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "shared"
    result = RUNNER.invoke(
        app,
        [
            "evaluate",
            str(shared_data / "pairs.csv"),
            "--root",
            str(shared_data),
            "--out",
            str(out),
            "--protocol",
            "pairs",
            "--method",
            "reinhard",
            "--limit",
            "2",
            "--max-side",
            "128",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = _rows(out / "results.csv")
    assert len(rows) == 4 and not any(r["error"] for r in rows)
    assert max(int(r["height"]) for r in rows) == 128 or max(int(r["width"]) for r in rows) == 128
    by_method = {r["method"]: r for r in rows if r["image"] == rows[0]["image"]}
    assert float(by_method["gray"]["colourfulness"]) < 1.0
    assert all(float(r["p99_delta_l"]) < 1.0 for r in rows)
