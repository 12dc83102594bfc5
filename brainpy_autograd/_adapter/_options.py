"""What defines one transform: its kind (:class:`TransformSpec`) and its options.

:data:`SPECS` holds what differs between the five transforms. :func:`make_options`
checks the keyword arguments of one ``grad(...)`` call (with
:mod:`._check_create`) and returns them as :class:`Options`, which the transform
keeps and which also say how it reads in a ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import brainstate
from brainstate import State

from .._checks import check_flag
from .._internals import check_state_grad_formatter
from .._types import Argnums
from ._check_create import check_debug_nan, normalize_argnums
from ._grad_vars import VarStructure, flatten_grad_vars

__all__ = ["TransformSpec", "SPECS", "Options", "make_options"]

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

#: the flags in the order a repr shows them
_FLAGS = ("has_aux", "return_value", "holomorphic", "allow_int", "unit_aware", "debug_nan")


@dataclass(frozen=True)
class Options:
    """The validated options of one transform (see ``_api`` for their meaning)."""

    has_vars: bool
    states: tuple[State, ...]
    structure: VarStructure | None
    paths: tuple[str, ...]
    argnums: Argnums
    #: the user's argnums as they wrote it (or the default), for messages
    argnums_shown: str
    argnums_given: bool
    has_aux: bool
    return_value: bool
    holomorphic: bool
    allow_int: bool
    unit_aware: bool
    debug_nan: bool
    compiled: bool | None

    @property
    def shown(self) -> str:
        """How the options read in a repr: ``grad_vars=<2 States>, argnums=0, has_aux=True``."""
        parts = []
        if self.has_vars:
            n = len(self.states)
            parts.append(f"grad_vars=<{n} State{'s' if n != 1 else ''}>")
        if self.argnums_given:
            parts.append(f"argnums={self.argnums_shown}")
        parts += [f"{flag}=True" for flag in _FLAGS if getattr(self, flag)]
        if self.compiled is not None:
            parts.append(f"compiled={self.compiled}")
        return ", ".join(parts)


def make_options(
    name: str,
    grad_vars: Any,
    argnums: Any,
    *,
    has_aux: Any,
    return_value: Any,
    holomorphic: Any,
    allow_int: Any,
    compiled: Any,
    unit_aware: Any,
    debug_nan: Any,
) -> Options:
    """Check the options of a ``name(...)`` call and return them as :class:`Options`."""
    flags = {
        "has_aux": check_flag(name, "has_aux", has_aux, allow_none=True),
        "return_value": check_flag(name, "return_value", return_value),
        "holomorphic": check_flag(name, "holomorphic", holomorphic),
        "allow_int": check_flag(name, "allow_int", allow_int),
        "unit_aware": check_flag(name, "unit_aware", unit_aware),
    }
    if compiled is not None:
        compiled = check_flag(name, "compiled", compiled)
    flags["debug_nan"] = check_flag(name, "debug_nan", debug_nan)
    if flags["debug_nan"]:
        check_debug_nan(name, compiled)
        compiled = False  # brainstate's NaN report runs on the interpreted path
    normalized = normalize_argnums(name, argnums)
    if grad_vars is not None:
        states, structure, paths = flatten_grad_vars(grad_vars)
        if states:
            check_state_grad_formatter(name)
    else:
        states, structure, paths = (), None, ()
        if normalized is None:
            normalized = 0  # without grad_vars, the first argument by default
    return Options(
        has_vars=grad_vars is not None,
        states=states,
        structure=structure,
        paths=paths,
        argnums=normalized,
        argnums_shown=repr(argnums if argnums is not None else normalized),
        argnums_given=argnums is not None,
        compiled=compiled,
        **flags,
    )
