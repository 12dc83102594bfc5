"""What makes two calls "the same call": one definition, taken from JAX.

A program traced for one call is replayed or run compiled for a later call only
when everything JAX decides from stays the same. That is what ``jax.jit`` keys
its own cache on:

- the tree structure of the inputs (container types, dict keys, and the unit of
  every ``brainunit.Quantity``, which is part of its pytree node);
- each leaf's abstract value as JAX gives it (``jax.api_util.shaped_abstractify``:
  shape, dtype and weak type, so a Python ``0`` written into an int32 State, or
  a NumPy array, differs from a strongly typed ``jax.Array``);
- each ``jax.Array``'s placement: its sharding and whether it is committed;
- JAX's trace context (:func:`.._internals.trace_context`: 64-bit mode, the
  default device, the mesh and the other settings that change what tracing
  produces).

Nothing here is this package's own idea of sameness: the parts are JAX's, taken
whole. The same function keys the call's arguments and, separately, the values
of the States its program reads (which are only known once it is traced); a
difference in either traces the program again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
from jax.api_util import shaped_abstractify

from .._internals import trace_context

__all__ = ["leaves_key", "arguments_key", "states_key", "committed", "placement"]


def placement(leaf: Any) -> Any:
    """Where a leaf lives: ``(sharding, committed)`` of a ``jax.Array``, else None
    (NumPy arrays and Python numbers: uncommitted, on the default device)."""
    if isinstance(leaf, jax.Array):
        return leaf.sharding, leaf.committed
    return None


def _part(x: Any) -> Any:
    if isinstance(x, jax.Array):  # the array's own aval: what shaped_abstractify returns
        return x.aval, x.sharding, x.committed  # for it, 25x cheaper (on every call)
    return shaped_abstractify(x), None


def leaves_key(tree: Any) -> tuple[Any, list[Any]] | tuple[None, list[Any]]:
    """``(key, leaves)`` of a pytree; the key is ``None`` when a leaf has no abstract
    value (a string, an arbitrary object: brainstate interprets such a call)."""
    leaves, treedef = jax.tree.flatten(tree)
    try:
        parts = tuple([_part(x) for x in leaves])
    except TypeError:
        return None, leaves
    return (treedef, parts), leaves


def arguments_key(resolved: Any, args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> tuple[Any, list[Any]]:
    """The key of a call's arguments, and their flat leaves.

    ``resolved`` (the call's ``argnums``) and JAX's trace context are part of it.
    """
    key, leaves = leaves_key((args, kwargs))
    if key is None:
        return None, leaves
    return (resolved, trace_context(), key), leaves


def states_key(values: Sequence[Any]) -> Any:
    """The key of the States' current values (the States a program reads)."""
    return leaves_key(list(values))[0]


def committed(leaves: Sequence[Any]) -> bool:
    """Whether any leaf is a ``jax.Array`` committed to a device or a sharding.

    A compiled program puts every output where its committed inputs are; an
    interpreted call puts an output there only when it derives from such an
    input. Such a call is compiled only when the executable's output shardings
    are those a replay gave (see ``docs/speed.md``).
    """
    return any(isinstance(x, jax.Array) and x.committed for x in leaves)
