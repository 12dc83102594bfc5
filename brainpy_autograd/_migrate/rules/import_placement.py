"""Rule ``import_placement``: ``import brainpy_autograd`` right after the brainpy import.

It goes in the same block or on the same line, so that it runs neither before that
import nor where that import did not bind the name: docs/migrate-command.md, "Where
the new import goes, and why brainpy's import stays"; ARCHITECTURE.md, "certain
placements by construction".

>>> from brainpy_autograd._migrate import migrate_source
>>> src = ("import os\\nos.environ['JAX_PLATFORM_NAME'] = 'cpu'\\n"
...        "import brainpy.math as bm\\ng = bm.grad(f)\\n")
>>> print(migrate_source(src).code)
import os
os.environ['JAX_PLATFORM_NAME'] = 'cpu'
import brainpy.math as bm
import brainpy_autograd
<BLANKLINE>
g = brainpy_autograd.grad(f)
<BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import libcst as cst

from .._context import OURS, ModuleContext
from .._registry import Rule, register
from .._syntax import followed_by, full_name, is_import_line

_OURS = cst.Import([cst.ImportAlias(cst.Name(OURS))])  # nodes are immutable: one serves all


@register(cst.Module, Rule.IMPORT_PLACEMENT)
def place_import(ctx: ModuleContext, original: cst.Module, updated: cst.Module) -> cst.Module:
    if not ctx.bindings or ctx.refusal is not None:
        return updated
    new = updated.visit(_Insert({id(ctx.updated_imports.get(id(node), node))
                                 for node in ctx.bindings}, ctx.cell_mark))
    assert isinstance(new, cst.Module)
    return new


def _is_ours(statement: cst.CSTNode | None) -> bool:
    if isinstance(statement, cst.SimpleStatementLine):
        statement = statement.body[0]
    return isinstance(statement, cst.Import) and len(statement.names) == 1 \
        and statement.names[0].asname is None and full_name(statement.names[0].name) == OURS


class _Insert(cst.CSTTransformer):
    """Adds ``import brainpy_autograd`` after each wanted import (found by identity among
    the nodes of the tree walked, ``original_node``), in the same statement list."""

    def __init__(self, wanted: set[int], cell_mark: str | None) -> None:
        super().__init__()
        self.wanted = wanted
        self.cell_mark = cell_mark

    def _smalls(self, original: Sequence[cst.BaseSmallStatement],
                updated: Sequence[cst.BaseSmallStatement], last_too: bool) -> list[Any]:
        """``updated`` with ours after each wanted import; after the last statement only
        when ``last_too`` (else a line of its own follows: :meth:`_lines`)."""
        out: list[Any] = []
        for index, (old, new) in enumerate(zip(original, updated)):
            following = original[index + 1] if index + 1 < len(original) else None
            if id(old) not in self.wanted or _is_ours(following) \
                    or any(_is_ours(small) for small in original[:index]) \
                    or (following is None and not last_too):
                out.append(new)
            else:
                out += followed_by(new, _OURS)
        return out

    def _lines(self, original: Sequence[cst.BaseStatement],
               updated: Sequence[cst.BaseStatement], top: bool) -> list[cst.BaseStatement]:
        """``updated`` with a line ``import brainpy_autograd`` after the first line that ends
        with a wanted import, unless an earlier line of the list imports ours (it ran: the
        statements of one list run in order; in a notebook, those of one cell: cells run
        in any order); at module level a blank line then parts it from the code after."""
        out: list[cst.BaseStatement] = []
        blank = seen = False  # seen: an earlier statement of this list imports ours
        for old, new, following in zip(original, updated, [*original[1:], None]):
            # (every statement class has leading_lines; BaseStatement does not declare them)
            if blank and not is_import_line(old) and not getattr(old, "leading_lines", ()):
                new = new.with_changes(leading_lines=[cst.EmptyLine()])
            out.append(new)
            seen = seen and not (self.cell_mark is not None and any(  # a cell starts here
                line.comment is not None and line.comment.value.startswith(self.cell_mark)
                for line in getattr(old, "leading_lines", ())))
            placed = isinstance(old, cst.SimpleStatementLine) and not seen \
                and id(old.body[-1]) in self.wanted and not _is_ours(following)
            seen = seen or placed or (isinstance(old, cst.SimpleStatementLine)
                                      and any(_is_ours(small) for small in old.body))
            if placed:
                out.append(cst.SimpleStatementLine([_OURS]))
            blank = top and placed
        return out

    def on_leave(self, original_node: cst.CSTNode, updated_node: Any) -> Any:
        if isinstance(original_node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            last_too = isinstance(original_node, cst.SimpleStatementSuite)
            return updated_node.with_changes(
                body=self._smalls(original_node.body, updated_node.body, last_too))
        if isinstance(original_node, (cst.IndentedBlock, cst.Module)):
            top = isinstance(original_node, cst.Module)
            return updated_node.with_changes(
                body=self._lines(original_node.body, updated_node.body, top))
        return updated_node
