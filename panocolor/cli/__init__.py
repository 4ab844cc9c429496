"""Command-line interface: ``panocolor COMMAND ...`` (see ``panocolor --help``).

Commands only parse options, call the library and report; no image maths here.
Each command is one module that registers itself on the shared ``app``.
"""

from panocolor.cli import batch as _batch  # noqa: F401
from panocolor.cli import classes as _classes  # noqa: F401
from panocolor.cli import colorize as _colorize  # noqa: F401  (registers commands)
from panocolor.cli import demo as _demo  # noqa: F401
from panocolor.cli import evaluate as _evaluate  # noqa: F401
from panocolor.cli import models as _models  # noqa: F401
from panocolor.cli import segment as _segment  # noqa: F401
from panocolor.cli import serve as _serve  # noqa: F401
from panocolor.cli._app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
