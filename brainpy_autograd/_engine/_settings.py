"""The process-wide settings of compiled evaluation, and the functions that change them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from .._checks import check_compile_at, check_flag, check_positive_int

__all__ = ["SETTINGS", "set_compiled_calls", "compiled_calls", "compiled_calls_enabled",
           "wait_for_compilations"]

_ENV = "BRAINPY_AUTOGRAD_COMPILED"

CompileAt = int | Literal["auto"]


class _Settings:
    enabled: bool = os.environ.get(_ENV, "1").strip().lower() not in ("0", "false", "no", "off")
    max_programs: int = 32
    #: ``None``: the schedule decides; ``n``: every signature compiles at its n-th call
    compile_at: int | None = None


SETTINGS = _Settings()


def set_compiled_calls(enabled: bool | None = None, *, max_programs: int | None = None,
                       compile_at: CompileAt | None = None) -> None:
    """Change how un-jitted calls are evaluated, process-wide.

    Parameters
    ----------
    enabled : bool, optional
        ``True`` (the setting at import, unless the environment variable
        ``BRAINPY_AUTOGRAD_COMPILED=0`` is set): un-jitted calls replay their
        traced program and compile it at the call the schedule gives (see
        :doc:`speed`). ``False``: brainstate interprets every call. A transform
        created with ``compiled=True/False`` keeps its own choice. ``None``
        (the default) leaves the setting as it is.
    max_programs : int, optional
        How many input signatures (with their programs) each transform keeps;
        the least recently used is dropped beyond that. A positive int; 32 at
        import. ``None`` (the default) leaves it as it is.
    compile_at : int or "auto", optional
        An int ``n >= 1`` makes every signature compile its program at its
        ``n``-th call (for tests and benchmarks; ``1`` compiles at the first
        call), whatever its size. ``"auto"`` (the setting at import) lets the
        schedule decide. Programs with host callbacks are never compiled either
        way. ``None`` (the default) leaves it as it is.

    Raises
    ------
    TypeError
        ``enabled`` that is not a bool, ``compile_at`` that is neither an int
        nor ``"auto"``.
    ValueError
        ``max_programs`` that is not a positive int, ``compile_at`` below 1.

    Examples
    --------
    >>> import brainpy_autograd as bpa
    >>> bpa.set_compiled_calls(False)   # let brainstate interpret every call
    >>> bpa.set_compiled_calls(True, max_programs=8, compile_at=2)
    >>> bpa.set_compiled_calls(max_programs=32, compile_at="auto")
    """
    _apply(_checked("set_compiled_calls", enabled, max_programs, compile_at))


_KEEP = object()  # compile_at=None: leave it (its checked value None means "auto")


def _checked(fn: str, enabled: bool | None, max_programs: int | None,
             compile_at: CompileAt | None) -> tuple[bool | None, int | None, object]:
    """Every argument checked (in ``fn``'s name) before any setting changes."""
    return (None if enabled is None else check_flag(fn, "enabled", enabled),
            None if max_programs is None else check_positive_int(fn, "max_programs",
                                                                 max_programs),
            _KEEP if compile_at is None else check_compile_at(fn, compile_at))



def _apply(checked: tuple[bool | None, int | None, object]) -> None:
    enabled, max_programs, compile_at = checked
    if enabled is not None:
        SETTINGS.enabled = enabled
    if max_programs is not None:
        SETTINGS.max_programs = max_programs
    if compile_at is not _KEEP:
        SETTINGS.compile_at = compile_at  # type: ignore[assignment]


def compiled_calls_enabled() -> bool:
    """Whether compiled evaluation is on by default (see :func:`set_compiled_calls`).

    Examples
    --------
    >>> import brainpy_autograd as bpa
    >>> bpa.compiled_calls_enabled()
    True
    """
    return SETTINGS.enabled


@contextmanager
def compiled_calls(enabled: bool = True, *,
                   compile_at: CompileAt | None = None) -> Iterator[None]:
    """Temporarily change :func:`set_compiled_calls`' settings (process-wide).

    Parameters
    ----------
    enabled : bool, default True
        The setting inside the ``with`` block, as for :func:`set_compiled_calls`.
    compile_at : int or "auto", optional
        As for :func:`set_compiled_calls`; ``None`` (the default) keeps the
        current one. Both settings are restored on exit.

    Examples
    --------
    >>> import brainpy_autograd as bpa
    >>> with bpa.compiled_calls(False):
    ...     pass  # every un-jitted call in here is interpreted by brainstate
    >>> with bpa.compiled_calls(compile_at=2):
    ...     pass  # every signature compiles at its second call
    """
    checked = _checked("compiled_calls", enabled, None, compile_at)
    previous = SETTINGS.enabled, SETTINGS.compile_at
    _apply(checked)
    try:
        yield
    finally:
        SETTINGS.enabled, SETTINGS.compile_at = previous


def wait_for_compilations(timeout: float | None = None) -> bool:
    """Kept for compatibility: compilations now run at their scheduled call, never later.

    Every compilation happens on the calling thread, inside the call that the
    schedule names, so there is nothing left to wait for.

    Parameters
    ----------
    timeout : float, optional
        Accepted and ignored (there is never anything to wait for).

    Returns
    -------
    bool
        ``True``, at once.

    Examples
    --------
    >>> import brainpy_autograd as bpa
    >>> bpa.wait_for_compilations()
    True
    """
    return True
