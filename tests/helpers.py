"""Helpers shared by several test files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from brainpy_autograd import _compiled


@contextmanager
def compile_at_second_call() -> Iterator[None]:
    """Compiled evaluation on the old, deterministic schedule: the second call of a
    signature compiles synchronously and runs the program, and every later call does.

    The default schedule (compile once it has paid for itself, in the background)
    depends on timings; tests that must reach the compiled path at a known call use this.
    """
    previous = _compiled._Config.amortize
    _compiled._Config.amortize = False
    try:
        yield
    finally:
        _compiled._Config.amortize = previous
