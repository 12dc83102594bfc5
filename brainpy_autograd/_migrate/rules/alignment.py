"""Rule ``alignment``: continuation lines aligned under a renamed call's parenthesis move with it.

``bm.grad(f,`` becoming ``brainpy_autograd.grad(f,`` moves the parenthesis 14
columns right, so every following line that started at or after it moves too
(also for the outer parenthesis of ``bm.grad(f)(x,\\n y)``). A hanging indent
(arguments on their own lines, left of the parenthesis) and tab-indented lines
stay as they are.

>>> from brainpy_autograd._migrate import migrate_source
>>> out = migrate_source("import brainpy.math as bm\\ng = bm.grad(f,\\n            argnums=1)\\n")
>>> print(out.code.splitlines()[-1])
                          argnums=1)
"""

from __future__ import annotations

from typing import cast

import libcst as cst
from libcst.metadata import PositionProvider

from .._context import ModuleContext
from .._registry import Rule, register
from .._syntax import code


class _ShiftContinuations(cst.CSTTransformer):
    """Indent by ``delta`` every continuation line that starts at or after ``column``.

    libcst stores a continuation line's indentation after the enclosing block's
    (``block_indent`` columns) when ``indent`` is set.
    """

    def __init__(self, column: int, delta: int, block_indent: int) -> None:
        super().__init__()
        self.column, self.delta, self.block_indent = column, delta, block_indent

    def leave_ParenthesizedWhitespace(
            self, original: cst.ParenthesizedWhitespace,
            updated: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
        indent = updated.last_line.value
        start = len(indent) + (self.block_indent if updated.indent else 0)
        if "\t" in indent or start < self.column:
            return updated
        return updated.with_changes(
            last_line=cst.SimpleWhitespace(" " * max(0, len(indent) + self.delta)))


@register(cst.Call, Rule.ALIGNMENT)
def keep_alignment(ctx: ModuleContext, original: cst.Call, updated: cst.Call) -> cst.Call:
    if updated.func is original.func:  # nothing renamed inside the called expression
        return updated
    delta = len(code(updated.func)) - len(code(original.func))
    if delta == 0:
        return updated
    start = ctx.get_metadata(PositionProvider, original).start
    paren_column = start.column + len(code(original.func))  # the "(" itself
    # (a lambda: `ctx.module.code` writes out the whole module, once per module, not per call)
    line = ctx.once("alignment.lines", lambda: ctx.module.code.splitlines())[start.line - 1]
    block_indent = len(line) - len(line.lstrip(" "))
    shift = _ShiftContinuations(paren_column, delta, block_indent)
    return cast(cst.Call, updated.with_changes(args=[a.visit(shift) for a in updated.args]))
