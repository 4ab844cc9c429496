"""The web app: ``panocolor serve`` opens a page to colorize photos without a command line.

:func:`create_app` builds a FastAPI application serving a small page (vanilla JS, no
build step) and the JSON API it uses, documented at ``/docs`` and ``/openapi.json``.
Photos live only in per-session temporary folders that expire; colorization runs in a
thread pool around one shared :class:`~panocolor.pipeline.Colorizer`.
"""

from panocolor.web.app import WEB_SETTINGS, create_app
from panocolor.web.limits import Limits
from panocolor.web.server import running

__all__ = ["WEB_SETTINGS", "Limits", "create_app", "running"]
