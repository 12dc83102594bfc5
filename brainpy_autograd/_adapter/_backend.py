"""Building the brainstate transform behind one call form.

:func:`build` returns the callable that computes one transform for one
resolved ``argnums``: the user's function wrapped with the trace-time checks
(:class:`._check_trace.TraceChecks`) and States kept out of its boundary
(:class:`._states.StateFreeFunction`), under ``brainstate.transform.<name>``,
adjusted where brainstate's result is wrong or incomplete:

- with ``grad_vars``: :func:`._state_grads.state_transform`, which puts the
  State gradients into the user's layout (also for ``jacrev``/``jacfwd`` of a
  pytree output, where brainstate raises);
- an empty ``grad_vars``: brainstate sees no State, so the empty container is
  put where ``var_grads`` belongs (with no ``argnums`` there is nothing to
  differentiate, and a dummy scalar is differentiated and discarded);
- ``hessian`` with States and ``argnums`` (brainstate refuses it):
  :class:`._hessian.BlockHessian`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._types import Argnums
from ._check_trace import TraceChecks
from ._hessian import BlockHessian
from ._job import Job
from ._option_table import brainstate_flags
from ._state_grads import state_transform
from ._states import StateFreeFunction

if TYPE_CHECKING:
    from ._options import Options, TransformSpec

__all__ = ["build"]


def build(
    spec: TransformSpec, options: Options, func: Callable[..., Any], argnums: Argnums
) -> Callable[..., Any]:
    """The callable computing ``spec``'s transform of ``func`` for one resolved ``argnums``.

    Its result has the layout of the return table: brainstate's, with the
    State gradients in the user's ``grad_vars`` layout, and an empty
    ``grad_vars`` in its place (:func:`_empty_grad_vars`). An option whose effect
    is more than a keyword of brainstate's transform (see the option table) acts
    here, on ``func`` or on the :class:`Job`.
    """
    checks = TraceChecks(spec, options, argnums)
    target = StateFreeFunction(func, checks.inputs if checks.needs_input_check else None,
                               checks.output, has_aux=options.has_aux)
    job = Job(target, argnums, options.states, options.structure, has_aux=options.has_aux,
              return_value=options.return_value,
              flags=brainstate_flags(spec.name, options.values))
    if job.states:
        if spec.name == "hessian" and argnums is not None:
            return BlockHessian(job)
        return state_transform(spec.name, spec.backend, job)
    if options.has_vars:
        return _empty_grad_vars(spec.backend, job)
    return spec.backend(job.target, argnums=argnums, **job.flags, **job.common())


def _empty_grad_vars(factory: Callable[..., Any], job: Job) -> Callable[..., Any]:
    """An empty ``grad_vars`` (``[]``, ``{}``): its ``var_grads`` is the same empty container.

    brainstate sees no State. Without ``argnums`` it has nothing to
    differentiate, so a dummy scalar is differentiated and discarded: the
    value, the aux data and the State writes must still come back.
    """
    extras = job.has_aux or job.return_value
    structure = job.layout
    if job.argnums is None:
        dummy = factory(_DummyFirst(job.target), argnums=0, **job.flags, **job.common())

        def only_vars(*args: Any, **kwargs: Any) -> Any:
            res = dummy(np.float32(0.0), *args, **kwargs)
            empty = structure.rebuild(())
            return (empty, *res[1:]) if extras else empty

        return only_vars
    bs = factory(job.target, argnums=job.argnums, **job.flags, **job.common())

    def with_args(*args: Any, **kwargs: Any) -> Any:
        res = bs(*args, **kwargs)
        grads = (structure.rebuild(()), res[0] if extras else res)
        return (grads, *res[1:]) if extras else grads

    return with_args


class _DummyFirst:
    """``target`` with a leading dummy argument to differentiate (and discard)."""

    __slots__ = ("target", "__name__", "__qualname__")

    def __init__(self, target: Callable[..., Any]) -> None:
        self.target = target
        self.__name__ = getattr(target, "__name__", "function")
        self.__qualname__ = getattr(target, "__qualname__", self.__name__)

    def __call__(self, _dummy: Any, *args: Any, **kwargs: Any) -> Any:
        return self.target(*args, **kwargs)
