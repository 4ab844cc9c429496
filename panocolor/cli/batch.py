"""``panocolor batch``: a folder or CSV list of photos, resumable, on workers or Ray."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from panocolor.cli._app import app, console, fail, handle_errors
from panocolor.cli.options import ModelDirOption, ModeOption, SegmenterOption, TransferOption
from panocolor.defaults import DEFAULT_ENGINE, DEFAULT_MODE, DEFAULT_SEGMENTER, DEFAULT_TRANSFER
from panocolor.errors import PanocolorError

if TYPE_CHECKING:
    from panocolor.batch import BatchConfig, BatchPlan, BatchSummary, Outcome

_SHOWN_FAILURES = 20  # the rest are in the failures file


class _RateColumn(ProgressColumn):
    """Photos per second since the work started."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time or task.elapsed
        if not task.completed or not elapsed:
            return Text("– img/s", style="progress.data.speed")
        return Text(f"{task.completed / elapsed:.2f} img/s", style="progress.data.speed")


def _class_references(pairs: list[str]) -> dict[str, str]:
    references = {}
    for pair in pairs:
        label, sep, path = pair.partition("=")
        if not sep or not label.strip() or not path.strip():
            raise PanocolorError(f"--ref takes CLASS=PATH (e.g. sky=blue_sky.jpg), got {pair!r}")
        references[label.strip()] = str(Path(path.strip()).resolve())
    return references


def _report(summary: BatchSummary, out_dir: Path) -> None:
    from panocolor.batch import FAILURES_NAME, MANIFEST_NAME

    rate = summary.done / summary.seconds if summary.seconds else 0.0
    console.print(
        f"[bold]{summary.total}[/] photos: [green]{summary.done} done[/], "
        f"{summary.skipped} skipped (finished before), "
        f"[{'red' if summary.failed else 'green'}]{summary.failed} failed[/] "
        f"in {summary.seconds:.1f} s ({rate:.2f} img/s); manifest {out_dir / MANIFEST_NAME}"
    )
    if summary.removed_partials:
        console.print(f"removed {summary.removed_partials} partial file(s) of an interrupted run")
    for failure in summary.failures[:_SHOWN_FAILURES]:
        console.print(f"[red]failed:[/] {failure.input}: {failure.reason}", soft_wrap=True)
    if summary.failed:
        more = summary.failed - _SHOWN_FAILURES
        prefix = f"... and {more} more; " if more > 0 else ""
        console.print(f"{prefix}all failures are listed in {out_dir / FAILURES_NAME}")


@app.command(
    epilog="""[bold]Examples[/]

  panocolor batch scans/ -o coloured/ -r reference.jpg --workers 4

  panocolor batch list.csv -o coloured/ --ref sky=sky.jpg --engine ray --ray-address auto
""",
)
@handle_errors
def batch(
    source: Annotated[
        Path,
        typer.Argument(
            help="A folder of gray photos (searched recursively) or a CSV list with the "
            "columns input[,reference][,hints] (hints: a JSON list such as "
            '["120,45=#1f3a93"], or a scribble PNG).',
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output folder (keeps the input layout).")
    ],
    reference: Annotated[
        Path | None,
        typer.Option("--reference", "-r", help="Colour photo for every input without its own."),
    ] = None,
    ref: Annotated[
        list[str] | None,
        typer.Option("--ref", help="CLASS=PATH: a colour photo for segments of that class."),
    ] = None,
    gallery: Annotated[
        Path | None, typer.Option("--gallery", help="Folder of colour photos to pick from.")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", "-w", min=1, help="Worker processes (or Ray actors); default: CPUs."
        ),
    ] = os.cpu_count() or 1,
    engine: Annotated[
        str, typer.Option("--engine", help="local (worker processes) or ray.")
    ] = DEFAULT_ENGINE,
    ray_address: Annotated[
        str | None,
        typer.Option("--ray-address", help="Existing Ray cluster (default: start one here)."),
    ] = None,
    transfer: TransferOption = DEFAULT_TRANSFER,
    segmenter: SegmenterOption = DEFAULT_SEGMENTER,
    mode: ModeOption = DEFAULT_MODE,
    model_dir: ModelDirOption = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Redo and replace outputs that exist.")
    ] = False,
) -> None:
    """Colorize every photo of a folder or CSV list; safe to kill and start again.

    Outputs go to OUTPUT/<path relative to the folder or list>, written atomically;
    finished photos are recorded in OUTPUT/panocolor-manifest.jsonl and skipped by
    the next run; unreadable photos are listed in OUTPUT/panocolor-failures.csv.
    """
    from panocolor.batch import ENGINES, BatchConfig, BatchInterrupted

    if engine not in ENGINES:
        raise PanocolorError(f"--engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    from panocolor.pipeline import Settings

    settings = Settings(
        transfer=transfer,
        segmenter=segmenter,
        mode=mode,
        gallery=gallery.resolve() if gallery else None,
        model_dir=model_dir.resolve() if model_dir else None,
    )
    config = BatchConfig(
        settings=settings,
        reference=str(reference.resolve()) if reference else None,
        class_references=_class_references(ref or []),
        overwrite=overwrite,
    )
    try:
        summary = _run_with_progress(source, output, config, workers, engine, ray_address)
    except BatchInterrupted as interrupted:  # one line, and the shell's 128 + signal
        raise fail(str(interrupted), code=128 + interrupted.signum) from None
    _report(summary, output)
    if summary.failed:
        raise typer.Exit(1)


def _run_with_progress(
    source: Path,
    output: Path,
    config: BatchConfig,
    workers: int,
    engine: str,
    ray_address: str | None,
) -> BatchSummary:
    """``run_batch`` under a progress bar, shown once the checks made before any work pass."""
    from panocolor.batch import run_batch

    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
    )
    task = progress.add_task("colorizing", total=None)

    def on_start(plan: BatchPlan) -> None:
        progress.update(task, total=len(plan.todo))
        progress.start()

    def on_outcome(outcome: Outcome) -> None:
        progress.advance(task)

    try:
        return run_batch(
            source,
            output,
            config,
            workers=workers,
            engine=engine,  # type: ignore[arg-type]
            ray_address=ray_address,
            on_start=on_start,
            on_outcome=on_outcome,
        )
    finally:
        if progress.live.is_started:
            progress.stop()  # before the report or the error line
