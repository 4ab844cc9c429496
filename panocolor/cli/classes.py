"""``panocolor classes``: the class names segments carry and the plain names accepted for them."""

from __future__ import annotations

from typing import Annotated

import typer

from panocolor.cli._app import app, handle_errors


@app.command("classes")
@handle_errors
def classes(
    all_classes: Annotated[
        bool,
        typer.Option(
            "--all", help="Also list the COCO classes only other segmenters find (panoptic-file)."
        ),
    ] = False,
) -> None:
    """List the class names for --ref CLASS=PATH: segment classes and their plain aliases.

    Segments carry COCO panoptic names (sky-other-merged, tree-merged...); --ref accepts
    those or a plain alias (sky, tree, vegetation, people...).
    """
    from panocolor.segment.classes import class_aliases, coco_categories
    from panocolor.segment.deeplab import class_names

    by_name: dict[str, list[str]] = {}
    for alias, name in class_aliases().items():
        by_name.setdefault(name, []).append(alias)
    found = class_names()
    groups = [("Classes the deeplab segmenter (the default) finds", list(found))]
    if all_classes:
        others = sorted({c.name for c in coco_categories().values()} - set(found))
        groups.append(("Other COCO classes (--segmenter panoptic-file or hf)", others))
    typer.echo("--ref CLASS=PATH takes a class name (left) or any of its aliases (right).")
    for title, names in groups:
        typer.echo(f"\n{title}:")
        width = max(map(len, names))
        for name in names:
            aliases = ", ".join(sorted(by_name.get(name, [])))
            typer.echo(f"  {name:<{width}}  {aliases}".rstrip())
    if not all_classes:
        typer.echo("\n`panocolor classes --all` also lists the other COCO classes.")
