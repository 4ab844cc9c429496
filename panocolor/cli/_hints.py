"""Messages more than one command gives (models missing...)."""

from __future__ import annotations

from pathlib import Path

from panocolor.cli._app import console


def missing_segmentation_models(model_dir: Path | None) -> list[str]:
    """The segmentation model files not found (with their pinned sha256) for ``model_dir``."""
    from panocolor.models import locate
    from panocolor.segment.deeplab import CITYSCAPES_MODEL, VOC_MODEL

    return [name for name in (VOC_MODEL, CITYSCAPES_MODEL) if locate(name, model_dir) is None]


def models_missing_message(model_dir: Path | None, unused: list[str] | None = None) -> str:
    """One plain line: which models are missing, what happens instead, how to get them."""
    from panocolor.models import search_dirs

    missing = missing_segmentation_models(model_dir) or ["the segmentation model files"]
    folders = ", ".join(map(str, search_dirs(model_dir)))
    not_used = f"; {' and '.join(unused)} cannot be used without them" if unused else ""
    return (
        f"the segmentation models were not found ({', '.join(missing)}; searched {folders}), "
        f"so the photo is coloured from the whole reference, not object by object{not_used}. "
        "Get them with `panocolor models fetch` (or point --model-dir at a folder that has them)"
    )


def warn_models_missing(model_dir: Path | None, unused: list[str] | None = None) -> None:
    """Print :func:`models_missing_message` as a warning on stderr."""
    message = models_missing_message(model_dir, unused)
    console.print(f"[yellow]warning:[/] {message}", markup=True, soft_wrap=True, highlight=False)
