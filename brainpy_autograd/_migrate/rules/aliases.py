"""Rule ``aliases``: a module-level alias of a transform, ``grad = bm.grad``.

Its calls (``grad(f, dyn_vars=v)``) are then edited like the transform's own. A name
counts only if the module binds it exactly once (no other assignment, def, import or
``global``); a local of the same name is not one.

>>> from brainpy_autograd._migrate import migrate_source
>>> print(migrate_source("import brainpy.math as bm\\ng = bm.grad\\nf = g(h, dyn_vars=v)\\n").code)
import brainpy.math as bm
import brainpy_autograd
<BLANKLINE>
g = brainpy_autograd.grad
f = g(h)
<BLANKLINE>
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ScopeProvider

from .._context import ModuleContext
from .._registry import Rule, register

_CANDIDATES = "aliases.candidates"


@register(cst.Module, Rule.ALIASES, on="visit")
def find_candidates(ctx: ModuleContext, module: cst.Module) -> None:
    """The module-level ``name = something.attr`` (or ``= other``) lines whose name the
    module binds only there."""
    scope = ctx.get_metadata(ScopeProvider, module)
    candidates: set[int] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)
                    and isinstance(small.value, (cst.Attribute, cst.Name))
                    and len(scope.assignments[small.targets[0].target.value]) == 1):
                candidates.add(id(small))
    ctx.state[_CANDIDATES] = candidates


@register(cst.Assign, Rule.ALIASES, on="visit")
def record_alias(ctx: ModuleContext, node: cst.Assign) -> None:
    if id(node) in ctx.state.get(_CANDIDATES, ()):
        target = ctx.target(node.value)
        if target is not None:
            name = node.targets[0].target
            assert isinstance(name, cst.Name)
            ctx.aliases[name.value] = target
