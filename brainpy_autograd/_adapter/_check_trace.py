"""The checks that run while brainstate traces the function, before JAX differentiates.

The dtypes of the differentiated inputs (an integer input is a ``TypeError``,
as in ``jax.grad``), the ``(output, aux)`` pair of ``has_aux``, and the scalar
output of ``grad``/``hessian``, so that no message shows a tracer type.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from .._checks import describe_value
from .._types import PYTHON_NUMBERS, Argnums, positions
from ._options import Options, TransformSpec

__all__ = [
    "check_inexact",
    "TraceChecks",
]


def check_inexact(
    fname: str, what: str, value: Any, *, allow_int: bool, int_fix: str
) -> None:
    """Raise ``TypeError`` if a differentiated input has an integer or bool dtype.

    ``what`` names the input in the user's terms (``"positional argument 1"``,
    ``"grad_vars['w']"``); ``int_fix`` says what to do about it.
    """
    if allow_int:
        return
    leaves, _ = jax.tree_util.tree_flatten_with_path(value)
    for path, leaf in leaves:
        dtype = getattr(leaf, "dtype", None)
        if dtype is None:
            dtype = np.result_type(leaf) if isinstance(leaf, PYTHON_NUMBERS) else None
        if dtype is None or jax.numpy.issubdtype(dtype, jax.numpy.inexact):
            continue
        where = what + jax.tree_util.keystr(path)
        raise TypeError(
            f"{fname}(): {where} has dtype {np.dtype(dtype).name}, but derivatives are only "
            f"defined for floating-point or complex inputs. {int_fix}"
        )


class TraceChecks:
    """The checks that run while brainstate traces the function, before JAX differentiates.

    :meth:`inputs` checks the dtypes of the differentiated arguments
    (``resolved`` positions) and ``grad_vars`` States; :meth:`output` checks
    the ``(output, aux)`` pair of ``has_aux`` and the scalar output of
    ``grad``/``hessian``.
    """

    __slots__ = ("spec", "options", "positions")

    def __init__(self, spec: TransformSpec, options: Options, resolved: Argnums) -> None:
        self.spec = spec
        self.options = options
        self.positions = positions(resolved)

    @property
    def needs_input_check(self) -> bool:
        return not (self.options.values["allow_int"] and self.spec.supports_allow_int)

    def inputs(self, args: tuple[Any, ...]) -> None:
        spec, opts = self.spec, self.options
        for i in self.positions:
            check_inexact(spec.name, f"positional argument {i}", args[i],
                          allow_int=False, int_fix=spec.int_fix)
        for st, path in zip(opts.states, opts.paths):
            check_inexact(spec.name, path, st.value, allow_int=False, int_fix=spec.int_fix)

    def output(self, out: Any) -> None:
        spec, opts = self.spec, self.options
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
        if shape is None and isinstance(value, (np.generic, *PYTHON_NUMBERS)):
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
