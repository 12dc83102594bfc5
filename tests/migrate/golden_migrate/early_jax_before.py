import brainpy.math.jax as bm
from brainpy.math.jax import vector_grad


def f(a, b):
    return a * 2 + b


grad_f = bm.grad(f, argnums=(0, 1), reduce_axes=[])
vg = vector_grad(lambda x: x * 3, dyn_vars={})
