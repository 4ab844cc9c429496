"""A name -> backend registry, after Detectron2's / fvcore's.

Each pipeline stage with swappable backends (segmenters, colour transfers, batch
engines, evaluation methods) owns one :class:`Registry`. A backend registers its
factory with a decorator in its own file; the stage's ``__init__`` imports those files.
:meth:`Registry.build` is the one way a backend is made from a name and options: it
checks the name, the options against the factory's signature, and that what the
factory made follows the stage's protocol.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from panocolor.errors import PanocolorError, UnknownBackendError

T = TypeVar("T")


class Registry(Generic[T]):
    """Map names to factories of ``T``.

    Parameters
    ----------
    kind : str
        What the backends are, for messages (``"segmenter"``).
    protocol : type or tuple of type, optional
        What :meth:`build` must return (a ``runtime_checkable`` protocol or classes, as
        ``isinstance`` takes them); None checks nothing.

    Examples
    --------
    >>> from collections.abc import Callable
    >>> TRANSFERS = Registry("transfer", Callable)
    >>> @TRANSFERS.register("scale")
    ... def make_scale(factor: float = 2.0):
    ...     return lambda x: factor * x
    >>> TRANSFERS.build("scale", factor=3.0)(2)
    6.0
    >>> TRANSFERS.build("shift")
    Traceback (most recent call last):
    ...
    panocolor.errors.UnknownBackendError: unknown transfer 'shift'; choose one of: scale
    """

    def __init__(self, kind: str, protocol: type | tuple[type, ...] | None = None) -> None:
        self.kind = kind
        self.protocol = protocol
        self._entries: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        """Decorator registering a factory under ``name``; duplicate names are rejected."""

        def decorate(factory: Callable[..., T]) -> Callable[..., T]:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._entries[name] = factory
            return factory

        return decorate

    def get(self, name: str) -> Callable[..., T]:
        """The factory registered as ``name``.

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

    def build(self, name: str, **options: Any) -> T:
        """Make the backend registered as ``name`` with keyword ``options``.

        Raises
        ------
        UnknownBackendError
            If ``name`` is not registered; the message lists the known names.
        PanocolorError
            If an option is not one the factory takes (or a required one is missing).
        TypeError
            If the factory made something that does not follow :attr:`protocol`
            (a bug in the backend, not a user error).
        """
        factory = self.get(name)
        try:
            inspect.signature(factory).bind(**options)
        except TypeError as error:
            raise PanocolorError(f"{self.kind} {name!r}: {error}") from None
        built = factory(**options)
        if self.protocol is not None and not isinstance(built, self.protocol):
            wanted = getattr(self.protocol, "__name__", str(self.protocol))
            raise TypeError(f"{self.kind} {name!r} built {type(built).__name__}, not {wanted}")
        return built

    def takes(self, name: str, **options: Any) -> dict[str, Any]:
        """Those of ``options`` that the factory registered as ``name`` accepts.

        Lets a caller offer settings every backend may use (``model_dir=``) without
        knowing which backends take them.
        """
        parameters = inspect.signature(self.get(name)).parameters
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
            return dict(options)
        return {key: value for key, value in options.items() if key in parameters}

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
