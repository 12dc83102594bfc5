"""One call at a time, across threads, without deadlocking on host callbacks.

Calls from several threads are serialised by one re-entrant lock: every call
reads the States, computes and writes them back before another starts, so
concurrent calls give the results of some sequential order (a call nested in
a call, ``grad(grad(f))``, re-enters the lock).

A host callback (``jax.pure_callback``, ``jax.debug.callback``...) runs Python
while its call holds the lock, and may hand work to another thread that calls
a transform and wait for it: that thread would wait for the lock forever. So a
call that finds the lock taken looks, every :data:`POLL_SECONDS` while it
waits, whether the call that holds it is *blocked inside a host callback
waiting for this very call*: a thread whose Python stack has a callback's frame
below a wait for the future of the work item this thread is running
(``executor.submit(...).result()``, ``concurrent.futures.wait``), or below
``Thread.join`` of this thread, and which is either the thread that holds the
lock or a runtime thread (no Python frames of its own below the callback, as
where a backend runs callbacks on threads of its own). Only then does it go ahead
without the lock, as a call nested in that callback. A callback that computes,
sleeps, or waits for anything else (an ``Event``, a queue, another job) lets no
call past: a hand-off to a transform through a queue would wait forever, and
the docs say to use an executor or a thread instead.

A process forked while some thread held the lock starts with a fresh one: the
thread that held it does not exist in the child.
"""

from __future__ import annotations

import os
import sys
import threading
from types import FrameType

__all__ = ["serialised", "LOCK", "POLL_SECONDS", "blocked_in_host_callback"]

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
_FUTURES = os.path.join("concurrent", "futures", "")
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


def _only_jax_below(frame: FrameType) -> bool:
    below = frame.f_back
    while below is not None:
        if not any(part in below.f_code.co_filename for part in _JAX_CODE):
            return False
        below = below.f_back
    return True


def _waited_for(top: FrameType, callback: FrameType) -> tuple[set[int], set[int]]:
    """The futures (ids) and threads (idents) a stack waits for above its callback frame."""
    futures: set[int] = set()
    threads: set[int] = set()
    frame: FrameType | None = top
    while frame is not None and frame is not callback:
        code = frame.f_code
        if _FUTURES in code.co_filename and code.co_name in ("result", "exception"):
            futures.add(id(frame.f_locals.get("self")))
        elif _FUTURES in code.co_filename and code.co_name in ("wait", "as_completed"):
            futures.update(id(f) for f in frame.f_locals.get("fs") or ())
        elif code.co_filename == _THREADING and code.co_name == "join":
            thread = frame.f_locals.get("self")
            if isinstance(thread, threading.Thread) and thread.ident is not None:
                threads.add(thread.ident)
        frame = frame.f_back
    return futures, threads


def _my_futures() -> set[int]:
    """The futures of the executor work items the calling thread is running."""
    mine: set[int] = set()
    frame: FrameType | None = sys._getframe()
    while frame is not None:
        if _FUTURES in frame.f_code.co_filename and frame.f_code.co_name == "run":
            item = frame.f_locals.get("self")
            if item is not None and hasattr(item, "future"):
                mine.add(id(item.future))
        frame = frame.f_back
    return mine


def blocked_in_host_callback(owner: int | None) -> bool:
    """Whether the call holding the lock (thread ``owner``) waits inside a host callback
    for the calling thread: for a future it is working on, or for it to end."""
    me, mine = threading.get_ident(), None
    for ident, top in sys._current_frames().items():
        if top.f_code.co_filename != _THREADING or ident == me:
            continue  # not blocked in a wait of threading
        callback = _callback_frame(top)
        if callback is None or not (ident == owner or _only_jax_below(callback)):
            continue
        futures, threads = _waited_for(top, callback)
        if me in threads:
            return True
        if futures:
            mine = _my_futures() if mine is None else mine
            if futures & mine:
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
