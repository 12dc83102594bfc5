"""The public transforms: ``grad``, ``vector_grad``, ``jacrev``, ``jacfwd``, ``hessian``.

Each function validates its options, handles the BrainPy 2.x legacy forms
(:mod:`brainpy_autograd._legacy`) and returns an :class:`AutogradFunction`.
The return layout is the table in the package documentation
(``help(brainpy_autograd)``), the same for every transform.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from brainstate import State

from ._grad_vars import flatten_grad_vars
from ._internals import check_state_grad_formatter
from ._legacy import check_legacy_keywords, public_entry
from ._transform import SPECS, AutogradFunction, Options
from ._validate import check_callable, check_debug_nan, check_flag, normalize_argnums

__all__ = ["grad", "vector_grad", "functional_vector_grad", "jacrev", "jacobian", "jacfwd",
           "hessian", "GradVars", "TRANSFORMS", "ALIASES"]

#: One State, or lists, tuples and dicts (nested as you like) of States.
GradVars = State | Sequence[Any] | Mapping[Any, Any]


def _create(
    name: str,
    func: Any,
    grad_vars: Any,
    argnums: Any,
    *,
    has_aux: Any,
    return_value: Any,
    holomorphic: Any = False,
    allow_int: Any = False,
    compiled: Any = None,
    unit_aware: Any = False,
    debug_nan: Any = False,
    dyn_vars: Any = None,
    child_objs: Any = None,
    reduce_axes: Any = None,
) -> AutogradFunction:
    """Validate the options of transform ``name`` and build it (or its decorator)."""
    if func is not None:
        check_callable(name, func)
    flags = {
        "has_aux": check_flag(name, "has_aux", has_aux, allow_none=True),
        "return_value": check_flag(name, "return_value", return_value),
        "holomorphic": check_flag(name, "holomorphic", holomorphic),
        "allow_int": check_flag(name, "allow_int", allow_int),
        "unit_aware": check_flag(name, "unit_aware", unit_aware),
    }
    if compiled is not None:
        check_flag(name, "compiled", compiled)
        compiled = bool(compiled)
    if check_flag(name, "debug_nan", debug_nan):
        check_debug_nan(name, compiled)
        compiled = False  # brainstate's NaN report runs on the interpreted path
    flags["debug_nan"] = bool(debug_nan)
    normalized = normalize_argnums(name, argnums)
    if grad_vars is not None:
        states, structure, paths = flatten_grad_vars(grad_vars)
        if states:
            check_state_grad_formatter(name)
    else:
        states, structure, paths = (), None, ()
        if normalized is None:
            normalized = 0
    check_legacy_keywords(name, dyn_vars=dyn_vars, child_objs=child_objs, reduce_axes=reduce_axes)
    shown = [f"grad_vars=<{len(states)} State{'s' if len(states) != 1 else ''}>"] if (
        grad_vars is not None) else []
    if argnums is not None:
        shown.append(f"argnums={argnums!r}")
    shown += [f"{k}=True" for k, v in flags.items() if v]
    if compiled is not None:
        shown.append(f"compiled={compiled}")
    options = Options(
        has_vars=grad_vars is not None,
        states=states,
        structure=structure,
        paths=paths,
        argnums=normalized,
        argnums_shown=repr(argnums if argnums is not None else normalized),
        compiled=compiled,
        shown=", ".join(shown),
        **flags,
    )
    return AutogradFunction(SPECS[name], options, func)


@public_entry("grad")
def grad(
    func: Callable[..., Any] | None = None,
    grad_vars: GradVars | None = None,
    argnums: int | Sequence[int] | None = None,
    holomorphic: bool = False,
    allow_int: bool = False,
    has_aux: bool | None = None,
    return_value: bool = False,
    *,
    compiled: bool | None = None,
    unit_aware: bool = False,
    debug_nan: bool = False,
    dyn_vars: Any = None,
    child_objs: Any = None,
    reduce_axes: Any = None,
) -> AutogradFunction:
    """Gradient of a scalar-valued function with respect to States and arguments.

    Parameters
    ----------
    func : callable, optional
        The function to differentiate: a function, a lambda, a callable object, or
        a bound method of an object holding States (a BrainPy model or a
        ``brainstate.nn.Module``). It must return a scalar (shape ``()``), or a
        pair ``(scalar, aux_data)`` with ``has_aux=True``. Leave it out to get a
        decorator: ``@grad(argnums=1)``.
    grad_vars : State, or list/tuple/dict of States, optional
        States to differentiate with respect to. Any nesting of lists, tuples
        and dicts; the gradients come back in the same layout. States the
        function reads or writes are found automatically; a ``grad_vars`` State
        the function never reads gets a zero gradient.
    argnums : int or sequence of int, optional
        Positional arguments to differentiate with respect to. An int gives one
        gradient, a sequence a tuple of gradients; negative positions count
        from the end. Defaults to ``0`` without ``grad_vars`` and to none with it.
    holomorphic : bool, default False
        Whether ``func`` is holomorphic (complex inputs and outputs), as in JAX.
    allow_int : bool, default False
        Allow integer inputs, whose gradient is a ``float0`` array, as in JAX.
    has_aux : bool, optional
        Whether ``func`` returns ``(output, aux_data)``.
    return_value : bool, default False
        Also return the function's value.
    compiled : bool, optional
        Evaluate repeated un-jitted calls as compiled programs (the default, see
        :func:`brainpy_autograd.set_compiled_calls`); ``False`` always
        interprets.
    unit_aware : bool, default False
        Differentiate functions of ``brainunit.Quantity`` values (arguments, and
        States holding quantities) with brainunit's autograd, so that each
        gradient carries the unit ``unit(output) / unit(input)``. A unit
        mismatch inside the function raises brainunit's own error.
    debug_nan : bool, default False
        brainstate's NaN hunting: the gradient is evaluated equation by equation
        and the first primitive that produced a NaN is reported in an error.
        Such a transform always runs interpreted. Needs a brainstate whose
        ``GradientTransform`` takes ``debug_nan`` (0.5.4 and 0.6 do). For NaNs
        anywhere in JAX, see also ``jax.config.update("jax_debug_nans", True)``.
    dyn_vars, child_objs, reduce_axes
        BrainPy 2.x keywords, accepted with a :class:`LegacyArgumentWarning` and
        ignored (a non-empty ``reduce_axes`` raises ``ValueError``).

    Returns
    -------
    AutogradFunction
        Takes the arguments of ``func`` and returns the gradients, laid out by
        the return table in ``help(brainpy_autograd)``: ``arg_grads``,
        ``var_grads`` or ``(var_grads, arg_grads)``, followed by the value and
        the aux data when asked for.

    Raises
    ------
    TypeError
        ``func`` not callable, a ``grad_vars`` leaf that is not a State, an
        ``argnums`` or flag of the wrong type, an unknown keyword; at call time
        a non-scalar output, ``has_aux=True`` without a pair, an integer input
        without ``allow_int``.
    ValueError
        ``argnums`` repeated, empty or out of range for the call; a non-empty
        ``reduce_axes``.

    Examples
    --------
    >>> import brainstate, jax.numpy as jnp
    >>> import brainpy_autograd as bpa
    >>> w = brainstate.ParamState(jnp.array([1.0, 2.0]))
    >>> def loss(x):
    ...     return jnp.sum(w.value * x)
    >>> (dw, dx), value = bpa.grad(loss, grad_vars=w, argnums=0, return_value=True)(
    ...     jnp.array([3.0, 4.0]))
    >>> print(dw, dx, value)
    [3. 4.] [1. 2.] 11.0
    """
    return _create(
        "grad", func, grad_vars, argnums, has_aux=has_aux, return_value=return_value,
        holomorphic=holomorphic, allow_int=allow_int, compiled=compiled, unit_aware=unit_aware,
        debug_nan=debug_nan, dyn_vars=dyn_vars, child_objs=child_objs, reduce_axes=reduce_axes,
    )


@public_entry("vector_grad")
def vector_grad(
    func: Callable[..., Any] | None = None,
    grad_vars: GradVars | None = None,
    argnums: int | Sequence[int] | None = None,
    return_value: bool = False,
    has_aux: bool | None = None,
    *,
    allow_int: bool = False,
    compiled: bool | None = None,
    unit_aware: bool = False,
    debug_nan: bool = False,
    dyn_vars: Any = None,
    child_objs: Any = None,
    reduce_axes: Any = None,
) -> AutogradFunction:
    """Gradient of the sum of a function's outputs (a vector-Jacobian product with ones).

    For an elementwise function this is the elementwise derivative. The output
    may have any shape (or be any pytree of arrays).

    Parameters
    ----------
    func, grad_vars, argnums, has_aux, return_value, compiled, unit_aware, debug_nan
        As in :func:`grad`, except that the output need not be a scalar.
    allow_int : bool, default False
        Allow integer inputs (their gradient is ``float0``). BrainPy's
        ``vector_grad`` has no such option; without it an integer input raises
        ``TypeError``.
    dyn_vars, child_objs, reduce_axes
        BrainPy 2.x keywords, accepted with a warning and ignored.

    Returns
    -------
    AutogradFunction
        Gradients laid out by the return table in ``help(brainpy_autograd)``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`grad` (there is no scalar-output requirement).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainpy_autograd as bpa
    >>> print(bpa.vector_grad(lambda x: x ** 2)(jnp.array([1.0, 2.0, 3.0])))
    [2. 4. 6.]
    """
    return _create(
        "vector_grad", func, grad_vars, argnums, has_aux=has_aux, return_value=return_value,
        allow_int=allow_int, compiled=compiled, unit_aware=unit_aware,
        debug_nan=debug_nan, dyn_vars=dyn_vars, child_objs=child_objs, reduce_axes=reduce_axes,
    )


@public_entry("jacrev")
def jacrev(
    func: Callable[..., Any] | None = None,
    grad_vars: GradVars | None = None,
    argnums: int | Sequence[int] | None = None,
    has_aux: bool | None = None,
    return_value: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
    *,
    compiled: bool | None = None,
    unit_aware: bool = False,
    debug_nan: bool = False,
    dyn_vars: Any = None,
    child_objs: Any = None,
    reduce_axes: Any = None,
) -> AutogradFunction:
    """Jacobian by reverse-mode differentiation (``jax.jacrev`` for States too).

    Each Jacobian block has the output's shape followed by the input's shape.
    Efficient when there are fewer outputs than inputs.

    Parameters
    ----------
    func, grad_vars, argnums, has_aux, return_value, holomorphic, allow_int, compiled
        As in :func:`grad`, except that the output need not be a scalar.
    unit_aware, debug_nan
        As in :func:`grad`.
    dyn_vars, child_objs, reduce_axes
        BrainPy 2.x keywords, accepted with a warning and ignored.

    Returns
    -------
    AutogradFunction
        Jacobians laid out by the return table in ``help(brainpy_autograd)``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`grad` (there is no scalar-output requirement).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainpy_autograd as bpa
    >>> def f(x):
    ...     return jnp.stack([x[0] * x[1], x[1] ** 2])
    >>> print(bpa.jacrev(f)(jnp.array([2.0, 3.0])))
    [[3. 2.]
     [0. 6.]]
    """
    return _create(
        "jacrev", func, grad_vars, argnums, has_aux=has_aux, return_value=return_value,
        holomorphic=holomorphic, allow_int=allow_int, compiled=compiled, unit_aware=unit_aware,
        debug_nan=debug_nan, dyn_vars=dyn_vars, child_objs=child_objs, reduce_axes=reduce_axes,
    )


@public_entry("jacfwd")
def jacfwd(
    func: Callable[..., Any] | None = None,
    grad_vars: GradVars | None = None,
    argnums: int | Sequence[int] | None = None,
    has_aux: bool | None = None,
    return_value: bool = False,
    holomorphic: bool = False,
    *,
    compiled: bool | None = None,
    unit_aware: bool = False,
    debug_nan: bool = False,
    dyn_vars: Any = None,
    child_objs: Any = None,
    reduce_axes: Any = None,
) -> AutogradFunction:
    """Jacobian by forward-mode differentiation (``jax.jacfwd`` for States too).

    Same layout as :func:`jacrev`; efficient when there are fewer inputs than
    outputs. Like ``jax.jacfwd`` it has no ``allow_int``.

    Parameters
    ----------
    func, grad_vars, argnums, has_aux, return_value, holomorphic, compiled, unit_aware, debug_nan
        As in :func:`grad`, except that the output need not be a scalar.
    dyn_vars, child_objs, reduce_axes
        BrainPy 2.x keywords, accepted with a warning and ignored.

    Returns
    -------
    AutogradFunction
        Jacobians laid out by the return table in ``help(brainpy_autograd)``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`grad` (there is no scalar-output requirement).

    Examples
    --------
    >>> import brainstate, jax.numpy as jnp
    >>> import brainpy_autograd as bpa
    >>> a = brainstate.ParamState(jnp.array(2.0))
    >>> print(bpa.jacfwd(lambda x: a.value * x, grad_vars=a)(jnp.array([1.0, 5.0])))
    [1. 5.]
    """
    return _create(
        "jacfwd", func, grad_vars, argnums, has_aux=has_aux, return_value=return_value,
        holomorphic=holomorphic, compiled=compiled, unit_aware=unit_aware,
        debug_nan=debug_nan, dyn_vars=dyn_vars, child_objs=child_objs, reduce_axes=reduce_axes,
    )


@public_entry("hessian")
def hessian(
    func: Callable[..., Any] | None = None,
    grad_vars: GradVars | None = None,
    argnums: int | Sequence[int] | None = None,
    has_aux: bool | None = None,
    holomorphic: bool = False,
    *,
    return_value: bool = False,
    compiled: bool | None = None,
    unit_aware: bool = False,
    debug_nan: bool = False,
    dyn_vars: Any = None,
    child_objs: Any = None,
    reduce_axes: Any = None,
) -> AutogradFunction:
    """Hessian (dense second derivatives) of a scalar-valued function.

    With ``grad_vars`` only, the result has the ``grad_vars`` layout nested in
    itself (``H[a][b]`` for States ``a`` and ``b``); with ``argnums`` only it is
    ``jax.hessian``'s. With both (which brainstate itself refuses), it is what
    ``jax.hessian(g, argnums=(0, 1, ...))`` returns for ``g(V, x1, ...)``, with
    ``grad_vars`` as the input ``V`` ahead of the arguments: ``H[i]`` has the
    layout of input ``i`` and each of its leaves holds the tuple of blocks
    against every input. For one State and an int ``argnums`` that is
    ``((H_vv, H_vx), (H_xv, H_xx))``; ``jacfwd(jacrev(f, ...), ...)`` gives the
    same blocks grouped the other way round.

    ``return_value=True`` returns the function's value, i.e. the loss (BrainPy
    2.9 has no ``return_value`` here, and BrainPy <= 2.6 returned the gradient
    in its place).

    Parameters
    ----------
    func, grad_vars, argnums, has_aux, holomorphic, return_value, compiled, unit_aware, debug_nan
        As in :func:`grad`.
    dyn_vars, child_objs, reduce_axes
        BrainPy 2.x keywords, accepted with a warning and ignored.

    Returns
    -------
    AutogradFunction
        Hessians laid out by the return table in ``help(brainpy_autograd)``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`grad`; the output must be a scalar.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainpy_autograd as bpa
    >>> print(bpa.hessian(lambda x: jnp.sum(x ** 3))(jnp.array([1.0, 2.0])))
    [[ 6.  0.]
     [ 0. 12.]]
    """
    return _create(
        "hessian", func, grad_vars, argnums, has_aux=has_aux, return_value=return_value,
        holomorphic=holomorphic, compiled=compiled, unit_aware=unit_aware,
        debug_nan=debug_nan, dyn_vars=dyn_vars, child_objs=child_objs, reduce_axes=reduce_axes,
    )


#: Same as :func:`vector_grad` (BrainPy's name for it).
functional_vector_grad = vector_grad
#: Same as :func:`jacrev`.
jacobian = jacrev

#: BrainPy's alias names, with the name of the function each one is.
ALIASES: dict[str, str] = {"functional_vector_grad": "vector_grad", "jacobian": "jacrev"}
#: Every public transform by its BrainPy name (the aliases included): the names
#: that install() replaces in brainpy.math and that the migration rewrites.
TRANSFORMS: dict[str, Callable[..., Any]] = {
    "grad": grad,
    "vector_grad": vector_grad,
    "functional_vector_grad": functional_vector_grad,
    "jacobian": jacobian,
    "jacrev": jacrev,
    "jacfwd": jacfwd,
    "hessian": hessian,
}
