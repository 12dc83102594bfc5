"""A stand-in ``brainpy.math``: JAX loads when it is imported; ``grad`` is ``jax.grad``."""

import jax
import jax.numpy as jnp

grad = jax.grad
ones = jnp.ones
