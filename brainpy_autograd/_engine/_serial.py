"""One call at a time, across threads, without deadlocking on host callbacks.

Calls from several threads are serialised by one re-entrant lock: every call
reads the States, computes and writes them back before another starts, so
concurrent calls give the results of some sequential order (a call nested in
a call, ``grad(grad(f))``, re-enters the lock).

A host callback (``jax.pure_callback``, ``jax.debug.callback``...) runs Python
while its call holds the lock, and may hand work to another thread that calls
a transform and wait for it: that thread would wait for the lock forever. So a
call that finds the lock taken looks, every :data:`POLL_SECONDS` while it
waits, whether any thread is inside a JAX host callback; if one is, it goes
ahead without the lock, as a call nested in that callback. Nothing else ever
skips the lock.

A process forked while some thread held the lock starts with a fresh one: the
thread that held it does not exist in the child.
"""

from __future__ import annotations

import os
import sys
import threading

__all__ = ["serialised", "LOCK", "POLL_SECONDS"]

#: Serialises the calls of every transform (see the module docstring).
LOCK = threading.RLock()
#: How often a waiting call looks for a running host callback.
POLL_SECONDS = 0.02
#: JAX's modules that call a host callback's Python function,
_CALLBACK_MODULES = tuple(os.path.join("jax", "_src", name)
                          for name in ("callback.py", "debugging.py"))
#: and their functions that run it (the same names in jax 0.8 to 0.12; the functions
#: that *bind* a callback while a function is traced, such as ``pure_callback``, are
#: not among them: a thread tracing ``jax.debug.print`` is not inside a callback).
_RUNNING = frozenset({"_wrapped_callback", "_flat_callback", "pure_callback_impl",
                      "io_callback_impl", "debug_callback_impl"})


def host_callback_running() -> bool:
    """Whether some thread is running (or waiting inside) a JAX host callback."""
    for frame in sys._current_frames().values():
        while frame is not None:
            code = frame.f_code
            if code.co_name in _RUNNING and code.co_filename.endswith(_CALLBACK_MODULES):
                return True
            frame = frame.f_back  # type: ignore[assignment]
    return False


def _fresh_lock_in_child() -> None:
    global LOCK
    LOCK = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_lock_in_child)


class serialised:  # noqa: N801 - used as a function: ``with serialised(): ...``
    """Hold :data:`LOCK` for the duration of a call (see the module docstring).

    A class rather than a generator: it is on every call's path.
    """

    __slots__ = ("_held",)

    def __enter__(self) -> None:
        lock = LOCK
        self._held: threading.RLock | None = lock
        if lock.acquire(blocking=False):
            return
        while not lock.acquire(timeout=POLL_SECONDS):
            if host_callback_running():
                self._held = None  # nested in a host callback of the call that holds it
                return

    def __exit__(self, *exc: object) -> None:
        if self._held is not None:
            self._held.release()
