"""One call at a time, across threads, without deadlocking on host callbacks.

Calls from several threads are serialised by one re-entrant lock: every call
reads the States, computes and writes them back before another starts, so
concurrent calls give the results of some sequential order (a call nested in
a call, ``grad(grad(f))``, re-enters the lock).

A host callback (``jax.pure_callback``, ``jax.debug.callback``...) runs Python
while its call holds the lock, and may hand work to another thread that calls
a transform and wait for it: that thread would wait for the lock forever. So a
call that finds the lock taken looks, every :data:`POLL_SECONDS` while it
waits, whether the call that holds it is *blocked inside a host callback*: a
thread whose Python stack has a callback's frame below a wait of ``threading``
(``Future.result``, ``Thread.join``, ``queue.Queue.get``...), and which is either
the thread that holds the lock or a runtime thread (no Python frames of its own
below the callback, as where a backend runs callbacks on threads of its own).
Only then does it go ahead without the lock, as a call nested in that callback.
A callback that computes or sleeps, or one of a program that does not hold the
lock, never lets another call past.

A process forked while some thread held the lock starts with a fresh one: the
thread that held it does not exist in the child.
"""

from __future__ import annotations

import os
import sys
import threading
from types import FrameType

__all__ = ["serialised", "LOCK", "POLL_SECONDS", "host_callback_running",
           "blocked_in_host_callback"]

#: Serialises the calls of every transform (see the module docstring).
LOCK = threading.RLock()
#: How often a waiting call looks at the call that holds the lock.
POLL_SECONDS = 0.02
#: JAX's modules that call a host callback's Python function,
_CALLBACK_MODULES = tuple(os.path.join("jax", "_src", name)
                          for name in ("callback.py", "debugging.py"))
#: and their functions that run it (the same names in jax 0.8 to 0.12; the functions
#: that *bind* a callback while a function is traced, such as ``pure_callback``, are
#: not among them: a thread tracing ``jax.debug.print`` is not inside a callback).
_RUNNING = frozenset({"_wrapped_callback", "_flat_callback", "pure_callback_impl",
                      "io_callback_impl", "debug_callback_impl"})
_THREADING = threading.__file__
_JAX_CODE = (os.sep + "jax" + os.sep, os.sep + "jaxlib" + os.sep)
#: The thread that holds LOCK and how deep (changed only by that thread).
_owner: int | None = None
_depth = 0


def _callback_frame(frame: FrameType | None) -> FrameType | None:
    """The first frame, from ``frame`` down, that runs a host callback."""
    while frame is not None:
        code = frame.f_code
        if code.co_name in _RUNNING and code.co_filename.endswith(_CALLBACK_MODULES):
            return frame
        frame = frame.f_back
    return None


def host_callback_running() -> bool:
    """Whether some thread is running (or waiting inside) a JAX host callback."""
    return any(_callback_frame(f) is not None for f in sys._current_frames().values())


def _only_jax_below(frame: FrameType) -> bool:
    below = frame.f_back
    while below is not None:
        if not any(part in below.f_code.co_filename for part in _JAX_CODE):
            return False
        below = below.f_back
    return True


def blocked_in_host_callback(owner: int | None) -> bool:
    """Whether the call holding the lock (thread ``owner``) waits inside a host callback."""
    for ident, top in sys._current_frames().items():
        if top.f_code.co_filename != _THREADING:
            continue  # not blocked in a wait of threading
        callback = _callback_frame(top)
        if callback is not None and (ident == owner or _only_jax_below(callback)):
            return True
    return False


def _fresh_lock_in_child() -> None:
    global LOCK, _owner, _depth
    LOCK, _owner, _depth = threading.RLock(), None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_lock_in_child)


class serialised:  # noqa: N801 - used as a function: ``with serialised(): ...``
    """Hold :data:`LOCK` for the duration of a call (see the module docstring).

    A class rather than a generator: it is on every call's path.
    """

    __slots__ = ("_held",)

    def __enter__(self) -> None:
        global _owner, _depth
        lock = LOCK
        self._held: threading.RLock | None = lock
        if not lock.acquire(blocking=False):
            while not lock.acquire(timeout=POLL_SECONDS):
                if blocked_in_host_callback(_owner):
                    self._held = None  # nested in a host callback of the lock's call
                    return
        _owner, _depth = threading.get_ident(), _depth + 1

    def __exit__(self, *exc: object) -> None:
        global _owner, _depth
        if self._held is not None:
            _depth -= 1
            if _depth == 0:
                _owner = None
            self._held.release()
