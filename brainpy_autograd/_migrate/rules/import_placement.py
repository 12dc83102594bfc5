"""Rule ``import_placement``: put ``import brainpy_autograd`` where brainpy was imported.

Importing brainpy_autograd's transforms loads JAX, so the new import must not
run earlier than the brainpy import it stands for: a script that sets
``os.environ["JAX_PLATFORM_NAME"]`` or ``sys.path`` before ``import brainpy``
must keep doing so first. The new line goes right after the earliest
module-level import statement that binds a rewritten reference's module name
(``import brainpy.math as bm`` for ``bm.grad``), which stays where it is; in a
notebook that is the cell of that import.

That import must certainly have run there. If it sits inside an ``if``, a
``with``, a loop, or a ``try`` whose ``except`` may carry on without it, or if the
name is also bound by something else (``bm = None``), placing the new import
after that statement could change what the script does, so the module is left
as it is and the statement is reported. A ``try`` whose every handler ends in
``raise`` did import brainpy when it completes, so the new import goes after it.
A function or class that imports brainpy for itself is fine when the module
imports brainpy before it: the new import then goes after the module's first
brainpy import.

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

import libcst as cst

from .._context import OURS, ModuleContext
from .._registry import Rule, register
from .._syntax import full_name, is_import_line, leading_lines

_CERTAIN, _DEFERRED, _UNCERTAIN = "certain", "deferred", "uncertain"


@register(cst.Module, Rule.IMPORT_PLACEMENT)
def place_import(ctx: ModuleContext, original: cst.Module, updated: cst.Module) -> cst.Module:
    if not ctx.bindings or _imports_ours(original):
        return updated
    wanted = {id(node) for node in ctx.bindings}
    found = [(index, kind) for index, (statement, _) in enumerate(ctx.body)
             if (kind := _where(statement, wanted)) is not None]
    uncertain = [index for index, kind in found if kind == _UNCERTAIN]
    certain = [index for index, kind in found if kind == _CERTAIN]
    deferred = [index for index, kind in found if kind == _DEFERRED]
    anchor = certain[0] if certain else None
    if deferred and (anchor is None or deferred[0] < anchor):
        # a function or class imports brainpy for itself: the module's first brainpy
        # import runs before that function can be called, if it comes before its def
        first = next((i for i, (s, _) in enumerate(ctx.body) if _imports_brainpy(s)), None)
        anchor = first if first is not None and first < deferred[0] else None
    if uncertain or anchor is None:
        at = ctx.body[(uncertain or deferred)[0]][0]
        ctx.refuse(at, f"{_why(at)}, so the migration cannot tell where "
                       f"`import {OURS}` would run no earlier than brainpy's import; left as "
                       f"it is: add `import {OURS}` at module level after brainpy's import "
                       f"and run the migration again.")
        return updated
    _insert(ctx, anchor)
    return updated


def _imports_brainpy(statement: cst.BaseStatement) -> bool:
    """A module-level line that imports brainpy or one of its modules."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, cst.Import):
            names = [full_name(a.name) for a in small.names]
        elif isinstance(small, cst.ImportFrom) and small.module is not None \
                and not small.relative:
            names = [full_name(small.module)]
        else:
            continue
        if any(n == "brainpy" or n.startswith("brainpy.") for n in names):
            return True
    return False


def _insert(ctx: ModuleContext, index: int) -> None:
    """Put the new import at the end of ``ctx.body[index]``, with a blank line between it
    and the code after it."""
    statement, nodes = ctx.body[index]
    new = cst.SimpleStatementLine([cst.Import([cst.ImportAlias(cst.Name(OURS))])])
    if not isinstance(statement, cst.SimpleStatementLine):  # after a `try` block
        new = new.with_changes(leading_lines=[cst.EmptyLine()])
    ctx.body[index] = (statement, [*nodes, new])
    if index + 1 < len(ctx.body):
        following, after = ctx.body[index + 1]
        first = after[0]
        if not is_import_line(first) and not leading_lines(first):
            ctx.body[index + 1] = (following, [first.with_changes(
                leading_lines=[cst.EmptyLine()]), *after[1:]])


def _imports_ours(module: cst.Module) -> bool:
    """Whether ``module`` has a top-level ``import brainpy_autograd`` already."""
    return any(isinstance(small, cst.Import) and any(
        a.asname is None and full_name(a.name) == OURS for a in small.names)
        for stmt in module.body if isinstance(stmt, cst.SimpleStatementLine)
        for small in stmt.body)


def _why(statement: cst.BaseStatement) -> str:
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        where = "function" if isinstance(statement, cst.FunctionDef) else "class"
        return f"brainpy is imported inside this {where}, and not at module level before it"
    name = type(statement).__name__.lower()
    if name == "try":
        return "brainpy is imported inside this `try`, whose `except` may carry on without it"
    return f"brainpy is imported inside this `{name}` statement, which may not run it"


def _where(statement: cst.BaseStatement, wanted: set[int]) -> str | None:
    """How certainly a top-level statement runs the wanted imports it holds (None: none)."""
    if isinstance(statement, cst.SimpleStatementLine):
        return _CERTAIN if any(id(s) in wanted for s in statement.body) else None
    finder = _Finder(wanted)
    statement.visit(finder)
    return finder.kind


class _Finder(cst.CSTVisitor):
    """Finds the wanted imports inside a compound statement, and how they run:
    certainly (the body of a ``try`` whose handlers all raise), later (in a function or
    class body) or maybe (anywhere else)."""

    def __init__(self, wanted: set[int]) -> None:
        super().__init__()
        self.wanted = wanted
        self.kind: str | None = None
        self._stack: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) in self.wanted:
            kind = self._kind()
            if self.kind is None or _RANK[kind] > _RANK[self.kind]:
                self.kind = kind
        self._stack.append(self._context_of(node))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()

    def _kind(self) -> str:
        if _DEFERRED in self._stack:
            return _DEFERRED
        if any(c == _UNCERTAIN for c in self._stack):
            return _UNCERTAIN
        return _CERTAIN

    def _context_of(self, node: cst.CSTNode) -> str:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return _DEFERRED
        if isinstance(node, cst.Try):
            return "try" if all(_raises(h.body) for h in node.handlers) else _UNCERTAIN
        if isinstance(node, (cst.ExceptHandler, cst.Else, cst.Finally)):
            return _UNCERTAIN  # handlers, else and finally: not the body that imports
        if isinstance(node, cst.BaseCompoundStatement):
            return _UNCERTAIN  # if, for, while, with, match...
        return ""


_RANK = {_CERTAIN: 0, _DEFERRED: 1, _UNCERTAIN: 2}


def _raises(body: cst.BaseSuite) -> bool:
    """Whether a block ends with ``raise``."""
    if isinstance(body, cst.SimpleStatementSuite):
        return bool(body.body) and isinstance(body.body[-1], cst.Raise)
    last = body.body[-1] if body.body else None
    return isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], cst.Raise)
