"""The States a function touches, and their values saved and put back bit for bit.

A stateful function changes its model when it runs: it writes membrane
potentials, counters and ``brainstate.random``'s key. A check that calls it
many times saves every State it touches once (:class:`Snapshot`) and puts the
saved values back before and after each evaluation, so that each evaluation
sees the same model and the model ends as it began.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import brainstate

__all__ = ["Discovered", "Snapshot", "discover", "states_touched"]


@dataclass
class Discovered:
    """What one trace of a function found: its States, its program, its output's shapes."""

    states: list[Any]  # every State it reads or writes, the random key included
    jaxpr: Any  # the ClosedJaxpr of f(args, State values) -> (output, new State values)
    out_shapes: Any  # the output's tree, ShapeDtypeStructs (in Quantities) for its arrays


def discover(f: Callable[..., Any], args: Sequence[Any],
             kwargs: dict[str, Any] | None = None, *, name: str = "check") -> Discovered:
    """Trace ``f(*args, **kwargs)`` once with ``brainstate.transform.StatefulFunction``.

    brainstate's documented way to list a function's States; tracing changes no
    State's value. The same trace gives the output's structure (so a check need
    not run ``f`` to learn it) and the program that :mod:`._reuse` compares to
    know that ``f`` still computes what it computed at an earlier check.
    """
    kwargs = kwargs or {}
    stateful = brainstate.transform.StatefulFunction(f)
    # An outer trace stack records every State the trace reads or writes, with its value
    # before the trace: if ``f`` raises mid-trace, brainstate's own recovery can itself
    # fail (a State written back in another unit) and leave a tracer in a State.
    outer: Any = brainstate.StateTraceStack(name=f"{name} (discovery trace)")
    try:
        with outer:
            stateful.make_jaxpr(*args, **kwargs)
        out_shapes: Any = stateful.get_out_shapes(*args, **kwargs)  # (output, States' values)
        return Discovered(list(stateful.get_states(*args, **kwargs)),
                          stateful.get_jaxpr(*args, **kwargs), out_shapes[0])
    except TypeError as err:
        if "not a valid JAX type" not in str(err):
            err.add_note(f"({name} traces the function once, with "
                         f"brainstate.transform.StatefulFunction; that trace failed)")
            raise
        raise TypeError(
            f"{name}(): the function returned something that is not an array or a "
            f"number ({str(err).split(' returned ', 1)[-1].split(', which')[0]}); it must "
            f"return an array, a number, or a pytree of them (a str cannot come out of a "
            f"traced program).") from err
    except Exception as err:
        err.add_note(f"({name} traces the function once, with "
                     f"brainstate.transform.StatefulFunction, to find the States it reads "
                     f"and writes; that trace failed)")
        raise
    finally:
        for state, value in zip(outer.states, outer.original_state_values):
            put_back(state, value)


def put_back(state: Any, value: Any) -> None:
    """``state`` holds ``value`` again (whatever it holds now: a leaked tracer, another
    unit), unless it holds that very object already."""
    if getattr(state, "_value", None) is not value:
        state.value = value


def states_touched(f: Callable[..., Any], args: Sequence[Any],
                   kwargs: dict[str, Any] | None = None, *, name: str = "check") -> list[Any]:
    """Every State that ``f(*args, **kwargs)`` reads or writes, the random key included
    (one trace, :func:`discover`)."""
    return discover(f, args, kwargs, name=name).states


class Snapshot:
    """The values of some States, saved now, to put back later exactly.

    State values are immutable JAX arrays, so putting the saved objects back
    restores them bit for bit (the random key's data included).
    """

    def __init__(self, states: Iterable[Any]) -> None:
        self.states: list[Any] = []
        for state in states:
            if not any(state is s for s in self.states):
                self.states.append(state)
        self.values = [state.value for state in self.states]

    def restore(self) -> None:
        """Every saved State holds its saved value again."""
        for state, value in zip(self.states, self.values):
            put_back(state, value)

    def run(self, f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``f(*args, **kwargs)`` from the saved values, which are put back afterwards."""
        self.restore()
        try:
            return f(*args, **kwargs)
        finally:
            self.restore()
