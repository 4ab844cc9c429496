"""``panocolor segment``: panoptic segments of a gray photo, as a picture, JSON or COCO files."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from panocolor.cli._app import app, console, handle_errors
from panocolor.errors import ImageWriteError, PanocolorError


def _write_json(path: Path, document: Any, overwrite: bool) -> None:
    """Write JSON atomically (temporary file + rename); never replace unless asked."""
    if path.exists() and not overwrite:
        raise ImageWriteError(f"{path} exists; use --overwrite to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    try:
        temp.write_text(json.dumps(document, indent=1) + "\n", "utf-8")
        os.replace(temp, path)
    except OSError as error:
        raise ImageWriteError(f"cannot write {path}: {error}") from None
    finally:
        temp.unlink(missing_ok=True)


def coco_paths(overlay: Path) -> tuple[Path, Path]:
    """Where ``--coco`` writes: ``<overlay stem>_panoptic.png`` and ``.json`` beside the overlay."""
    base = overlay.with_name(f"{overlay.stem}_panoptic")
    return base.with_suffix(".png"), base.with_suffix(".json")


@app.command(
    epilog="""[bold]Examples[/]

  panocolor segment grandma.jpg -o grandma_segments.png --json grandma_segments.json

  panocolor segment street.png -o seg.png --coco --model-dir ~/models

  panocolor segment photo.jpg -o seg.png --segmenter panoptic-file --panoptic mask2former.png
""",
)
@handle_errors
def segment(
    source: Annotated[Path, typer.Argument(metavar="INPUT", help="Gray (or colour) photo.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Overlay picture: segments and class names.")
    ],
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the segment records as JSON.")
    ] = None,
    coco: Annotated[
        bool,
        typer.Option(
            "--coco",
            help="Also write COCO panoptic OUTPUT_panoptic.png + .json beside the overlay.",
        ),
    ] = False,
    segmenter: Annotated[
        str,
        typer.Option(
            "--segmenter",
            "-s",
            help="Backend: deeplab (default), superpixel, panoptic-file or hf (experimental).",
        ),
    ] = "deeplab",
    model_dir: Annotated[
        Path | None,
        typer.Option(
            "--model-dir",
            help="Folder with the model files (searched before $PANOCOLOR_MODEL_DIR, the cache).",
        ),
    ] = None,
    panoptic: Annotated[
        Path | None,
        typer.Option("--panoptic", help="COCO panoptic PNG for --segmenter panoptic-file."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace outputs that already exist.")
    ] = False,
) -> None:
    """Split a gray photo into classed segments (things as instances, stuff as regions)."""
    from panocolor.io import read_gray, write_image
    from panocolor.io.write import check_writable
    from panocolor.segment import build_segmenter, to_coco
    from panocolor.segment.draw import overlay

    options: dict[str, Any] = {}
    if segmenter == "deeplab":
        options["model_dir"] = model_dir
    if segmenter == "panoptic-file":
        if panoptic is None:
            raise PanocolorError("--segmenter panoptic-file needs --panoptic PNG")
        options["png"] = panoptic
    targets = (
        [output] + ([json_path] if json_path else []) + (list(coco_paths(output)) if coco else [])
    )
    for target in targets:  # before the models load: a bad output fails at once
        if target.suffix.lower() == ".json":
            if target.exists() and not overwrite:
                raise ImageWriteError(f"{target} exists; use --overwrite to replace it")
        else:
            check_writable(target, overwrite=overwrite)
    backend = build_segmenter(segmenter, **options)
    image = read_gray(source)
    result = backend(image.lightness)
    write_image(output, overlay(image.lightness, result), overwrite=overwrite)
    if json_path:
        _write_json(json_path, {"source": str(source), **result.to_dict()}, overwrite)
    if coco:
        png, document_path = coco_paths(output)
        pixels, document = to_coco(result, png.name)
        write_image(png, pixels, overwrite=overwrite)
        _write_json(document_path, document, overwrite)
    things = sum(s.is_thing for s in result.segments)
    labels = sorted({s.label for s in result.segments if s.class_id})
    console.print(
        f"{len(result.segments)} segments ({things} things): {', '.join(labels) or 'no classes'}",
        soft_wrap=True,
    )
    console.print(f"wrote {', '.join(map(str, targets))}", soft_wrap=True)
