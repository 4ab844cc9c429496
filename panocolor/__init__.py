"""panocolor: colorize grayscale photographs from colour reference photos, object by object.

The function API is :func:`colorize`; the stages live in sub-packages named after
the pipeline: ``io`` (reading and writing), ``transfer`` (colour transfer
backends), ``composite`` (chroma upsampling and gamut-safe composition),
``evaluate`` (metrics and benchmarks over image pairs) and the faces ``cli``.
"""

__version__ = "0.1.0"

from panocolor.api import colorize  # noqa: E402

__all__ = ["__version__", "colorize"]
