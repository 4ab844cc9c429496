"""The contact sheet of an evaluation: thumbnails of inputs, outputs and truths in a grid."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from panocolor.evaluate.metrics import to_unit_rgb
from panocolor.evaluate.runner import SampleOutcome
from panocolor.imaging.colorspace import lightness_to_gray


def thumbnail(rgb: np.ndarray, height: int, max_width: int) -> np.ndarray:
    """Resize an image to ``height`` pixels high (narrower if wider than ``max_width``).

    Parameters
    ----------
    rgb : (H, W, 3) ndarray
        uint8, uint16 or float in [0, 1].

    Returns
    -------
    (h, w, 3) uint8 ndarray
        ``h == height`` unless the width limit applied.
    """
    unit = to_unit_rgb(rgb)
    scale = min(height / unit.shape[0], max_width / unit.shape[1])
    size = (max(1, round(unit.shape[1] * scale)), max(1, round(unit.shape[0] * scale)))
    small = cv2.resize(unit, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    return np.round(np.clip(small, 0.0, 1.0) * 255.0).astype(np.uint8)


class ContactSheet:
    """Collects thumbnails of the first images and renders them in one grid.

    Rows are images; columns are ``input | reference | each method | truth``.
    Feed it the outcomes of :func:`~panocolor.evaluate.runner.iter_evaluation`.

    Parameters
    ----------
    methods : sequence of str
        Method columns, in order.
    max_rows : int, optional
        Images kept; later ones are ignored.
    height : int, optional
        Thumbnail height in pixels.
    """

    _PAD = 4
    _HEADER = 18
    _LABEL = 14

    def __init__(self, methods: Sequence[str], max_rows: int = 12, height: int = 160) -> None:
        self.columns = ["input", "reference", *methods, "truth"]
        self.max_rows = max_rows
        self.height = height
        self.rows: list[tuple[str, list[np.ndarray | None]]] = []

    def add(self, outcome: SampleOutcome) -> None:
        """Keep thumbnails of one image and its outputs (failed methods stay blank).

        Unreadable images and those past ``max_rows`` are ignored.
        """
        sample = outcome.sample
        if sample is None or len(self.rows) >= self.max_rows:
            return
        gray = np.repeat(lightness_to_gray(sample.gray.lightness)[..., None], 3, axis=2)
        images = {
            "input": gray,
            "reference": sample.reference_rgb,
            "truth": sample.truth,
            **{name: output.rgb for name, output in outcome.outputs.items()},
        }
        width = round(1.5 * self.height)
        tiles = [
            thumbnail(images[column], self.height, width) if column in images else None
            for column in self.columns
        ]
        self.rows.append((f"{sample.spec.name}  (reference: {sample.spec.reference_name})", tiles))

    def render(self) -> np.ndarray:
        """The sheet as an (H, W, 3) uint8 image (a small blank one when empty)."""
        font = ImageFont.load_default()
        widths = [
            max(
                [font.getbbox(title)[2] + 2 * self._PAD]
                + [tiles[i].shape[1] for _, tiles in self.rows if tiles[i] is not None]
            )
            for i, title in enumerate(self.columns)
        ]
        row_height = self._LABEL + self.height + self._PAD
        sheet = Image.new(
            "RGB",
            (
                sum(widths) + self._PAD * (len(widths) + 1),
                self._HEADER + row_height * len(self.rows),
            ),
            "white",
        )
        draw = ImageDraw.Draw(sheet)
        x = self._PAD
        for title, width in zip(self.columns, widths, strict=True):
            draw.text((x + self._PAD, 3), title, fill="black", font=font)
            x += width + self._PAD
        for row, (label, tiles) in enumerate(self.rows):
            top = self._HEADER + row * row_height
            draw.text((self._PAD, top + 1), label, fill=(80, 80, 80), font=font)
            x = self._PAD
            for tile, width in zip(tiles, widths, strict=True):
                if tile is None:
                    draw.rectangle(
                        (x, top + self._LABEL, x + width - 1, top + self._LABEL + self.height - 1),
                        fill=(200, 200, 200),
                    )
                else:
                    sheet.paste(Image.fromarray(tile), (x, top + self._LABEL))
                x += width + self._PAD
        return np.asarray(sheet)
