"""``panocolor evaluate``: score colorization methods on photos whose colours are known."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from panocolor.cli._app import app, console, handle_errors


class _Protocol(StrEnum):
    self = "self"
    pairs = "pairs"


@app.command("evaluate")
@handle_errors
def evaluate(
    pairs: Annotated[
        Path,
        typer.Argument(
            exists=True,
            help="Pairs CSV (target,reference[,note]) or, for --protocol self, a folder of images.",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Folder for results.csv, summary.md, contact_sheet.png."),
    ],
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            file_okay=False,
            help="What the CSV's paths are relative to (default: the CSV's folder).",
        ),
    ] = None,
    method: Annotated[
        list[str] | None,
        typer.Option(
            "--method",
            "-m",
            metavar="NAME",
            help="Method to evaluate (repeatable): a transfer backend or a registered method. "
            "The floors gray and reinhard always run. (default: photoreal)",
        ),
    ] = None,
    protocol: Annotated[
        _Protocol,
        typer.Option(
            help="self: reference = mirrored central 80% crop of the target; "
            "pairs: reference from the CSV."
        ),
    ] = _Protocol.self,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Evaluate only the first N samples.")
    ] = None,
    max_side: Annotated[
        int, typer.Option(min=0, help="Downscale images to this longest side first (0: full size).")
    ] = 640,
    hints: Annotated[
        str | None,
        typer.Option(
            "--hints",
            metavar="N[,N...]",
            help="Also give each method N colour hints sampled from the truth (Zhang et al. "
            "2017), e.g. 10 or 0,1,5,10,20,50: one row per method and N (METHOD+hN); "
            "-m hints-only: hints without a reference.",
        ),
    ] = None,
    sheet_rows: Annotated[
        int, typer.Option(min=0, help="Images shown on the contact sheet (0: no sheet).")
    ] = 12,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace report files already in --out.")
    ] = False,
) -> None:
    """Colorize gray versions of colour photos and compare each method with the truth."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from panocolor.evaluate.protocols import plan_samples
    from panocolor.evaluate.report import check_outputs, summary_table, write_report
    from panocolor.evaluate.runner import iter_evaluation, with_floors
    from panocolor.evaluate.sheet import ContactSheet
    from panocolor.transfer import DEFAULT_TRANSFER

    check_outputs(out, overwrite)
    try:
        specs = plan_samples(pairs, root=root, protocol=protocol.value, limit=limit)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="PAIRS") from None
    if not specs:
        raise typer.BadParameter("no images to evaluate", param_hint="PAIRS")
    methods = method or [DEFAULT_TRANSFER]
    if hints is not None:
        from panocolor.evaluate.hints import hinted_methods, parse_counts

        try:
            methods = hinted_methods(methods, parse_counts(hints))
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--hints") from None
    methods = with_floors(methods)
    sheet = ContactSheet(methods, max_rows=sheet_rows) if sheet_rows else None
    results = []
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    with progress:
        task = progress.add_task("evaluating", total=len(specs))
        for outcome in iter_evaluation(specs, methods, max_side=max_side or None):
            results += outcome.results
            if sheet is not None:
                sheet.add(outcome)
            progress.update(task, advance=1, description=outcome.spec.name)
    size = f"max side {max_side} px" if max_side else "full size"
    settings = f"protocol {protocol.value}, {len(specs)} samples, {size}"
    summaries = write_report(
        results,
        out,
        sheet=sheet,
        description=f"{settings}; source: {pairs}",
        overwrite=overwrite,
    )
    for result in results:
        if result.error:
            problem = escape(f"{result.image} / {result.method}: {result.error}")
            console.print(f"[yellow]warning:[/] {problem}")
    Console().print(summary_table(summaries, title=settings))
    console.print(f"wrote {out}/results.csv, summary.md" + (", contact_sheet.png" if sheet else ""))
