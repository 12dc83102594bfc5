"""Gradient checks of stateful models, for your own test suite.

- :func:`check_grads`: this package's derivatives of a function that reads and
  writes States, against central finite differences, with every State (the
  random key included) put back bit for bit afterwards;
- :func:`assert_paths_agree`: one call of a transform on every evaluation path
  (interpreted, replayed, compiled, under ``jit`` and ``vmap``) gives the same
  result and leaves the same States;
- :func:`enable_x64`: run a check in float64;
- :mod:`brainpy_autograd.testing.strategies`: hypothesis strategies for States'
  values and arrays, and a ready gradient property (imports hypothesis, which
  the ``testing`` extra installs; this module does not).

See the documentation page "Testing your gradients".
"""

from ._check_grads import check_grads as check_grads
from ._paths import assert_paths_agree as assert_paths_agree
from ._tolerance import enable_x64 as enable_x64

__all__ = ["assert_paths_agree", "check_grads", "enable_x64"]
