"""The call lock: one replayed or compiled call at a time, and no wait that cannot end.

Calls on the replayed and compiled paths take one re-entrant lock *before* they
read any State (those passed as arguments included) and keep it until they have
written their States back, so such calls give the results of some sequential
order.

The lock is held only while this package's own code runs a call: tracing its
program, replaying or running it, writing the States back. The one place where
a user's Python runs in the middle of that, a host callback, runs with the lock
released (:func:`released`, used by :mod:`._segments`), and the call takes the
lock back after it. A callback may therefore wait for anything, calls of
transforms on other threads included, and every such wait ends when that work
ends: nothing here looks at other threads or guesses what they wait for.

The price is written down in ``docs/speed.md``: a call whose program runs a host
callback is atomic up to the callback and from it on, not across it; the States
it writes after the callback are computed from what it read before.

Calls that brainstate interprets (``compiled=False``, inside an outer trace,
``jax.disable_jit()``, the NaN-checking flags, arguments that are not arrays)
take no lock at all: they run as brainstate's own calls, callbacks and all.

A process forked while some thread held the lock starts with a fresh one: the
thread that held it does not exist in the child.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["serialised", "released", "LOCK"]

#: Serialises the replayed and compiled calls of every transform.
LOCK = threading.RLock()
#: The thread that holds LOCK and how deep (changed only by that thread).
_owner: int | None = None
_depth = 0


def _fresh_lock_in_child() -> None:
    global LOCK, _owner, _depth
    LOCK, _owner, _depth = threading.RLock(), None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_lock_in_child)


class serialised:  # noqa: N801 - used as a function: ``with serialised(): ...``
    """Hold :data:`LOCK` for the duration of a call (see the module docstring).

    A class rather than a generator: it is on every call's path.
    """

    __slots__ = ("_lock",)

    def __enter__(self) -> None:
        global _owner, _depth
        self._lock = lock = LOCK
        lock.acquire()
        _owner, _depth = threading.get_ident(), _depth + 1

    def __exit__(self, *exc: object) -> None:
        global _owner, _depth
        _depth -= 1
        if _depth == 0:
            _owner = None
        self._lock.release()


@contextmanager
def released() -> Iterator[None]:
    """Let go of :data:`LOCK` (all levels this thread holds) and take it back after.

    Does nothing on a thread that does not hold it.
    """
    global _owner, _depth
    lock, depth = LOCK, _depth
    if _owner != threading.get_ident():
        yield
        return
    _owner, _depth = None, 0
    for _ in range(depth):
        lock.release()
    try:
        yield
    finally:
        for _ in range(depth):
            lock.acquire()
        _owner, _depth = threading.get_ident(), depth
