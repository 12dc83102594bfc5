"""The name tables that the adapter and the migration tool share.

Standard library only, and no imports from the package: the migration tool
(:mod:`brainpy_autograd._migrate`) reads these tables without loading JAX or
brainstate, and the adapter (:mod:`._api`, :mod:`._legacy`) builds on them.

>>> from brainpy_autograd._names import ALIASES, TRANSFORM_NAMES
>>> [ALIASES.get(name, name) for name in TRANSFORM_NAMES if name in ALIASES]
['vector_grad', 'jacrev']
"""

from __future__ import annotations

__all__ = ["TRANSFORM_NAMES", "ALIASES", "OLD_POSITIONAL_ORDER"]

#: Every public transform by its BrainPy name, the aliases included: the names that
#: ``install()`` replaces in ``brainpy.math`` and that the migration rewrites.
TRANSFORM_NAMES: tuple[str, ...] = (
    "grad",
    "vector_grad",
    "functional_vector_grad",
    "jacobian",
    "jacrev",
    "jacfwd",
    "hessian",
)

#: BrainPy's alias names, with the name of the function each one is.
ALIASES: dict[str, str] = {"functional_vector_grad": "vector_grad", "jacobian": "jacrev"}

#: BrainPy 2.1/2.2 positional orders, used to re-read a call whose third
#: positional argument holds States (the old ``dyn_vars``/``grad_vars`` slot).
OLD_POSITIONAL_ORDER: dict[str, tuple[str, ...]] = {
    "grad": (
        "func", "grad_vars", "dyn_vars", "argnums", "holomorphic", "allow_int",
        "reduce_axes", "has_aux", "return_value",
    ),
    "jacrev": (
        "func", "grad_vars", "dyn_vars", "argnums", "holomorphic", "allow_int",
        "has_aux", "return_value",
    ),
    "jacfwd": (
        "func", "grad_vars", "dyn_vars", "argnums", "holomorphic", "has_aux", "return_value",
    ),
    "hessian": ("func", "dyn_vars", "grad_vars", "argnums", "holomorphic", "return_value"),
    "vector_grad": ("func", "dyn_vars", "grad_vars", "argnums", "return_value", "has_aux"),
}
