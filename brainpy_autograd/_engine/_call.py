"""The dispatching call: which path one un-jitted call takes, and the counts.

Three paths, chosen from the sequence of calls alone (never from a clock):

- *interpreted*: brainstate's own call. Taken with ``compiled=False``, inside
  an outer trace (``jit``, ``vmap``, another gradient), under
  ``jax.disable_jit()``, with ``jax_debug_nans``/``jax_debug_infs`` on (JAX's
  NaN checks report the failing operation there), and for arguments that are
  not arrays or numbers;
- *replayed*: the signature's traced program, op by op (:mod:`._program`);
- *compiled*: the same program as one XLA executable, from the call that
  :func:`._schedule.compile_call` names on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax

from .._internals import outside_traces
from .._types import positions
from ._cache import Entry, SignatureCache
from ._program import Program, Stale, TraceError, Unplaceable
from ._schedule import compile_call
from ._serial import released
from ._settings import SETTINGS
from ._signature import arguments_key, states_key

__all__ = ["CompiledCalls", "CallStats"]

_JAX_CONFIG: Any = jax.config


@dataclass(frozen=True)
class CallStats:
    """How a transform's un-jitted calls ran (see :meth:`AutogradFunction.call_stats`).

    Attributes
    ----------
    calls : int
        Every call made so far, one that raised included
        (``compiled + replayed + interpreted``).
    compiled : int
        Calls that ran the signature's compiled XLA program.
    replayed : int
        Calls that replayed the signature's traced program op by op.
    interpreted : int
        Calls that brainstate interpreted: ``compiled=False``, inside an outer
        trace, under ``jax.disable_jit()`` or ``jax_debug_nans``, a non-array
        argument, a signature whose tracing failed inside the package, and a call
        whose function raised while its program was traced (as ``compiled=False``
        counts it).
    signatures : int
        Input signatures held now (at most ``max_programs``).
    programs : int
        Of those, how many have a compiled program.
    traces : int
        Programs traced: one per signature, again when the values of the States
        it reads changed key (tree, dtype, weak type, shape, unit or placement).
    compile_seconds : float
        Seconds spent compiling, measured for reports; no path depends on it.
    last_error : BaseException or None
        Why the last compilation or trace failed (that signature fell back to
        replaying or interpreting), or ``None``.

    Examples
    --------
    >>> import jax.numpy as jnp, brainpy_autograd as bpa
    >>> g = bpa.grad(lambda x: jnp.sum(x ** 2))
    >>> with bpa.compiled_calls(compile_at=2):
    ...     _ = [g(jnp.ones(3)) for _ in range(3)]
    >>> s = g.call_stats()
    >>> s.calls, s.replayed, s.compiled, s.signatures, s.programs
    (3, 1, 2, 1, 1)
    """

    __module__ = "brainpy_autograd"  # the public name users import and filter by

    calls: int
    compiled: int
    replayed: int
    interpreted: int
    signatures: int
    programs: int
    traces: int
    compile_seconds: float
    last_error: BaseException | None


def _platform() -> str:
    device = _JAX_CONFIG.jax_default_device
    return getattr(device, "platform", None) or jax.default_backend()


class CompiledCalls:
    """Compiled evaluation for one transform (see the module docstring).

    ``option`` is the transform's ``compiled=`` argument: ``None`` follows the
    global setting, ``True``/``False`` overrides it.
    """

    def __init__(self, option: bool | None) -> None:
        self.option = option
        self._cache = SignatureCache()
        self.last_error: BaseException | None = None
        self._calls = self._compiled = self._replayed = self._interpreted = self._traces = 0
        self._compile_seconds = 0.0

    def __len__(self) -> int:
        """How many compiled programs are held."""
        return sum(1 for e in self._cache.entries()
                   if e.program is not None and e.program.executable is not None)

    ready = __len__

    def stats(self) -> CallStats:
        return CallStats(self._calls, self._compiled, self._replayed, self._interpreted,
                         len(self._cache), len(self), self._traces, self._compile_seconds,
                         self.last_error)

    def applies(self) -> bool:
        """Whether this call may replay or compile; False: brainstate interprets it."""
        enabled = SETTINGS.enabled if self.option is None else self.option
        return (enabled and not _JAX_CONFIG.jax_disable_jit and not _JAX_CONFIG.jax_debug_nans
                and not _JAX_CONFIG.jax_debug_infs and outside_traces())

    def interpret(self, backend: Callable[..., Any], args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> Any:
        """brainstate's own call (taken without the call lock: see :mod:`._serial`)."""
        self._calls += 1
        self._interpreted += 1
        return backend(*args, **kwargs)

    def call(self, resolved: Any, backend: Callable[..., Any], args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> Any:
        """``backend(*args, **kwargs)`` by the path the module docstring describes.

        Callers have checked :meth:`applies` and hold the call lock
        (:func:`._serial.serialised`) since before they read any State.
        """
        key, leaves = arguments_key(resolved, args, kwargs)
        entry = None if key is None else self._cache.get(key, SETTINGS.max_programs)
        if key is not None and entry is None:
            entry = self._cache.add(key, SETTINGS.max_programs)
        if entry is None or entry.interpret_only:
            with released():  # brainstate's own call: without the lock, as every such call
                return self.interpret(backend, args, kwargs)
        program = entry.program
        if program is not None:
            values = program.values()
            if states_key(values) != program.state_key:  # a State changed: trace again
                program = entry.program = None
                entry.calls = 0
        if program is None:
            program = self._trace(key, entry, resolved, backend, args, kwargs)
            if program is None:
                with released():
                    return self.interpret(backend, args, kwargs)
            values = program.values()
        self._calls += 1
        return self._run(entry, program, leaves, values)

    def _run(self, entry: Entry, program: Program, leaves: list[Any], values: list[Any]) -> Any:
        entry.calls += 1
        at = entry.compile_at  # None: never (host callbacks)
        if at is not None and SETTINGS.compile_at is not None:
            at = SETTINGS.compile_at  # read at every call: a setting made after tracing holds
        if (program.executable is None and not entry.replay_only
                and at is not None and entry.calls >= at and program.can_compile()):
            start = time.perf_counter()
            try:
                program.compile(leaves, values)
            except Exception as err:  # noqa: BLE001 - the signature goes on replayed
                self.last_error = err
                entry.replay_only = True
            finally:
                self._compile_seconds += time.perf_counter() - start
        if program.executable is not None:
            try:
                self._compiled += 1
                return program.run(leaves, values)
            except (Stale, Unplaceable) as err:  # replay this call and the next ones
                self._compiled -= 1
                self.last_error, entry.replay_only, program.executable = err, True, None
        self._replayed += 1
        return program.replay(leaves, values)

    def _trace(self, key: Any, entry: Entry, resolved: Any, backend: Callable[..., Any],
               args: tuple[Any, ...], kwargs: dict[str, Any]) -> Program | None:
        """Trace the entry's program; None if that failed outside the user's code."""
        failure: BaseException | None = None
        try:
            program = Program(backend, args, kwargs, positions(resolved))
        except TraceError as err:  # the user's function (or brainstate) raised
            failure = err.error
        except Exception as err:  # noqa: BLE001 - brainstate interprets this signature
            self.last_error = err
            entry.interpret_only = True
            return None
        if failure is not None:  # raised here, outside the handler: its context stays its own
            self._cache.drop(key)
            self._calls += 1
            self._interpreted += 1  # counted as compiled=False counts it
            raise failure
        # A transform seen with another signature before (varying shapes) compiles a
        # small program at once: like jax.jit, and memory stays bounded.
        entry.compile_at = compile_call(program.facts, _platform(), at_once=self._traces > 0)
        entry.replay_only = False
        self._traces += 1
        entry.program = program
        return program
