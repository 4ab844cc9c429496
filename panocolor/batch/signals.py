"""Stopping a batch on SIGTERM or SIGINT without cutting its bookkeeping short.

The handler raises only where raising is safe; while workers run it only records the
signal, which the run loop and the local engine poll.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


class Interrupt(BaseException):
    """Raised by the signal handler where raising is safe (before the workers start)."""


class StopOnSignal:
    """SIGTERM and SIGINT handler of a batch: remember the signal, and stop the batch.

    While ``raise_now`` is set the handler raises :class:`Interrupt` at once; while
    workers run it only sets ``signum``, which the engine polls, so that no exception
    lands inside the process pool's own bookkeeping.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self) -> None:
        self.signum: int | None = None
        self.raise_now = True
        self._previous: dict[int, Any] = {}

    def __call__(self, signum: int, frame: object) -> None:
        self.signum = signum
        if self.raise_now:
            raise Interrupt

    def allow_raise(self) -> None:
        """Raise from now on, and now if a signal came while raising was off."""
        self.raise_now = True
        if self.signum is not None:
            raise Interrupt

    def stopping(self) -> bool:
        return self.signum is not None

    def __enter__(self) -> StopOnSignal:
        if threading.current_thread() is threading.main_thread():  # else signals are not ours
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
