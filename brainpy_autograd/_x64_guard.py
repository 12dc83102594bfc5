"""Importing brainpy_autograd never changes JAX's ``jax_enable_x64`` flag.

brainstate 0.5.x sets ``jax_enable_x64`` from its own default precision (32
bits) when it is imported, so a program that enabled float64 and then
imported brainpy_autograd (and with it, for the first time, brainstate) would
silently compute in float32. brainstate 0.6 takes the precision from JAX's
flag instead; this module gives 0.5.x the same behaviour, through brainstate's
own setting so that brainstate stays consistent with JAX. It does nothing if
brainstate was already imported, or if x64 was off.

:func:`keep_x64` runs at ``import brainpy_autograd`` when JAX is already loaded,
and again before each public name is first loaded: a script may turn x64 on after
importing this package and before its first ``grad``, which imports brainstate.
"""

import sys

import jax


def keep_x64() -> None:
    """Import brainstate now, keeping JAX's x64 flag as it is (see the module docstring)."""
    if "brainstate" not in sys.modules and jax.config.jax_enable_x64:  # type: ignore[attr-defined]
        import brainstate

        if not jax.config.jax_enable_x64:  # type: ignore[attr-defined]
            brainstate.environ.set(precision=64)


keep_x64()
