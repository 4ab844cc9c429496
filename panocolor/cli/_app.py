"""The one Typer application; each command lives in its own module of ``panocolor.cli``."""

from __future__ import annotations

import functools
import logging
import sys
import warnings
from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from typer.core import TyperGroup, TyperOption

from panocolor import __version__
from panocolor.errors import PanocolorError

P = ParamSpec("P")
R = TypeVar("R")


def _plain_flags(params: list[Any]) -> list[Any]:
    """Show on/off flags without a value placeholder in ``--help``.

    Typer's rich help prints every option's type, so ``--overwrite``, ``--help`` and the
    other flags came out as ``--overwrite <bool>``, as if they took a value; an empty
    metavar leaves the type column blank for exactly the flags.
    """
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class PanocolorGroup(TyperGroup):
    """The ``panocolor`` command group: flags (its own and its commands') shown as flags."""

    def get_params(self, ctx: typer.Context) -> list[Any]:
        return _plain_flags(super().get_params(ctx))

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _plain_flags(command.get_params(ctx))  # the help option is created and cached here
        return command


app = typer.Typer(
    cls=PanocolorGroup,
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
