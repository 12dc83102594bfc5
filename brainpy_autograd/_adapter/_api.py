"""The public transforms: ``grad``, ``vector_grad``, ``jacrev``, ``jacfwd``, ``hessian``.

Each function is its ``typing.overload`` pair, which tells a type checker
``grad(f)`` (an :class:`AutogradFunction`) from ``grad(argnums=1)`` (a decorator),
and a docstring over one call to :func:`_make`. Everything else comes from the
option table (:mod:`._option_table`): :func:`_public` gives each function the
signature derived from it and its docstring filled from it (:mod:`._docs`), and
:func:`_make` binds the arguments to that signature, checks them
(:func:`._options.make_options`), warns about the BrainPy 2.x keywords
(:mod:`._legacy`, whose :func:`~._legacy.public_entry` also reads the old
positional forms) and returns an :class:`AutogradFunction`, or, without a
function, the decorator that makes one. The return layout is one table for every
transform: the docs page ``docs/return-layout.md`` (linked from each docstring)
and the package docstring (``help(brainpy_autograd)``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec, TypedDict, TypeVar, Unpack, overload

from brainstate import State

from .._names import ALIASES, TRANSFORM_NAMES
from ._check_create import check_callable
from ._docs import transform_doc
from ._legacy import check_legacy_keywords, public_entry
from ._option_table import OPTIONS, signature_of
from ._options import SPECS, make_options
from ._transform import AutogradFunction, Decorator, decorator

__all__ = ["grad", "vector_grad", "functional_vector_grad", "jacrev", "jacobian", "jacfwd",
           "hessian", "GradVars", "Keywords", "TRANSFORMS", "ALIASES"]

#: One State, or lists, tuples and dicts (nested as you like) of States.
GradVars = State | Sequence[Any] | Mapping[Any, Any]
#: One position, or several.
ArgnumsLike = int | Sequence[int] | None

P = ParamSpec("P")
R = TypeVar("R")


class Keywords(TypedDict, total=False):
    """The keyword-only options that every transform takes, for type checkers and IDEs.

    The option table is the truth (their defaults, checks and docs are there);
    ``tests/adapter/test_option_table.py`` checks that this and the overloads agree with it.
    """

    compiled: bool | None
    unit_aware: bool
    debug_nan: bool
    dyn_vars: Any
    child_objs: Any
    reduce_axes: Any


def _public(impl: Callable[P, R]) -> Callable[P, R]:
    """Make ``impl`` the public transform of its name: the signature derived from the
    option table, the docstring filled (:func:`._docs.transform_doc`), the BrainPy 2.x
    call forms read and an unknown keyword refused (:func:`._legacy.public_entry`)."""
    name = impl.__name__
    impl.__doc__ = transform_doc(name, impl.__doc__ or "")
    return public_entry(name, signature_of(name))(impl)


def _make(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> AutogradFunction | Decorator:
    """Transform ``name`` of the function among ``args``/``kwargs``, or its decorator.

    Everything is checked (:mod:`._check_create`) before the legacy keywords are
    warned about.
    """
    signature = signature_of(name)
    try:
        arguments = signature.bind(*args, **kwargs).arguments
    except TypeError as bound:  # in Python's own words
        err = bound
        most = sum(p.kind is p.POSITIONAL_OR_KEYWORD for p in signature.parameters.values())
        if len(args) > most:
            err = TypeError(f"takes from 0 to {most} positional arguments but {len(args)} "
                            f"were given")
        raise TypeError(f"{name}() {err}".replace("() multiple", "() got multiple")) from None
    func = arguments.get("func")
    if func is not None:
        check_callable(name, func)
    options = make_options(name, arguments)
    check_legacy_keywords(name, **{o.name: arguments.get(o.name) for o in OPTIONS if o.legacy})
    if func is None:
        return decorator(SPECS[name], options)
    return AutogradFunction(SPECS[name], options, func)


@overload
def grad(func: None = None, grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
         holomorphic: bool = False, allow_int: bool = False, has_aux: bool | None = None,
         return_value: bool = False, **options: Unpack[Keywords]) -> Decorator: ...
@overload
def grad(func: Callable[..., Any], grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
         holomorphic: bool = False, allow_int: bool = False, has_aux: bool | None = None,
         return_value: bool = False, **options: Unpack[Keywords]) -> AutogradFunction: ...
@_public
def grad(*args: Any, **kwargs: Any) -> Any:
    """Gradient of a scalar-valued function with respect to States and arguments.

    %(parameters)s

    Returns
    -------
    AutogradFunction
        Takes the arguments of ``func`` and returns the gradients, laid out as the
        :ref:`return layout <return-layout>` table says: ``arg_grads``, ``var_grads`` or
        ``(var_grads, arg_grads)``, followed by the value and the aux data when asked
        for. Each gradient has the shape of its input.

    %(raises)s

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
    return _make("grad", args, kwargs)


@overload
def vector_grad(func: None = None, grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
                return_value: bool = False, has_aux: bool | None = None, *, allow_int: bool = False,
                **options: Unpack[Keywords]) -> Decorator: ...
@overload
def vector_grad(func: Callable[..., Any], grad_vars: GradVars | None = None,
                argnums: ArgnumsLike = None, return_value: bool = False,
                has_aux: bool | None = None, *, allow_int: bool = False,
                **options: Unpack[Keywords]) -> AutogradFunction: ...
@_public
def vector_grad(*args: Any, **kwargs: Any) -> Any:
    """Gradient of the sum of a function's outputs (a vector-Jacobian product with ones).

    For an elementwise function this is the elementwise derivative. The output may have
    any shape (or be any pytree of arrays).

    %(parameters)s

    Returns
    -------
    AutogradFunction
        Takes the arguments of ``func`` and returns the gradients of the summed output,
        each shaped like its input, laid out as the :ref:`return layout <return-layout>`
        table says.

    %(raises)s

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainpy_autograd as bpa
    >>> print(bpa.vector_grad(lambda x: x ** 2)(jnp.array([1.0, 2.0, 3.0])))
    [2. 4. 6.]
    """
    return _make("vector_grad", args, kwargs)


@overload
def jacrev(func: None = None, grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
           has_aux: bool | None = None, return_value: bool = False, holomorphic: bool = False,
           allow_int: bool = False, **options: Unpack[Keywords]) -> Decorator: ...
@overload
def jacrev(func: Callable[..., Any], grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
           has_aux: bool | None = None, return_value: bool = False, holomorphic: bool = False,
           allow_int: bool = False, **options: Unpack[Keywords]) -> AutogradFunction: ...
@_public
def jacrev(*args: Any, **kwargs: Any) -> Any:
    """Jacobian by reverse-mode differentiation (``jax.jacrev`` for States too).

    Each Jacobian block has the output's shape followed by the input's shape. Efficient
    when there are fewer outputs than inputs.

    %(parameters)s

    Returns
    -------
    AutogradFunction
        Takes the arguments of ``func`` and returns the Jacobian blocks (output shape,
        then input shape), laid out as the :ref:`return layout <return-layout>` table
        says.

    %(raises)s

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
    return _make("jacrev", args, kwargs)


@overload
def jacfwd(func: None = None, grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
           has_aux: bool | None = None, return_value: bool = False, holomorphic: bool = False,
           **options: Unpack[Keywords]) -> Decorator: ...
@overload
def jacfwd(func: Callable[..., Any], grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
           has_aux: bool | None = None, return_value: bool = False, holomorphic: bool = False,
           **options: Unpack[Keywords]) -> AutogradFunction: ...
@_public
def jacfwd(*args: Any, **kwargs: Any) -> Any:
    """Jacobian by forward-mode differentiation (``jax.jacfwd`` for States too).

    Same layout as :func:`jacrev`; efficient when there are fewer inputs than outputs.
    Like ``jax.jacfwd`` it has no ``allow_int``.

    %(parameters)s

    Returns
    -------
    AutogradFunction
        Takes the arguments of ``func`` and returns the same Jacobian blocks as
        :func:`jacrev` gives, laid out as the :ref:`return layout <return-layout>` table
        says.

    %(raises)s

    Examples
    --------
    >>> import brainstate, jax.numpy as jnp
    >>> import brainpy_autograd as bpa
    >>> a = brainstate.ParamState(jnp.array(2.0))
    >>> print(bpa.jacfwd(lambda x: a.value * x, grad_vars=a)(jnp.array([1.0, 5.0])))
    [1. 5.]
    """
    return _make("jacfwd", args, kwargs)


@overload
def hessian(func: None = None, grad_vars: GradVars | None = None, argnums: ArgnumsLike = None,
            has_aux: bool | None = None, holomorphic: bool = False, *, return_value: bool = False,
            **options: Unpack[Keywords]) -> Decorator: ...
@overload
def hessian(func: Callable[..., Any], grad_vars: GradVars | None = None,
            argnums: ArgnumsLike = None, has_aux: bool | None = None,
            holomorphic: bool = False, *, return_value: bool = False,
            **options: Unpack[Keywords]) -> AutogradFunction: ...
@_public
def hessian(*args: Any, **kwargs: Any) -> Any:
    """Hessian (dense second derivatives) of a scalar-valued function.

    With ``grad_vars`` only, the result has the ``grad_vars`` layout nested in itself
    (``H[a][b]`` for States ``a`` and ``b``); with ``argnums`` only it is
    ``jax.hessian``'s. With both (which brainstate itself refuses), it is what
    ``jax.hessian(g, argnums=(0, 1, ...))`` returns for ``g(V, x1, ...)``, with
    ``grad_vars`` as the input ``V`` ahead of the arguments: ``H[i]`` has the layout of
    input ``i`` and each of its leaves holds the tuple of blocks against every input.
    For one State and an int ``argnums`` that is ``((H_vv, H_vx), (H_xv, H_xx))``;
    ``jacfwd(jacrev(f, ...), ...)`` gives the same blocks grouped the other way round.

    ``return_value=True`` returns the function's value, i.e. the loss (BrainPy 2.9 has
    no ``return_value`` here, and BrainPy <= 2.6 returned the gradient in its place).

    %(parameters)s

    Returns
    -------
    AutogradFunction
        Takes the arguments of ``func`` and returns the Hessian (see above), laid out as
        the :ref:`return layout <return-layout>` table says.

    %(raises)s

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainpy_autograd as bpa
    >>> print(bpa.hessian(lambda x: jnp.sum(x ** 3))(jnp.array([1.0, 2.0])))
    [[ 6.  0.]
     [ 0. 12.]]
    """
    return _make("hessian", args, kwargs)


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
