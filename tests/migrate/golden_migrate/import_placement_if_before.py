"""brainpy imported in one branch only: the new import goes inside that branch."""
import sys

if sys.platform != "win32":
    import brainpy.math as bm
    g = bm.grad(lambda x: (x ** 2).sum(), dyn_vars=[])


def later():
    import brainpy.math as bm  # a function of its own: the new import goes inside it too
    return bm.grad(lambda x: x.sum())
