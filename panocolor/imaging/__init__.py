"""Operations on image arrays shared by the stages (ground floor: it imports no stage).

``colorspace`` (sRGB <-> CIELAB, the gamut's chroma limit), ``resample`` (the one
working-size rule), ``filters`` (box and guided filters, guided upsampling),
``propagate`` (edge-aware spreading of sparse chroma) and ``bands`` (row bands of a
large image, and running a function over them in threads).
"""

from panocolor.imaging.colorspace import (
    gray_to_lightness,
    lab_to_rgb,
    lightness_to_gray,
    lightness_to_uint8,
    rgb_to_lab,
)
from panocolor.imaging.filters import box_filter, guided_filter, guided_upsample
from panocolor.imaging.propagate import propagate_chroma
from panocolor.imaging.resample import (
    WORKING_PIXELS,
    resize_to_pixels,
    resize_to_shape,
    working_shape,
)

__all__ = [
    "WORKING_PIXELS",
    "box_filter",
    "gray_to_lightness",
    "guided_filter",
    "guided_upsample",
    "lab_to_rgb",
    "lightness_to_gray",
    "lightness_to_uint8",
    "propagate_chroma",
    "resize_to_pixels",
    "resize_to_shape",
    "rgb_to_lab",
    "working_shape",
]
