"""Evaluation reports: ``results.csv``, ``summary.md`` and ``contact_sheet.png``
(drawn by :class:`~panocolor.evaluate.sheet.ContactSheet`)."""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import numpy as np
from rich import box
from rich.table import Table

from panocolor.errors import ImageWriteError
from panocolor.evaluate.methods import FLOORS
from panocolor.evaluate.scoring import Result
from panocolor.evaluate.sheet import ContactSheet
from panocolor.io import write_image

RESULTS_NAME = "results.csv"
SUMMARY_NAME = "summary.md"
SHEET_NAME = "contact_sheet.png"
OUTPUT_NAMES = (RESULTS_NAME, SUMMARY_NAME, SHEET_NAME)


@dataclass(frozen=True)
class MethodSummary:
    """One method's averages over the images it was evaluated on.

    Attributes
    ----------
    method : str
        Method name.
    images : int
        Images scored.
    failed : int
        Images on which the method (or reading) failed.
    psnr, ssim, delta_e, colourfulness, colourfulness_ratio, p99_delta_l, seconds : float
        Means of the :class:`~panocolor.evaluate.scoring.Result` fields (``nan``
        when nothing was scored).
    p99_delta_l_max : float
        The worst image's p99 |ΔL*|.
    bleeding, adherence : float
        Means over the images that have true segmentations (``nan`` when none has).
    blotchiness : float
        Mean spurious chroma edges (excess a*b* gradient where L* is flat).
    """

    method: str
    images: int
    failed: int
    psnr: float
    ssim: float
    delta_e: float
    colourfulness: float
    colourfulness_ratio: float
    p99_delta_l: float
    p99_delta_l_max: float
    bleeding: float
    adherence: float
    blotchiness: float
    seconds: float


@dataclass(frozen=True)
class _Column:
    header: str  # in summary.md
    short: str | None  # in the terminal table (None: left out there)
    attribute: str
    fmt: Callable[[float], str] = "{:.2f}".format


_COLUMNS = (
    _Column("method", "method", "method", str),
    _Column("images", "n", "images", str),
    _Column("failed", None, "failed", str),
    _Column("PSNR dB ↑", "PSNR", "psnr"),
    _Column("SSIM ↑", None, "ssim", "{:.3f}".format),
    _Column("ΔE00 ↓", "ΔE00", "delta_e"),
    _Column("colourfulness", None, "colourfulness", "{:.1f}".format),
    _Column("colour ratio →1", "M/M₀", "colourfulness_ratio"),
    _Column("p99 ΔL* mean", "p99ΔL*", "p99_delta_l"),
    _Column("p99 ΔL* max", None, "p99_delta_l_max"),
    _Column("bleeding ↓", "bleed", "bleeding"),
    _Column("adherence ↓", "adher", "adherence"),
    _Column("blotchiness ↓", "blotch", "blotchiness", "{:.3f}".format),
    _Column("time s", "s/img", "seconds", "{:.3f}".format),
)


def _cell(summary: MethodSummary, column: _Column) -> str:
    value = getattr(summary, column.attribute)
    return "–" if isinstance(value, float) and math.isnan(value) else column.fmt(value)


def _nanmean(values: list[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(finite)) if finite else float("nan")


def summarize(results: Sequence[Result]) -> list[MethodSummary]:
    """Average ``results`` per method; floors first, then the other methods in run order."""
    methods = list(dict.fromkeys(result.method for result in results))
    methods.sort(key=lambda name: FLOORS.index(name) if name in FLOORS else len(FLOORS))
    summaries = []
    for method in methods:
        rows = [r for r in results if r.method == method]
        ok = [r for r in rows if not r.error]
        p99 = [r.p99_delta_l for r in ok]
        summaries.append(
            MethodSummary(
                method=method,
                images=len(ok),
                failed=len(rows) - len(ok),
                psnr=_nanmean([r.psnr for r in ok]),
                ssim=_nanmean([r.ssim for r in ok]),
                delta_e=_nanmean([r.delta_e for r in ok]),
                colourfulness=_nanmean([r.colourfulness for r in ok]),
                colourfulness_ratio=_nanmean([r.colourfulness_ratio for r in ok]),
                p99_delta_l=_nanmean(p99),
                p99_delta_l_max=max(p99, default=float("nan")),
                bleeding=_nanmean([r.bleeding for r in ok]),
                adherence=_nanmean([r.adherence for r in ok]),
                blotchiness=_nanmean([r.blotchiness for r in ok]),
                seconds=_nanmean([r.seconds for r in ok]),
            )
        )
    return summaries


def summary_markdown(summaries: Sequence[MethodSummary], description: str = "") -> str:
    """A Markdown report: ``description``, the per-method table and a legend."""
    headers = [column.header.replace("*", r"\*") for column in _COLUMNS]
    lines = ["# panocolor evaluation", ""]
    if description:
        lines += [description, ""]
    lines += [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|",
        *("| " + " | ".join(_cell(s, column) for column in _COLUMNS) + " |" for s in summaries),
        "",
        "Means over images. PSNR and SSIM on RGB; ΔE00: mean CIEDE2000 to the true colours; "
        "colourfulness: Hasler & Süsstrunk (2003) M, and its ratio to the truth's (1 is right); "
        r"p99 ΔL\*: 99th percentile of |ΔL\*| between the 8-bit output and the gray input; "
        "bleeding: a\\*b\\* error within 3 px of true segment boundaries; adherence: "
        "distance of each true segment's mean a\\*b\\* to the reference's same-class "
        r"segments'; blotchiness: mean a\*b\* gradient (per px, 2 px Gaussian) in excess of "
        r"the truth's where L\* is flat (< 1 L\*/px), i.e. colour patches without a "
        "lightness edge (0 for the truth and for gray); "
        "time: seconds per image for the method call.",
        "",
    ]
    return "\n".join(lines)


def summary_table(summaries: Sequence[MethodSummary], title: str | None = None) -> Table:
    """The summary as a compact rich table for the terminal (M/M₀: colourfulness ratio)."""
    columns = [column for column in _COLUMNS if column.short]
    table = Table(title=title, box=box.SIMPLE_HEAD)
    for column in columns:
        numeric = column.attribute != "method"
        width = None if numeric else max((len(s.method) for s in summaries), default=6)
        table.add_column(
            column.short, justify="right" if numeric else "left", no_wrap=True, min_width=width
        )
    for summary in summaries:
        table.add_row(*(_cell(summary, column) for column in columns))
    return table


def results_csv(results: Sequence[Result]) -> str:
    """``results`` as CSV text with a header row (floats at full precision)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(field.name for field in fields(Result))
    writer.writerows(astuple(result) for result in results)
    return buffer.getvalue()


def check_outputs(out: Path, overwrite: bool) -> None:
    """Fail early when a report file already exists in ``out`` and ``overwrite`` is False.

    Raises
    ------
    ImageWriteError
        Naming the first existing file.
    """
    if overwrite:
        return
    for name in OUTPUT_NAMES:
        if (out / name).exists():
            raise ImageWriteError(f"{out / name} already exists; pass --overwrite to replace it")


def _write_text(path: Path, text: str) -> None:
    """Write ``text`` atomically: a temporary file in the same folder, then a rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_report(
    results: Sequence[Result],
    out: Path,
    *,
    sheet: ContactSheet | None = None,
    description: str = "",
    overwrite: bool = False,
) -> list[MethodSummary]:
    """Write ``results.csv``, ``summary.md`` and (given ``sheet``) ``contact_sheet.png``.

    Parameters
    ----------
    results : sequence of Result
        From :func:`~panocolor.evaluate.runner.run_evaluation`.
    out : Path
        Output folder, created if missing.
    sheet : ContactSheet, optional
        Thumbnails collected during the run.
    description : str, optional
        A line put above the summary table.
    overwrite : bool, optional
        Replace existing report files.

    Returns
    -------
    list of MethodSummary
        What ``summary.md`` tabulates.

    Raises
    ------
    ImageWriteError
        If a report file exists and ``overwrite`` is False.
    """
    check_outputs(out, overwrite)
    out.mkdir(parents=True, exist_ok=True)
    summaries = summarize(results)
    _write_text(out / RESULTS_NAME, results_csv(results))
    _write_text(out / SUMMARY_NAME, summary_markdown(summaries, description))
    if sheet is not None:
        write_image(out / SHEET_NAME, sheet.render(), overwrite=overwrite)
    return summaries
