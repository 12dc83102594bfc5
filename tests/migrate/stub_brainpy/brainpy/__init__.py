"""A stand-in BrainPy 2.x: importing it imports JAX at once, as the real one does."""

import jax  # noqa: F401 - loaded at import, as BrainPy does

from . import math  # noqa: F401
