"""The pipeline level: :class:`Settings`, the :class:`Colorizer` that runs the stages in
order, and the :class:`Colorized` result of a run."""

from panocolor.pipeline.colorizer import Colorizer
from panocolor.pipeline.result import Colorized
from panocolor.pipeline.settings import Settings

__all__ = ["Colorized", "Colorizer", "Settings"]
