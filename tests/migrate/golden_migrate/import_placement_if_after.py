"""brainpy imported in one branch only: the new import goes inside that branch."""
import sys

if sys.platform != "win32":
    import brainpy.math as bm
    import brainpy_autograd
    g = brainpy_autograd.grad(lambda x: (x ** 2).sum())


def later():
    import brainpy.math as bm  # a function of its own: the new import goes inside it too
    import brainpy_autograd
    return brainpy_autograd.grad(lambda x: x.sum())
