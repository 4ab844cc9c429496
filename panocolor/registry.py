"""A name -> backend registry, after Detectron2's / fvcore's.

Each pipeline stage with swappable backends (segmenters, colour transfers,
reference sources) owns one :class:`Registry`. A backend registers itself with a
decorator in its own file; the stage's ``__init__`` imports those files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from panocolor.errors import UnknownBackendError

T = TypeVar("T")


class Registry(Generic[T]):
    """Map names to backend factories.

    Examples
    --------
    >>> TRANSFERS = Registry("transfer")
    >>> @TRANSFERS.register("identity")
    ... def make_identity():
    ...     return lambda x: x
    >>> TRANSFERS.get("identity")()(3)
    3
    >>> "identity" in TRANSFERS
    True
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator registering ``obj`` under ``name``; duplicate names are rejected."""

        def decorate(obj: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._entries[name] = obj
            return obj

        return decorate

    def get(self, name: str) -> T:
        """Return the backend registered as ``name``.

        Raises
        ------
        UnknownBackendError
            If ``name`` is not registered; the message lists the known names.
        """
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries)) or "none"
            raise UnknownBackendError(
                f"unknown {self.kind} {name!r}; choose one of: {known}"
            ) from None

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
