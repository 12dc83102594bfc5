"""Replaying a program with host callbacks, with the call lock released around them.

A host callback (``jax.debug.callback``, ``jax.pure_callback``, ``io_callback``)
runs the user's Python in the middle of a call, and that Python may hand work to
another thread that calls a transform and wait for it. Holding the call lock
there would make that wait endless. So a program that holds a callback is never
compiled (:mod:`._schedule`), and its replay is cut into *segments*: runs of
equations without callbacks, and each top-level equation that runs one (the
callback itself, or a loop, conditional or inner jit that holds one). Every
segment is evaluated by JAX's own ``eval_jaxpr``, as the whole program is when
it has no callback; the segments that run a callback are evaluated with the
lock released (:func:`._serial.released`).

Cutting a jaxpr needs no analysis of what the equations do: a segment's inputs
are the variables its equations read that an earlier segment (or the program's
inputs) defined, its outputs those that a later segment or the program's
outputs read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
from jax.extend.core import Jaxpr, Literal

from ._facts import runs_callback
from ._serial import released

__all__ = ["Segments"]


def _groups(eqns: Sequence[Any]) -> list[tuple[list[Any], bool]]:
    """The equations in order, grouped: (equations, whether they run a callback)."""
    groups: list[tuple[list[Any], bool]] = []
    for eqn in eqns:
        callback = runs_callback(eqn)
        if callback or not groups or groups[-1][1]:
            groups.append(([eqn], callback))
        else:
            groups[-1][0].append(eqn)
    return groups


def _debug_info(jaxpr: Any, ins: Any, outs: Any) -> Any:
    """The program's debug info (its function's name and source), sized for a segment."""
    try:
        return jaxpr.debug_info._replace(arg_names=("",) * len(ins),
                                         result_paths=("",) * len(outs))
    except (AttributeError, TypeError, ValueError):
        return None


class Segments:
    """A jaxpr cut around its callback equations; :meth:`eval` is ``eval_jaxpr``'s twin."""

    __slots__ = ("_jaxpr", "_parts")

    def __init__(self, jaxpr: Any) -> None:
        self._jaxpr = jaxpr
        needed = {v for v in jaxpr.outvars if not isinstance(v, Literal)}
        parts: list[tuple[Any, list[Any], list[Any], bool]] = []
        for eqns, callback in reversed(_groups(jaxpr.eqns)):
            defined = {v for eqn in eqns for v in eqn.outvars}
            outs = [v for eqn in eqns for v in eqn.outvars if v in needed]
            ins: dict[Any, None] = {}  # in first-read order, once each
            for eqn in eqns:
                for v in eqn.invars:
                    if not isinstance(v, Literal) and v not in defined:
                        ins[v] = None
            needed = (needed - defined) | set(ins)
            part = Jaxpr([], list(ins), outs, eqns, debug_info=_debug_info(jaxpr, ins, outs))
            parts.append((part, list(ins), outs, callback))
        parts.reverse()
        self._parts = parts

    def eval(self, consts: Sequence[Any], args: Sequence[Any]) -> list[Any]:
        """The program's outputs for these inputs, the lock released around callbacks."""
        jaxpr = self._jaxpr
        env: dict[Any, Any] = dict(zip(jaxpr.constvars, consts))
        env.update(zip(jaxpr.invars, args))
        for part, ins, outs, callback in self._parts:
            values = [env[v] for v in ins]
            if callback:
                with released():
                    results = jax.core.eval_jaxpr(part, [], *values)
            else:
                results = jax.core.eval_jaxpr(part, [], *values)
            env.update(zip(outs, results))
        return [v.val if isinstance(v, Literal) else env[v] for v in jaxpr.outvars]
