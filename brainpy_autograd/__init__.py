"""BrainPy 2.x automatic differentiation on top of ``brainstate.transform``.

``brainpy_autograd`` provides ``grad``, ``vector_grad`` (alias
``functional_vector_grad``), ``jacrev`` (alias ``jacobian``), ``jacfwd`` and
``hessian`` with the signatures, keywords and return layouts of
``brainpy.math`` in BrainPy 2.x, running on brainstate's State-aware
transforms. Replace ``bm.grad`` by ``brainpy_autograd.grad`` and the rest of
the call stays as it was.

Return layout
-------------
Every transform returns results in the same layout. ``arg_grads`` are the
derivatives with respect to the ``argnums`` arguments (one result for an int
``argnums``, a tuple for a sequence); ``var_grads`` are those with respect to
``grad_vars``, in the layout of ``grad_vars`` itself; ``value`` is the
function's output (the loss); ``aux`` is the second element of the pair a
``has_aux=True`` function returns.

=========  =========  =======  ============  ========================================
grad_vars  argnums    has_aux  return_value  the transformed function returns
=========  =========  =======  ============  ========================================
None       any [1]_   False    False         ``arg_grads``
None       any [1]_   True     False         ``(arg_grads, aux)``
None       any [1]_   False    True          ``(arg_grads, value)``
None       any [1]_   True     True          ``(arg_grads, value, aux)``
given      None       False    False         ``var_grads``
given      None       True     False         ``(var_grads, aux)``
given      None       False    True          ``(var_grads, value)``
given      None       True     True          ``(var_grads, value, aux)``
given      given      False    False         ``(var_grads, arg_grads)``
given      given      True     False         ``((var_grads, arg_grads), aux)``
given      given      False    True          ``((var_grads, arg_grads), value)``
given      given      True     True          ``((var_grads, arg_grads), value, aux)``
=========  =========  =======  ============  ========================================

.. [1] Without ``grad_vars``, ``argnums`` defaults to ``0``; with ``grad_vars``
   it defaults to none (no argument is differentiated).

"Given" means "not None": an empty ``grad_vars`` (``[]``, ``{}``) is given,
and its ``var_grads`` is the same empty container. Containers come back as
the built-in type: lists (``bm.VarList`` too) as ``list``, dicts (``bm.VarDict``,
BrainPy collectors, brainstate's ``FlattedDict``) as ``dict`` with the same keys
in the same order, tuples as ``tuple`` (namedtuples keep their class).
For ``hessian`` with both ``grad_vars`` and ``argnums`` the gradient part is a
block matrix; see :func:`hessian`.

Errors
------
Wrong types (``func`` not callable, a ``grad_vars`` leaf that is not a State,
``argnums`` that is not an int or a sequence of ints, a flag that is not a
bool, an unknown keyword, a non-scalar output for ``grad``/``hessian``,
``has_aux=True`` without a pair, an integer input without ``allow_int``)
raise ``TypeError``. Values that are not allowed (repeated, empty or
out-of-range ``argnums``, a non-empty ``reduce_axes``) raise ``ValueError``.
All are raised before any State is read or written.
"""

# The package's public names are imported on first use (PEP 562), not here: the
# migration command (brainpy_autograd.migrate) goes through this module and must
# start without JAX and brainstate, which cost about 2.5 s of CPU to import and
# may not be installed where the command runs (a pre-commit environment).
# `from brainpy_autograd import grad`, `bpa.grad`, dir(), help() and Sphinx autodoc
# all go through __getattr__/__dir__ below; type checkers read the block under
# TYPE_CHECKING.

import importlib
import sys
from typing import TYPE_CHECKING, Any

if "jax" in sys.modules:
    # JAX is loaded already, so this imports no JAX that was not there; it keeps
    # "import brainpy_autograd before brainstate" meaning what it did (the x64 flag).
    from . import _x64_guard  # noqa: F401

if TYPE_CHECKING:
    from ._adapter import AutogradFunction as AutogradFunction
    from ._adapter import LegacyArgumentWarning as LegacyArgumentWarning
    from ._adapter import functional_vector_grad as functional_vector_grad
    from ._adapter import grad as grad
    from ._adapter import hessian as hessian
    from ._adapter import jacfwd as jacfwd
    from ._adapter import jacobian as jacobian
    from ._adapter import jacrev as jacrev
    from ._adapter import vector_grad as vector_grad
    from ._engine import CallStats as CallStats
    from ._engine import compiled_calls as compiled_calls
    from ._engine import compiled_calls_enabled as compiled_calls_enabled
    from ._engine import set_compiled_calls as set_compiled_calls
    from ._engine import wait_for_compilations as wait_for_compilations
    from ._install import BrainPyInstallation as BrainPyInstallation
    from ._install import install as install
    from ._install import is_installed as is_installed
    from ._install import uninstall as uninstall

#: Each public name, with the private module that defines it.
_LAZY: dict[str, str] = {
    "AutogradFunction": "._adapter",
    "BrainPyInstallation": "._install",
    "CallStats": "._engine",
    "LegacyArgumentWarning": "._adapter",
    "compiled_calls": "._engine",
    "compiled_calls_enabled": "._engine",
    "functional_vector_grad": "._adapter",
    "grad": "._adapter",
    "hessian": "._adapter",
    "install": "._install",
    "is_installed": "._install",
    "jacfwd": "._adapter",
    "jacobian": "._adapter",
    "jacrev": "._adapter",
    "set_compiled_calls": "._engine",
    "uninstall": "._install",
    "vector_grad": "._adapter",
    "wait_for_compilations": "._engine",
}


def __getattr__(name: str) -> Any:
    """Import the module that defines a public name on its first use (PEP 562)."""
    if name == "__version__":  # reading the installed metadata takes a while, too
        globals()[name] = _package_version()
        return globals()[name]
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # first: keeps JAX's x64 flag as the user set it (see _x64_guard)
    importlib.import_module("._x64_guard", __name__).keep_x64()
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later uses are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"__version__"})


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("brainpy-autograd")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


__version__: str  # set on first use, by __getattr__

__all__ = [
    "AutogradFunction",
    "BrainPyInstallation",
    "CallStats",
    "LegacyArgumentWarning",
    "compiled_calls",
    "compiled_calls_enabled",
    "functional_vector_grad",
    "grad",
    "hessian",
    "install",
    "is_installed",
    "jacfwd",
    "jacobian",
    "jacrev",
    "set_compiled_calls",
    "uninstall",
    "vector_grad",
    "wait_for_compilations",
]
