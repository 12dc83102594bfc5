"""Static facts about a traced program, read from its jaxpr (no timing, no running).

The schedule (:mod:`._schedule`) decides from these alone, so that the path a
call takes depends only on the program and the sequence of calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Facts", "facts_of", "runs_callback", "CALLBACK_PRIMITIVES", "LOOP_PRIMITIVES",
           "PLACING_PRIMITIVES"]

#: Primitives that run Python on the host while the program runs. A program that
#: holds one is never compiled: compiled, such a callback may run on another thread,
#: in another order, and its exception comes back as a ``JaxRuntimeError``.
CALLBACK_PRIMITIVES = frozenset(
    {"debug_callback", "debug_print", "pure_callback", "io_callback", "callback"})
#: Primitives that choose where their result lives.
PLACING_PRIMITIVES = frozenset(
    {"device_put", "sharding_constraint", "mesh_cast", "reshard", "shard_map", "xla_pmap"})
#: Primitives whose body XLA compiles as a loop (costlier per equation).
LOOP_PRIMITIVES = frozenset({"scan", "while"})


@dataclass(frozen=True)
class Facts:
    """What the schedule knows about one traced program."""

    #: equations, those nested in loops, conditionals and inner jits included
    equations: int
    #: equations at the top level: each is one dispatch when the program is replayed
    top_level: int
    #: loop equations (``scan``, ``while``), nested ones included
    loops: int
    #: whether a host callback (``jax.debug.print``, ``pure_callback``...) is in it
    callbacks: bool
    #: whether an equation places its result (``device_put`` to a device, a sharding
    #: constraint...): compiled, it may land elsewhere, so a replay is watched first
    places: bool = False


def _sub_jaxprs(params: dict[str, Any]) -> Iterator[Any]:
    for value in params.values():
        for item in value if isinstance(value, (tuple, list)) else (value,):
            inner = getattr(item, "jaxpr", item)  # a ClosedJaxpr holds its Jaxpr
            if hasattr(inner, "eqns"):
                yield inner


def runs_callback(eqn: Any) -> bool:
    """Whether evaluating the equation may run a host callback (in it, or nested)."""
    stack = [eqn]
    while stack:
        current = stack.pop()
        if current.primitive.name in CALLBACK_PRIMITIVES:
            return True
        for inner in _sub_jaxprs(current.params):
            stack.extend(inner.eqns)
    return False


def facts_of(closed_jaxpr: Any) -> Facts:
    """The :class:`Facts` of a (closed) jaxpr."""
    jaxpr = getattr(closed_jaxpr, "jaxpr", closed_jaxpr)
    equations = loops = 0
    callbacks = places = False
    stack = [jaxpr]
    while stack:
        for eqn in stack.pop().eqns:
            equations += 1
            name = eqn.primitive.name
            loops += name in LOOP_PRIMITIVES
            callbacks = callbacks or name in CALLBACK_PRIMITIVES
            places = places or name in PLACING_PRIMITIVES
            stack.extend(_sub_jaxprs(eqn.params))
    return Facts(equations=equations, top_level=len(jaxpr.eqns), loops=loops,
                 callbacks=callbacks, places=places)
