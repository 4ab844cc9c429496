"""``panocolor demo``: colorize the bundled example and write what it shows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from panocolor.cli._app import app, console, handle_errors
from panocolor.cli._hints import warn_models_missing
from panocolor.cli.options import ModelDirOption, TransferOption
from panocolor.defaults import DEFAULT_TRANSFER


def demo_images() -> tuple[np.ndarray, np.ndarray]:
    """The bundled example: two overlapping views of scikit-image's cat photo (Chelsea).

    The photo ships inside scikit-image (``skimage.data.chelsea``, CC0, by Stefan van
    der Walt), so the demo needs nothing beyond what ``pip install`` brings.

    Returns
    -------
    gray : (300, 270) uint8 ndarray
        The gray target: the left 60% of the photo, as sRGB-encoded gray (its L*).
    reference : (300, 271, 3) uint8 ndarray
        The colour reference: the right 60%; the same cat, different pixels.
    """
    from skimage import data

    from panocolor.imaging.colorspace import lightness_to_gray, rgb_to_lab

    photo = data.chelsea()
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
    transfer: TransferOption = DEFAULT_TRANSFER,
    model_dir: ModelDirOption = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace earlier demo files.")
    ] = False,
) -> None:
    """Colorize the bundled example photo, object by object, and show how.

    Writes gray.png, reference.png, colorized.png, comparison.png (the three side by
    side) and, with the segmentation models found, explain.png (what was detected and
    which reference region each segment used).
    """
    from panocolor.explain import explain_panel
    from panocolor.io import write_image
    from panocolor.io.write import check_writable
    from panocolor.pipeline import Colorizer, Settings

    names = ["gray.png", "reference.png", "colorized.png", "comparison.png", "explain.png"]
    for name in names:
        check_writable(output / name, overwrite=overwrite)
    gray, reference = demo_images()
    colorizer = Colorizer(Settings(transfer=transfer, model_dir=model_dir))
    if not colorizer.per_object:
        warn_models_missing(model_dir, ["the explain panel"])
    result = colorizer(gray, reference)
    files = {
        "gray.png": gray,
        "reference.png": reference,
        "colorized.png": result.rgb,
        "comparison.png": _side_by_side([np.dstack([gray] * 3), reference, result.rgb]),
    }
    if result.plan is not None:
        files["explain.png"] = explain_panel(result)
    for name, pixels in files.items():
        write_image(output / name, pixels, overwrite=overwrite)
    how = "object by object" if result.plan is not None else "from the whole reference"
    console.print(f"coloured {how}; wrote {', '.join(files)} to {output}/", soft_wrap=True)
    if result.plan is not None:
        labels = sorted({choice.label for choice in result.plan.choices})
        console.print(f"segments: {', '.join(labels)}", soft_wrap=True)


def _side_by_side(images: list[np.ndarray], gap: int = 8) -> np.ndarray:
    height = max(image.shape[0] for image in images)
    width = sum(image.shape[1] for image in images) + gap * (len(images) - 1)
    canvas = np.full((height, width, 3), 255, np.uint8)
    x = 0
    for image in images:
        canvas[: image.shape[0], x : x + image.shape[1]] = image
        x += image.shape[1] + gap
    return canvas
