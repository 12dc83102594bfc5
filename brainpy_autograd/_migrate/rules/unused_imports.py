"""Rule ``unused_imports``: remove a module-level brainpy import that the rewrite left unused.

``import brainpy.math as bm`` goes when every use of ``bm`` was a transform that
:mod:`.references` rewrote; it stays if anything else (``bm.zeros``) uses it,
and so does any import that nothing used before. Only module-level
``import ...`` lines are edited (``from ... import`` lines are
:mod:`.from_imports`' business). A removed line's comments and blank lines
above it are kept, on whatever comes next.

>>> from brainpy_autograd._migrate import migrate_source
>>> print(migrate_source("import os, brainpy.math as bm\\ng = bm.grad(f)\\n").code)
import os
import brainpy_autograd
<BLANKLINE>
g = brainpy_autograd.grad(f)
<BLANKLINE>
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ScopeProvider

from .._context import ModuleContext
from .._registry import Rule, register
from .._syntax import full_name


@register(cst.Import, Rule.UNUSED_IMPORTS)
def record_import(ctx: ModuleContext, original: cst.Import, updated: cst.Import) -> cst.Import:
    ctx.imports.append((original, updated))
    return updated


@register(cst.Module, Rule.UNUSED_IMPORTS)
def remove_unused(ctx: ModuleContext, original: cst.Module, updated: cst.Module) -> cst.Module:
    if not ctx.consumed:
        return updated
    originals = {id(upd): orig for orig, upd in ctx.imports}
    for index, (statement, nodes) in enumerate(ctx.body):
        if len(nodes) == 1 and isinstance(nodes[0], cst.SimpleStatementLine):
            kept = _without_unused(ctx, nodes[0], originals)
            ctx.body[index] = (statement, [] if kept is None else [kept])
    return updated


def _without_unused(ctx: ModuleContext, stmt: cst.SimpleStatementLine,
                    originals: dict[int, cst.Import]) -> cst.SimpleStatementLine | None:
    """``stmt`` without the brainpy import aliases that the rewrite left unused
    (``None`` when nothing is left of it)."""
    small: list[cst.BaseSmallStatement] = []
    changed = False
    for node in stmt.body:
        original = originals.get(id(node))
        if original is None or not isinstance(node, cst.Import):
            small.append(node)
            continue
        kept = [a for a, o in zip(node.names, original.names) if not _unused(ctx, original, o)]
        if len(kept) == len(node.names):
            small.append(node)
            continue
        changed = True
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            small.append(node.with_changes(names=kept))
    if not changed:
        return stmt
    if not small:
        return None
    small[-1] = small[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return stmt.with_changes(body=small)


def _unused(ctx: ModuleContext, statement: cst.Import, alias: cst.ImportAlias) -> bool:
    """Whether every use of ``alias`` (a brainpy import) was rewritten away."""
    module = full_name(alias.name)
    if module != "brainpy" and not module.startswith("brainpy."):
        return False
    scope = ctx.get_metadata(ScopeProvider, statement)
    if scope is None:
        return False
    if alias.asname is not None:
        bound = [full_name(alias.asname.name)]
    else:  # `import brainpy.math` binds `brainpy` (and libcst tracks `brainpy.math`)
        parts = module.split(".")
        bound = [".".join(parts[: i + 1]) for i in range(len(parts))]
    references = [ref for name in bound for assignment in scope.assignments[name]
                  if getattr(assignment, "node", None) is statement
                  for ref in assignment.references]
    return bool(references) and all(id(ref.node) in ctx.consumed for ref in references)
