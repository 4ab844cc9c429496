"""A session's colour hints: an ordered board of point hints with an undo history.

The web page adds, moves and removes hints one at a time and colorizes again after
each change; every change is undoable. Callers hold the session's lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from panocolor.hints import Hint

MAX_HINTS = 200
"""Hints one session may hold (each costs a little on every colorization)."""
_MAX_UNDO = 100


@dataclass
class HintBoard:
    """Point hints by id, in the order they were given, and the states before each change."""

    items: dict[str, Hint] = field(default_factory=dict)
    _history: list[dict[str, Hint]] = field(default_factory=list, repr=False)
    _next_id: int = 1

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def can_undo(self) -> bool:
        return bool(self._history)

    def hints(self) -> list[Hint]:
        """The hints, in order, as the pipeline takes them."""
        return list(self.items.values())

    def add(self, hint: Hint) -> str:
        """Add ``hint``; returns its id. ``OverflowError`` past :data:`MAX_HINTS`."""
        if len(self.items) >= MAX_HINTS:
            raise OverflowError(f"a session holds at most {MAX_HINTS} hints")
        self._remember()
        hint_id = f"h{self._next_id}"
        self._next_id += 1
        self.items[hint_id] = hint
        return hint_id

    def update(
        self,
        hint_id: str,
        *,
        x: int | None = None,
        y: int | None = None,
        rgb: tuple[int, int, int] | None = None,
    ) -> Hint:
        """Move or recolour hint ``hint_id`` (``KeyError`` if unknown); returns the new hint."""
        old = self.items[hint_id]
        changes = {k: v for k, v in (("x", x), ("y", y), ("rgb", rgb)) if v is not None}
        new = replace(old, **changes)
        if new != old:
            self._remember()
            self.items[hint_id] = new
        return new

    def remove(self, hint_id: str) -> None:
        """Remove hint ``hint_id`` (``KeyError`` if unknown)."""
        if hint_id not in self.items:
            raise KeyError(hint_id)
        self._remember()
        del self.items[hint_id]

    def undo(self) -> bool:
        """Go back to the hints before the last change; False when there is none."""
        if not self._history:
            return False
        self.items = self._history.pop()
        return True

    def clear(self) -> None:
        """Forget every hint and the history (a new gray photo)."""
        self.items.clear()
        self._history.clear()

    def _remember(self) -> None:
        self._history.append(dict(self.items))
        del self._history[:-_MAX_UNDO]
