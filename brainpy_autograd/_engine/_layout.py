"""The exact layout of a result, so that a replayed or compiled call returns what brainstate does.

A program's outputs come back as a flat list that brainstate's output tree
rebuilds. That tree keeps container types but sorts the keys of every ``dict``,
and a compiled program turns every leaf into a ``jax.Array``. brainstate's own
interpreted call returns what the Python code built: dicts in the user's key
order, constants that JAX never touched (``TypedInt`` literals, Python numbers)
as they were, and an argument that the function returns unchanged as the
caller's own object.

:class:`ExactLayout` records those details of one result while the program is
traced, and gives every later result the same: key order, constant leaves (also
inside ``OrderedDict``, registered dataclasses, ``brainunit.Quantity`` or any
other pytree node) and arguments passed through. When nothing needs restoring,
:meth:`ExactLayout.restore` returns its input unchanged at no cost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import jax

__all__ = ["ExactLayout"]

_ARRAY = object()  # an array computed by the program: take the program's value


def _is_array(x: Any) -> bool:
    return isinstance(x, (jax.Array, jax.core.Tracer))


def _in_sorted_order(keys: tuple[Any, ...]) -> bool:
    try:
        return list(keys) == sorted(keys)
    except TypeError:  # keys that do not sort: JAX keeps them in insertion order
        return True


def _children(node: Any) -> tuple[list[Any], Any]:
    """``node``'s direct children and its one-level tree definition."""
    return jax.tree_util.tree_flatten(node, is_leaf=lambda x: x is not node)


class ExactLayout:
    """The containers, constants and pass-through arguments of one result.

    Parameters
    ----------
    result
        The result as the traced function returned it.
    inputs
        ``{id(tracer): i}``: the traced inputs that the caller's object may stand
        for in the output (position ``i`` of the call's flat inputs).
    """

    __slots__ = ("_spec", "identity")

    def __init__(self, result: Any, inputs: dict[int, int] | None = None) -> None:
        self._spec = _record(result, inputs or {})
        #: True when the rebuilt output already is the recorded result's layout
        self.identity = self._spec is None

    def restore(self, out: Any, inputs: Sequence[Any] = ()) -> Any:
        """``out`` (a replayed or compiled result) in the recorded layout."""
        if self._spec is None:
            return out
        return _rebuild(self._spec, out, inputs)


# A spec node is one of:
#   None                       nothing to change below: take the value as it is
#   _ARRAY                     a computed array leaf (only inside a container spec)
#   ("const", value)           a constant leaf: return this very object
#   ("input", i)               an argument passed through: the call's flat input i
#   ("dict", cls, factory, keys, children)   a dict (or defaultdict) in key order
#   ("node", treedef, children)              any other pytree node, one level


def _record(node: Any, inputs: dict[int, int]) -> Any:
    if _is_array(node):
        i = inputs.get(id(node))
        return None if i is None else ("input", i)
    if node is None:
        return None
    cls = type(node)
    if cls is dict or cls is defaultdict:
        keys = tuple(node.keys())
        children = tuple(_record(node[k], inputs) for k in keys)
        if _in_sorted_order(keys) and all(c is None for c in children):
            return None
        factory = node.default_factory if cls is defaultdict else None
        return ("dict", cls, factory, keys, children)
    kids, treedef = _children(node)
    if len(kids) == 1 and kids[0] is node:  # a leaf that is not an array: a constant
        return ("const", node)
    specs = tuple(_record(k, inputs) for k in kids)
    if all(s is None for s in specs):
        return None
    return ("node", treedef, specs)


def _rebuild(spec: Any, out: Any, inputs: Sequence[Any]) -> Any:
    if spec is None or spec is _ARRAY:
        return out
    kind = spec[0]
    if kind == "const":
        return spec[1]
    if kind == "input":
        return inputs[spec[1]]
    if kind == "dict":
        _, cls, factory, keys, children = spec
        items = [(k, _rebuild(c, out[k], inputs)) for k, c in zip(keys, children)]
        return defaultdict(factory, items) if cls is defaultdict else dict(items)
    _, treedef, children = spec
    kids, _ = _children(out)
    return treedef.unflatten([_rebuild(c, k, inputs) for c, k in zip(children, kids)])
