import brainpy.math as bm


def loss(x):
    return (x ** 2).sum()


grad_loss = bm.grad(loss)
