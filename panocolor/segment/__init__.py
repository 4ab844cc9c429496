"""Panoptic segmentation of the gray photo: every pixel in exactly one classed segment.

``build_segmenter(name, **options)(lightness) -> Segmentation``. Backends:

- ``auto`` (default, :data:`~panocolor.defaults.DEFAULT_SEGMENTER`): ``deeplab`` when its
  model files are found, else none;
- ``none``: no segmenter (builds None: one reference for the whole photo);
- ``deeplab``: DeepLab Pascal VOC things + stuff named by a probe on the VOC
  network's descriptors, refined on the gray image, unclaimed pixels as ``unknown-k``
  regions (needs the model files, see :mod:`panocolor.models`);
- ``superpixel``: class-less regions, no model files;
- ``panoptic-file``: a COCO panoptic PNG + JSON from another model;
- ``hf`` (experimental, ``pip install panocolor[hf]``): a ``transformers`` Mask2Former
  or OneFormer.
"""

from panocolor.defaults import DEFAULT_SEGMENTER
from panocolor.segment.base import SEGMENTERS, Segmenter, build_segmenter
from panocolor.segment.classes import Category, coco_categories
from panocolor.segment.deeplab import DeepLabSegmenter
from panocolor.segment.deeplab_model import DeepLabModel
from panocolor.segment.hf import HuggingFaceSegmenter
from panocolor.segment.panoptic_file import PanopticFileSegmenter, read_coco, to_coco
from panocolor.segment.segmentation import UNKNOWN_CLASS_ID, Segment, Segmentation
from panocolor.segment.superpixel import SuperpixelSegmenter

__all__ = [
    "DEFAULT_SEGMENTER",
    "SEGMENTERS",
    "UNKNOWN_CLASS_ID",
    "Category",
    "DeepLabModel",
    "DeepLabSegmenter",
    "HuggingFaceSegmenter",
    "PanopticFileSegmenter",
    "Segment",
    "Segmentation",
    "Segmenter",
    "SuperpixelSegmenter",
    "build_segmenter",
    "coco_categories",
    "read_coco",
    "to_coco",
]
