"""brainpy imported in only one branch: where the new import would run cannot be told."""
import sys

if sys.platform != "win32":
    import brainpy.math as bm
    g = bm.grad(lambda x: (x ** 2).sum(), dyn_vars=[])


def later():
    import brainpy.math as bm  # a function of its own: fine, but the `if` above is not
    return bm.grad(lambda x: x.sum())
