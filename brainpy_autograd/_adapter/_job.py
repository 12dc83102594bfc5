"""One brainstate transform to build: what :mod:`._backend`'s helpers share.

:func:`._backend.build` makes a :class:`Job` from a transform's ``Options`` once,
and passes it whole to the helper that builds the transform
(:func:`._state_grads.state_transform`, :class:`._hessian.BlockHessian`, the
empty ``grad_vars`` case), instead of taking the options apart into long
parameter lists. A helper that builds a transform of another function
(``BlockHessian``'s inner ``jacrev``) makes its own with :meth:`Job.but`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from brainstate import State

from .._types import Argnums
from ._grad_vars import VarStructure

__all__ = ["Job"]


@dataclass(frozen=True)
class Job:
    """The function to differentiate, with respect to what, and how."""

    #: the user's function, wrapped with the trace-time checks and kept State-free
    target: Callable[..., Any]
    #: the resolved positions (non-negative), or None for States only
    argnums: Argnums
    states: tuple[State, ...]
    #: the layout of ``grad_vars`` (None without it)
    structure: VarStructure | None
    has_aux: bool
    return_value: bool
    #: the options brainstate's transform takes as keywords (``holomorphic``...)
    flags: dict[str, Any]

    @property
    def layout(self) -> VarStructure:
        """The ``grad_vars`` layout, which a helper for States can rely on."""
        assert self.structure is not None
        return self.structure

    def common(self) -> dict[str, Any]:
        """The keywords every brainstate transform takes, States checked by us."""
        return dict(has_aux=self.has_aux, return_value=self.return_value, check_states=False)

    def but(self, **changes: Any) -> Job:
        """This job with ``changes`` (``target=``, ``has_aux=``...)."""
        return dataclasses.replace(self, **changes)
