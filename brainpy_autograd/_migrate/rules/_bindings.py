"""Bindings that libcst's scope analysis does not record as assignments (:mod:`.references`).

``del brainpy_autograd`` unbinds the name; a ``match`` capture pattern
(``case brainpy_autograd:``) binds it. Either makes a rewrite to
``brainpy_autograd.grad`` unsure. (Star imports are judged at each use:
:class:`~brainpy_autograd._migrate._star.StarImports`.)

>>> import libcst as cst
>>> unsure_binding(cst.parse_module("del brainpy_autograd\\n")) is not None
True
>>> unsure_binding(cst.parse_module("from mylib import *\\nx = 1\\n")) is None
True
"""

from __future__ import annotations

import libcst as cst

from .._context import OURS

__all__ = ["unsure_binding"]


class _Scan(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: cst.CSTNode | None = None

    def _hit(self, node: cst.CSTNode) -> None:
        if self.found is None:
            self.found = node

    def visit_Del(self, node: cst.Del) -> None:
        names = [e.value for e in node.target.elements] if isinstance(
            node.target, (cst.Tuple, cst.List)) else [node.target]
        if any(isinstance(n, cst.Name) and n.value == OURS for n in names):
            self._hit(node)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None and node.name.value == OURS:
            self._hit(node)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None and node.name.value == OURS:
            self._hit(node)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None and node.rest.value == OURS:
            self._hit(node)


def unsure_binding(module: cst.Module) -> cst.CSTNode | None:
    """The first ``del`` or ``match`` capture that may bind (or unbind)
    ``brainpy_autograd``; None when there is none."""
    scan = _Scan()
    module.visit(scan)
    return scan.found
