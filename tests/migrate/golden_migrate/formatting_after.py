import brainpy.math as bm
import brainpy_autograd


def loss(x, y):
    return (x * y).sum()


grad_fn = brainpy_autograd.grad(
    loss,  # the loss
    argnums=(0, 1),  # both arguments
    # legacy, ignored
    has_aux=False,
)
other = brainpy_autograd.grad(loss, argnums=0)
