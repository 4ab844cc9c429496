"""Options several commands share (same flag, same help): typer ``Annotated`` aliases.

Use them as ``transfer: TransferOption = DEFAULT_TRANSFER``; each command keeps its own
default and the options whose help differs between commands (``--output``, ``--ref``...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

TransferOption = Annotated[
    str,
    typer.Option(
        "--transfer",
        "-t",
        help="Colour transfer backend: photoreal (default), reinhard or neural.",
    ),
]
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
