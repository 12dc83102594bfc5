"""The transforms of one function, kept from one ``check_grads`` call to the next.

A transform of this package traces its program at its first call (JAX's
differentiation, run in Python: most of a check's cost) and replays it at the
later ones. A new transform per check would trace again at every check of the
same function (a hypothesis property checks it at every drawn point; the
benchmark, at every round). So the transforms a check made are kept, for the
last few functions checked, and used again by a later check of the same
function, with the same ``grad_vars``, ``argnums`` and units, **only if that
function still computes the same thing**: the check traces it anyway to find its
States (:func:`._save.discover`), and the transforms are kept only while that
trace gives the same program: the same equations, parameters, shapes and dtypes,
the same constants (a captured array is compared by identity, a NumPy one by its
bits), the same States and the same output tree. A program with a Python
callable among its parameters (a ``custom_jvp``/``custom_vjp`` rule, a host
callback) is never kept: a changed rule would not show in the program, so every
check of it makes new transforms, as before. A transform is also made again when
the module attribute it is read from changed (a test that plants a wrong one).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np
from brainstate import State
from jax.extend.core import ClosedJaxpr, Jaxpr, Literal

from ._save import Discovered

__all__ = ["Kept", "kept_for", "fingerprint"]

#: How many functions' transforms are kept (the least recently checked goes first).
KEEP = 4


#: Callable parameter values that are plain data, compared by value (a device mesh is
#: a context decorator). Any other callable (a rule, a callback) keeps nothing.
_PLAIN_CALLABLES: tuple[type, ...] = (type, np.dtype, *(
    t for t in (getattr(jax.sharding, "Mesh", None), getattr(jax.sharding, "AbstractMesh", None))
    if isinstance(t, type)))


class _Unkept(Exception):
    """The program has a parameter that could change without the program showing it."""


def _param(value: Any) -> Any:
    if isinstance(value, ClosedJaxpr):
        return ("closed", _program(value.jaxpr), tuple(id(c) for c in value.consts))
    if isinstance(value, Jaxpr):
        return ("jaxpr", _program(value))
    if type(value).__name__ == "PRNGImpl" and type(value).__module__.startswith("jax."):
        return value  # a random number generator of JAX's (threefry...): compared by identity
    if isinstance(value, (tuple, list)):
        return tuple(_param(v) for v in value)
    if isinstance(value, (np.ndarray, jax.Array)) or (
            callable(value) and not isinstance(value, _PLAIN_CALLABLES)):
        raise _Unkept
    return value


def _program(jaxpr: Any) -> tuple[Any, ...]:
    """The program's structure, as values that compare equal for the same program."""
    names: dict[Any, int] = {}
    for v in (*jaxpr.constvars, *jaxpr.invars):
        names[v] = len(names)

    def ref(v: Any) -> Any:
        if isinstance(v, Literal):
            return ("literal", type(v.val).__name__, repr(v.val), v.aval)
        return names[v]

    out: list[Any] = [tuple(v.aval for v in (*jaxpr.constvars, *jaxpr.invars))]
    for eqn in jaxpr.eqns:
        ins = tuple(ref(v) for v in eqn.invars)
        for v in eqn.outvars:
            names[v] = len(names)
        if "custom" in eqn.primitive.name or "callback" in eqn.primitive.name:
            raise _Unkept  # a rule or a host function of the user's: never compared
        params = tuple((k, _param(p)) for k, p in sorted(eqn.params.items()))
        out.append((eqn.primitive.name, ins, tuple(v.aval for v in eqn.outvars), params))
    out.append(tuple(ref(v) for v in jaxpr.outvars))
    return tuple(out)


@dataclass
class _Print:
    """A traced function, as far as the transforms built on it depend on it."""

    program: tuple[Any, ...]
    consts: list[Any]  # jax.Arrays (immutable) as they are, other constants copied
    states: tuple[int, ...]
    out_tree: Any

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, _Print) and self.states == other.states
                and self.out_tree == other.out_tree and self.program == other.program
                and len(self.consts) == len(other.consts)
                and all(_same_const(a, b) for a, b in zip(self.consts, other.consts)))


def _same_const(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, jax.Array) or isinstance(b, jax.Array):
        return False  # another array object: compare no values (it may be large)
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def fingerprint(found: Discovered) -> _Print | None:
    """What must be the same for kept transforms to be used again; None: never keep."""
    try:
        program = _program(found.jaxpr.jaxpr)
    except _Unkept:
        return None
    consts = [c if isinstance(c, jax.Array) else np.array(c, copy=True)
              for c in found.jaxpr.consts]
    return _Print(program, consts, tuple(id(s) for s in found.states),
                  jax.tree.structure(found.out_shapes))


@dataclass
class Kept:
    """The transforms made for one function: ``name -> (factory, transform)``.

    ``along`` is the forward-mode check's function along a direction (see
    :meth:`._derivs.Call.jvp_along`), made once so that its transform is kept too;
    ``inputs`` is the current check's inputs, which it reads when it is traced.
    """

    made: dict[str, tuple[Callable[..., Any], Any]] = field(default_factory=dict)
    along: Callable[..., Any] | None = None
    inputs: Any = None


_KEPT: OrderedDict[Any, tuple[_Print, Kept]] = OrderedDict()
_LOCK = threading.Lock()


def kept_for(f: Callable[..., Any], grad_vars: Any, argnums: Any, unit_aware: bool,
             args: tuple[Any, ...], found: Discovered) -> Kept:
    """The kept transforms of ``f`` if it computes what it computed when they were made;
    otherwise new, empty ones (kept from now on, unless the program has a callable)."""
    def is_state(x: Any) -> bool:
        return isinstance(x, State)

    var_ids = tuple(id(s) for s in jax.tree.leaves(grad_vars, is_leaf=is_state))
    if not isinstance(argnums, (int, type(None))):
        argnums = tuple(argnums)
    key = (f, jax.tree.structure(grad_vars, is_leaf=is_state), var_ids, argnums, unit_aware,
           jax.tree.structure(args))
    now = fingerprint(found)
    with _LOCK:
        try:
            held = _KEPT.get(key)
        except Exception:  # noqa: BLE001 - an unhashable function (or odd __eq__): keep nothing
            return Kept()
        if held is not None and now is not None and held[0] == now:
            _KEPT.move_to_end(key)
            return held[1]
        _KEPT.pop(key, None)
        kept = Kept()
        if now is not None:
            _KEPT[key] = (now, kept)
            while len(_KEPT) > KEEP:
                _KEPT.popitem(last=False)
        return kept
