"""The callable that every public transform returns, and how it calls brainstate.

:class:`AutogradFunction` holds the validated options of one transform. Each
call resolves ``argnums`` against the call's positional arguments, replaces
States among the arguments by their values, and forwards to a
``brainstate.transform`` gradient transform built once per resolved
``argnums`` (:mod:`brainpy_autograd._backend`, which also puts the State
gradients into the user's ``grad_vars`` layout). Repeated un-jitted calls run
compiled (:mod:`brainpy_autograd._compiled`).

Calls from several threads are serialised by one re-entrant lock, so every
call reads the States, computes and writes them back before another call
starts: concurrent calls give the results of some sequential order. (Calls
nested inside a call, e.g. ``grad(grad(f))``, re-enter the same lock.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import brainstate
import jax
import numpy as np
from brainstate import State

from . import _backend, _compiled
from ._grad_vars import VarStructure
from ._states import StateFreeFunction, strip_states
from ._validate import (
    Argnums,
    check_callable,
    check_inexact,
    describe_value,
    resolve_argnums,
)

__all__ = ["AutogradFunction", "TransformSpec", "Options", "SPECS"]

#: Serialises the calls of every transform (see the module docstring).
CALL_LOCK = threading.RLock()

_CAST = "Cast it to a floating dtype, e.g. x.astype(jnp.float32)"


@dataclass(frozen=True)
class TransformSpec:
    """What differs between the five transforms."""

    name: str
    backend: Callable[..., Any]
    #: keyword arguments of the brainstate transform beyond the common ones
    backend_flags: tuple[str, ...]
    scalar_output: bool
    supports_allow_int: bool
    #: what the output-shape error suggests instead
    nonscalar_hint: str = ""

    @property
    def int_fix(self) -> str:
        if self.supports_allow_int:
            return f"{_CAST}, or pass allow_int=True to get a float0 (empty) gradient for it."
        return f"{_CAST}; forward-mode differentiation ({self.name}) has no allow_int option."


_SCALAR_HINT = (
    "Reduce it to a scalar (e.g. out.sum() or out.mean()), or use vector_grad (the "
    "gradient of the summed output) or jacrev/jacobian (the full Jacobian)."
)

SPECS: dict[str, TransformSpec] = {
    "grad": TransformSpec(
        "grad", brainstate.transform.grad, ("holomorphic", "allow_int", "unit_aware"),
        scalar_output=True, supports_allow_int=True, nonscalar_hint=_SCALAR_HINT,
    ),
    "vector_grad": TransformSpec(
        "vector_grad", brainstate.transform.vector_grad, ("unit_aware",),
        scalar_output=False, supports_allow_int=True,
    ),
    "jacrev": TransformSpec(
        "jacrev", brainstate.transform.jacrev, ("holomorphic", "allow_int", "unit_aware"),
        scalar_output=False, supports_allow_int=True,
    ),
    "jacfwd": TransformSpec(
        "jacfwd", brainstate.transform.jacfwd, ("holomorphic", "unit_aware"),
        scalar_output=False, supports_allow_int=False,
    ),
    "hessian": TransformSpec(
        "hessian", brainstate.transform.hessian, ("holomorphic", "unit_aware"),
        scalar_output=True, supports_allow_int=False,
        nonscalar_hint=(
            "Reduce it to a scalar (e.g. out.sum()), or use jacfwd(jacrev(f)) for the "
            "second derivatives of every output."
        ),
    ),
}


@dataclass(frozen=True)
class Options:
    """The validated options of one transform (see ``_api`` for their meaning)."""

    has_vars: bool
    states: tuple[State, ...]
    structure: VarStructure | None
    paths: tuple[str, ...]
    argnums: Argnums
    argnums_shown: str
    has_aux: bool
    return_value: bool
    holomorphic: bool
    allow_int: bool
    unit_aware: bool
    debug_nan: bool
    compiled: bool | None
    shown: str = field(default="")  # how the options read in a repr


class AutogradFunction:
    """A differentiated function, as returned by :func:`brainpy_autograd.grad` & co.

    Calling it evaluates the derivatives and returns them in the layout of the
    module's return table. A transform created without a function (``grad(argnums=1)``)
    is waiting for one: call it with the function, or use it as a decorator.
    """

    def __init__(
        self, spec: TransformSpec, options: Options, func: Callable[..., Any] | None = None
    ) -> None:
        self._spec = spec
        self._options = options
        self._func = func
        self._backends: dict[Argnums, Callable[..., Any]] = {}
        argnums = options.argnums
        positions = () if argnums is None else (argnums,) if isinstance(argnums, int) else argnums
        #: argnums that need no per-call resolution (no negative position)
        self._fixed = all(a >= 0 for a in positions)
        self._min_nargs = max(positions, default=-1) + 1
        if func is not None:
            self.__wrapped__ = func
            self.__name__ = getattr(func, "__name__", type(func).__name__)
            self.__qualname__ = getattr(func, "__qualname__", self.__name__)
            self.__doc__ = getattr(func, "__doc__", None)
        self._compiled = _compiled.CompiledCalls(options.compiled) if func is not None else None

    # ------------------------------------------------------------------ calls

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._func is None:
            return self._bind_function(args, kwargs)
        spec, opts = self._spec, self._options
        if self._fixed:
            resolved = opts.argnums
            if len(args) < self._min_nargs:
                resolve_argnums(spec.name, opts.argnums, len(args), kwargs, opts.argnums_shown)  # type: ignore[arg-type]
        else:
            resolved = resolve_argnums(
                spec.name, opts.argnums, len(args), kwargs, opts.argnums_shown  # type: ignore[arg-type]
            )
        backend = self._backends.get(resolved)
        if backend is None:
            backend = self._build_backend(resolved)
        args, kwargs = strip_states(args, kwargs)
        with CALL_LOCK:
            try:
                raw = self._compiled.call(resolved, backend, args, kwargs)  # type: ignore[union-attr]
            except TypeError as err:
                message = self._unsupported_argument(args, kwargs)
                if message is not None:
                    raise TypeError(message) from err
                raise
        return self._format(raw)

    def _bind_function(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> AutogradFunction:
        if len(args) != 1 or kwargs:
            raise TypeError(
                f"{self!r} is waiting for the function to differentiate: use it as a "
                f"decorator (@{self._spec.name}(...)) or call it with the function only "
                f"({self._spec.name}(...)(f))."
            )
        check_callable(self._spec.name, args[0])
        return AutogradFunction(self._spec, self._options, args[0])

    # -------------------------------------------------------------- backends

    def _build_backend(self, resolved: Argnums) -> Callable[..., Any]:
        spec, opts = self._spec, self._options
        assert self._func is not None
        target = StateFreeFunction(self._func, self._input_check(resolved), self._check_output,
                                   has_aux=opts.has_aux)
        backend = _backend.build(
            spec.name, spec.backend, target,
            has_vars=opts.has_vars, states=opts.states, structure=opts.structure,
            argnums=resolved, has_aux=opts.has_aux, return_value=opts.return_value,
            flags={name: getattr(opts, name) for name in spec.backend_flags}
            | ({"debug_nan": True} if opts.debug_nan else {}),
        )
        self._backends[resolved] = backend
        return backend

    def _input_check(self, resolved: Argnums) -> Callable[[tuple[Any, ...]], None] | None:
        spec, opts = self._spec, self._options
        allow_int = opts.allow_int and spec.supports_allow_int
        if allow_int:
            return None
        positions: tuple[int, ...] = (
            () if resolved is None else (resolved,) if isinstance(resolved, int) else resolved
        )
        states, paths = opts.states, opts.paths

        def check(args: tuple[Any, ...]) -> None:
            for i in positions:
                check_inexact(spec.name, f"positional argument {i}", args[i],
                              allow_int=False, int_fix=spec.int_fix)
            for st, path in zip(states, paths):
                check_inexact(spec.name, path, st.value, allow_int=False, int_fix=spec.int_fix)

        return check

    def _check_output(self, out: Any) -> None:
        spec, opts = self._spec, self._options
        value = out
        if opts.has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(
                    f"{spec.name}(has_aux=True) expects the function to return a pair "
                    f"(output, aux_data), but it returned {describe_value(out)}. Return "
                    f"`output, aux` (aux can be any pytree, e.g. a dict), or set has_aux=False."
                )
            value = out[0]
        if not spec.scalar_output:
            return
        shape = getattr(value, "shape", None)
        if shape is None and isinstance(value, (int, float, complex, np.generic)):
            shape = ()
        if shape is not None and tuple(shape) == ():
            return
        hint = spec.nonscalar_hint
        if not opts.has_aux and isinstance(value, (tuple, list)) and len(value) == 2:
            hint = (
                "If the function returns (output, aux_data), pass has_aux=True. Otherwise "
                + hint[0].lower() + hint[1:]
            )
        if shape is not None:  # JAX's own wording first, which BrainPy code may match
            first = f"Output had shape: {tuple(shape)}."
        else:
            first = f"The function returned {describe_value(value)}."
        raise TypeError(
            f"Gradient only defined for scalar-output functions. {first} {spec.name}() "
            f"differentiates a function with a scalar output. {hint}"
        )

    def _unsupported_argument(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        """Explain an argument that brainstate cannot trace (a str, an object...)."""
        named = [(f"positional argument {i}", a) for i, a in enumerate(args)]
        named += [(f"keyword argument {k!r}", v) for k, v in kwargs.items()]
        for what, value in named:
            for path, leaf in jax.tree_util.tree_flatten_with_path(value)[0]:
                if hasattr(leaf, "dtype") or isinstance(leaf, (int, float, complex, bool)):
                    continue
                return (
                    f"{self._spec.name}(): {what}{jax.tree_util.keystr(path)} is "
                    f"{describe_value(leaf)}. brainstate traces every argument as an array, "
                    f"so arguments must be arrays, numbers, or lists/tuples/dicts of them. "
                    f"Pass other values through a closure or functools.partial, e.g. "
                    f"{self._spec.name}(functools.partial(f, mode=...))."
                )
        return None

    # --------------------------------------------------------------- results

    def _format(self, raw: Any) -> Any:
        """Give an empty ``grad_vars`` its place in brainstate's result.

        With States, brainstate's result already has the user's layout
        (:func:`._backend.with_user_layout`); with an empty ``grad_vars``
        brainstate saw no States, so the empty container is put where
        ``var_grads`` belongs.
        """
        opts = self._options
        if not opts.has_vars or opts.states:
            return raw
        assert opts.structure is not None
        extras = opts.has_aux or opts.return_value
        arg_grads = raw[0] if extras else raw
        empty = opts.structure.rebuild(())
        grads = empty if opts.argnums is None else (empty, arg_grads)
        return (grads, *raw[1:]) if extras else grads

    # ------------------------------------------------------------------ misc

    def __repr__(self) -> str:
        options = self._options.shown
        if self._func is None:
            return f"<{self._spec.name}({options}) waiting for a function>"
        return f"<{self._spec.name}({self._func!r}{', ' if options else ''}{options})>"
