"""The pipeline level: the stages run in order (``Settings`` and ``Colorizer`` are in
:mod:`panocolor.api` until they move here) and what a run returns."""

from panocolor.pipeline.result import Colorized

__all__ = ["Colorized"]
