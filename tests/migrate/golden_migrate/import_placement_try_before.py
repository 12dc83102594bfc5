"""A try that imports brainpy: the new import goes inside the try, after brainpy's."""
try:
    import brainpy.math as bm
except ImportError as err:
    raise SystemExit("this script needs BrainPy: pip install brainpy") from err

import numpy as np

g = bm.grad(lambda x: (x ** 2).sum(), dyn_vars=[])
