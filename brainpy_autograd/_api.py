"""The public transforms: ``grad``, ``vector_grad``, ``jacrev``, ``jacfwd``, ``hessian``.

Each function is a signature, a docstring and one call to :func:`_make`, which
checks the options (:mod:`._validate`, through :func:`._options.make_options`),
warns about the BrainPy 2.x keywords (:mod:`._legacy`, whose
:func:`~._legacy.public_entry` also reads the old positional forms) and returns
an :class:`AutogradFunction`, or, without a function, the decorator that makes
one. The ``typing.overload`` pair above each function tells a type checker
``grad(f)`` (an :class:`AutogradFunction`) from ``grad(argnums=1)`` (a decorator).
The return layout is the table in the package documentation
(``help(brainpy_autograd)``), the same for every transform.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, overload

from brainstate import State

from ._legacy import check_legacy_keywords, public_entry
from ._names import ALIASES, TRANSFORM_NAMES
from ._options import SPECS, make_options
from ._transform import AutogradFunction, Decorator, decorator
from ._validate import check_callable

__all__ = ["grad", "vector_grad", "functional_vector_grad", "jacrev", "jacobian", "jacfwd",
           "hessian", "GradVars", "TRANSFORMS", "ALIASES"]

#: One State, or lists, tuples and dicts (nested as you like) of States.
GradVars = State | Sequence[Any] | Mapping[Any, Any]
#: One position, or several.
ArgnumsLike = int | Sequence[int] | None


def _make(
    name: str,
    func: Any,
    grad_vars: Any,
    argnums: Any,
    *,
    has_aux: Any,
    return_value: Any,
    holomorphic: Any = False,
    allow_int: Any = False,
    compiled: Any,
    unit_aware: Any,
    debug_nan: Any,
    dyn_vars: Any,
    child_objs: Any,
    reduce_axes: Any,
) -> AutogradFunction | Decorator:
    """Transform ``name`` of ``func``, or its decorator when ``func`` is None.

    Each public function passes all its parameters here by name
    (``**locals()``). Everything is checked (:mod:`._validate`) before the
    legacy keywords are warned about.
    """
    if func is not None:
        check_callable(name, func)
    options = make_options(
        name, grad_vars, argnums, has_aux=has_aux, return_value=return_value,
        holomorphic=holomorphic, allow_int=allow_int, compiled=compiled,
        unit_aware=unit_aware, debug_nan=debug_nan)
    check_legacy_keywords(name, dyn_vars=dyn_vars, child_objs=child_objs, reduce_axes=reduce_axes)
    if func is None:
        return decorator(SPECS[name], options)
    return AutogradFunction(SPECS[name], options, func)


@overload
def grad(func: None = None, grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
         holomorphic: bool = False, allow_int: bool = False, has_aux: bool | None = None,
         return_value: bool = False, *, compiled: bool | None = None, unit_aware: bool = False,
         debug_nan: bool = False, dyn_vars: Any = None, child_objs: Any = None,
         reduce_axes: Any = None) -> Decorator: ...
@overload
def grad(func: Callable[..., Any], grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
         holomorphic: bool = False, allow_int: bool = False, has_aux: bool | None = None,
         return_value: bool = False, *, compiled: bool | None = None, unit_aware: bool = False,
         debug_nan: bool = False, dyn_vars: Any = None, child_objs: Any = None,
         reduce_axes: Any = None) -> AutogradFunction: ...
@public_entry("grad")
def grad(
    func: Callable[..., Any] | None = None,
    grad_vars: GradVars | None = None,
    argnums: ArgnumsLike = None,
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
) -> AutogradFunction | Decorator:
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
    return _make("grad", **locals())


@overload
def vector_grad(func: None = None, grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
                return_value: bool = False, has_aux: bool | None = None, *,
                allow_int: bool = False, compiled: bool | None = None, unit_aware: bool = False,
                debug_nan: bool = False, dyn_vars: Any = None, child_objs: Any = None,
                reduce_axes: Any = None) -> Decorator: ...
@overload
def vector_grad(func: Callable[..., Any], grad_vars: GradVars | None = None,
                argnums: ArgnumsLike = None, return_value: bool = False,
                has_aux: bool | None = None, *, allow_int: bool = False,
                compiled: bool | None = None, unit_aware: bool = False, debug_nan: bool = False,
                dyn_vars: Any = None, child_objs: Any = None,
                reduce_axes: Any = None) -> AutogradFunction: ...
@public_entry("vector_grad")
def vector_grad(
    func: Callable[..., Any] | None = None,
    grad_vars: GradVars | None = None,
    argnums: ArgnumsLike = None,
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
) -> AutogradFunction | Decorator:
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
        The gradients of the summed output, each shaped like its input, laid
        out by the return table in ``help(brainpy_autograd)``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`grad`, except that any output shape is accepted.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainpy_autograd as bpa
    >>> print(bpa.vector_grad(lambda x: x ** 2)(jnp.array([1.0, 2.0, 3.0])))
    [2. 4. 6.]
    """
    return _make("vector_grad", **locals())


@overload
def jacrev(func: None = None, grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
           has_aux: bool | None = None, return_value: bool = False, holomorphic: bool = False,
           allow_int: bool = False, *, compiled: bool | None = None, unit_aware: bool = False,
           debug_nan: bool = False, dyn_vars: Any = None, child_objs: Any = None,
           reduce_axes: Any = None) -> Decorator: ...
@overload
def jacrev(func: Callable[..., Any], grad_vars: GradVars | None = None,
           argnums: ArgnumsLike = None, has_aux: bool | None = None, return_value: bool = False,
           holomorphic: bool = False, allow_int: bool = False, *, compiled: bool | None = None,
           unit_aware: bool = False, debug_nan: bool = False, dyn_vars: Any = None,
           child_objs: Any = None, reduce_axes: Any = None) -> AutogradFunction: ...
@public_entry("jacrev")
def jacrev(
    func: Callable[..., Any] | None = None,
    grad_vars: GradVars | None = None,
    argnums: ArgnumsLike = None,
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
) -> AutogradFunction | Decorator:
    """Jacobian by reverse-mode differentiation (``jax.jacrev`` for States too).

    Each Jacobian block has the output's shape followed by the input's shape.
    Efficient when there are fewer outputs than inputs.

    Parameters
    ----------
    func, grad_vars, argnums, has_aux, return_value, holomorphic, allow_int
        As in :func:`grad`, except that the output may be any array or pytree.
    compiled, unit_aware, debug_nan, dyn_vars, child_objs, reduce_axes
        As in :func:`grad` (the last three are BrainPy 2.x keywords, ignored with a
        warning).

    Returns
    -------
    AutogradFunction
        The Jacobian blocks (output shape, then input shape), laid out by the
        return table in ``help(brainpy_autograd)``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`grad`; the output may have any shape.

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
    return _make("jacrev", **locals())


@overload
def jacfwd(func: None = None, grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
           has_aux: bool | None = None, return_value: bool = False, holomorphic: bool = False, *,
           compiled: bool | None = None, unit_aware: bool = False, debug_nan: bool = False,
           dyn_vars: Any = None, child_objs: Any = None, reduce_axes: Any = None) -> Decorator: ...
@overload
def jacfwd(func: Callable[..., Any], grad_vars: GradVars | None = None,
           argnums: ArgnumsLike = None, has_aux: bool | None = None, return_value: bool = False,
           holomorphic: bool = False, *, compiled: bool | None = None, unit_aware: bool = False,
           debug_nan: bool = False, dyn_vars: Any = None, child_objs: Any = None,
           reduce_axes: Any = None) -> AutogradFunction: ...
@public_entry("jacfwd")
def jacfwd(
    func: Callable[..., Any] | None = None,
    grad_vars: GradVars | None = None,
    argnums: ArgnumsLike = None,
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
) -> AutogradFunction | Decorator:
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
        The same Jacobian blocks as :func:`jacrev` gives, in the same layout.

    Raises
    ------
    TypeError, ValueError
        As for :func:`jacrev`, and an integer input always (there is no ``allow_int``).

    Examples
    --------
    >>> import brainstate, jax.numpy as jnp
    >>> import brainpy_autograd as bpa
    >>> a = brainstate.ParamState(jnp.array(2.0))
    >>> print(bpa.jacfwd(lambda x: a.value * x, grad_vars=a)(jnp.array([1.0, 5.0])))
    [1. 5.]
    """
    return _make("jacfwd", **locals())


@overload
def hessian(func: None = None, grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
            has_aux: bool | None = None, holomorphic: bool = False, *, return_value: bool = False,
            compiled: bool | None = None, unit_aware: bool = False, debug_nan: bool = False,
            dyn_vars: Any = None, child_objs: Any = None,
            reduce_axes: Any = None) -> Decorator: ...
@overload
def hessian(func: Callable[..., Any], grad_vars: GradVars | None = None,
            argnums: ArgnumsLike = None, has_aux: bool | None = None, holomorphic: bool = False, *,
            return_value: bool = False, compiled: bool | None = None, unit_aware: bool = False,
            debug_nan: bool = False, dyn_vars: Any = None, child_objs: Any = None,
            reduce_axes: Any = None) -> AutogradFunction: ...
@public_entry("hessian")
def hessian(
    func: Callable[..., Any] | None = None,
    grad_vars: GradVars | None = None,
    argnums: ArgnumsLike = None,
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
) -> AutogradFunction | Decorator:
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
    return _make("hessian", **locals())


#: Same as :func:`vector_grad` (BrainPy's name for it).
functional_vector_grad = vector_grad
#: Same as :func:`jacrev`.
jacobian = jacrev

#: Every public transform by its BrainPy name (the aliases included, see
#: :mod:`._names`): the functions that install() puts into brainpy.math.
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "grad": grad, "vector_grad": vector_grad, "jacrev": jacrev, "jacfwd": jacfwd,
    "hessian": hessian,
}
TRANSFORMS: dict[str, Callable[..., Any]] = {
    name: _FUNCTIONS[ALIASES.get(name, name)] for name in TRANSFORM_NAMES
}
