"""Opt-in, reversible redirection of ``brainpy.math``'s autodiff names to ours.

:func:`install` replaces ``grad``, ``vector_grad``, ``functional_vector_grad``,
``jacobian``, ``jacrev``, ``jacfwd`` and ``hessian`` in the BrainPy 2.x modules
that expose them (``brainpy.math``, ``brainpy.math.object_transform`` and
``brainpy.math.object_transform.autograd``) and nothing else. Code that already did
``from brainpy.math import grad`` before :func:`install` keeps BrainPy's
function, so call it at start-up, before importing such modules.

Installations are a stack of open handles, not a flag. Each :func:`install` opens
one; :func:`uninstall` closes every one that is not a ``with`` block. Entering a
handle (``with install():``, ``with h:``) opens one more installation of its own,
a block, there and then: whatever happened to the handle before (another thread's
:func:`uninstall` between ``install()`` and the ``with``, an ``uninstall()`` or
``h.close()`` earlier, an enclosing ``with h:``), the names are ours for as long as
the block is open, and :func:`uninstall` never closes a block. Leaving the block
closes the block's installation and the handle itself, in whatever order blocks
end and from whatever thread. While any handle is open the names are ours; when the last one closes,
each name that is still ours gets back the value it had when it was replaced (a
name someone else replaced in the meantime is left as they set it). Module
attributes are shared by every thread, so unlike ``warnings.catch_warnings`` (which
saves and restores one global state, and breaks when blocks end out of order) or a
``contextvars`` design (one view per thread or task, which a module attribute cannot
give), the state is a count of open handles under a lock: a block sees our
transforms for as long as it is open, whatever other blocks do.
"""

from __future__ import annotations

import importlib
import sys
import threading
from types import ModuleType, TracebackType
from typing import Any

from ._adapter import TRANSFORMS

__all__ = ["install", "uninstall", "is_installed", "BrainPyInstallation"]

#: the names replaced, with the functions that replace them
REPLACEMENTS: dict[str, Any] = TRANSFORMS
#: the BrainPy 2.x modules those names are reachable from
MODULES = ("brainpy.math", "brainpy.math.object_transform",
           "brainpy.math.object_transform.autograd")

#: (module name, attribute) -> what was there when we replaced it, while installed
_originals: dict[tuple[str, str], Any] = {}
#: the handles open now, in the order they were opened
_open: list[BrainPyInstallation] = []
_lock = threading.RLock()


class BrainPyInstallation:
    """One open installation, as :func:`install` returns it.

    :meth:`close` closes it by hand. As a context manager, each ``with`` opens an
    installation of its own for the block (so the block is installed even if the handle
    was closed before it began, and however blocks nest), and closes that one and the
    handle when the block ends. BrainPy's names come back when the last open
    installation closes.

    Examples
    --------
    >>> import brainpy_autograd
    >>> with brainpy_autograd.install():   # doctest: +SKIP
    ...     run_old_brainpy_code()
    """

    def __init__(self, block: bool = False) -> None:
        #: whether a ``with`` block opened it (then only the block's end closes it)
        self.block = block
        #: the installations the ``with`` blocks of this handle opened, still open
        self._blocks: list[BrainPyInstallation] = []

    def __enter__(self) -> BrainPyInstallation:
        block = _open_installation(block=True)
        with _lock:
            self._blocks.append(block)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with _lock:
            if self._blocks:  # (an __exit__ without its __enter__ closes the handle only)
                self._blocks.pop().close()
            self.close()

    def close(self) -> None:
        """Close this installation (again: nothing); the last one to close puts BrainPy's
        names back."""
        with _lock:
            if self in _open:
                _open.remove(self)
                if not _open:
                    _restore()

    @property
    def open(self) -> bool:
        """Whether this installation, or a block of it, is still open."""
        return self in _open or bool(self._blocks)

    def __repr__(self) -> str:
        state = "installed" if is_installed() else "uninstalled"
        mine = "open" if self.open else "closed"
        return f"<brainpy_autograd installation into brainpy.math ({mine}; {state})>"


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
    (``brainpy.math.object_transform`` and its ``autograd``), and nothing else. Each call
    opens an installation; the names are ours while any is open (see the module's
    notes). Close it with :func:`uninstall` (which closes every one that is not a
    ``with`` block), or use the returned object as a context manager: the block's
    installation closes when it ends, in any order and from any thread, and BrainPy's
    names come back when the last open one closes. Entering it opens an installation of
    its own for the block, so ``with install():`` is installed throughout the block even
    if another thread calls :func:`uninstall` right after ``install()`` returns, and so
    is ``with h:`` after ``h.close()``; leaving the block closes the handle too.

    Returns
    -------
    BrainPyInstallation
        The open installation; it closes when used as a context manager and exits.

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
    return _open_installation(block=False)


def _open_installation(block: bool) -> BrainPyInstallation:
    modules = _brainpy_modules()
    handle = BrainPyInstallation(block)
    with _lock:
        _open.append(handle)
        for module in modules:
            for name, ours in REPLACEMENTS.items():
                current = getattr(module, name, ours)
                if current is not ours:  # BrainPy's, or someone else's replacement
                    _originals[(module.__name__, name)] = current
                    setattr(module, name, ours)
    return handle


def _restore() -> None:
    """Give each replaced name that is still ours what it had when it was replaced."""
    for (module_name, name), original in _originals.items():
        module = sys.modules.get(module_name)
        if module is not None and getattr(module, name, None) is REPLACEMENTS[name]:
            setattr(module, name, original)
    _originals.clear()


def uninstall() -> None:
    """Close every open installation that is not a ``with`` block (a no-op if none is).

    BrainPy's names come back at once unless a ``with install():`` block is still open
    (in this thread or another): then when the last such block ends. A name that
    something else has replaced since :func:`install` is left alone.
    """
    with _lock:
        for handle in [h for h in _open if not h.block]:
            handle.close()


def is_installed() -> bool:
    """Whether ``brainpy.math.grad`` currently resolves to brainpy_autograd's."""
    module = sys.modules.get("brainpy.math")
    return module is not None and getattr(module, "grad", None) is TRANSFORMS["grad"]
