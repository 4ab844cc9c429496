"""The model files panocolor knows: file name -> pinned sha256 and public address.

All files come from the public repository ``google-coral/test_data`` at one pinned
commit (Apache-2.0). A file is only ever used when its sha256 matches this table.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMIT = "104342d2d3480b3e66203073dac24f4e2dbb4c41"
BASE_URL = f"https://github.com/google-coral/test_data/raw/{COMMIT}"


@dataclass(frozen=True)
class ModelFile:
    """One downloadable model file.

    Attributes
    ----------
    name : str
        File name, the same in every model directory and in the URL.
    sha256 : str
        Lower-case hex digest the file must have.
    description : str
        What it is, for ``panocolor models list``.
    """

    name: str
    sha256: str
    description: str


MODEL_FILES: dict[str, ModelFile] = {
    m.name: m
    for m in (
        ModelFile(
            "deeplabv3_mnv2_pascal_quant.tflite",
            "350af47fd346ea6d74b58833a351f583ba860e9806ec5bd292ff8d8f1f249398",
            "DeepLabv3 MobileNetV2, Pascal VOC 21 classes, 513x513 (segmenter 'deeplab')",
        ),
        ModelFile(
            "deeplab_mobilenet_edgetpu_slim_cityscapes_quant.tflite",
            "322fe29945cb1693f426952f2a330ab67ea5678545ddee6f2548e0cfd0ca03e5",
            "DeepLab MobileNet-EdgeTPU, Cityscapes 19 classes, 513x513 (segmenter 'deeplab')",
        ),
        ModelFile(
            "deeplabv3_mnv2_dm05_pascal_quant.tflite",
            "0470d2a782aa54eeeb99d32e7b6b3fb7722905c7c4f5d26bd957ec861366d48b",
            "DeepLabv3 MobileNetV2 half width, Pascal VOC (faster, less accurate)",
        ),
        ModelFile(
            "mobilenet_v1_1.0_224_quant_embedding_extractor.tflite",
            "f409ef4f73fcbb9667841965623c5c8524aac33d41b9bf5f3667161fb4a76319",
            "MobileNet v1 ImageNet, 1024-d image embedding, 224x224",
        ),
        ModelFile(
            "mobilenet_v2_1.0_224_quant.tflite",
            "7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776",
            "MobileNet v2 ImageNet classifier, 1001 labels, 224x224",
        ),
        ModelFile(
            "imagenet_labels.txt",
            "b8aaeb5630c62626a7d124a05c0e14230a7ffdd2136a31d0190a4fb71c1d82f1",
            "labels of the ImageNet classifier",
        ),
    )
}
