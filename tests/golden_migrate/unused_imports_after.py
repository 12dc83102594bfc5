import brainpy_autograd


def loss(x):
    return (x ** 2).sum()


grad_loss = brainpy_autograd.grad(loss)
