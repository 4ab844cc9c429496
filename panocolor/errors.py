"""Errors panocolor raises on purpose.

Every error a user can cause (a bad file, a missing model, a wrong option) is a
:class:`PanocolorError`; the faces (CLI, web) print its message as one line and
never show a traceback for it.
"""


class PanocolorError(Exception):
    """Base class of all errors caused by input, configuration or environment."""


class ImageReadError(PanocolorError):
    """An input file cannot be read as an image (missing, corrupt, truncated, too large...)."""


class ImageWriteError(PanocolorError):
    """An output cannot be written (exists without overwrite, bad extension, disk error)."""


class UnusableReferenceError(PanocolorError):
    """A reference photo is unusable (for example it has no colour)."""


class ModelNotFoundError(PanocolorError):
    """A model file is missing from every model directory searched."""


class UnknownBackendError(PanocolorError, KeyError):
    """A backend name is not in its registry."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ColorInputWarning(UserWarning):
    """A colour photo was given where a gray one was expected; its L* is used instead."""
