"""Picture of a segmentation: coloured segments with class names over the gray photo."""

from __future__ import annotations

import colorsys

import cv2
import numpy as np

from panocolor.imaging.colorspace import lightness_to_gray
from panocolor.segment.segmentation import Segmentation


def segment_colours(segmentation: Segmentation) -> dict[int, tuple[int, int, int]]:
    """A distinct, reproducible RGB colour per segment id (golden-angle hues)."""
    colours = {}
    for k, s in enumerate(segmentation.segments):
        hue = (k * 0.618034) % 1.0
        saturation = 0.35 if s.class_id == 0 else 0.8
        r, g, b = colorsys.hsv_to_rgb(hue, saturation, 0.95)
        colours[s.id] = (round(r * 255), round(g * 255), round(b * 255))
    return colours


def _anchors(segmentation: Segmentation, scale: float) -> dict[int, tuple[int, int]]:
    """(x, y) of the pixel deepest inside each segment, in full-resolution pixels."""
    height, width = segmentation.shape
    small = segmentation.resized((max(1, round(height * scale)), max(1, round(width * scale))))
    anchors = {}
    for s in small.segments:
        inside = np.pad(small.ids == s.id, 1).astype(np.uint8)
        depth = cv2.distanceTransform(inside, cv2.DIST_L2, 3)[1:-1, 1:-1]
        y, x = np.unravel_index(int(np.argmax(depth)), depth.shape)
        anchors[s.id] = (round((x + 0.5) / scale), round((y + 0.5) / scale))
    return anchors


def overlay(
    lightness: np.ndarray,
    segmentation: Segmentation,
    *,
    alpha: float = 0.45,
    min_label_area: float = 0.002,
) -> np.ndarray:
    """Draw a segmentation over its gray photo.

    Parameters
    ----------
    lightness : (H, W) array_like
        L* in [0, 100] of the photo that was segmented.
    segmentation : Segmentation
        Of the same (H, W).
    alpha : float, optional
        Opacity of the segment colours, in [0, 1].
    min_label_area : float, optional
        Segments smaller than this fraction of the image get no text.

    Returns
    -------
    rgb : (H, W, 3) uint8 ndarray
        Gray photo tinted per segment, with segment borders and class names
        (``label`` plus ``#id`` for things).
    """
    lightness = np.asarray(lightness, np.float32)
    if lightness.shape != segmentation.shape:
        raise ValueError(
            f"lightness {lightness.shape} and segmentation {segmentation.shape} differ"
        )
    height, width = segmentation.shape
    gray = lightness_to_gray(lightness)[..., None] * 255.0
    colours = segment_colours(segmentation)
    palette = np.zeros((int(segmentation.ids.max()) + 1, 3), np.float32)
    for segment_id, colour in colours.items():
        palette[segment_id] = colour
    rgb = (1.0 - alpha) * gray + alpha * palette[segmentation.ids]
    ids = segmentation.ids
    border = np.zeros((height, width), bool)
    border[:, 1:] |= ids[:, 1:] != ids[:, :-1]
    border[1:, :] |= ids[1:, :] != ids[:-1, :]
    thickness = max(1, round(max(height, width) / 500))
    if thickness > 1:
        border = cv2.dilate(border.astype(np.uint8), np.ones((thickness, thickness), np.uint8)) > 0
    rgb[border] = 255.0
    image = np.ascontiguousarray(np.clip(rgb, 0, 255).astype(np.uint8))
    font_scale = max(0.4, max(height, width) / 1400)
    text_thickness = max(1, round(font_scale * 1.5))
    scale = min(1.0, 256 / max(height, width))
    anchors = _anchors(segmentation, scale)
    for s in segmentation.segments:
        if s.area < min_label_area * height * width or s.id not in anchors:
            continue
        text = f"{s.label} #{s.id}" if s.is_thing else s.label
        (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, font_scale, text_thickness)
        x, y = anchors[s.id]
        origin = (
            int(np.clip(x - w // 2, 0, max(0, width - w))),
            int(np.clip(y + h // 2, h, height)),
        )
        for colour, extra in (((0, 0, 0), 2 * text_thickness), (colours[s.id], 0)):
            cv2.putText(
                image,
                text,
                origin,
                cv2.FONT_HERSHEY_SIMPLEX,
                font_scale,
                colour,
                text_thickness + extra,
                cv2.LINE_AA,
            )
    return image
