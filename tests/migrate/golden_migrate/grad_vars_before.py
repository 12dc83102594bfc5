"""grad_vars that hold plain arrays cannot be differentiated: reported, never changed."""
import brainpy as bp
import brainpy.math as bm


class Layer(bp.DynamicalSystem):
    def __init__(self):
        super().__init__()
        self.w = bm.random.random((3, 3))  # a plain array
        self.b = bm.TrainVar(bm.zeros(3))  # a variable

    def loss(self, x):
        return (self.w @ x + self.b).sum()


layer = Layer()
g1 = bm.grad(layer.loss, grad_vars=[layer.w, layer.b])
g2 = bm.grad(layer.loss, {"b": layer.b, "extra": bm.ones(3)})
g3 = bm.grad(layer.loss, grad_vars=layer.b)
