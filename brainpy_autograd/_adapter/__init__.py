"""The adapter: the public transforms and everything they validate and build.

Read ``README.md`` in this folder for the pieces and how a call flows through them.
"""

from ._api import ALIASES as ALIASES
from ._api import TRANSFORMS as TRANSFORMS
from ._api import functional_vector_grad as functional_vector_grad
from ._api import grad as grad
from ._api import hessian as hessian
from ._api import jacfwd as jacfwd
from ._api import jacobian as jacobian
from ._api import jacrev as jacrev
from ._api import vector_grad as vector_grad
from ._legacy import LegacyArgumentWarning as LegacyArgumentWarning
from ._transform import AutogradFunction as AutogradFunction

__all__ = [
    "ALIASES",
    "TRANSFORMS",
    "AutogradFunction",
    "LegacyArgumentWarning",
    "functional_vector_grad",
    "grad",
    "hessian",
    "jacfwd",
    "jacobian",
    "jacrev",
    "vector_grad",
]
