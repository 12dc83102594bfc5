import brainpy.math.jax as bm
import brainpy_autograd
from brainpy_autograd import vector_grad


def f(a, b):
    return a * 2 + b


grad_f = brainpy_autograd.grad(f, argnums=(0, 1))
vg = vector_grad(lambda x: x * 3)
