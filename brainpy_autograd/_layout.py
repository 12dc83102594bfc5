"""The exact layout of a result, so that a compiled call returns what an interpreted one does.

``jax.jit`` rebuilds the pytrees it returns from their ``PyTreeDef``, which
keeps container types but sorts the keys of every ``dict`` and turns every leaf
into a ``jax.Array``. An interpreted call returns what the Python code built:
``var_grads`` dicts in the user's key order, and constants that JAX never
touched (``TypedInt``/``TypedFloat`` literals, Python numbers) as they were.

:class:`ExactLayout` records those details of one result (taken while the
program is traced, so it is the layout of the interpreted call) and gives a
compiled result the same: same key order, same leaf objects for constants.
When the result has neither an out-of-order dict nor a constant leaf,
:meth:`ExactLayout.restore` returns its input unchanged at no cost.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import jax

__all__ = ["ExactLayout"]

_ARRAY = object()  # a leaf that is an array (or a tracer) in the recorded result


def _is_array(x: Any) -> bool:
    return isinstance(x, (jax.Array, jax.core.Tracer))


def _sort_key(keys: Any) -> Any:
    try:
        return sorted(keys)
    except TypeError:  # keys that do not sort: JAX keeps them in insertion order
        return list(keys)


class ExactLayout:
    """The containers and constant leaves of one result (see the module docstring)."""

    __slots__ = ("_spec", "identity")

    def __init__(self, result: Any) -> None:
        changes = [False]
        self._spec = _record(result, changes)
        #: True when jax.jit's output already is the recorded result's layout
        self.identity = not changes[0]

    def restore(self, out: Any) -> Any:
        """``out`` (a compiled call's result) in the recorded layout."""
        if self.identity:
            return out
        return _rebuild(self._spec, out)


# A spec node is one of:
#   _ARRAY                       an array leaf: take the compiled value
#   ("const", value)             a constant leaf: return this very object
#   ("dict", cls, factory, keys, children)   a dict (or defaultdict) in key order
#   ("seq", cls, children)       a list, tuple or namedtuple
#   None                         anything else (JAX rebuilds it exactly): take it as is


def _record(node: Any, changes: list[bool]) -> Any:
    if _is_array(node):
        return _ARRAY
    cls = type(node)
    if cls is dict or cls is defaultdict:
        keys = tuple(node.keys())
        if list(keys) != _sort_key(keys):
            changes[0] = True
        children = tuple(_record(node[k], changes) for k in keys)
        factory = node.default_factory if cls is defaultdict else None
        return ("dict", cls, factory, keys, children)
    if cls is list or cls is tuple or (isinstance(node, tuple) and hasattr(node, "_fields")):
        return ("seq", cls, tuple(_record(v, changes) for v in node))
    if node is None:
        return None
    leaves = jax.tree.leaves(node)
    if len(leaves) == 1 and leaves[0] is node:  # not an array: a constant of the program
        changes[0] = True
        return ("const", node)
    return None  # another pytree node: jax.jit rebuilds it as it was


def _rebuild(spec: Any, out: Any) -> Any:
    if spec is _ARRAY or spec is None:
        return out
    kind = spec[0]
    if kind == "const":
        return spec[1]
    if kind == "dict":
        _, cls, factory, keys, children = spec
        items = [(k, _rebuild(c, out[k])) for k, c in zip(keys, children)]
        return defaultdict(factory, items) if cls is defaultdict else dict(items)
    _, cls, children = spec
    values = [_rebuild(c, v) for c, v in zip(children, out)]
    if cls is list:
        return values
    if cls is tuple:
        return tuple(values)
    return cls(*values)
