"""Experimental: Hugging Face ``transformers`` panoptic models (Mask2Former, OneFormer).

Install with ``pip install panocolor[hf]``. The model is loaded with
``from_pretrained`` (downloaded to the Hugging Face cache on first use, so this
backend needs internet once). COCO panoptic models' label names are the COCO
categories, so their segments get COCO class ids; labels of other vocabularies
get ``class_id = 1000 + label_id``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from panocolor.errors import PanocolorError
from panocolor.imaging.colorspace import lightness_to_uint8
from panocolor.segment.base import SEGMENTERS, check_lightness
from panocolor.segment.classes import coco_categories
from panocolor.segment.panoptic_file import from_coco
from panocolor.segment.segmentation import Segmentation

DEFAULT_MODEL = "facebook/mask2former-swin-tiny-coco-panoptic"
OWN_LABEL_OFFSET = 1000


def from_hf(
    segmentation: np.ndarray, segments_info: list[dict[str, Any]], id2label: dict[int, str]
) -> Segmentation:
    """Convert ``post_process_panoptic_segmentation`` output to a :class:`Segmentation`.

    Parameters
    ----------
    segmentation : (H, W) int ndarray
        Segment id per pixel; values <= 0 are void (filled from the nearest segment).
    segments_info : list of dict
        Records with ``id``, ``label_id`` and ``score``.
    id2label : dict of int to str
        The model's label names (``model.config.id2label``).

    Returns
    -------
    segmentation : Segmentation
    """
    by_name = {c.name: c for c in coco_categories().values()}
    infos, categories = [], {}
    for record in segments_info:
        name = id2label[int(record["label_id"])]
        coco = by_name.get(name)
        class_id = coco.id if coco else OWN_LABEL_OFFSET + int(record["label_id"])
        categories[class_id] = {"name": name, "isthing": bool(coco and coco.is_thing)}
        infos.append({"id": int(record["id"]), "category_id": class_id, "score": record["score"]})
    ids = np.where(segmentation > 0, segmentation, 0).astype(np.int32)
    if not infos:
        infos = [{"id": 1, "category_id": 0}]
    return from_coco(ids, infos, categories, source="hf")


@SEGMENTERS.register("hf")
class HuggingFaceSegmenter:
    """Panoptic segmentation with a ``transformers`` universal-segmentation model (experimental).

    Parameters
    ----------
    model : str, optional
        Hub id or local folder of a Mask2Former / OneFormer panoptic checkpoint.
    threshold : float, optional
        Minimum mask score kept by the post-processing.
    device : str, optional
        Torch device.

    Raises
    ------
    PanocolorError
        If ``transformers`` or ``torch`` is not installed, or the model cannot be loaded.
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, threshold: float = 0.5, device: str = "cpu"):
        try:
            import torch
            from transformers import AutoImageProcessor, AutoModelForUniversalSegmentation
        except ImportError as error:
            raise PanocolorError(
                f"the 'hf' segmenter needs transformers and torch ({error}); "
                "install them with `pip install panocolor[hf]`"
            ) from None
        try:
            self.processor = AutoImageProcessor.from_pretrained(model)
            self.model = AutoModelForUniversalSegmentation.from_pretrained(model).to(device).eval()
        except OSError as error:
            raise PanocolorError(f"cannot load Hugging Face model {model!r}: {error}") from None
        self._torch = torch
        self.name = model
        self.threshold = threshold
        self.device = device

    def __repr__(self) -> str:
        return f"HuggingFaceSegmenter(model={self.name!r}, threshold={self.threshold})"

    def __call__(self, lightness: np.ndarray) -> Segmentation:
        """Segment a gray photo (given to the model as three equal channels).

        Parameters
        ----------
        lightness : (H, W) array_like
            L* in [0, 100].
        """
        lightness = check_lightness(lightness)
        gray = lightness_to_uint8(lightness)
        rgb = np.repeat(gray[..., None], 3, axis=2)
        extra = {"task_inputs": ["panoptic"]} if self.model.config.model_type == "oneformer" else {}
        inputs = self.processor(images=rgb, return_tensors="pt", **extra).to(self.device)
        with self._torch.no_grad():
            outputs = self.model(**inputs)
        result = self.processor.post_process_panoptic_segmentation(
            outputs, threshold=self.threshold, target_sizes=[gray.shape]
        )[0]
        return from_hf(
            result["segmentation"].cpu().numpy(),
            result["segments_info"],
            self.model.config.id2label,
        )
