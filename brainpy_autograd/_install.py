"""Opt-in, reversible redirection of ``brainpy.math``'s autodiff names to ours.

:func:`install` replaces ``grad``, ``vector_grad``, ``functional_vector_grad``,
``jacobian``, ``jacrev``, ``jacfwd`` and ``hessian`` in the BrainPy 2.x modules
that expose them (``brainpy.math``, ``brainpy.math.object_transform`` and
``brainpy.math.object_transform.autograd``) and nothing else; :func:`uninstall`
puts BrainPy's own functions back. Code that already did
``from brainpy.math import grad`` before :func:`install` keeps BrainPy's
function, so call it at start-up, before importing such modules.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType, TracebackType
from typing import Any

from ._adapter import TRANSFORMS

__all__ = ["install", "uninstall", "is_installed", "BrainPyInstallation"]

#: the names replaced, with the functions that replace them
REPLACEMENTS: dict[str, Any] = TRANSFORMS
#: the BrainPy 2.x modules those names are reachable from
MODULES = ("brainpy.math", "brainpy.math.object_transform",
           "brainpy.math.object_transform.autograd")

#: (module name, attribute) -> BrainPy's original, while installed
_originals: dict[tuple[str, str], Any] = {}


class BrainPyInstallation:
    """What :func:`install` returns; as a context manager it uninstalls on exit,
    unless it was already installed when the block began (a nested block, or a
    block inside a script that called :func:`install`): then it stays installed.

    Examples
    --------
    >>> import brainpy_autograd
    >>> with brainpy_autograd.install():   # doctest: +SKIP
    ...     run_old_brainpy_code()
    """

    def __init__(self, before: dict[tuple[str, str], Any] | None = None,
                 originals: dict[tuple[str, str], Any] | None = None) -> None:
        #: each replaced name's value when install() began, and BrainPy's originals then
        self._before = dict(before or {})
        self._originals = dict(originals or {})

    def __enter__(self) -> BrainPyInstallation:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        _restore(self._before, self._originals)

    def __repr__(self) -> str:
        state = "installed" if is_installed() else "uninstalled"
        return f"<brainpy_autograd installation into brainpy.math ({state})>"


def _brainpy_modules() -> list[ModuleType]:
    try:
        importlib.import_module("brainpy.math")
    except ImportError as err:
        raise ImportError(
            "brainpy_autograd.install() redirects BrainPy 2.x's brainpy.math.grad & co. to "
            "brainpy_autograd, but BrainPy could not be imported. Without BrainPy there is "
            "nothing to redirect: import grad, jacrev, ... from brainpy_autograd directly."
        ) from err
    modules = []
    for name in MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ImportError:
            continue
    if not any(hasattr(m, n) for m in modules for n in REPLACEMENTS):
        raise ImportError(
            "brainpy_autograd.install() found no autodiff functions in brainpy.math; it "
            "supports BrainPy 2.x. Import grad, jacrev, ... from brainpy_autograd directly."
        )
    return modules


def install() -> BrainPyInstallation:
    """Make ``brainpy.math.grad`` & co. resolve to brainpy_autograd's functions.

    Replaces the seven autodiff names (``grad``, ``vector_grad``,
    ``functional_vector_grad``, ``jacobian``, ``jacrev``, ``jacfwd``, ``hessian``)
    in ``brainpy.math`` and in the submodules they are reachable from
    (``brainpy.math.object_transform`` and its ``autograd``), and nothing else. Calling it again
    changes nothing. Undo it with :func:`uninstall` (which undoes every call), or use
    the returned object as a context manager: leaving the block restores what was
    there when it began, so a ``with install():`` block inside code that had already
    installed leaves it installed.

    Returns
    -------
    BrainPyInstallation
        A handle that uninstalls when used as a context manager and exits.

    Raises
    ------
    ImportError
        If BrainPy cannot be imported, or its ``brainpy.math`` has none of these
        names (a BrainPy that is not 2.x).

    Examples
    --------
    >>> import brainpy_autograd
    >>> brainpy_autograd.install()          # doctest: +SKIP
    >>> import brainpy.math as bm           # doctest: +SKIP
    >>> bm.grad is brainpy_autograd.grad    # doctest: +SKIP
    True
    """
    modules = _brainpy_modules()
    before = {(m.__name__, n): getattr(m, n) for m in modules for n in REPLACEMENTS
              if hasattr(m, n)}
    originals = dict(_originals)
    for module in modules:
        for name, ours in REPLACEMENTS.items():
            if not hasattr(module, name):
                continue
            current = getattr(module, name)
            if current is ours:
                continue
            _originals.setdefault((module.__name__, name), current)
            setattr(module, name, ours)
    return BrainPyInstallation(before, originals)


def _restore(before: dict[tuple[str, str], Any], originals: dict[tuple[str, str], Any]) -> None:
    """Put back each name as it was when a ``with install():`` block began, unless
    something else replaced it during the block (that is left alone, as by uninstall)."""
    for (module_name, name), value in before.items():
        module = sys.modules.get(module_name)
        if module is None:
            continue
        current, ours = getattr(module, name, None), REPLACEMENTS[name]
        brainpy_again = value is ours and current is originals.get((module_name, name), ours)
        if not (current is ours or brainpy_again):  # brainpy_again: uninstall() in the block
            continue  # replaced by someone else during the block
        setattr(module, name, value)
        if value is ours and (module_name, name) in originals:
            _originals.setdefault((module_name, name), originals[(module_name, name)])
        elif value is not ours:
            _originals.pop((module_name, name), None)


def uninstall() -> None:
    """Put BrainPy's own autodiff functions back (a no-op if not installed).

    A name that something else has replaced since :func:`install` is left alone.
    """
    for (module_name, name), original in list(_originals.items()):
        module = sys.modules.get(module_name)
        if module is not None and getattr(module, name, None) is REPLACEMENTS[name]:
            setattr(module, name, original)
        del _originals[(module_name, name)]


def is_installed() -> bool:
    """Whether ``brainpy.math.grad`` currently resolves to brainpy_autograd's."""
    module = sys.modules.get("brainpy.math")
    return module is not None and getattr(module, "grad", None) is TRANSFORMS["grad"]
