"""A try whose except always raises: after it, brainpy was certainly imported."""
try:
    import brainpy.math as bm
except ImportError as err:
    raise SystemExit("this script needs BrainPy: pip install brainpy") from err

import brainpy_autograd

import numpy as np

g = brainpy_autograd.grad(lambda x: (x ** 2).sum())
