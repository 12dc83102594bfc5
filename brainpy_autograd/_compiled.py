"""Compiled evaluation of un-jitted calls: faster, and otherwise invisible.

An un-jitted brainstate gradient call re-interprets its traced program op by
op on every call (about 2x plain JAX eager, ~100x its own jitted call).
brainstate already traces the function once per input signature and replays
that program, so running the *same* program compiled changes nothing the user
can see: Python side effects happen at trace time in both cases, and State
reads and writes (the random key State too) are the program's inputs and
outputs. :class:`CompiledCalls` does that for one transform, under three rules.

1. **The same results.** A compiled call returns exactly what the
   interpreted call returns: the same containers, dict key order, leaf types
   and dtypes (``jax.jit`` alone would sort dict keys and turn constants into
   arrays; :class:`~brainpy_autograd._layout.ExactLayout` undoes that).

2. **Never slower than interpreting, for any number of calls.** Compiling
   has two parts: tracing and lowering the program (Python work, which must
   run on the calling thread because it reads States), and XLA's compilation
   (C++ that releases the GIL, up to tens of seconds for a long Python-loop
   RNN). The policy, chosen because it bounds the cost for every ``k`` rather
   than on average:

   - the XLA compilation runs on one background thread while the calls go on
     interpreted; the first call after it is ready switches to the program.
     Nothing on that thread touches a State or traces anything;
   - each part is started only when its expected cost, added to what earlier
     compilations cost, is at most :data:`FOREGROUND_SHARE` of the time this
     transform has spent interpreting (all its signatures: the bound is on the
     whole sequence of calls). The foreground part is estimated as a measured
     multiple of one interpreted call. The background part costs the slowdown
     it causes: interpreted calls run about 1.7x slower while XLA compiles
     beside them (:data:`CONTENTION`), for a time that grows with the program's
     size, estimated per equation of the traced program (a prior until this
     transform has compiled once). A program may thus be lowered and wait for
     its compilation until enough calls have paid for it. After ``k`` calls the
     total is at most about ``1 + FOREGROUND_SHARE`` times what interpreting all
     ``k`` would have cost;
   - a *new* signature is compiled at once, in the foreground, when this
     transform has measured that compiling (both parts) costs less than
     interpreting a new signature's first call. That is the common case for
     small functions, whose first interpreted call compiles every primitive
     for the new shapes, and it is what keeps memory bounded when shapes vary.

3. **Bounded memory.** Each transform keeps at most ``max_programs``
   signatures (least recently used first out); a dropped signature takes its
   program, its traces and its pending compilation with it.

Calls made inside an outer trace (``jit``, ``vmap``, ``grad`` of this
transform...) and calls under ``jax.disable_jit()`` are forwarded unchanged. A
State that changed shape or dtype since its program was compiled makes that
call interpreted, and the signature starts over. A compilation that fails
leaves the signature interpreted, with the reason in ``last_error``. At
interpreter exit a compilation already running is allowed to finish (XLA
cannot be interrupted, and a thread killed inside it aborts the process);
queued ones are dropped.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import jax
import numpy as np
from brainstate import State
from brainstate.transform import StatefulFunction

from ._internals import outside_traces
from ._layout import ExactLayout
from ._types import PYTHON_NUMBERS
from ._validate import check_flag, check_positive_int

__all__ = ["CompiledCalls", "set_compiled_calls", "compiled_calls", "compiled_calls_enabled",
           "wait_for_compilations", "FOREGROUND_SHARE"]

_ENV = "BRAINPY_AUTOGRAD_COMPILED"

#: The foreground part of a compilation may cost at most this share of the time
#: already spent interpreting its signature (1.2x in all, against a 1.25x target).
FOREGROUND_SHARE = 0.2
#: Before any measurement: tracing and lowering cost this many interpreted calls.
_INITIAL_FOREGROUND_RATIO = 3.0
#: Before any measurement, XLA's compilation is estimated at this fixed time plus this
#: many seconds per equation of the traced program (measured on a 2-core CPU: 26 ms for
#: 7 equations, 0.7 ms per equation for an MLP, 2.1 ms for a 100-step Python-loop RNN).
_COMPILE_FIXED_SECONDS = 0.02
_INITIAL_SECONDS_PER_EQUATION = 2.5e-3
#: The share of the background compilation's duration that the calls running beside
#: it lose (they ran about 1.7x slower on 2 CPU cores, and the compilation itself
#: takes longer beside them; 0.75 leaves a margin).
CONTENTION = 0.75
#: A new signature is compiled at once only if that is estimated to cost at most
#: this share of interpreting its first call.
_DIRECT_MARGIN = 0.8


class _Config:
    enabled: bool = os.environ.get(_ENV, "1").strip().lower() not in ("0", "false", "no", "off")
    max_programs: int = 32
    #: False only in tests that need the old, deterministic schedule: compile
    #: synchronously at the second call of a signature.
    amortize: bool = True


def set_compiled_calls(enabled: bool | None = None, *, max_programs: int | None = None) -> None:
    """Switch compiled evaluation of repeated un-jitted calls on or off, globally.

    Parameters
    ----------
    enabled : bool, optional
        ``True`` (the default at import, unless the environment variable
        ``BRAINPY_AUTOGRAD_COMPILED=0`` is set) compiles un-jitted calls once
        that cannot make them slower (see :doc:`speed`); ``False`` interprets
        every call, as brainstate does. A transform created with
        ``compiled=True/False`` keeps its own choice. ``None`` (the default)
        leaves the setting as it is.
    max_programs : int, optional
        How many input signatures (and their compiled programs) each transform
        keeps; the least recently used is dropped beyond that. A positive int;
        32 at import. ``None`` (the default) leaves it as it is.

    Raises
    ------
    TypeError
        ``enabled`` that is not a bool.
    ValueError
        ``max_programs`` that is not a positive int.

    Examples
    --------
    >>> import brainpy_autograd as bpa
    >>> bpa.set_compiled_calls(False)   # interpret everything, e.g. to debug
    >>> bpa.set_compiled_calls(True, max_programs=8)
    >>> bpa.set_compiled_calls(max_programs=32)
    """
    if enabled is not None:
        _Config.enabled = check_flag("set_compiled_calls", "enabled", enabled)
    if max_programs is not None:
        _Config.max_programs = check_positive_int("set_compiled_calls", "max_programs",
                                                  max_programs)


def compiled_calls_enabled() -> bool:
    """Whether compiled evaluation is on by default (see :func:`set_compiled_calls`)."""
    return _Config.enabled


@contextmanager
def compiled_calls(enabled: bool) -> Iterator[None]:
    """Temporarily switch compiled evaluation on or off (process-wide).

    Parameters
    ----------
    enabled : bool
        The setting inside the ``with`` block, as for
        :func:`set_compiled_calls`; the previous one is restored on exit.

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


def _signature(resolved: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A hashable key of the call's argument structure, shapes, dtypes and devices.

    ``None`` when an argument is not an array or a number (never compiled).
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
            return None
    return resolved, treedef, tuple(parts)


def _aval(value: Any) -> Any:
    if isinstance(value, jax.Array):
        return value.aval, value.sharding
    leaves, treedef = jax.tree.flatten(value)
    return treedef, tuple(
        (x.aval, x.sharding) if isinstance(x, jax.Array)
        else (np.shape(x), getattr(x, "dtype", type(x)))
        for x in leaves
    )


def _count_equations(jaxpr: Any) -> int:
    """Equations of a (closed) jaxpr and of every jaxpr nested in its equations."""
    jaxpr = getattr(jaxpr, "jaxpr", jaxpr)
    count = 0
    for eqn in getattr(jaxpr, "eqns", ()):
        count += 1
        for value in eqn.params.values():
            for item in value if isinstance(value, (tuple, list)) else (value,):
                if hasattr(item, "eqns") or hasattr(getattr(item, "jaxpr", None), "eqns"):
                    count += _count_equations(item)
    return count


class _Stale(Exception):
    """The program cannot run this call (a State's shape, dtype or device changed)."""


class _Program:
    """One signature's program: traced and lowered on the calling thread, compiled anywhere.

    ``foreground_seconds`` and ``compile_seconds`` are what the two parts took.
    """

    __slots__ = ("states", "avals", "written", "layout", "lowered", "executable", "error",
                 "done", "cancelled", "submitted", "size", "foreground_seconds",
                 "compile_seconds")

    def __init__(self, backend: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> None:
        start = time.perf_counter()
        layouts: list[ExactLayout] = []

        def recorded(*a: Any, **k: Any) -> Any:
            out = backend(*a, **k)
            layouts.append(ExactLayout(out))  # the interpreted call's exact layout
            return out

        traced = StatefulFunction(recorded, name="brainpy_autograd", return_only_write=True)
        traced.make_jaxpr(*args, **kwargs)
        self.layout = layouts[-1]
        self.states: tuple[State, ...] = tuple(traced.get_states(*args, **kwargs))
        written = {id(s) for s in traced.get_write_states(*args, **kwargs)}
        self.written = tuple(i for i, s in enumerate(self.states) if id(s) in written)
        values = [s.value for s in self.states]
        self.avals = tuple(_aval(v) for v in values)

        def run(values: list[Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            return traced.jaxpr_call(values, *args, **kwargs)

        self.lowered: Any = jax.jit(run).lower(values, args, kwargs)
        #: equations in the traced program, nested ones included: XLA's time grows with it
        self.size = _count_equations(traced.get_jaxpr(*args, **kwargs))
        self.submitted = False
        self.executable: Any = None
        self.error: BaseException | None = None
        self.done = False
        self.cancelled = False
        self.foreground_seconds = time.perf_counter() - start
        self.compile_seconds = 0.0

    def compile(self) -> None:
        """XLA's part: no State, no tracing; safe on another thread."""
        start = time.perf_counter()
        try:
            self.executable = self.lowered.compile()
        except Exception as err:  # noqa: BLE001 - reported through last_error
            self.error = err
        self.lowered = None
        self.compile_seconds = time.perf_counter() - start
        self.done = True  # last: the calling thread reads the rest after seeing it

    def __call__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        states = self.states
        values = [s.value for s in states]
        for v, aval in zip(values, self.avals):
            if _aval(v) != aval:
                raise _Stale
        try:
            new_values, out = self.executable(values, args, kwargs)
        except (TypeError, ValueError) as err:  # inputs the executable was not built for
            raise _Stale from err
        for i in self.written:
            states[i].value = new_values[i]
        return self.layout.restore(out)


class _Compiler:
    """One background thread that runs XLA compilations, one at a time."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Program | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._closing = False
        self._pending = 0

    def submit(self, program: _Program) -> None:
        if self._closing:
            program.error = RuntimeError("the interpreter is shutting down")
            program.done = True
            return
        with self._start_lock:
            self._pending += 1
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="brainpy_autograd-compiler", daemon=True)
                self._thread.start()
        self._queue.put(program)

    def _work(self) -> None:
        while True:
            program = self._queue.get()
            if program is None:
                return
            if not (program.cancelled or self._closing):
                program.compile()
            with self._start_lock:
                self._pending -= 1
                if self._pending == 0:
                    self._idle.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no compilation is queued or running; False on timeout."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """At exit: drop the queue, let a running compilation finish (see the module doc)."""
        self._closing = True
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join()


_COMPILER = _Compiler()
atexit.register(_COMPILER.close)


def wait_for_compilations(timeout: float | None = None) -> bool:
    """Wait until the background compilations have finished (tests and benchmarks).

    Parameters
    ----------
    timeout : float, optional
        The most seconds to wait; ``None`` (the default) waits as long as it takes.

    Returns
    -------
    bool
        ``True`` when no compilation is queued or running any more, ``False`` if
        ``timeout`` seconds passed first.

    Examples
    --------
    >>> import brainpy_autograd as bpa
    >>> bpa.wait_for_compilations(timeout=60.0)
    True
    """
    return _COMPILER.wait(timeout)


class _Signature:
    """What one transform knows about one input signature."""

    __slots__ = ("last", "program", "interpret_only")

    def __init__(self) -> None:
        self.last = 0.0  # the latest interpreted call's duration
        self.program: _Program | None = None
        self.interpret_only = False


def _ema(old: float | None, new: float) -> float:
    return new if old is None else 0.5 * (old + new)


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
        self._signatures: OrderedDict[Any, _Signature] = OrderedDict()
        #: why the last compilation failed (its signature is then interpreted)
        self.last_error: BaseException | None = None
        # Measurements of this transform, for the policy:
        self._foreground_ratio = _INITIAL_FOREGROUND_RATIO  # tracing+lowering / one call
        self._per_equation = _INITIAL_SECONDS_PER_EQUATION  # XLA's part, measured
        self._compile_cost: float | None = None  # both parts of a compilation, seconds
        self._first_cost: float | None = None  # a new signature's interpreted call
        self._direct_ok = True
        self._compiling: list[_Program] = []  # submitted, not yet measured
        self._spent = 0.0  # seconds spent interpreting, all signatures
        self._charged = 0.0  # what background compilations cost the calls (estimated)

    def __len__(self) -> int:
        """How many programs are held (compiled, or compiling in the background)."""
        return sum(1 for s in self._signatures.values()
                   if s.program is not None and s.program.error is None)

    def ready(self) -> int:
        """How many compiled programs are ready to run."""
        return sum(1 for s in self._signatures.values()
                   if s.program is not None and s.program.executable is not None)

    def call(self, resolved: Any, backend: Callable[..., Any], args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> Any:
        """``backend(*args, **kwargs)``, compiled when that cannot cost more.

        Callers hold the transform lock, so the cache is used by one thread at a time.
        """
        enabled = _Config.enabled if self.option is None else self.option
        if not enabled or _JAX_CONFIG.jax_disable_jit or not outside_traces():
            return backend(*args, **kwargs)
        key = _signature(resolved, args, kwargs)
        if key is None:
            return backend(*args, **kwargs)
        if self._compiling:
            self._collect()
        sig = self._signatures.get(key)
        if sig is None:
            return self._first_call(key, backend, args, kwargs)
        self._signatures.move_to_end(key)
        program = sig.program
        if program is not None and not program.submitted:  # lowered, waiting for budget
            out = self._interpret(sig, backend, args, kwargs)
            self._maybe_submit(program)
            return out
        if program is not None and program.done:
            if program.error is None:
                try:
                    return program(args, kwargs)
                except _Stale:
                    sig.program = None  # start over for this signature
            else:
                self.last_error = program.error
                sig.program, sig.interpret_only = None, True
        if sig.interpret_only or sig.program is not None:  # failed, or still compiling
            return self._interpret(sig, backend, args, kwargs)
        if not _Config.amortize:
            return self._compile_now(sig, backend, args, kwargs)
        out = self._interpret(sig, backend, args, kwargs)
        # Two steps, each started only when the budget covers it: tracing and
        # lowering (foreground), then XLA's part, whose cost is known from the
        # program's size only once it is traced.
        if self._charged + self._foreground_ratio * sig.last <= FOREGROUND_SHARE * self._spent:
            program = self._trace(sig, backend, args, kwargs)
            if program is not None:
                self._charged += program.foreground_seconds
                sig.program = program
                self._maybe_submit(program)
        return out

    def _background_cost(self, program: _Program) -> float:
        """What the calls running beside ``program``'s compilation are expected to lose."""
        return CONTENTION * (_COMPILE_FIXED_SECONDS + self._per_equation * program.size)

    def _maybe_submit(self, program: _Program) -> None:
        expected = self._background_cost(program)
        if self._charged + expected <= FOREGROUND_SHARE * self._spent:
            self._charged += expected
            program.submitted = True
            self._compiling.append(program)
            _COMPILER.submit(program)

    # ------------------------------------------------------------------ paths

    def _first_call(self, key: Any, backend: Callable[..., Any], args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
        sig = _Signature()
        self._store(key, sig)
        if (_Config.amortize and self._direct_ok and self._compile_cost is not None
                and self._first_cost is not None
                and self._compile_cost <= _DIRECT_MARGIN * self._first_cost):
            out = self._compile_now(sig, backend, args, kwargs)
            if sig.program is None:  # it failed: do not try it again for new signatures
                self._direct_ok = False
            return out
        out = self._interpret(sig, backend, args, kwargs)
        self._first_cost = _ema(self._first_cost, sig.last)  # _interpret timed it
        return out

    def _interpret(self, sig: _Signature, backend: Callable[..., Any], args: tuple[Any, ...],
                   kwargs: dict[str, Any]) -> Any:
        start = time.perf_counter()
        out = backend(*args, **kwargs)
        sig.last = time.perf_counter() - start
        self._spent += sig.last
        return out

    def _trace(self, sig: _Signature, backend: Callable[..., Any], args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> _Program | None:
        try:
            program = _Program(backend, args, kwargs)
        except Exception as err:  # noqa: BLE001 - the signature stays interpreted
            self.last_error = err
            sig.interpret_only = True
            return None
        if sig.last > 0:
            self._foreground_ratio = max(program.foreground_seconds / sig.last,
                                         _ema(self._foreground_ratio,
                                              program.foreground_seconds / sig.last))
        return program

    def _compile_now(self, sig: _Signature, backend: Callable[..., Any], args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> Any:
        program = self._trace(sig, backend, args, kwargs)
        if program is not None:
            program.submitted = True
            program.compile()
            self._learn(program)
            if program.error is None:
                sig.program = program
                return program(args, kwargs)
            self.last_error = program.error
            sig.interpret_only = True
        return self._interpret(sig, backend, args, kwargs)

    def _collect(self) -> None:
        """Take the costs of finished background compilations into the estimates."""
        done = [p for p in self._compiling if p.done]
        if done:
            self._compiling = [p for p in self._compiling if not p.done]
            for program in done:
                # what the calls beside it lost: the measured time instead of the estimate
                estimate = self._background_cost(program)
                self._learn(program)
                self._charged += CONTENTION * program.compile_seconds - estimate

    def _learn(self, program: _Program) -> None:
        if program.error is not None:
            return
        if program.size:
            self._per_equation = max(
                (program.compile_seconds - _COMPILE_FIXED_SECONDS) / program.size, 1e-6)
        self._compile_cost = _ema(self._compile_cost,
                                  program.foreground_seconds + program.compile_seconds)

    def _store(self, key: Any, sig: _Signature) -> None:
        self._signatures[key] = sig
        while len(self._signatures) > _Config.max_programs:
            _, dropped = self._signatures.popitem(last=False)
            if dropped.program is not None:
                dropped.program.cancelled = True
