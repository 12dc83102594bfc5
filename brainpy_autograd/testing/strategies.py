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

import numbers
from collections.abc import Callable
from typing import Any, Literal

import jax
import numpy as np
from brainstate import State
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ._check_grads import check_grads, differentiated
from ._inputs import is_key, is_quantity, join_unit, split_unit
from ._save import Snapshot
from ._validate import check_args, check_grads_options

__all__ = ["arrays_like", "gradient_property", "state_values"]

#: check_grads' options that gradient_property passes on, with their defaults
_CHECK_OPTIONS: dict[str, Any] = {"argnums": None, "order": 1, "modes": ("rev", "fwd"),
                                  "eps": None, "atol": None, "rtol": None, "seed": 0}


def _check_bounds(fname: str, min_value: Any, max_value: Any, min_magnitude: Any) -> None:
    """The bounds are finite numbers, ``min_value <= max_value``, and some element can be
    drawn at least ``min_magnitude`` from zero."""
    for name, value in (("min_value", min_value), ("max_value", max_value),
                        ("min_magnitude", min_magnitude)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(f"{fname}(): {name} must be a finite number, got "
                            f"{type(value).__name__} {value!r}.")
        if not np.isfinite(float(value)):
            raise ValueError(f"{fname}(): {name} must be finite, got {value!r}: drawn "
                             f"elements are finite.")
    if min_value > max_value:
        raise ValueError(f"{fname}(): min_value {min_value!r} is larger than max_value "
                         f"{max_value!r}.")
    if min_magnitude < 0:
        raise ValueError(f"{fname}(): min_magnitude must be 0 or more, got "
                         f"{min_magnitude!r}.")
    if min_magnitude > 0 and max_value < min_magnitude and min_value > -min_magnitude:
        raise ValueError(f"{fname}(): no element of [{min_value!r}, {max_value!r}] is at "
                         f"least min_magnitude={min_magnitude!r} away from zero.")


def _elements(dtype: np.dtype, draw: np.dtype, min_value: float, max_value: float,
              min_magnitude: float, fname: str, where: str) -> st.SearchStrategy[float]:
    """Elements for a leaf of ``dtype``, drawn in ``draw``'s width, every one in the bounds
    once rounded to ``dtype``.

    Each range's ends are moved inward to the nearest values of ``dtype`` (a value drawn
    between two such values is rounded to one between them, or to one of them): a
    bfloat16 leaf is drawn as float32 and rounded, and without this a draw near
    ``max_value=0.3001`` would round to 0.30078125. A range with no value of ``dtype``
    is dropped; none left is a ``ValueError`` now, not hypothesis' ``InvalidArgument``
    at the first example.
    """
    finfo = jax.numpy.finfo(dtype)
    for name, value in (("min_value", min_value), ("max_value", max_value)):
        if abs(value) > float(finfo.max):
            raise ValueError(f"{fname}(): {name}={value!r} is not representable in "
                             f"{dtype.name} (largest {float(finfo.max):g}), the dtype of "
                             f"{where}.")
    low, high = ("min_value", min_value, min_value), ("max_value", max_value, max_value)
    if min_magnitude == 0:
        ranges = [(low, high)]
    else:  # (option, its value, the end it gives): each side of zero
        below = ("min_magnitude", min_magnitude, -min_magnitude)
        above = ("min_magnitude", min_magnitude, min_magnitude)
        ranges = [(low, high if max_value <= -min_magnitude else below),
                  (low if min_value >= min_magnitude else above, high)]
    width: Literal[16, 32, 64] = 16 if draw == np.float16 else 64 if draw == np.float64 \
        else 32
    parts, empty = [], []
    for (lo_name, lo_option, lo), (hi_name, hi_option, hi) in ranges:
        if lo > hi:
            continue  # this side of zero is outside [min_value, max_value]
        inner_lo, inner_hi = _inward(lo, dtype, 1), _inward(hi, dtype, -1)
        if inner_lo > inner_hi:
            empty.append(f"[{lo!r}, {hi!r}] ({lo_name}={lo_option!r}, "
                         f"{hi_name}={hi_option!r}): the nearest {dtype.name} values are "
                         f"{inner_hi!r} and {inner_lo!r}")
            continue
        parts.append(st.floats(inner_lo, inner_hi, allow_nan=False, allow_infinity=False,
                               width=width))
    if not parts:
        raise ValueError(f"{fname}(): no {dtype.name} value lies in "
                         f"{'; nor in '.join(empty)}; {where} has dtype {dtype.name}. Widen "
                         f"the bounds to hold at least one {dtype.name} value.")
    return parts[0] if len(parts) == 1 else st.one_of(*parts)


def _inward(bound: float, dtype: np.dtype, direction: int) -> float:
    """The value of ``dtype`` nearest ``bound`` on the inside of the range (``direction``
    +1 for a lower bound, -1 for an upper one)."""
    rounded = np.asarray(bound, dtype)
    if (float(rounded) - bound) * direction < 0:
        rounded = np.nextafter(rounded, np.asarray(direction * np.inf, dtype))
    return float(rounded)


def _array(example: Any, min_value: float, max_value: float, min_magnitude: float,
           fname: str, where: str) -> st.SearchStrategy[Any]:
    """Draws like ``example``; an integer, boolean or random-key leaf is kept as it is
    (not drawn). A leaf is drawn in the dtype JAX holds it in: a NumPy float64 example
    gives float32 while x64 is off (as ``jnp.asarray`` would make it)."""
    mantissa, unit = split_unit(example)
    if is_key(mantissa) or not jax.numpy.issubdtype(mantissa.dtype, jax.numpy.floating):
        return st.just(example)  # integer labels, counters, masks, keys: kept fixed
    dtype = jax.numpy.dtype(jax.dtypes.canonicalize_dtype(mantissa.dtype))
    # bfloat16 (not a numpy float): drawn as float32, rounded to bfloat16
    draw_dtype = np.dtype(np.float32) if dtype == jax.numpy.bfloat16 else np.dtype(dtype)
    elements = _elements(dtype, draw_dtype, min_value, max_value, min_magnitude, fname, where)
    return hnp.arrays(draw_dtype, mantissa.shape, elements=elements).map(
        lambda a: join_unit(jax.numpy.asarray(a, dtype=dtype), unit))


def _arrays(example: Any, min_value: float, max_value: float, min_magnitude: float,
            fname: str, root: str) -> st.SearchStrategy[Any]:
    """Trees like ``example``; a rejected bound names ``fname`` (the function the user
    called) and the leaf by its path under ``root``."""
    _check_bounds(fname, min_value, max_value, min_magnitude)
    pairs, tree = jax.tree_util.tree_flatten_with_path(example, is_leaf=is_quantity)
    parts = [_array(leaf, min_value, max_value, min_magnitude, fname,
                    root + jax.tree_util.keystr(path)) for path, leaf in pairs]
    return st.tuples(*parts).map(lambda drawn: jax.tree.unflatten(tree, list(drawn)))


def arrays_like(example: Any, *, min_value: float = -2.0, max_value: float = 2.0,
                min_magnitude: float = 0.0) -> st.SearchStrategy[Any]:
    """Arrays with the shape, dtype and unit of ``example`` (an array or a pytree of them).

    Parameters
    ----------
    example : array, Quantity or pytree of them
        What to imitate; a brainunit Quantity gives Quantities in its unit.
    min_value : float, default -2.0
        The smallest element (in the example's unit).
    max_value : float, default 2.0
        The largest element.
    min_magnitude : float, default 0.0
        Every drawn element is at least this far from zero, to keep draws away
        from a kink at zero (``relu``, ``abs``), where finite differences and
        derivatives disagree although both are right.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Values in the layout of ``example`` (JAX arrays), every element finite
        and in ``[min_value, max_value]`` in its leaf's dtype: the bounds are
        narrowed to the nearest values of that dtype inside them, so rounding
        cannot leave them. A leaf's dtype is the one JAX holds it in: a NumPy
        float64 example (or a Python float) gives float32 while x64 is off.
        Integer, boolean and random-key leaves (labels, counters, masks, keys)
        are not drawn: every value holds the example's. bfloat16 leaves are
        drawn as float32 and rounded.

    Raises
    ------
    TypeError
        A bound is not a number.
    ValueError
        A bound is not finite or not representable in a leaf's dtype,
        ``min_value > max_value``, ``min_magnitude`` leaves nothing to draw, or
        no value of a leaf's dtype lies in the bounds (``min_value=0.3001,
        max_value=0.3001`` for bfloat16): the message names the options, the
        leaf and its dtype, and the nearest values of that dtype.

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
    return _arrays(example, min_value, max_value, min_magnitude, "arrays_like", "example")


def state_values(states: Any, *, min_value: float = -2.0, max_value: float = 2.0,
                 min_magnitude: float = 0.0) -> st.SearchStrategy[Any]:
    """Values for ``states`` (a State or a pytree of States), in their layout.

    Each value has its State's shape, dtype and unit; elements lie in
    ``[min_value, max_value]``, at least ``min_magnitude`` from zero, and are
    finite. A State of integers or booleans (a step counter) or a random key
    keeps its value: it is not drawn. Bounds are checked as for
    :func:`arrays_like`.

    Parameters
    ----------
    states : State or pytree of States
        For example a model's parameters, or the ``grad_vars`` of a transform.
    min_value : float, default -2.0
        The smallest element.
    max_value : float, default 2.0
        The largest element.
    min_magnitude : float, default 0.0
        The smallest distance of an element from zero.

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
    return _state_values(states, min_value, max_value, min_magnitude, "state_values",
                         "states")


def _state_values(states: Any, min_value: float, max_value: float, min_magnitude: float,
                  fname: str, root: str) -> st.SearchStrategy[Any]:
    leaves, tree = jax.tree.flatten(states, is_leaf=lambda x: isinstance(x, State))
    values = jax.tree.unflatten(tree, [leaf.value for leaf in leaves])
    return _arrays(values, min_value, max_value, min_magnitude, fname, root)


def gradient_property(
    f: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    grad_vars: Any = None,
    min_value: float = -2.0,
    max_value: float = 2.0,
    min_magnitude: float = 0.0,
    **check_options: Any,
) -> Callable[[], None]:
    """A ready hypothesis test: ``check_grads`` holds at every drawn point.

    Each example draws arguments like ``args`` and values for the States in
    ``grad_vars``, puts the values in the States, and runs
    :func:`~brainpy_autograd.testing.check_grads`. Every State is put back
    afterwards. Assign the result to a name starting with ``test_`` in a pytest
    file; pass hypothesis ``settings`` by decorating it, with ``deadline=None``:
    the first example traces the transforms (a second or more), far beyond
    hypothesis' default deadline of 200 ms, which it would report as
    ``DeadlineExceeded`` or ``FlakyFailure``.

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
    min_magnitude : float, default 0.0
        Every drawn element is at least this far from zero. A function with a
        kink at zero (``relu``, ``abs``, ``where(x > 0, ...)``) is not
        differentiable there, and hypothesis likes to draw exact zeros: at a
        kink, finite differences average the two one-sided slopes and the
        check fails although the gradient is right. Give a small positive
        ``min_magnitude`` (``1e-2``, larger than ``eps``) for such a function;
        for a kink elsewhere, shift the input in ``f``.
    **check_options
        Passed to ``check_grads`` (``argnums``, ``order``, ``modes``, ``atol``, ...).

    Returns
    -------
    callable
        A test function, already decorated with ``hypothesis.given``.

    Raises
    ------
    TypeError, ValueError
        When it is built: an option that ``check_grads`` would reject (nothing
        to differentiate included), an unknown option, or bounds that
        :func:`arrays_like` rejects.

    Notes
    -----
    Only floating-point arrays are drawn; integer and boolean arguments and
    States (labels, counters, masks) keep the example's value.

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
    unknown = sorted(set(check_options) - set(_CHECK_OPTIONS))
    if unknown:
        raise TypeError(f"gradient_property(): unknown option(s) {', '.join(unknown)}; "
                        f"it passes {', '.join(_CHECK_OPTIONS)} to check_grads.")
    args = check_args("gradient_property", args)
    options = {**_CHECK_OPTIONS, **check_options}
    # raises now, not at each example (the draws keep each leaf's shape and dtype)
    differentiated(grad_vars, check_grads_options(f, args, grad_vars, **options))
    bounds = (min_value, max_value, min_magnitude, "gradient_property")
    drawn_states = st.just(None) if grad_vars is None else _state_values(grad_vars, *bounds,
                                                                        "grad_vars")
    is_state = lambda x: isinstance(x, State)  # noqa: E731
    states = [] if grad_vars is None else jax.tree.leaves(grad_vars, is_leaf=is_state)
    state_tree = None if grad_vars is None else jax.tree.structure(grad_vars, is_leaf=is_state)

    @given(_arrays(args, *bounds, "args"), drawn_states)
    def property_holds(drawn_args: tuple[Any, ...], values: Any) -> None:
        snapshot = Snapshot(states)
        try:
            drawn: list[Any] = [] if state_tree is None else state_tree.flatten_up_to(values)
            for state, value in zip(states, drawn):
                state.value = value
            check_grads(f, drawn_args, grad_vars=grad_vars, **check_options)
        finally:
            snapshot.restore()

    property_holds.__name__ = property_holds.__qualname__ = (
        f"gradient_property({getattr(f, '__name__', 'f')})")
    return property_holds
