"""``panocolor colorize``: gray photos coloured from reference photos, object by object."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from panocolor.cli._app import app, console, fail, handle_errors
from panocolor.cli._hints import warn_models_missing
from panocolor.cli.options import ModelDirOption, ModeOption, SegmenterOption, TransferOption
from panocolor.defaults import DEFAULT_MODE, DEFAULT_SEGMENTER, DEFAULT_TRANSFER
from panocolor.errors import ImageWriteError, PanocolorError

if TYPE_CHECKING:
    from panocolor.pipeline import Colorized


def _output_paths(inputs: list[Path], output: Path, overwrite: bool) -> list[Path]:
    """One output per input: ``output`` itself for a single file, else ``output/<name>``.

    Checked before any model runs: a dotted ``output`` that is not an existing folder
    must be a file panocolor writes (one input only), and the place must be writable.
    """
    from panocolor.io.write import WRITE_EXTENSIONS, check_writable

    if output.is_dir():
        paths = [output / source.name for source in inputs]
    elif output.suffix:
        if len(inputs) > 1:
            raise ImageWriteError(
                f"{len(inputs)} inputs need an output folder, and {output} is not one "
                "(create it first, or give a folder name without a dot)"
            )
        if output.suffix.lower() not in WRITE_EXTENSIONS:
            raise ImageWriteError(
                f"cannot write {output}: panocolor writes {', '.join(WRITE_EXTENSIONS)} "
                "(for a folder, create it first or give a name without a dot)"
            )
        paths = [output]
    elif output.exists():
        raise ImageWriteError(f"cannot write into {output}: it is a file, not a folder")
    else:
        paths = [output / source.name for source in inputs]
    for source, target in zip(inputs, paths, strict=True):
        if source.exists() and target.exists() and source.resolve() == target.resolve():
            raise ImageWriteError(f"output {target} is the input itself; choose another output")
    if len({p.resolve() for p in paths}) < len(paths):
        raise ImageWriteError("several inputs share a file name; give them distinct names")
    for target in paths:
        # a single output must be free; with several, one that exists fails on its own later
        check_writable(target, overwrite=overwrite or len(paths) > 1)
    return paths


def parse_class_references(values: list[str]) -> dict[str, Path]:
    """``["sky=sky.jpg", "people=me.jpg"]`` -> ``{"sky-other-merged": Path("sky.jpg"), ...}``.

    Class names may be COCO names or their plain aliases (``panocolor classes``); an
    unknown name is refused with close names suggested.
    """
    from panocolor.segment.classes import resolve_class

    mapping: dict[str, Path] = {}
    for value in values:
        label, sep, path = value.partition("=")
        if not sep or not label.strip() or not path.strip():
            raise typer.BadParameter(f"expected CLASS=PATH, got {value!r}", param_hint="--ref")
        try:
            mapping[resolve_class(label)] = Path(path.strip())
        except PanocolorError as error:
            raise PanocolorError(f"--ref {label.strip()}: {error}") from None
    return mapping


def warn_unmatched_classes(by_class: dict[str, Path], result: Colorized, source: Path) -> None:
    """Warn, naming the classes found, when a ``--ref`` class matches no segment of the photo."""
    if result.segmentation is None or not by_class:
        return
    found = sorted({s.label for s in result.segmentation.segments})
    for label in by_class:
        if label not in found:
            console.print(
                "[yellow]warning:[/] "
                + escape(f"--ref: no segment of {source} is {label} (found: {', '.join(found)})"),
                markup=True,
                soft_wrap=True,
            )


@app.command(
    epilog="""[bold]Examples[/]

  panocolor colorize grandma.jpg -r summer_garden.jpg -o grandma_colour.png

  panocolor colorize street.jpg -r ref.jpg --ref sky=blue_sky.jpg -o out.png --explain why.png

  panocolor colorize scans/*.tif --gallery colour_photos/ -o coloured/

  panocolor colorize old.jpg -r ref.jpg -o out.png --hint 120,45=#1f3a93 --hint 40,300=#cc0000

  panocolor colorize scan.png -r ref.jpg -o out.png --segmenter none --transfer reinhard
""",
)
@handle_errors
def colorize(
    inputs: Annotated[list[Path], typer.Argument(help="Gray photo(s) to colorize.")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Output file (one input) or folder (several inputs)."),
    ],
    reference: Annotated[
        Path | None,
        typer.Option("--reference", "-r", help="A colour photo of the same kind of scene."),
    ] = None,
    class_references: Annotated[
        list[str],
        typer.Option(
            "--ref",
            help="CLASS=PATH: a colour photo for one class (repeatable); CLASS is a class "
            "name or a plain alias (sky, tree, person...), listed by `panocolor classes`.",
        ),
    ] = [],  # noqa: B006 (typer needs a literal default)
    gallery: Annotated[
        Path | None,
        typer.Option("--gallery", help="Folder of colour photos to pick references from."),
    ] = None,
    transfer: TransferOption = DEFAULT_TRANSFER,
    segmenter: SegmenterOption = DEFAULT_SEGMENTER,
    mode: ModeOption = DEFAULT_MODE,
    explain: Annotated[
        Path | None,
        typer.Option("--explain", help="Also write a PNG panel: segments, references, result."),
    ] = None,
    hint: Annotated[
        list[str],
        typer.Option(
            "--hint",
            metavar="X,Y=#HEX",
            help="A colour hint X,Y=#RRGGBB (repeatable): the colour at column X, row Y; "
            "it spreads over the surface it falls on. With hints, -r is optional.",
        ),
    ] = [],  # noqa: B006 (typer needs a literal default)
    scribbles: Annotated[
        Path | None,
        typer.Option(
            "--scribbles",
            help="PNG the photo's size, transparent except where colour hints are painted.",
        ),
    ] = None,
    segment_colour: Annotated[
        list[str],
        typer.Option(
            "--segment-colour",
            metavar="CLASS=#HEX",
            help="CLASS_OR_ID=#RRGGBB: pin a class (car, sky...) or segment id to a colour.",
        ),
    ] = [],  # noqa: B006 (typer needs a literal default)
    flat: Annotated[
        bool,
        typer.Option(
            "--flat",
            help="--segment-colour in one flat tone (default: the reference's chroma variation).",
        ),
    ] = False,
    model_dir: ModelDirOption = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace outputs that already exist.")
    ] = False,
) -> None:
    """Colorize gray photos from colour reference photos, object by object.

    Each segment of the photo (sky, person, tree...) takes colour from the same kind
    of region in a reference: the one reference photo (-r), a per-class photo
    (--ref), or the most similar photo of a gallery. The output keeps the input's
    size, orientation, lightness and bit depth; only colour is added.
    """
    from panocolor.explain import explain_panel, hint_lines
    from panocolor.hints import parse_hint, parse_segment_colour, read_scribbles
    from panocolor.io import read_color, read_gray, write_image
    from panocolor.io.write import check_writable
    from panocolor.pipeline import Colorizer, Settings

    # Everything a user can get wrong is checked before any model is loaded.
    class_paths = parse_class_references(class_references)
    hints = [parse_hint(text) for text in hint]
    pinned = [parse_segment_colour(text, flat=flat) for text in segment_colour]
    scribble_rgba = read_scribbles(scribbles) if scribbles is not None else None
    guided = bool(hints or pinned) or scribble_rgba is not None
    if reference is None and not class_paths and gallery is None and not guided:
        raise fail(
            "give a reference photo (-r), per-class photos (--ref), a --gallery or colour hints"
        )
    if explain is not None and len(inputs) > 1:
        raise fail("--explain takes a single input")
    targets = _output_paths(inputs, output, overwrite)
    if explain is not None:
        check_writable(explain, overwrite=overwrite)
    by_class = {label: read_color(path) for label, path in class_paths.items()}
    reference_image = read_color(reference) if reference is not None else None
    settings = Settings(
        transfer=transfer, segmenter=segmenter, mode=mode, gallery=gallery, model_dir=model_dir
    )
    colorizer = Colorizer(settings)
    if not colorizer.per_object and segmenter == "auto":
        unused = [name for name, given in (("--ref", by_class), ("--explain", explain)) if given]
        warn_models_missing(model_dir, unused)
    failures: list[tuple[Path, str]] = []
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=len(inputs) == 1,
    ) as progress:
        task = progress.add_task("colorizing", total=len(inputs))
        for source, target in zip(inputs, targets, strict=True):
            try:
                if target.exists() and not overwrite:
                    raise ImageWriteError(f"{target} exists; use --overwrite to replace it")
                result = colorizer(
                    read_gray(source),
                    reference_image,
                    class_references=by_class,
                    hints=hints,
                    scribbles=scribble_rgba,
                    segment_colours=pinned,
                )
                write_image(target, result.rgb, overwrite=overwrite)
                if explain is not None and result.plan is not None:
                    write_image(explain, explain_panel(result, hints), overwrite=overwrite)
                warn_unmatched_classes(class_paths, result, source)
            except PanocolorError as error:
                if len(inputs) == 1:
                    raise
                failures.append((source, str(error)))
            progress.advance(task)
    done = len(inputs) - len(failures)
    if len(inputs) > 1:
        console.print(f"colorized {done} of {len(inputs)} into {output}")
    for source, reason in failures:
        console.print(f"[red]failed:[/] {source}: {reason}", soft_wrap=True)
    if failures:
        raise typer.Exit(1)
    if len(inputs) == 1:
        console.print(
            f"wrote {targets[0]}" + (f" and {explain}" if result.plan and explain else "")
        )
        for line in hint_lines(hints):
            console.print(f"  {line}", soft_wrap=True)
        if result.plan is not None:
            for choice in result.plan.choices:
                console.print(
                    f"  segment {choice.segment_id} {choice.label}: {choice.reason} "
                    f"({choice.image_key})",
                    soft_wrap=True,
                )
