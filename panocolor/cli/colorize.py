"""``panocolor colorize`` and ``panocolor demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from panocolor.cli._app import app, console, fail, handle_errors
from panocolor.errors import ImageWriteError, PanocolorError

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp"}

TransferOption = Annotated[
    str,
    typer.Option(
        "--transfer",
        "-t",
        help="Colour transfer backend: photoreal (default), reinhard or neural.",
    ),
]


def _output_paths(inputs: list[Path], output: Path) -> list[Path]:
    """One output per input: ``output`` itself for a single file, else ``output/<name>``."""
    to_folder = len(inputs) > 1 or output.is_dir() or output.suffix.lower() not in _IMAGE_SUFFIXES
    paths = [output / source.name for source in inputs] if to_folder else [output]
    for source, target in zip(inputs, paths, strict=True):
        if source.exists() and target.exists() and source.resolve() == target.resolve():
            raise ImageWriteError(f"output {target} is the input itself; choose another output")
    if len({p.resolve() for p in paths}) < len(paths):
        raise ImageWriteError("several inputs share a file name; give them distinct names")
    return paths


def parse_class_references(values: list[str]) -> dict[str, Path]:
    """``["sky=sky.jpg", "person=me.jpg"]`` -> ``{"sky": Path("sky.jpg"), ...}``."""
    mapping: dict[str, Path] = {}
    for value in values:
        label, sep, path = value.partition("=")
        if not sep or not label.strip() or not path.strip():
            raise typer.BadParameter(f"expected CLASS=PATH, got {value!r}", param_hint="--ref")
        mapping[label.strip()] = Path(path.strip())
    return mapping


SegmenterOption = Annotated[
    str,
    typer.Option(
        "--segmenter",
        "-s",
        help="auto (deeplab when its model files are found), deeplab, superpixel, "
        "or none (one reference for the whole photo).",
    ),
]
ModeOption = Annotated[
    str, typer.Option("--mode", help="Per-object compositing: fast (default) or faithful.")
]
ModelDirOption = Annotated[
    Path | None,
    typer.Option("--model-dir", help="Folder with the model files (else $PANOCOLOR_MODEL_DIR)."),
]


@app.command(
    epilog="""[bold]Examples[/]

  panocolor colorize grandma.jpg -r summer_garden.jpg -o grandma_colour.png

  panocolor colorize street.jpg -r ref.jpg --ref sky=blue_sky.jpg -o out.png --explain why.png

  panocolor colorize scans/*.tif --gallery colour_photos/ -o coloured/

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
        typer.Option("--ref", help="CLASS=PATH: a colour photo for one class (repeatable)."),
    ] = [],  # noqa: B006 (typer needs a literal default)
    gallery: Annotated[
        Path | None,
        typer.Option("--gallery", help="Folder of colour photos to pick references from."),
    ] = None,
    transfer: TransferOption = "photoreal",
    segmenter: SegmenterOption = "auto",
    mode: ModeOption = "fast",
    explain: Annotated[
        Path | None,
        typer.Option("--explain", help="Also write a PNG panel: segments, references, result."),
    ] = None,
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
    from panocolor.api import Colorizer, Settings
    from panocolor.explain import explain_panel
    from panocolor.io import read_color, read_gray, write_image

    by_class = {k: read_color(v) for k, v in parse_class_references(class_references).items()}
    if reference is None and not by_class and gallery is None:
        raise fail("give a reference photo (-r), per-class photos (--ref) or a --gallery")
    if explain is not None and len(inputs) > 1:
        raise fail("--explain takes a single input")
    if explain is not None and explain.exists() and not overwrite:
        raise fail(f"{explain} exists; use --overwrite to replace it")
    settings = Settings(
        transfer=transfer, segmenter=segmenter, mode=mode, gallery=gallery, model_dir=model_dir
    )
    colorizer = Colorizer(settings)
    reference_image = read_color(reference) if reference is not None else None
    targets = _output_paths(inputs, output)
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
                result = colorizer(read_gray(source), reference_image, class_references=by_class)
                write_image(target, result.rgb, overwrite=overwrite)
                if explain is not None and result.plan is not None:
                    write_image(explain, explain_panel(result), overwrite=overwrite)
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
        console.print(f"wrote {targets[0]}")
        if result.plan is not None:
            for choice in result.plan.choices:
                console.print(
                    f"  segment {choice.segment_id} {choice.label}: {choice.reason} "
                    f"({choice.image_key})",
                    soft_wrap=True,
                )


def demo_images() -> tuple[np.ndarray, np.ndarray]:
    """The bundled example: two overlapping views of scikit-learn's 'china' photo.

    Returns the gray target (left 60%, as uint8 (H, W)) and the colour reference
    (right 60%, (H, W', 3) uint8): the same kind of scene, different pixels.
    """
    from sklearn.datasets import load_sample_image

    from panocolor.colorspace import lightness_to_gray, rgb_to_lab

    photo = load_sample_image("china.jpg")
    width = photo.shape[1]
    left, right = photo[:, : int(width * 0.6)], photo[:, int(width * 0.4) :]
    gray = lightness_to_gray(rgb_to_lab(left / 255.0)[..., 0])
    return np.round(gray * 255).astype(np.uint8), np.ascontiguousarray(right)


@app.command()
@handle_errors
def demo(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the demo's images.")
    ] = Path("panocolor-demo"),
    transfer: TransferOption = "photoreal",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace earlier demo files.")
    ] = False,
) -> None:
    """Colorize the bundled example photo and write input, reference, result and a comparison."""
    from panocolor.api import colorize
    from panocolor.io import write_image

    gray, reference = demo_images()
    result = colorize(gray, reference, transfer=transfer)
    files = {
        "gray.png": gray,
        "reference.png": reference,
        "colorized.png": result,
        "comparison.png": _side_by_side([np.dstack([gray] * 3), reference, result]),
    }
    if not overwrite:
        existing = [name for name in files if (output / name).exists()]
        if existing:
            raise fail(f"{output / existing[0]} exists; use --overwrite to replace the demo files")
    for name, pixels in files.items():
        write_image(output / name, pixels, overwrite=overwrite)
    console.print(f"wrote {', '.join(files)} to {output}/")


def _side_by_side(images: list[np.ndarray], gap: int = 8) -> np.ndarray:
    height = max(image.shape[0] for image in images)
    width = sum(image.shape[1] for image in images) + gap * (len(images) - 1)
    canvas = np.full((height, width, 3), 255, np.uint8)
    x = 0
    for image in images:
        canvas[: image.shape[0], x : x + image.shape[1]] = image
        x += image.shape[1] + gap
    return canvas
