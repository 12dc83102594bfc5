"""Tolerances and finite-difference steps by dtype, and a context to check in float64.

As in ``jax.test_util.check_grads``, a check is as loose as its least precise
floating dtype (of the differentiated inputs and of the output): float32
allows an error of ``2e-3`` (absolute and relative), float64 ``1e-5``. The
central-difference step is chosen for each dtype too: near the cube root of
its machine epsilon, where the rounding error of ``f(x + eps v) - f(x - eps v)``
and the truncation error of the central difference are about equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["TOLERANCE", "STEP", "check_dtype", "enable_x64"]

#: atol and rtol by dtype (the values of ``jax.test_util``'s gradient checks)
TOLERANCE = {
    "bfloat16": 1e-1,
    "float16": 1e-1,
    "float32": 2e-3,
    "float64": 1e-5,
}
#: the central-difference step by dtype
STEP = {
    "bfloat16": 1e-1,
    "float16": 1e-1,
    "float32": 1e-3,
    "float64": 1e-5,
}


def check_dtype(dtypes: Iterable[Any]) -> str:
    """The least precise floating dtype among ``dtypes`` (``float64`` if there is none)."""
    names = [np.dtype(d).name for d in dtypes]
    for name in ("bfloat16", "float16", "float32"):
        if name in names:
            return name
    return "float64"


@contextmanager
def enable_x64() -> Iterator[None]:
    """Compute in float64 inside the ``with`` block (JAX's x64 mode and brainstate's precision).

    Finite differences in float32 are noisy, so a float32 check uses loose
    tolerances. To check to float64's precision, make the model, its States and
    the arguments *inside* the block (arrays made before it stay float32), and
    call :func:`check_grads` there. On exit JAX's ``jax_enable_x64`` flag and
    brainstate's precision are what they were.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainstate
    >>> from brainpy_autograd.testing import check_grads, enable_x64
    >>> with enable_x64():
    ...     w = brainstate.ParamState(jnp.array([0.5, -1.0]))
    ...     print(w.value.dtype)
    ...     check_grads(lambda x: jnp.sum(jnp.tanh(w.value * x)), (jnp.ones(2),),
    ...                 grad_vars=w, argnums=0)
    float64
    """
    import brainstate
    import jax

    before = bool(jax.config.jax_enable_x64)  # type: ignore[attr-defined]
    try:
        with brainstate.environ.context(precision=64):
            jax.config.update("jax_enable_x64", True)
            yield
    finally:
        jax.config.update("jax_enable_x64", before)
