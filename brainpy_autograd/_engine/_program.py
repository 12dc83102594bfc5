"""One signature's program: traced once, then replayed op by op or run compiled.

The program is the whole call, differentiation included, traced by brainstate's
``StatefulFunction`` (which finds the States it reads and writes). Its inputs
are the call's flat arguments and the States' values, its outputs the result
and the new values of the States it writes, exactly as brainstate's own
``jaxpr_call`` orders them; this module checks that order against the jaxpr
when tracing, and refuses a program whose inputs do not line up.

- :meth:`Program.replay` evaluates the jaxpr op by op (``jax.core.eval_jaxpr``),
  as brainstate's ``jaxpr_call`` does.
- :meth:`Program.compile` builds one XLA executable (:mod:`._executable`).
- A program with host callbacks is replayed in segments (:mod:`._segments`), the
  call lock released around each callback.
- Both return what an interpreted call returns: an output that the jaxpr takes
  straight from an input is the caller's object, one taken from a literal or a
  NumPy constant is a new ``jax.Array`` on each call (never the program's own,
  writable constant), and :class:`._layout.ExactLayout` restores dict key order,
  the Python constants of aux data and pass-through arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
from brainstate import State
from brainstate.transform import StatefulFunction
from jax.extend.core import Literal

from ._executable import Executable, Stale, Unplaceable
from ._facts import Facts, facts_of
from ._layout import ExactLayout
from ._segments import Segments
from ._signature import committed, placement, states_key

__all__ = ["Program", "Stale", "TraceError", "Unplaceable"]

#: jax.typeof (jax >= 0.9), or jax.core.get_aval before it
_typeof: Callable[[Any], Any] = getattr(jax, "typeof", None) or getattr(jax.core, "get_aval")


class TraceError(Exception):
    """Tracing raised inside the user's function or brainstate: re-raise ``error`` as is."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class Program:
    """The traced program of one call signature (see the module docstring)."""

    __slots__ = ("states", "written", "facts", "executable", "state_key", "committed",
                 "placements",
                 "_jaxpr", "_consts", "_tree", "_segments", "_fixed", "_computed", "_fresh",
                 "_layout")

    def __init__(self, backend: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: dict[str, Any], differentiated: Sequence[int]) -> None:
        layouts: list[ExactLayout] = []
        failures: list[BaseException] = []

        def recorded(*a: Any, **k: Any) -> Any:
            try:
                out = backend(*a, **k)
            except BaseException as err:
                failures.append(err)
                raise
            skip = {id(x) for p in differentiated for x in jax.tree.leaves(a[p])}
            inputs = {id(x): i for i, x in enumerate(jax.tree.leaves((a, k)))
                      if id(x) not in skip}
            layouts.append(ExactLayout(out, inputs))
            return out

        traced = StatefulFunction(recorded, name="brainpy_autograd", return_only_write=True)
        try:
            traced.make_jaxpr(*args, **kwargs)
        except BaseException as err:
            if failures:
                raise TraceError(failures[-1]) from err
            raise
        self._layout = layouts[-1]
        closed = traced.get_jaxpr(*args, **kwargs)
        self._jaxpr, self._consts = closed.jaxpr, list(closed.consts)
        self._tree: Any = traced.get_out_treedef(*args, **kwargs)
        self.states: tuple[State, ...] = tuple(traced.get_states(*args, **kwargs))
        written = {id(s) for s in traced.get_write_states(*args, **kwargs)}
        self.written = tuple(i for i, s in enumerate(self.states) if id(s) in written)
        values = [s.value for s in self.states]
        flat = jax.tree.leaves((args, kwargs, values))
        if [_typeof(x) for x in flat] != [v.aval for v in self._jaxpr.invars]:
            raise RuntimeError("the traced program's inputs do not line up with the call's")
        #: the States' values' key when traced: another key traces the program again
        self.state_key = states_key(values)
        self.facts: Facts = facts_of(closed)
        #: an input committed to a device or a sharding: compiled only where the
        #: executable's outputs land where a replay put them (:meth:`compile`)
        self.committed = committed(flat) or committed(self._consts)
        self.placements: list[Any] | None = None
        self._segments = Segments(self._jaxpr) if self.facts.callbacks else None
        self.executable: Executable | None = None
        self._index_outputs()

    def _index_outputs(self) -> None:
        """Which outputs are literals, constants or inputs (see :func:`_output_kinds`)."""
        results = jax.tree_util.treedef_children(self._tree)[0].num_leaves  # type: ignore[attr-defined]
        self._fixed, self._computed, self._fresh = _output_kinds(self._jaxpr, results)

    # ------------------------------------------------------------------ running

    def values(self) -> list[Any]:
        """The current values of the States the program reads."""
        return [s.value for s in self.states]

    def _inputs(self, arg_leaves: list[Any], values: list[Any]) -> list[Any]:
        """The program's flat inputs: the arguments' leaves, then the States' values'."""
        return arg_leaves + jax.tree.leaves(values)

    def _finish(self, outs: list[Any], flat: list[Any]) -> Any:
        for j in self._fresh:
            if not isinstance(outs[j], jax.Array):
                outs[j] = jax.device_put(outs[j])  # dtype and weak type as the literal's
        out, new_values = self._tree.unflatten(outs)
        states = self.states
        for i in self.written:
            states[i].value = new_values[i]
        return self._layout.restore(out, flat)

    def replay(self, arg_leaves: list[Any], values: list[Any]) -> Any:
        """Evaluate the program op by op, as brainstate's interpreted call does.

        ``arg_leaves`` are the call's ``jax.tree.leaves((args, kwargs))``, ``values``
        :meth:`values` read under the call lock. A program with host callbacks is
        evaluated in segments, the lock released around the callbacks.
        """
        flat = self._inputs(arg_leaves, values)
        if self._segments is not None:
            outs = self._segments.eval(self._consts, flat)
        else:
            outs = jax.core.eval_jaxpr(self._jaxpr, self._consts, *flat)
        if self.placements is None:
            self.placements = [placement(o) for o in outs]
        return self._finish(list(outs), flat)

    def can_compile(self) -> bool:
        """False until a replay has shown where the outputs land, for a call with a
        committed input or a program that places its results itself."""
        return not (self.committed or self.facts.places) or self.placements is not None

    def compile(self, arg_leaves: list[Any], values: list[Any]) -> None:
        """Lower and compile the program for these inputs (XLA's part: the costly one)."""
        self.executable = Executable(self._jaxpr, self._consts,
                                     self._inputs(arg_leaves, values), self._computed,
                                     self._fixed, self.placements)

    def run(self, arg_leaves: list[Any], values: list[Any]) -> Any:
        """Run the compiled program (after :meth:`compile`)."""
        flat = self._inputs(arg_leaves, values)
        assert self.executable is not None
        return self._finish(self.executable.outputs(flat), flat)


def _output_kinds(jaxpr: Any, results: int) -> tuple[tuple[tuple[int, str, Any], ...],
                                                   tuple[int, ...], tuple[int, ...]]:
    """The outputs taken straight from a literal, a constant or an input (as eval_jaxpr
    gives them), the computed ones, and those of the first ``results`` (the result, not
    the States' new values) that must be given as new arrays: a literal or constant
    output (a constant gradient, say) is computed afresh by an interpreted call, and
    the program's own object must never be handed out."""
    invars = {v: i for i, v in enumerate(jaxpr.invars)}
    constvars = {v: i for i, v in enumerate(jaxpr.constvars)}
    fixed: list[tuple[int, str, Any]] = []
    computed: list[int] = []
    for j, v in enumerate(jaxpr.outvars):
        if isinstance(v, Literal):
            fixed.append((j, "literal", v.val))
        elif v in constvars:
            fixed.append((j, "const", constvars[v]))
        elif v in invars:
            fixed.append((j, "input", invars[v]))
        else:
            computed.append(j)
    fresh = tuple(j for j, kind, _ in fixed if kind != "input" and j < results)
    return tuple(fixed), tuple(computed), fresh
