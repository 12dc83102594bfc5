"""What defines one transform: its kind (:class:`TransformSpec`) and its options.

:data:`SPECS` holds what differs between the five transforms. :func:`make_options`
checks the keyword arguments of one ``grad(...)`` call (with
:mod:`._check_create`) and returns them as :class:`Options`, which the transform
keeps and which also say how it reads in a ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import brainstate
from brainstate import State

from .._internals import check_state_grad_formatter
from .._types import Argnums
from ._check_create import check_debug_nan, normalize_argnums
from ._grad_vars import VarStructure, flatten_grad_vars
from ._option_table import OPTIONS

__all__ = ["TransformSpec", "SPECS", "Options", "make_options"]

_CAST = "Cast it to a floating dtype, e.g. x.astype(jnp.float32)"


@dataclass(frozen=True)
class TransformSpec:
    """What differs between the five transforms."""

    name: str
    backend: Callable[..., Any]
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
        "grad", brainstate.transform.grad, scalar_output=True, supports_allow_int=True,
        nonscalar_hint=_SCALAR_HINT,
    ),
    "vector_grad": TransformSpec(
        "vector_grad", brainstate.transform.vector_grad, scalar_output=False,
        supports_allow_int=True,
    ),
    "jacrev": TransformSpec(
        "jacrev", brainstate.transform.jacrev, scalar_output=False, supports_allow_int=True,
    ),
    "jacfwd": TransformSpec(
        "jacfwd", brainstate.transform.jacfwd, scalar_output=False, supports_allow_int=False,
    ),
    "hessian": TransformSpec(
        "hessian", brainstate.transform.hessian, scalar_output=True, supports_allow_int=False,
        nonscalar_hint=(
            "Reduce it to a scalar (e.g. out.sum()), or use jacfwd(jacrev(f)) for the "
            "second derivatives of every output."
        ),
    ),
}

#: the options kept in :class:`Options` (the others are taken apart or only warned about)
_KEPT = tuple(option for option in OPTIONS if option.check is not None)
#: their defaults, checked (``has_aux=None`` reads as False): a repr shows the others
_KEPT_DEFAULTS = {o.name: o.check("", o.name, o.default) for o in _KEPT if o.check}


@dataclass(frozen=True)
class Options:
    """The validated options of one transform (see the option table for their meaning)."""

    has_vars: bool
    states: tuple[State, ...]
    structure: VarStructure | None
    paths: tuple[str, ...]
    argnums: Argnums
    #: the user's argnums as they wrote it (or the default), for messages
    argnums_shown: str
    argnums_given: bool
    #: every checked option of the table by name (the default where the transform
    #: does not take it): ``has_aux``, ``return_value``, ``compiled``...
    values: Mapping[str, Any]

    @property
    def has_aux(self) -> bool:
        return bool(self.values["has_aux"])

    @property
    def return_value(self) -> bool:
        return bool(self.values["return_value"])

    @property
    def compiled(self) -> bool | None:
        compiled: bool | None = self.values["compiled"]
        return compiled

    @property
    def shown(self) -> str:
        """How the options read in a repr: ``grad_vars=<2 States>, argnums=0, has_aux=True``."""
        parts = []
        if self.has_vars:
            n = len(self.states)
            parts.append(f"grad_vars=<{n} State{'s' if n != 1 else ''}>")
        if self.argnums_given:
            parts.append(f"argnums={self.argnums_shown}")
        parts += [f"{name}={self.values[name]!r}" for name, default in _KEPT_DEFAULTS.items()
                  if self.values[name] != default]
        return ", ".join(parts)


def make_options(name: str, arguments: Mapping[str, Any]) -> Options:
    """Check the arguments of a ``name(...)`` call (by parameter name; a missing one
    takes its default) and return them as :class:`Options`."""
    values = {o.name: o.check(name, o.name, arguments.get(o.name, o.default))
              for o in _KEPT if o.check}
    if values["debug_nan"]:
        check_debug_nan(name, values["compiled"])
        values["compiled"] = False  # brainstate's NaN report runs on the interpreted path
    grad_vars, argnums = arguments.get("grad_vars"), arguments.get("argnums")
    normalized = normalize_argnums(name, argnums)
    if grad_vars is not None:
        states, structure, paths = flatten_grad_vars(name, grad_vars)
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
        values=values,
    )
