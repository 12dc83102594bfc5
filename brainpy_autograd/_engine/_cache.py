"""Call signatures, and the bounded cache of what one transform knows about each.

A signature is what a program is specialised to: the resolved ``argnums``, the
structure of the arguments, each leaf's shape, dtype and placement, and the
JAX settings that change what tracing produces (the default device, 64-bit
mode). Calls with the same signature share one :class:`Entry`; a transform
keeps at most ``max_programs`` of them, the least recently used first out (its
program, traced jaxpr and executable go with it).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import jax
import numpy as np

from .._types import PYTHON_NUMBERS
from ._program import Program

__all__ = ["signature", "Entry", "SignatureCache"]

_JAX_CONFIG: Any = jax.config  # its flags are attributes that type checkers do not see


def signature(resolved: Any, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> tuple[Any, list[Any]]:
    """A hashable key of the call and its flat arguments (``jax.tree.leaves((args, kwargs))``).

    The key is ``None`` when an argument is not an array or a number.
    """
    leaves, treedef = jax.tree.flatten((args, kwargs))
    parts: list[Any] = []
    for leaf in leaves:
        if isinstance(leaf, jax.Array):
            parts.append((leaf.aval, leaf.sharding))
        elif isinstance(leaf, (np.ndarray, np.generic)):
            parts.append((leaf.shape, leaf.dtype))
        elif type(leaf) in PYTHON_NUMBERS:
            parts.append(type(leaf))
        else:
            return None, leaves
    settings = (_JAX_CONFIG.jax_default_device, _JAX_CONFIG.jax_enable_x64)
    return (resolved, treedef, tuple(parts), settings), leaves


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
