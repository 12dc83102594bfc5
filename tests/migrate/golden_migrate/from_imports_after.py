from brainpy.math import zeros
from brainpy_autograd import grad as g, jacobian
from brainpy_autograd import vector_grad


def f(x):
    return (x ** 2).sum()


dg = g(f)
jac = jacobian(lambda x: x * 2)
vg = vector_grad(lambda x: x ** 3)
z = zeros(3)
