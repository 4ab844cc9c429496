"""The ``--explain`` panel: what was detected, which reference each segment used, the result.

One figure: the gray input | its segments with class names | the result, and below
them one card per reference region used (thumbnail of the reference with the region
outlined, the segments' classes, and why it was chosen). Colour hints are marked on
the result by a ring in the hint's colour.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from panocolor.hints import Hint
from panocolor.imaging import lab_to_rgb, lightness_to_gray, resize_to_pixels
from panocolor.pipeline import Colorized
from panocolor.reference.base import ImageKey, ReferencePlan
from panocolor.segment.draw import overlay

_TILE_HEIGHT = 300
_CARD_HEIGHT = 140
_GAP = 8


def _fit_height(rgb: np.ndarray, height: int) -> np.ndarray:
    scale = height / rgb.shape[0]
    size = (max(1, round(rgb.shape[1] * scale)), height)
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)


def _to_uint8(rgb: np.ndarray) -> np.ndarray:
    if rgb.dtype == np.uint16:
        return (rgb // 257).astype(np.uint8)
    return rgb.astype(np.uint8)


def explain_panel(result: Colorized, hints: Sequence[Hint] = ()) -> np.ndarray:
    """Render the explanation figure of a per-object result.

    Parameters
    ----------
    result : Colorized
        A per-object result (with ``segmentation`` and ``plan``).
    hints : sequence of Hint, optional
        Colour hints given, ringed in their colour on the result.

    Returns
    -------
    panel : (H, W, 3) uint8 ndarray

    Raises
    ------
    ValueError
        If ``result`` has no segmentation (single-reference colorization).
    """
    if result.segmentation is None or result.plan is None:
        raise ValueError("explain needs a per-object result (with segments and a plan)")
    segmentation, plan = result.segmentation, result.plan
    small_l = cv2.resize(result.lightness, segmentation.shape[::-1], interpolation=cv2.INTER_AREA)
    gray = np.round(lightness_to_gray(small_l) * 255).astype(np.uint8)
    tiles = [
        ("gray input", np.dstack([gray] * 3)),
        ("segments", overlay(small_l, segmentation)),
        (
            "result",
            mark_hints(
                _to_uint8(resize_to_pixels(result.rgb, segmentation.ids.size)),
                hints,
                result.rgb.shape[:2],
            ),
        ),
    ]
    cards = []
    for (image_key, region_ids), title in card_titles(plan).items():
        reference = plan.images[image_key]
        rgb = np.round(lab_to_rgb(reference.image.lab) * 255).astype(np.uint8)
        if region_ids and reference.label_map is not None:
            region = np.isin(reference.label_map, region_ids).astype(np.uint8)
            contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            rgb = cv2.drawContours(rgb.copy(), contours, -1, (255, 0, 255), 3)
        cards.append((title, rgb))
    return _compose(tiles, cards)


def mark_hints(rgb: np.ndarray, hints: Sequence[Hint], shape: tuple[int, int]) -> np.ndarray:
    """``rgb`` (a resized view of a photo of ``shape``) with a ring at each hint.

    The ring is drawn in the hint's colour inside a black and a white outline, so it
    shows on any background; its size is about 2% of the view's height.
    """
    if not hints:
        return rgb
    marked = np.ascontiguousarray(rgb).copy()
    scale = rgb.shape[0] / shape[0]
    radius = max(3, round(0.02 * rgb.shape[0]))
    thickness = max(1, radius // 3)
    for hint in hints:
        centre = (round(hint.x * scale), round(hint.y * scale))
        cv2.circle(marked, centre, radius + thickness, (0, 0, 0), thickness + 2, cv2.LINE_AA)
        cv2.circle(marked, centre, radius, (255, 255, 255), thickness + 2, cv2.LINE_AA)
        cv2.circle(marked, centre, radius, tuple(int(v) for v in hint.rgb), thickness, cv2.LINE_AA)
    return marked


def hint_lines(hints: Sequence[Hint]) -> list[str]:
    """One line per hint, for the text explanation: ``hint 1 at x=120, y=45: #1f3a93``."""
    return [
        f"hint {k} at x={h.x}, y={h.y}: #{h.rgb[0]:02x}{h.rgb[1]:02x}{h.rgb[2]:02x}"
        for k, h in enumerate(hints, start=1)
    ]


def card_titles(plan: ReferencePlan) -> dict[tuple[ImageKey, tuple[int, ...]], str]:
    """Title of each reference card: the segments' classes and why they drew from it.

    Segments sharing a reference region share a card; each reason keeps its own
    classes, e.g. ``giraffe <- whole-reference; 2 unknown <- resemblance`` (two
    class-less segments coloured from the reference pixels they resemble).

    Returns
    -------
    dict
        ``(image key, region ids)`` -> title, in the order of the plan's choices.
    """
    grouped: dict[tuple[ImageKey, tuple[int, ...]], dict[str, set[str]]] = {}
    for choice in plan.choices:
        by_reason = grouped.setdefault((choice.image_key, choice.region_ids), {})
        by_reason.setdefault(choice.reason, set()).add(choice.label)
    return {
        key: "; ".join(
            f"{_classes_text(labels)} <- {reason}" for reason, labels in by_reason.items()
        )
        for key, by_reason in grouped.items()
    }


def _classes_text(labels: set[str]) -> str:
    """Class names, with several class-less ``unknown-k`` segments counted (they are many)."""
    unknown = sorted(label for label in labels if label.startswith("unknown-"))
    named = sorted(labels - set(unknown))
    if len(unknown) > 1:
        named.append(f"{len(unknown)} unknown")
    else:
        named += unknown
    return ", ".join(named)


def _compose(
    tiles: list[tuple[str, np.ndarray]], cards: list[tuple[str, np.ndarray]]
) -> np.ndarray:
    font = ImageFont.load_default()
    top = [(title, _fit_height(image, _TILE_HEIGHT)) for title, image in tiles]
    bottom = [(title, _fit_height(image, _CARD_HEIGHT)) for title, image in cards]
    row_width = sum(image.shape[1] for _, image in top) + _GAP * (len(top) + 1)
    card_rows: list[list[tuple[str, np.ndarray]]] = [[]]
    used = _GAP
    for card in bottom:
        width = max(card[1].shape[1], 220) + _GAP
        if card_rows[-1] and used + width > row_width:
            card_rows.append([])
            used = _GAP
        card_rows[-1].append(card)
        used += width
    text = 16
    # A card lists one line per reason (titles join them with "; ").
    heads = [text * max(title.count("; ") + 1 for title, _ in row) for row in card_rows]
    height = _GAP + text + _TILE_HEIGHT + sum(_GAP + h + _CARD_HEIGHT for h in heads) + _GAP
    canvas = Image.new("RGB", (row_width, height), "white")
    draw = ImageDraw.Draw(canvas)
    x, y = _GAP, _GAP
    for title, image in top:
        draw.text((x, y), title, fill="black", font=font)
        canvas.paste(Image.fromarray(image), (x, y + text))
        x += image.shape[1] + _GAP
    y += text + _TILE_HEIGHT
    for row, head in zip(card_rows, heads, strict=True):
        x, y = _GAP, y + _GAP
        for title, image in row:
            width = max(image.shape[1], 220)
            for line, part in enumerate(title.split("; ")):
                place = (x, y + line * text)
                draw.text(place, _fit_text(draw, part, font, width), fill="black", font=font)
            canvas.paste(Image.fromarray(image), (x, y + head))
            x += width + _GAP
        y += head + _CARD_HEIGHT
    return np.asarray(canvas)


def _fit_text(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont, width: int) -> str:
    """``text``, cut with an ellipsis so that it fits ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"
