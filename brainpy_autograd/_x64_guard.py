"""Importing brainpy_autograd never changes JAX's ``jax_enable_x64`` flag.

brainstate 0.5.x sets ``jax_enable_x64`` from its own default precision (32
bits) when it is imported, so a program that enabled float64 and then
imported brainpy_autograd (and with it, for the first time, brainstate) would
silently compute in float32. brainstate 0.6 takes the precision from JAX's
flag instead; this module gives 0.5.x the same behaviour, through brainstate's
own setting so that brainstate stays consistent with JAX. It does nothing if
brainstate was already imported, or if x64 was off.
"""

import sys

import jax

if "brainstate" not in sys.modules and jax.config.jax_enable_x64:  # type: ignore[attr-defined]
    import brainstate

    if not jax.config.jax_enable_x64:  # type: ignore[attr-defined]
        brainstate.environ.set(precision=64)
