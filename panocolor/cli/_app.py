"""The one Typer application; each command lives in its own module of ``panocolor.cli``."""

from __future__ import annotations

import functools
import logging
import sys
import warnings
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from panocolor import __version__
from panocolor.errors import PanocolorError

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="panocolor",
    help="Colorize grayscale photographs from colour reference photos, object by object.",
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one red error line and return the Exit to raise."""
    console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn panocolor's own errors into one readable line and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = _show_warning
            try:
                return command(*args, **kwargs)
            except PanocolorError as error:
                raise fail(str(error)) from None
            except KeyboardInterrupt:
                raise fail("interrupted", code=130) from None
            except MemoryError:
                raise fail("out of memory; try a smaller image or --max-pixels") from None

    return wrapper


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    console.print(f"[yellow]warning:[/] {message}", markup=True, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"panocolor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log what each stage does.")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
