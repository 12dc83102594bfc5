"""Hypothesis strategies for States and arrays, and a ready gradient property.

This module imports hypothesis (install it with the ``testing`` extra:
``pip install 'brainpy-autograd[testing]'``); :mod:`brainpy_autograd.testing`
itself does not.

- :func:`state_values`: values for a State or a pytree of States (a model's
  ``ParamState``\\ s, a ``grad_vars`` tree), in its layout, with each State's
  shape, dtype and unit, and bounded finite elements;
- :func:`arrays_like`: arrays (or a pytree of them) like an example;
- :func:`gradient_property`: a ready ``@given`` test that
  :func:`~brainpy_autograd.testing.check_grads` holds at every drawn input and
  parameter point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import jax
import numpy as np
from brainstate import State
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ._check_grads import check_grads
from ._inputs import is_quantity, join_unit, split_unit
from ._save import Snapshot

__all__ = ["arrays_like", "gradient_property", "state_values"]


def _array(example: Any, min_value: float, max_value: float) -> st.SearchStrategy[Any]:
    mantissa, unit = split_unit(example)
    dtype = mantissa.dtype
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"strategies: only floating-point arrays can be drawn, got dtype "
                        f"{dtype} (leave integer inputs fixed).")
    width: Literal[16, 32, 64] = 16 if dtype.itemsize == 2 else 32 if dtype.itemsize == 4 else 64
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                         width=width)
    return hnp.arrays(dtype, mantissa.shape, elements=elements).map(
        lambda a: join_unit(jax.numpy.asarray(a), unit))


def arrays_like(example: Any, *, min_value: float = -2.0,
                max_value: float = 2.0) -> st.SearchStrategy[Any]:
    """Arrays with the shape, dtype and unit of ``example`` (an array or a pytree of them).

    Parameters
    ----------
    example : array, Quantity or pytree of them
        What to imitate; a brainunit Quantity gives Quantities in its unit.
    min_value : float, default -2.0
        The smallest element (in the example's unit).
    max_value : float, default 2.0
        The largest element.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Values in the layout of ``example`` (JAX arrays), every element finite.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from hypothesis import given, settings
    >>> from brainpy_autograd.testing.strategies import arrays_like
    >>> @settings(max_examples=5, deadline=None)
    ... @given(arrays_like(jnp.zeros(3, jnp.float32)))
    ... def test_bounded(x):
    ...     assert x.shape == (3,) and x.dtype == jnp.float32 and bool(abs(x).max() <= 2)
    >>> test_bounded()
    """
    leaves, tree = jax.tree.flatten(example, is_leaf=is_quantity)
    parts = [_array(leaf, min_value, max_value) for leaf in leaves]
    return st.tuples(*parts).map(lambda drawn: jax.tree.unflatten(tree, list(drawn)))


def state_values(states: Any, *, min_value: float = -2.0,
                 max_value: float = 2.0) -> st.SearchStrategy[Any]:
    """Values for ``states`` (a State or a pytree of States), in their layout.

    Each value has its State's shape, dtype and unit; elements lie in
    ``[min_value, max_value]`` and are finite.

    Parameters
    ----------
    states : State or pytree of States
        For example a model's parameters, or the ``grad_vars`` of a transform.
    min_value : float, default -2.0
        The smallest element.
    max_value : float, default 2.0
        The largest element.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Trees like ``states`` with a value in place of each State.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainstate
    >>> from hypothesis import given, settings
    >>> from brainpy_autograd.testing.strategies import state_values
    >>> params = {"w": brainstate.ParamState(jnp.ones((2, 3), jnp.float32))}
    >>> @settings(max_examples=5, deadline=None)
    ... @given(state_values(params))
    ... def test_shapes(values):
    ...     assert values["w"].shape == (2, 3)
    >>> test_shapes()
    """
    leaves, tree = jax.tree.flatten(states, is_leaf=lambda x: isinstance(x, State))
    for leaf in leaves:
        if not isinstance(leaf, State):
            raise TypeError(f"state_values(): every leaf of states must be a brainstate "
                            f"State, got {type(leaf).__name__}.")
    values = jax.tree.unflatten(tree, [leaf.value for leaf in leaves])
    return arrays_like(values, min_value=min_value, max_value=max_value)


def gradient_property(
    f: Callable[..., Any],
    args: Sequence[Any],
    *,
    grad_vars: Any = None,
    min_value: float = -2.0,
    max_value: float = 2.0,
    **check_options: Any,
) -> Callable[[], None]:
    """A ready hypothesis test: ``check_grads`` holds at every drawn point.

    Each example draws arguments like ``args`` and values for the States in
    ``grad_vars``, puts the values in the States, and runs
    :func:`~brainpy_autograd.testing.check_grads`. Every State is put back
    afterwards. Assign the result to a name starting with ``test_`` in a pytest
    file; pass hypothesis ``settings`` by decorating it.

    Parameters
    ----------
    f : callable
        The function to check, as for ``check_grads``.
    args : tuple
        Example arguments: the drawn ones have their shapes, dtypes and units.
    grad_vars : State or pytree of States, optional
        The States to differentiate (and draw values for).
    min_value : float, default -2.0
        The smallest drawn element.
    max_value : float, default 2.0
        The largest drawn element.
    **check_options
        Passed to ``check_grads`` (``argnums``, ``order``, ``modes``, ``atol``, ...).

    Returns
    -------
    callable
        A test function, already decorated with ``hypothesis.given``.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainstate
    >>> from hypothesis import settings
    >>> from brainpy_autograd.testing.strategies import gradient_property
    >>> w = brainstate.ParamState(jnp.array([0.5, -1.0], jnp.float32))
    >>> def loss(x):
    ...     return jnp.sum(jnp.tanh(w.value * x) ** 2)
    >>> test_loss = settings(max_examples=3, deadline=None)(
    ...     gradient_property(loss, (jnp.ones(2, jnp.float32),), grad_vars={"w": w}, argnums=0))
    >>> test_loss()
    """
    args = tuple(args)
    drawn_states = st.just(None) if grad_vars is None else state_values(
        grad_vars, min_value=min_value, max_value=max_value)
    states = [] if grad_vars is None else jax.tree.leaves(
        grad_vars, is_leaf=lambda x: isinstance(x, State))

    @given(arrays_like(args, min_value=min_value, max_value=max_value), drawn_states)
    def property_holds(drawn_args: tuple[Any, ...], values: Any) -> None:
        snapshot = Snapshot(states)
        try:
            for state, value in zip(states, jax.tree.leaves(values, is_leaf=is_quantity)):
                state.value = value
            check_grads(f, drawn_args, grad_vars=grad_vars, **check_options)
        finally:
            snapshot.restore()

    property_holds.__name__ = property_holds.__qualname__ = (
        f"gradient_property({getattr(f, '__name__', 'f')})")
    return property_holds
