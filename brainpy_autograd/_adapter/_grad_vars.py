"""The ``grad_vars`` argument: flattening and rebuilding.

``grad_vars`` may be one State or any nesting of lists, tuples and dicts
(dict subclasses included) whose leaves are States.  It is flattened once, when
the transform is created, into a tuple of States that brainstate receives, and
a :class:`VarStructure` that rebuilds the user's layout around the gradients.

brainstate's own flattening goes through the JAX pytree registry, which breaks
on BrainPy containers (``bm.VarList`` rebuilds itself only from Variables, and
``bm.Variable`` is itself a pytree node); walking the containers here keeps the
rules simple and the same for every container type:

- lists (``bm.VarList`` included) come back as ``list``;
- tuples come back as ``tuple``; namedtuples keep their class;
- dicts (``bm.VarDict``, BrainPy's collectors, brainstate's ``FlattedDict``
  included) come back as ``dict`` with the same keys in the same order.

A leaf that is not a State raises the error :func:`._check_create.not_a_state` words.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from brainstate import State

from .._types import is_state
from ._check_create import not_a_state

__all__ = ["VarStructure", "flatten_grad_vars"]

_LEAF, _LIST, _TUPLE, _NAMEDTUPLE, _DICT = "leaf", "list", "tuple", "namedtuple", "dict"


@dataclass(frozen=True, slots=True)
class VarStructure:
    """How to rebuild the user's ``grad_vars`` layout from a flat sequence."""

    kind: str
    children: tuple[VarStructure, ...] = ()
    keys: tuple[Any, ...] = ()
    cls: type | None = None
    num_leaves: int = 1

    def rebuild(self, leaves: Sequence[Any]) -> Any:
        """Place ``leaves`` (one per State, in flattening order) into the layout."""
        if len(leaves) != self.num_leaves:  # pragma: no cover - internal invariant
            raise RuntimeError(
                f"brainpy_autograd internal error: {len(leaves)} gradients for "
                f"{self.num_leaves} grad_vars leaves"
            )
        return self._build(iter(leaves))

    def leaves(self, value: Any) -> list[Any]:
        """The inverse of :meth:`rebuild`: the leaves of ``value``, laid out as ours."""
        if self.kind == _LEAF:
            return [value]
        items = (value[k] for k in self.keys) if self.kind == _DICT else iter(value)
        return [leaf for child, item in zip(self.children, items) for leaf in child.leaves(item)]

    def _build(self, it: Iterator[Any]) -> Any:
        if self.kind == _LEAF:
            return next(it)
        values = [child._build(it) for child in self.children]
        if self.kind == _LIST:
            return values
        if self.kind == _TUPLE:
            return tuple(values)
        if self.kind == _NAMEDTUPLE:
            assert self.cls is not None
            return self.cls(*values)
        return dict(zip(self.keys, values))


def flatten_grad_vars(
    fname: str, grad_vars: Any,
) -> tuple[tuple[State, ...], VarStructure, tuple[str, ...]]:
    """Validate ``fname``'s ``grad_vars`` and split it into its States, layout and paths.

    The paths (``"grad_vars['w']"``, ...) name each State in error messages.

    Raises
    ------
    TypeError
        If a leaf is not a State, naming its position inside ``grad_vars``
        and its type, or if a container holds itself.
    """
    leaves: list[tuple[State, str]] = []
    structure = _flatten(fname, grad_vars, "grad_vars", leaves, set())
    return tuple(s for s, _ in leaves), structure, tuple(p for _, p in leaves)


_Leaves = list[tuple[State, str]]


def _flatten(fname: str, node: Any, path: str, leaves: _Leaves,
             active: set[int]) -> VarStructure:
    if is_state(node):
        leaves.append((node, path))
        return VarStructure(_LEAF)
    if isinstance(node, (list, tuple, dict)):
        if id(node) in active:
            raise not_a_state(fname, node, path, cycle=True)
        active.add(id(node))
        try:
            return _flatten_container(fname, node, path, leaves, active)
        finally:
            active.discard(id(node))
    raise not_a_state(fname, node, path)


def _flatten_container(
    fname: str,
    node: list[Any] | tuple[Any, ...] | dict[Any, Any],
    path: str,
    leaves: _Leaves,
    active: set[int],
) -> VarStructure:
    start = len(leaves)
    if isinstance(node, dict):
        keys = tuple(node.keys())
        children = tuple(_flatten(fname, node[k], f"{path}[{k!r}]", leaves, active)
                         for k in keys)
        return VarStructure(_DICT, children, keys=keys, num_leaves=len(leaves) - start)
    children = tuple(_flatten(fname, v, f"{path}[{i}]", leaves, active)
                     for i, v in enumerate(node))
    if isinstance(node, list):
        kind, cls = _LIST, None
    elif hasattr(node, "_fields"):  # a namedtuple keeps its class
        kind, cls = _NAMEDTUPLE, type(node)
    else:
        kind, cls = _TUPLE, None
    return VarStructure(kind, children, cls=cls, num_leaves=len(leaves) - start)
