"""panocolor: colorize grayscale photographs from colour reference photos, object by object.

The function API is :func:`colorize`; the stages live in sub-packages named after
the pipeline, in the order a photo goes through them: ``io`` (reading and writing),
``segment`` (panoptic segments), ``reference`` (which reference colours each segment),
``transfer`` (colour transfer backends), ``composite`` (blending and the output
pixels), over the ground floor ``imaging`` and ``models``; ``evaluate``, ``batch``,
``web`` and ``cli`` use the pipeline.
"""

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from panocolor.api import colorize, colorize_result

__all__ = ["__version__", "colorize", "colorize_result"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that `import panocolor` (and the CLI's --help) stays fast.
    if name in ("colorize", "colorize_result"):
        from panocolor import api

        return getattr(api, name)
    raise AttributeError(f"module 'panocolor' has no attribute {name!r}")
