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
from ._startup import start_up_unchanged, units


@register(cst.Import, Rule.UNUSED_IMPORTS)
def record_import(ctx: ModuleContext, original: cst.Import, updated: cst.Import) -> cst.Import:
    ctx.imports.append((original, updated))
    return updated


@register(cst.Module, Rule.UNUSED_IMPORTS)
def remove_unused(ctx: ModuleContext, original: cst.Module, updated: cst.Module) -> cst.Module:
    if not ctx.consumed:
        return updated
    originals = {id(upd): orig for orig, upd in ctx.imports}
    removals = []
    for index, (statement, nodes) in enumerate(ctx.body):
        if len(nodes) == 1 and isinstance(nodes[0], cst.SimpleStatementLine):
            kept = _without_unused(ctx, nodes[0], originals)
            if kept is not nodes[0]:
                removals.append((index, nodes[0], kept))
    # the last first: whether an earlier import may go depends on what stays after it
    for index, line, kept in reversed(removals):
        if _start_up_unchanged(ctx, index, line, kept):
            ctx.body[index] = (ctx.body[index][0], [] if kept is None else [kept])
    return updated


def _start_up_unchanged(ctx: ModuleContext, index: int, line: cst.SimpleStatementLine,
                        kept: cst.SimpleStatementLine | None) -> bool:
    """Whether removing brainpy imports from ``line`` (``ctx.body[index]``, leaving ``kept``)
    keeps when JAX is imported relative to everything else (:mod:`._startup`)."""
    last = ctx.state["unused_imports.last"][id(line)]  # the line's last import edited
    earlier = [node for _, nodes in ctx.body[:index] for node in units(nodes)]
    later = [node for _, nodes in ctx.body[index + 1:] for node in units(nodes)]
    return start_up_unchanged([*earlier, *line.body[:last]], [*line.body[last + 1:], *later])


def _without_unused(ctx: ModuleContext, stmt: cst.SimpleStatementLine,
                    originals: dict[int, cst.Import]) -> cst.SimpleStatementLine | None:
    """``stmt`` without the brainpy import aliases that the rewrite left unused
    (``None`` when nothing is left of it)."""
    small: list[cst.BaseSmallStatement] = []
    changed = False
    for position, node in enumerate(stmt.body):
        original = originals.get(id(node))
        if original is None or not isinstance(node, cst.Import):
            small.append(node)
            continue
        kept = [a for a, o in zip(node.names, original.names) if not _unused(ctx, original, o)]
        if len(kept) == len(node.names):
            small.append(node)
            continue
        changed = True
        ctx.state.setdefault("unused_imports.last", {})[id(stmt)] = position
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
