"""``panocolor evaluate`` end to end, on synthetic photos and on the shared data."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import color
from skimage.metrics import peak_signal_noise_ratio
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
    assert [r["error"] for r in rows] == [""] * 4
    assert rows[0]["reference"] == "self" and (rows[0]["height"], rows[0]["width"]) == ("23", "32")
    for image in ("a.png", "b.png"):  # colour from the mirrored crop beats no colour at all
        gray, reinhard = (r for r in rows if r["image"] == image)
        assert float(reinhard["delta_e"]) < float(gray["delta_e"])
        assert float(reinhard["colourfulness"]) > 5 * float(gray["colourfulness"])
    summary = (out / "summary.md").read_text()
    assert "| gray | 2 | 0 |" in summary and "| reinhard | 2 | 0 |" in summary
    assert "reinhard" in result.stdout  # the rich summary table
    sheet = np.asarray(Image.open(out / "contact_sheet.png"))
    assert sheet.ndim == 3 and sheet.shape[0] > 2 * 160

    again = RUNNER.invoke(app, args)
    assert again.exit_code == 1 and "already exists" in again.output
    assert RUNNER.invoke(app, [*args, "--overwrite", "--protocol", "pairs"]).exit_code == 0
    assert [r["reference"] for r in _rows(out / "results.csv")][::2] == ["b.png", "a.png"]


def test_results_match_the_metrics_recomputed_on_one_photo(pairs_csv: Path, tmp_path: Path):
    """The gray floor's row for a.png, recomputed with scikit-image from the file itself."""
    out = tmp_path / "full"
    args = ["evaluate", str(pairs_csv), "--out", str(out), "--max-side", "0", "--sheet-rows", "0"]
    result = RUNNER.invoke(app, [*args, "--protocol", "pairs", "-m", "reinhard"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["results.csv", "summary.md"]
    row = next(
        r for r in _rows(out / "results.csv") if (r["image"], r["method"]) == ("a.png", "gray")
    )
    truth = np.asarray(Image.open(pairs_csv.parent / "a.png").convert("RGB")) / 255.0
    truth_lab = color.rgb2lab(truth)
    zeros = np.zeros_like(truth_lab[..., 0])
    gray = np.round(color.lab2rgb(np.dstack([truth_lab[..., 0], zeros, zeros])) * 255) / 255
    assert (int(row["height"]), int(row["width"])) == truth.shape[:2]
    delta_e = color.deltaE_ciede2000(color.rgb2lab(gray), truth_lab).mean()
    assert float(row["delta_e"]) == pytest.approx(delta_e, abs=0.01)
    psnr = peak_signal_noise_ratio(truth, gray, data_range=1.0)
    assert float(row["psnr"]) == pytest.approx(psnr, abs=0.01)
    delta_l = np.abs(color.rgb2lab(gray)[..., 0] - truth_lab[..., 0])
    assert delta_l.max() <= 0.5 and float(row["p99_delta_l"]) <= delta_l.max() + 0.01


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
    assert all(float(r["p99_delta_l"]) <= 0.5 for r in rows)
    assert float(by_method["reinhard"]["delta_e"]) != float(by_method["gray"]["delta_e"])
