"""Compositing stage: chroma brought to full resolution and combined with the input's L*."""

from panocolor.composite.resample import (
    guided_upsample,
    resize_to_pixels,
    resize_to_shape,
    working_shape,
)

__all__ = ["guided_upsample", "resize_to_pixels", "resize_to_shape", "working_shape"]
