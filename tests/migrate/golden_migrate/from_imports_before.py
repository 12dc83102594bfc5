from brainpy.math import grad as g, jacobian, zeros
from brainpy.math import vector_grad


def f(x):
    return (x ** 2).sum()


dg = g(f, dyn_vars=None)
jac = jacobian(lambda x: x * 2)
vg = vector_grad(lambda x: x ** 3, child_objs=[])
z = zeros(3)
