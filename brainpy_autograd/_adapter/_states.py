"""Keeping ``State`` objects out of the function boundary that brainstate sees.

brainstate's transforms refuse States as arguments or return values. BrainPy
code passes them both ways (a ``bm.Variable`` is a State), so:

- :func:`strip_states` replaces every State in the call's arguments by its
  current value before the call (a State in an ``argnums`` position is then
  differentiated through its value);
- :class:`StateFreeFunction` wraps the user's function so that States in its
  output are replaced by their values, array wrappers such as BrainPy's
  ``bm.Array`` in the differentiated output by plain arrays (JAX refuses to
  differentiate an output it would have to convert implicitly; aux data keeps
  its types), and runs the trace-time checks (dtypes of the differentiated
  inputs, shape of the output) that must happen before JAX differentiates
  anything.

States the function reads or writes through closures or ``self`` are untouched
by all this: brainstate discovers them while tracing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from brainstate import State

from .._types import PYTHON_NUMBERS, is_state

__all__ = ["strip_states", "value_of_states", "plain_arrays", "StateFreeFunction"]

# Types that are never containers of States: checked first so that the common
# call (a few arrays and scalars) costs one isinstance test per argument.
_PLAIN_LEAVES: tuple[type, ...] = (jax.Array, np.ndarray, np.generic, *PYTHON_NUMBERS)

def _value_if_state(x: Any) -> Any:
    return x.value if isinstance(x, State) else x


def value_of_states(tree: Any) -> Any:
    """``tree`` with every State replaced by its value (any pytree)."""
    if isinstance(tree, State):
        return tree.value
    if isinstance(tree, _PLAIN_LEAVES):
        return tree
    return jax.tree.map(_value_if_state, tree, is_leaf=is_state)


def _is_array_wrapper(x: Any) -> bool:
    """An object that converts itself to an array (``bm.Array``), not an array itself."""
    return hasattr(x, "__jax_array__") and not isinstance(x, jax.Array)


def plain_arrays(tree: Any) -> Any:
    """``tree`` with array wrappers (``bm.Array``) converted to JAX arrays."""
    if isinstance(tree, jax.Array):
        return tree
    return jax.tree.map(lambda x: jnp.asarray(x) if _is_array_wrapper(x) else x, tree,
                        is_leaf=_is_array_wrapper)


def strip_states(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Replace the States in a call's arguments by their values.

    Returns the inputs unchanged (the same objects) when they hold no State.
    """
    new_args = args
    for i, a in enumerate(args):
        if isinstance(a, _PLAIN_LEAVES):
            continue
        v = value_of_states(a)
        if v is not a:
            if new_args is args:
                new_args = list(args)  # type: ignore[assignment]
            new_args[i] = v  # type: ignore[index]
    if new_args is not args:
        new_args = tuple(new_args)
    if kwargs:
        kwargs = {k: value_of_states(v) for k, v in kwargs.items()}
    return new_args, kwargs


class StateFreeFunction:
    """The user's function as brainstate traces it.

    Parameters
    ----------
    func
        The user's callable.
    before
        Called with the positional arguments at trace time, before ``func``
        (dtype checks of the differentiated inputs).
    after
        Called with the State-free output at trace time (output checks).
    has_aux
        Whether the output is ``(output, aux)``: only ``output`` is converted
        to plain arrays.
    """

    __slots__ = ("func", "before", "after", "has_aux", "__name__", "__qualname__",
                 "__wrapped__")

    def __init__(
        self,
        func: Callable[..., Any],
        before: Callable[[tuple[Any, ...]], None] | None = None,
        after: Callable[[Any], None] | None = None,
        has_aux: bool = False,
    ) -> None:
        self.func = func
        self.before = before
        self.after = after
        self.has_aux = has_aux
        # Only the names: functools.update_wrapper would also copy the
        # instance __dict__ of a callable object (a model and its States).
        self.__name__ = getattr(func, "__name__", type(func).__name__)
        self.__qualname__ = getattr(func, "__qualname__", self.__name__)
        self.__wrapped__ = func

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.before is not None:
            self.before(args)
        out = value_of_states(self.func(*args, **kwargs))
        if self.after is not None:
            self.after(out)
        if self.has_aux:
            return plain_arrays(out[0]), out[1]
        return plain_arrays(out)

    def __repr__(self) -> str:
        return f"StateFreeFunction({self.func!r})"
