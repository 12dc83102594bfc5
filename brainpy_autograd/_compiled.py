"""Compiled evaluation of un-jitted calls.

An un-jitted brainstate gradient call re-interprets its traced program op by
op on every call (about 2x plain JAX eager, ~100x its own jitted call).
brainstate already traces the function once per input signature and replays
that program, so running the *same* program compiled changes nothing the user
can see (Python side effects happen at trace time in both cases; State reads
and writes, and the random key State, are the program's inputs and outputs).

:class:`CompiledCalls` does that for one transform:

- the first call of an input signature runs as before (interpreted), so a
  one-shot call pays no compilation;
- the second call of that signature traces the whole brainstate gradient call
  once more with ``brainstate.transform.StatefulFunction`` and compiles its
  ``jaxpr_call`` with ``jax.jit``, a pure function of the State values and the
  arguments; from then on a call reads the States, makes one ``jax.jit``
  dispatch and writes back the States the program wrote;
- calls made inside an outer trace (``jit``, ``vmap``, ``grad`` of this
  transform...) and calls under ``jax.disable_jit()`` are forwarded as before;
- if a State the program reads changed shape or dtype since it was compiled,
  that call is interpreted and the program is rebuilt at the next call.

The programs of one transform are kept in a least-recently-used cache of
:func:`set_compiled_calls`'s ``max_programs`` entries (default 32).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import jax
import numpy as np
from brainstate import State
from brainstate.transform import StatefulFunction

__all__ = ["CompiledCalls", "set_compiled_calls", "compiled_calls", "compiled_calls_enabled"]

_ENV = "BRAINPY_AUTOGRAD_COMPILED"


class _Config:
    enabled: bool = os.environ.get(_ENV, "1").strip().lower() not in ("0", "false", "no", "off")
    max_programs: int = 32


def set_compiled_calls(enabled: bool | None = None, *, max_programs: int | None = None) -> None:
    """Switch compiled evaluation of repeated un-jitted calls on or off, globally.

    Parameters
    ----------
    enabled : bool, optional
        ``True`` (the default at import, unless the environment variable
        ``BRAINPY_AUTOGRAD_COMPILED=0`` is set) compiles an un-jitted call once
        its input signature repeats; ``False`` interprets every call, as
        brainstate does. A transform created with ``compiled=True/False``
        keeps its own choice.
    max_programs : int, optional
        How many compiled programs (input signatures) each transform keeps;
        the least recently used is dropped beyond that. Default 32.

    Examples
    --------
    >>> import brainpy_autograd as bpa
    >>> bpa.set_compiled_calls(False)   # interpret everything, e.g. to debug
    >>> bpa.set_compiled_calls(True, max_programs=8)
    """
    if enabled is not None:
        if not isinstance(enabled, (bool, np.bool_)):
            raise TypeError(
                f"set_compiled_calls(): enabled must be True or False, got {enabled!r}."
            )
        _Config.enabled = bool(enabled)
    if max_programs is not None:
        if isinstance(max_programs, bool) or not isinstance(max_programs, int) or max_programs < 1:
            raise ValueError(
                f"set_compiled_calls(): max_programs must be a positive int, got {max_programs!r}."
            )
        _Config.max_programs = max_programs


def compiled_calls_enabled() -> bool:
    """Whether compiled evaluation is on by default (see :func:`set_compiled_calls`)."""
    return _Config.enabled


@contextmanager
def compiled_calls(enabled: bool) -> Iterator[None]:
    """Temporarily switch compiled evaluation on or off (process-wide).

    Examples
    --------
    >>> import brainpy_autograd as bpa
    >>> with bpa.compiled_calls(False):
    ...     pass  # every un-jitted call in here is interpreted
    """
    previous = _Config.enabled
    set_compiled_calls(enabled)
    try:
        yield
    finally:
        _Config.enabled = previous


_JAX_CONFIG: Any = jax.config  # its flags are attributes that type checkers do not see
_JAX_TRACE: Any
_BS_TRACE: Any
try:  # private APIs, looked up once; without them every call is interpreted
    from brainstate._state import TRACE_CONTEXT as _BS_TRACE
    from jax._src.core import trace_ctx as _JAX_TRACE

    _JAX_TRACE.is_top_level  # noqa: B018 - checks that the attribute exists
    _BS_TRACE.state_stack  # noqa: B018
except (ImportError, AttributeError):  # pragma: no cover - depends on jax/brainstate
    _JAX_TRACE = _BS_TRACE = None


def _outside_traces() -> bool:
    """True when no JAX trace (jit, vmap, grad...) and no brainstate trace is active.

    When that cannot be told (the private APIs moved), the answer is False:
    interpreting is always correct.
    """
    if _JAX_TRACE is None:  # pragma: no cover
        return False
    return _JAX_TRACE.is_top_level() and not _BS_TRACE.state_stack


_SCALARS = (int, float, complex, bool)


def _signature(resolved: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A hashable key of the call's argument structure, shapes and dtypes.

    ``None`` when an argument is not an array or a number (never compiled).
    """
    leaves, treedef = jax.tree.flatten((args, kwargs))
    parts: list[Any] = []
    for leaf in leaves:
        if isinstance(leaf, jax.Array):
            parts.append(leaf.aval)
        elif isinstance(leaf, (np.ndarray, np.generic)):
            parts.append((leaf.shape, leaf.dtype))
        elif type(leaf) in _SCALARS:
            parts.append(type(leaf))
        else:
            return None
    return resolved, treedef, tuple(parts)


def _aval(value: Any) -> Any:
    if isinstance(value, jax.Array):
        return value.shape, value.dtype
    leaves, treedef = jax.tree.flatten(value)
    return treedef, tuple((np.shape(x), getattr(x, "dtype", type(x))) for x in leaves)


class _Stale(Exception):
    """A State's shape or dtype changed since the program was compiled."""


class _Program:
    """One compiled program: the States it uses and a ``jax.jit`` function."""

    __slots__ = ("run", "states", "avals", "written")

    def __init__(self, backend: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> None:
        traced = StatefulFunction(backend, name="brainpy_autograd", return_only_write=True)
        traced.make_jaxpr(*args, **kwargs)
        self.states: tuple[State, ...] = tuple(traced.get_states(*args, **kwargs))
        written = {id(s) for s in traced.get_write_states(*args, **kwargs)}
        self.written = tuple(i for i, s in enumerate(self.states) if id(s) in written)
        self.avals = tuple(_aval(s.value) for s in self.states)

        def run(values: list[Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            return traced.jaxpr_call(values, *args, **kwargs)

        self.run = jax.jit(run)

    def __call__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        states = self.states
        values = [s.value for s in states]
        for v, aval in zip(values, self.avals):
            if _aval(v) != aval:
                raise _Stale
        new_values, out = self.run(values, args, kwargs)
        for i in self.written:
            states[i].value = new_values[i]
        return out


_SEEN = object()  # a signature called once: the next call compiles it
_INTERPRET = object()  # a signature that could not be compiled: always interpreted


class CompiledCalls:
    """Compiled evaluation for one transform (see the module docstring).

    Parameters
    ----------
    option
        The transform's ``compiled=`` argument: ``None`` follows the global
        setting, ``True``/``False`` overrides it.
    """

    def __init__(self, option: bool | None) -> None:
        self.option = option
        self._programs: OrderedDict[Any, Any] = OrderedDict()
        #: why the last compilation failed (its calls are then interpreted)
        self.last_error: BaseException | None = None

    def __len__(self) -> int:
        """How many compiled programs are held."""
        return sum(1 for p in self._programs.values() if isinstance(p, _Program))

    def call(self, resolved: Any, backend: Callable[..., Any], args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> Any:
        """``backend(*args, **kwargs)``, compiled when the signature repeats.

        Callers hold the transform lock, so the cache is used by one thread at a time.
        """
        enabled = _Config.enabled if self.option is None else self.option
        if not enabled or _JAX_CONFIG.jax_disable_jit or not _outside_traces():
            return backend(*args, **kwargs)
        key = _signature(resolved, args, kwargs)
        if key is None:
            return backend(*args, **kwargs)
        program = self._programs.get(key)
        if program is None:
            out = backend(*args, **kwargs)  # first call of this signature: interpreted
            self._store(key, _SEEN)
            return out
        self._programs.move_to_end(key)
        if program is _SEEN:
            program = self._compile(backend, args, kwargs)
            self._programs[key] = program
        if program is _INTERPRET:
            return backend(*args, **kwargs)
        try:
            return program(args, kwargs)
        except _Stale:
            self._programs[key] = _SEEN  # rebuild at the next call
            return backend(*args, **kwargs)

    def _compile(self, backend: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
        try:
            return _Program(backend, args, kwargs)
        except Exception as err:  # noqa: BLE001 - fall back to the interpreted path
            self.last_error = err
            return _INTERPRET

    def _store(self, key: Any, value: Any) -> None:
        self._programs[key] = value
        while len(self._programs) > _Config.max_programs:
            self._programs.popitem(last=False)
