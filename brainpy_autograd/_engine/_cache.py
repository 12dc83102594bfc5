"""The bounded cache of what one transform knows about each call signature.

Calls whose arguments have the same key (:func:`._signature.arguments_key`)
share one :class:`Entry`; a transform keeps at most ``max_programs`` of them,
the least recently used first out (its program, traced jaxpr and executable go
with it).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from ._program import Program

__all__ = ["Entry", "SignatureCache"]


class Entry:
    """One signature: its program, how often it was called, when it compiles."""

    __slots__ = ("program", "calls", "compile_at", "replay_only", "interpret_only")

    def __init__(self) -> None:
        self.program: Program | None = None
        self.calls = 0
        #: the call that compiles the program (None: never), from the schedule;
        #: ``compiled_calls(compile_at=n)`` overrides it at each call
        self.compile_at: int | None = None
        #: compiling failed: replay the program from now on
        self.replay_only = False
        #: tracing failed outside the user's code: brainstate interprets every call
        self.interpret_only = False


class SignatureCache:
    """At most ``limit()`` entries, least recently used first out."""

    def __init__(self) -> None:
        self._entries: OrderedDict[Any, Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[Entry]:
        return list(self._entries.values())

    def get(self, key: Any, limit: int) -> Entry | None:
        """The key's entry (now the most recently used), after dropping beyond ``limit``."""
        entries = self._entries
        entry = entries.get(key)
        if entry is not None:
            entries.move_to_end(key)
        while len(entries) > limit:  # max_programs was lowered since
            entries.popitem(last=False)
        return entry

    def add(self, key: Any, limit: int) -> Entry:
        entry = self._entries[key] = Entry()
        while len(self._entries) > limit:
            self._entries.popitem(last=False)
        return entry

    def drop(self, key: Any) -> None:
        self._entries.pop(key, None)
