"""The public transforms: ``grad``, ``vector_grad``, ``jacrev``, ``jacfwd``, ``hessian``.

Each function is a signature, a docstring and one call to :func:`_make`, which
checks the options (:mod:`._check_create`, through :func:`._options.make_options`),
warns about the BrainPy 2.x keywords (:mod:`._legacy`, whose
:func:`~._legacy.public_entry` also reads the old positional forms) and returns
an :class:`AutogradFunction`, or, without a function, the decorator that makes
one. The ``typing.overload`` pair above each function tells a type checker
``grad(f)`` (an :class:`AutogradFunction`) from ``grad(argnums=1)`` (a decorator).
The return layout is one table for every transform: the docs page
``docs/return-layout.md`` (linked from each docstring) and the package docstring
(``help(brainpy_autograd)``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, overload

from brainstate import State

from .._names import ALIASES, TRANSFORM_NAMES
from ._check_create import check_callable
from ._legacy import check_legacy_keywords, public_entry
from ._options import SPECS, make_options
from ._transform import AutogradFunction, Decorator, decorator

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
    (``**locals()``). Everything is checked (:mod:`._check_create`) before the
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
        The function to differentiate: a function, a lambda, a callable object, or a
        bound method of an object holding States (a BrainPy model or a
        ``brainstate.nn.Module``). It must return a scalar (shape ``()``), or a pair
        ``(scalar, aux_data)`` with ``has_aux=True``. Leave it out to get a decorator:
        ``@grad(argnums=1)``.
    grad_vars : State, or list/tuple/dict of States, optional
        States to differentiate with respect to. Any nesting of lists, tuples and dicts;
        the gradients come back in the same layout. States the function reads or writes
        are found automatically; a ``grad_vars`` State the function never reads gets
        zeros.
    argnums : int or sequence of int, optional
        Positional arguments to differentiate with respect to. An int gives one
        gradient, a sequence a tuple of them; negative positions count from the end of
        each call's positional arguments. Defaults to ``0`` without ``grad_vars`` and to
        none with it.
    holomorphic : bool, default False
        Whether ``func`` is holomorphic (complex inputs and a complex output), as in
        ``jax.grad``.
    allow_int : bool, default False
        Allow integer inputs, whose gradient is a ``float0`` array, as in ``jax.grad``.
        Without it an integer input raises ``TypeError``.
    has_aux : bool, optional
        Whether ``func`` returns a pair ``(output, aux_data)``: only ``output`` is
        differentiated, and ``aux_data`` (any pytree) is returned beside the result,
        not differentiated. ``None`` (the default) means ``False``.
    return_value : bool, default False
        Also return the function's value (the scalar, e.g. the loss) after the
        gradients.
    compiled : bool, optional
        Whether repeated un-jitted calls run as compiled programs. ``None`` (the
        default) follows the process-wide setting of
        :func:`brainpy_autograd.set_compiled_calls` (on unless switched off); ``True``
        compiles them whatever that setting says; ``False`` always interprets, as
        brainstate does.
    unit_aware : bool, default False
        Differentiate functions of ``brainunit.Quantity`` values (arguments, and States
        holding quantities) with brainunit's autograd, so that each gradient carries the
        unit ``unit(output) / unit(input)``. A unit mismatch inside the function raises
        brainunit's own error.
    debug_nan : bool, default False
        brainstate's NaN hunting: the gradient is evaluated equation by equation and the
        first primitive that produced a NaN is reported in an error. Such a transform
        always runs interpreted (``compiled=True`` with it raises ``ValueError``). Needs
        a brainstate whose ``GradientTransform`` takes ``debug_nan`` (0.5.4 and 0.6 do).
        For NaNs anywhere in JAX, see also ``jax.config.update("jax_debug_nans",
        True)``.
    dyn_vars : State, array, or list/tuple/dict of them, optional
        BrainPy 2.x's list of the variables that the function changes. Accepted with a
        :class:`LegacyArgumentWarning` and ignored: the States the function reads or
        writes are found automatically. Anything else inside it (a number, a string,
        ``None``, an object without variables) raises ``TypeError``.
    child_objs : object, or list/tuple/dict of objects, optional
        BrainPy 2.x's list of the objects (models, modules) whose variables the function
        uses. Accepted with a :class:`LegacyArgumentWarning` and ignored, for the same
        reason as ``dyn_vars``. A number, a string or ``None`` inside it raises
        ``TypeError``.
    reduce_axes : tuple, optional
        BrainPy 2.x's named axes to sum the gradient over. Only an empty tuple (or list)
        is still accepted, with a :class:`LegacyArgumentWarning`, and ignored; axis
        names raise ``ValueError`` (sum with ``jax.lax.psum`` inside the function
        instead), and a value of another type raises ``TypeError``.

    Returns
    -------
    AutogradFunction
        Takes the arguments of ``func`` and returns the gradients, laid out as the
        :ref:`return layout <return-layout>` table says: ``arg_grads``, ``var_grads`` or
        ``(var_grads, arg_grads)``, followed by the value and the aux data when asked
        for. Each gradient has the shape of its input.

    Raises
    ------
    TypeError
        When the transform is created: ``func`` not callable, a ``grad_vars`` leaf that
        is not a State, ``argnums`` that is not an int or a sequence of ints, a flag
        that is not a bool, an unknown keyword (the message suggests the closest one),
        ``dyn_vars`` or ``child_objs`` holding something they cannot hold (a number, a
        string, ``None``). When it is called: a non-scalar output, ``has_aux=True``
        without a pair, an integer input without ``allow_int``, an argument that is not
        an array, a number or a container of them.
    ValueError
        ``argnums`` repeated or empty, or out of range for the call; axis names in
        ``reduce_axes``; ``debug_nan=True`` with ``compiled=True``, or with a brainstate
        that does not support it.

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

    For an elementwise function this is the elementwise derivative. The output may have
    any shape (or be any pytree of arrays).

    Parameters
    ----------
    func : callable, optional
        The function to differentiate: a function, a lambda, a callable object, or a
        bound method of an object holding States (a BrainPy model or a
        ``brainstate.nn.Module``). It may return an array of any shape or any pytree of
        arrays (the gradient is that of the sum of all their elements), or a pair
        ``(output, aux_data)`` with ``has_aux=True``. Leave it out to get a decorator:
        ``@vector_grad(argnums=1)``.
    grad_vars : State, or list/tuple/dict of States, optional
        States to differentiate with respect to. Any nesting of lists, tuples and dicts;
        the gradients come back in the same layout. States the function reads or writes
        are found automatically; a ``grad_vars`` State the function never reads gets
        zeros.
    argnums : int or sequence of int, optional
        Positional arguments to differentiate with respect to. An int gives one
        gradient, a sequence a tuple of them; negative positions count from the end of
        each call's positional arguments. Defaults to ``0`` without ``grad_vars`` and to
        none with it.
    return_value : bool, default False
        Also return the function's value (its whole output, not the sum) after the
        gradients.
    has_aux : bool, optional
        Whether ``func`` returns a pair ``(output, aux_data)``: only ``output`` is
        differentiated, and ``aux_data`` (any pytree) is returned beside the result,
        not differentiated. ``None`` (the default) means ``False``.
    allow_int : bool, default False
        Allow integer inputs (their gradient is ``float0``). BrainPy's ``vector_grad``
        has no such option; without it an integer input raises ``TypeError``.
    compiled : bool, optional
        Whether repeated un-jitted calls run as compiled programs. ``None`` (the
        default) follows the process-wide setting of
        :func:`brainpy_autograd.set_compiled_calls` (on unless switched off); ``True``
        compiles them whatever that setting says; ``False`` always interprets, as
        brainstate does.
    unit_aware : bool, default False
        Differentiate functions of ``brainunit.Quantity`` values (arguments, and States
        holding quantities) with brainunit's autograd, so that each gradient carries the
        unit ``unit(output) / unit(input)``. A unit mismatch inside the function raises
        brainunit's own error.
    debug_nan : bool, default False
        brainstate's NaN hunting: the gradient is evaluated equation by equation and the
        first primitive that produced a NaN is reported in an error. Such a transform
        always runs interpreted (``compiled=True`` with it raises ``ValueError``). Needs
        a brainstate whose ``GradientTransform`` takes ``debug_nan`` (0.5.4 and 0.6 do).
        For NaNs anywhere in JAX, see also ``jax.config.update("jax_debug_nans",
        True)``.
    dyn_vars : State, array, or list/tuple/dict of them, optional
        BrainPy 2.x's list of the variables that the function changes. Accepted with a
        :class:`LegacyArgumentWarning` and ignored: the States the function reads or
        writes are found automatically. Anything else inside it (a number, a string,
        ``None``, an object without variables) raises ``TypeError``.
    child_objs : object, or list/tuple/dict of objects, optional
        BrainPy 2.x's list of the objects (models, modules) whose variables the function
        uses. Accepted with a :class:`LegacyArgumentWarning` and ignored, for the same
        reason as ``dyn_vars``. A number, a string or ``None`` inside it raises
        ``TypeError``.
    reduce_axes : tuple, optional
        BrainPy 2.x's named axes to sum the gradient over. Only an empty tuple (or list)
        is still accepted, with a :class:`LegacyArgumentWarning`, and ignored; axis
        names raise ``ValueError`` (sum with ``jax.lax.psum`` inside the function
        instead), and a value of another type raises ``TypeError``.

    Returns
    -------
    AutogradFunction
        Takes the arguments of ``func`` and returns the gradients of the summed output,
        each shaped like its input, laid out as the :ref:`return layout <return-layout>`
        table says.

    Raises
    ------
    TypeError
        When the transform is created: ``func`` not callable, a ``grad_vars`` leaf that
        is not a State, ``argnums`` that is not an int or a sequence of ints, a flag
        that is not a bool, an unknown keyword (the message suggests the closest one),
        ``dyn_vars`` or ``child_objs`` holding something they cannot hold (a number, a
        string, ``None``). When it is called: ``has_aux=True`` without a pair, an
        integer input without ``allow_int``, an argument that is not an array, a number
        or a container of them. Any output shape is accepted.
    ValueError
        ``argnums`` repeated or empty, or out of range for the call; axis names in
        ``reduce_axes``; ``debug_nan=True`` with ``compiled=True``, or with a brainstate
        that does not support it.

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

    Each Jacobian block has the output's shape followed by the input's shape. Efficient
    when there are fewer outputs than inputs.

    Parameters
    ----------
    func : callable, optional
        The function to differentiate: a function, a lambda, a callable object, or a
        bound method of an object holding States (a BrainPy model or a
        ``brainstate.nn.Module``). It may return an array of any shape or any pytree of
        arrays, or a pair ``(output, aux_data)`` with ``has_aux=True``. Leave it out to
        get a decorator: ``@jacrev(argnums=1)``.
    grad_vars : State, or list/tuple/dict of States, optional
        States to differentiate with respect to. Any nesting of lists, tuples and dicts;
        the Jacobian blocks come back in the same layout. States the function reads or
        writes are found automatically; a ``grad_vars`` State the function never reads
        gets zeros.
    argnums : int or sequence of int, optional
        Positional arguments to differentiate with respect to. An int gives one Jacobian
        block, a sequence a tuple of them; negative positions count from the end of each
        call's positional arguments. Defaults to ``0`` without ``grad_vars`` and to none
        with it.
    has_aux : bool, optional
        Whether ``func`` returns a pair ``(output, aux_data)``: only ``output`` is
        differentiated, and ``aux_data`` (any pytree) is returned beside the result,
        not differentiated. ``None`` (the default) means ``False``.
    return_value : bool, default False
        Also return the function's value (its output) after the Jacobian.
    holomorphic : bool, default False
        Whether ``func`` is holomorphic (complex inputs and outputs), as in
        ``jax.jacrev``.
    allow_int : bool, default False
        Allow integer inputs, whose Jacobian blocks are ``float0`` arrays, as in
        ``jax.jacrev``. Without it an integer input raises ``TypeError``.
    compiled : bool, optional
        Whether repeated un-jitted calls run as compiled programs. ``None`` (the
        default) follows the process-wide setting of
        :func:`brainpy_autograd.set_compiled_calls` (on unless switched off); ``True``
        compiles them whatever that setting says; ``False`` always interprets, as
        brainstate does.
    unit_aware : bool, default False
        Differentiate functions of ``brainunit.Quantity`` values (arguments, and States
        holding quantities) with brainunit's autograd, so that each block carries the
        unit ``unit(output) / unit(input)``. A unit mismatch inside the function raises
        brainunit's own error.
    debug_nan : bool, default False
        brainstate's NaN hunting: the Jacobian is evaluated equation by equation and the
        first primitive that produced a NaN is reported in an error. Such a transform
        always runs interpreted (``compiled=True`` with it raises ``ValueError``). Needs
        a brainstate whose ``GradientTransform`` takes ``debug_nan`` (0.5.4 and 0.6 do).
        For NaNs anywhere in JAX, see also ``jax.config.update("jax_debug_nans",
        True)``.
    dyn_vars : State, array, or list/tuple/dict of them, optional
        BrainPy 2.x's list of the variables that the function changes. Accepted with a
        :class:`LegacyArgumentWarning` and ignored: the States the function reads or
        writes are found automatically. Anything else inside it (a number, a string,
        ``None``, an object without variables) raises ``TypeError``.
    child_objs : object, or list/tuple/dict of objects, optional
        BrainPy 2.x's list of the objects (models, modules) whose variables the function
        uses. Accepted with a :class:`LegacyArgumentWarning` and ignored, for the same
        reason as ``dyn_vars``. A number, a string or ``None`` inside it raises
        ``TypeError``.
    reduce_axes : tuple, optional
        BrainPy 2.x's named axes to sum the gradient over. Only an empty tuple (or list)
        is still accepted, with a :class:`LegacyArgumentWarning`, and ignored; axis
        names raise ``ValueError`` (sum with ``jax.lax.psum`` inside the function
        instead), and a value of another type raises ``TypeError``.

    Returns
    -------
    AutogradFunction
        Takes the arguments of ``func`` and returns the Jacobian blocks (output shape,
        then input shape), laid out as the :ref:`return layout <return-layout>` table
        says.

    Raises
    ------
    TypeError
        When the transform is created: ``func`` not callable, a ``grad_vars`` leaf that
        is not a State, ``argnums`` that is not an int or a sequence of ints, a flag
        that is not a bool, an unknown keyword (the message suggests the closest one),
        ``dyn_vars`` or ``child_objs`` holding something they cannot hold (a number, a
        string, ``None``). When it is called: ``has_aux=True`` without a pair, an
        integer input without ``allow_int``, an argument that is not an array, a number
        or a container of them. Any output shape is accepted.
    ValueError
        ``argnums`` repeated or empty, or out of range for the call; axis names in
        ``reduce_axes``; ``debug_nan=True`` with ``compiled=True``, or with a brainstate
        that does not support it.

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

    Same layout as :func:`jacrev`; efficient when there are fewer inputs than outputs.
    Like ``jax.jacfwd`` it has no ``allow_int``.

    Parameters
    ----------
    func : callable, optional
        The function to differentiate: a function, a lambda, a callable object, or a
        bound method of an object holding States (a BrainPy model or a
        ``brainstate.nn.Module``). It may return an array of any shape or any pytree of
        arrays, or a pair ``(output, aux_data)`` with ``has_aux=True``. Leave it out to
        get a decorator: ``@jacfwd(argnums=1)``.
    grad_vars : State, or list/tuple/dict of States, optional
        States to differentiate with respect to. Any nesting of lists, tuples and dicts;
        the Jacobian blocks come back in the same layout. States the function reads or
        writes are found automatically; a ``grad_vars`` State the function never reads
        gets zeros.
    argnums : int or sequence of int, optional
        Positional arguments to differentiate with respect to. An int gives one Jacobian
        block, a sequence a tuple of them; negative positions count from the end of each
        call's positional arguments. Defaults to ``0`` without ``grad_vars`` and to none
        with it.
    has_aux : bool, optional
        Whether ``func`` returns a pair ``(output, aux_data)``: only ``output`` is
        differentiated, and ``aux_data`` (any pytree) is returned beside the result,
        not differentiated. ``None`` (the default) means ``False``.
    return_value : bool, default False
        Also return the function's value (its output) after the Jacobian.
    holomorphic : bool, default False
        Whether ``func`` is holomorphic (complex inputs and outputs), as in
        ``jax.jacfwd``.
    compiled : bool, optional
        Whether repeated un-jitted calls run as compiled programs. ``None`` (the
        default) follows the process-wide setting of
        :func:`brainpy_autograd.set_compiled_calls` (on unless switched off); ``True``
        compiles them whatever that setting says; ``False`` always interprets, as
        brainstate does.
    unit_aware : bool, default False
        Differentiate functions of ``brainunit.Quantity`` values (arguments, and States
        holding quantities) with brainunit's autograd, so that each block carries the
        unit ``unit(output) / unit(input)``. A unit mismatch inside the function raises
        brainunit's own error.
    debug_nan : bool, default False
        brainstate's NaN hunting: the Jacobian is evaluated equation by equation and the
        first primitive that produced a NaN is reported in an error. Such a transform
        always runs interpreted (``compiled=True`` with it raises ``ValueError``). Needs
        a brainstate whose ``GradientTransform`` takes ``debug_nan`` (0.5.4 and 0.6 do).
        For NaNs anywhere in JAX, see also ``jax.config.update("jax_debug_nans",
        True)``.
    dyn_vars : State, array, or list/tuple/dict of them, optional
        BrainPy 2.x's list of the variables that the function changes. Accepted with a
        :class:`LegacyArgumentWarning` and ignored: the States the function reads or
        writes are found automatically. Anything else inside it (a number, a string,
        ``None``, an object without variables) raises ``TypeError``.
    child_objs : object, or list/tuple/dict of objects, optional
        BrainPy 2.x's list of the objects (models, modules) whose variables the function
        uses. Accepted with a :class:`LegacyArgumentWarning` and ignored, for the same
        reason as ``dyn_vars``. A number, a string or ``None`` inside it raises
        ``TypeError``.
    reduce_axes : tuple, optional
        BrainPy 2.x's named axes to sum the gradient over. Only an empty tuple (or list)
        is still accepted, with a :class:`LegacyArgumentWarning`, and ignored; axis
        names raise ``ValueError`` (sum with ``jax.lax.psum`` inside the function
        instead), and a value of another type raises ``TypeError``.

    Returns
    -------
    AutogradFunction
        Takes the arguments of ``func`` and returns the same Jacobian blocks as
        :func:`jacrev` gives, laid out as the :ref:`return layout <return-layout>` table
        says.

    Raises
    ------
    TypeError
        When the transform is created: ``func`` not callable, a ``grad_vars`` leaf that
        is not a State, ``argnums`` that is not an int or a sequence of ints, a flag
        that is not a bool, an unknown keyword (the message suggests the closest one),
        ``dyn_vars`` or ``child_objs`` holding something they cannot hold (a number, a
        string, ``None``). When it is called: ``has_aux=True`` without a pair, any
        integer input (forward mode has no ``allow_int``), an argument that is not an
        array, a number or a container of them. Any output shape is accepted.
    ValueError
        ``argnums`` repeated or empty, or out of range for the call; axis names in
        ``reduce_axes``; ``debug_nan=True`` with ``compiled=True``, or with a brainstate
        that does not support it.

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

    Parameters
    ----------
    func : callable, optional
        The function to differentiate: a function, a lambda, a callable object, or a
        bound method of an object holding States (a BrainPy model or a
        ``brainstate.nn.Module``). It must return a scalar (shape ``()``), or a pair
        ``(scalar, aux_data)`` with ``has_aux=True``. Leave it out to get a decorator:
        ``@hessian(argnums=1)``.
    grad_vars : State, or list/tuple/dict of States, optional
        States to differentiate with respect to, twice. Any nesting of lists, tuples and
        dicts; the Hessian has that layout nested in itself (see above). States the
        function reads or writes are found automatically; a ``grad_vars`` State the
        function never reads gets zeros.
    argnums : int or sequence of int, optional
        Positional arguments to differentiate with respect to, twice. An int gives one
        Hessian block, a sequence the nested tuples of blocks that ``jax.hessian``
        gives; negative positions count from the end of each call's positional
        arguments. Defaults to ``0`` without ``grad_vars`` and to none with it.
    has_aux : bool, optional
        Whether ``func`` returns a pair ``(output, aux_data)``: only ``output`` is
        differentiated, and ``aux_data`` (any pytree) is returned beside the result,
        not differentiated. ``None`` (the default) means ``False``.
    holomorphic : bool, default False
        Whether ``func`` is holomorphic (complex inputs and a complex output), as in
        ``jax.hessian``.
    return_value : bool, default False
        Also return the function's value (the scalar, e.g. the loss) after the Hessian.
        Keyword-only here, unlike in the other transforms.
    compiled : bool, optional
        Whether repeated un-jitted calls run as compiled programs. ``None`` (the
        default) follows the process-wide setting of
        :func:`brainpy_autograd.set_compiled_calls` (on unless switched off); ``True``
        compiles them whatever that setting says; ``False`` always interprets, as
        brainstate does.
    unit_aware : bool, default False
        Differentiate functions of ``brainunit.Quantity`` values (arguments, and States
        holding quantities) with brainunit's autograd, so that each block carries the
        unit ``unit(output) / (unit(a) * unit(b))`` of its two inputs ``a`` and ``b``. A
        unit mismatch inside the function raises brainunit's own error.
    debug_nan : bool, default False
        brainstate's NaN hunting: the Hessian is evaluated equation by equation and the
        first primitive that produced a NaN is reported in an error. Such a transform
        always runs interpreted (``compiled=True`` with it raises ``ValueError``). Needs
        a brainstate whose ``GradientTransform`` takes ``debug_nan`` (0.5.4 and 0.6 do).
        For NaNs anywhere in JAX, see also ``jax.config.update("jax_debug_nans",
        True)``.
    dyn_vars : State, array, or list/tuple/dict of them, optional
        BrainPy 2.x's list of the variables that the function changes. Accepted with a
        :class:`LegacyArgumentWarning` and ignored: the States the function reads or
        writes are found automatically. Anything else inside it (a number, a string,
        ``None``, an object without variables) raises ``TypeError``.
    child_objs : object, or list/tuple/dict of objects, optional
        BrainPy 2.x's list of the objects (models, modules) whose variables the function
        uses. Accepted with a :class:`LegacyArgumentWarning` and ignored, for the same
        reason as ``dyn_vars``. A number, a string or ``None`` inside it raises
        ``TypeError``.
    reduce_axes : tuple, optional
        BrainPy 2.x's named axes to sum the gradient over. Only an empty tuple (or list)
        is still accepted, with a :class:`LegacyArgumentWarning`, and ignored; axis
        names raise ``ValueError`` (sum with ``jax.lax.psum`` inside the function
        instead), and a value of another type raises ``TypeError``.

    Returns
    -------
    AutogradFunction
        Takes the arguments of ``func`` and returns the Hessian (see above), laid out as
        the :ref:`return layout <return-layout>` table says.

    Raises
    ------
    TypeError
        When the transform is created: ``func`` not callable, a ``grad_vars`` leaf that
        is not a State, ``argnums`` that is not an int or a sequence of ints, a flag
        that is not a bool, an unknown keyword (the message suggests the closest one),
        ``dyn_vars`` or ``child_objs`` holding something they cannot hold (a number, a
        string, ``None``). When it is called: a non-scalar output, ``has_aux=True``
        without a pair, any integer input (there is no ``allow_int``), an argument that
        is not an array, a number or a container of them.
    ValueError
        ``argnums`` repeated or empty, or out of range for the call; axis names in
        ``reduce_axes``; ``debug_nan=True`` with ``compiled=True``, or with a brainstate
        that does not support it.

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
