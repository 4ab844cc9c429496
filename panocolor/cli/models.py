"""``panocolor models list`` and ``panocolor models fetch``: the model files and where they are."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from panocolor.cli._app import PanocolorGroup, app, console, handle_errors

models_app = typer.Typer(
    cls=PanocolorGroup,
    help="Model files: where they are found, and fetching them (sha256-verified).",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")


@models_app.command("list")
@handle_errors
def list_models(
    model_dir: Annotated[
        Path | None, typer.Option("--model-dir", help="Folder searched first.")
    ] = None,
) -> None:
    """Show each known model file and the folder it is found in (or that it is missing)."""
    from panocolor.models import MODEL_FILES, locate, search_dirs

    for name, entry in MODEL_FILES.items():
        path = locate(name, model_dir)
        where = str(path) if path else "[red]missing[/]"
        console.print(f"[bold]{name}[/] ({entry.description})\n    {where}", soft_wrap=True)
    console.print("searched: " + ", ".join(map(str, search_dirs(model_dir))), soft_wrap=True)


@models_app.command("fetch")
@handle_errors
def fetch(
    names: Annotated[
        list[str] | None, typer.Argument(help="Files to fetch (default: all known files).")
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option("--from", help="Copy from this folder instead of downloading."),
    ] = None,
    dest: Annotated[
        Path | None, typer.Option("--dest", help="Target folder (default: the user cache).")
    ] = None,
) -> None:
    """Download (or copy) model files into the cache, verifying their pinned sha256."""
    from panocolor.models import fetch_models

    for path in fetch_models(names or None, dest, from_dir=from_dir):
        console.print(f"ok {path}", soft_wrap=True)
