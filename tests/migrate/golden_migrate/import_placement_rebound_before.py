"""`bm` may be None: the module is left as it is and reported."""
try:
    import brainpy.math as bm
except ImportError:
    bm = None

if bm is not None:
    g = bm.grad(lambda x: (x ** 2).sum(), dyn_vars=[])
