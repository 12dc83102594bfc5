"""Rule ``from_imports``: ``from brainpy.math import g`` -> ``from brainpy_autograd import g``.

The statement is rewritten where it stands, so the names are bound at the same
point of start-up as before, also inside a function, an ``if`` or a ``try``. Names
that are not transforms stay imported from BrainPy, on the original line (with its
comment); the transforms move to a ``from brainpy_autograd import ...`` right
after it. ``from brainpy.math import *`` is reported, not changed.

>>> from brainpy_autograd._migrate import migrate_source
>>> print(migrate_source("from brainpy.math import grad as g, zeros\\n").code)
from brainpy.math import zeros
from brainpy_autograd import grad as g
<BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from .._context import OURS, SOURCES, TARGETS, ModuleContext
from .._registry import Rule, register
from .._syntax import full_name, last_comma_like

_OURS_MODULE = cst.Name(OURS)


def _split(ctx: ModuleContext, original: cst.ImportFrom,
           updated: cst.ImportFrom) -> tuple[cst.ImportFrom | None, cst.ImportFrom | None]:
    """(what stays imported from BrainPy, what is now imported from us); the first is
    ``updated`` itself when nothing moves."""
    if original.module is None or original.relative:
        return updated, None
    module = full_name(original.module)
    if module not in SOURCES:
        return updated, None
    if isinstance(original.names, cst.ImportStar) or isinstance(updated.names, cst.ImportStar):
        ctx.find(original, f"`from {module} import *` may bring BrainPy's autodiff "
                           f"functions; import them from brainpy_autograd explicitly.")
        return updated, None
    names = list(updated.names)
    moved = [a for a in names if full_name(a.name) in TARGETS]
    if not moved:
        return updated, None
    ctx.counts.references += len(moved)
    kept = [a for a in names if full_name(a.name) not in TARGETS]
    ours = updated.with_changes(module=_OURS_MODULE, names=last_comma_like(moved, names))
    if not kept:
        return None, ours
    return updated.with_changes(names=last_comma_like(kept, names)), ours


def _rewrite(ctx: ModuleContext, original: Sequence[cst.BaseSmallStatement],
             updated: Sequence[cst.BaseSmallStatement]) -> list[list[cst.BaseSmallStatement]]:
    """The small statements, each ImportFrom split; one list per resulting piece."""
    pieces: list[list[cst.BaseSmallStatement]] = []
    for old, new in zip(original, updated):
        if not (isinstance(old, cst.ImportFrom) and isinstance(new, cst.ImportFrom)):
            pieces.append([new])
            continue
        kept, ours = _split(ctx, old, new)
        pieces.append([s for s in (kept, ours) if s is not None])
    return pieces


@register(cst.SimpleStatementLine, Rule.FROM_IMPORTS)
def rewrite_line(ctx: ModuleContext, original: cst.SimpleStatementLine,
                 updated: cst.SimpleStatementLine
                 ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.BaseStatement]:
    if not any(isinstance(s, cst.ImportFrom) for s in original.body):
        return updated
    pieces = _rewrite(ctx, original.body, updated.body)
    if len(pieces) == 1 and len(pieces[0]) == 2:  # a line of its own: two lines
        kept, ours = pieces[0]
        return cst.FlattenSentinel([updated.with_changes(body=[kept]),
                                    cst.SimpleStatementLine(body=[ours])])
    return updated.with_changes(body=_joined(pieces))


@register(cst.SimpleStatementSuite, Rule.FROM_IMPORTS)
def rewrite_suite(ctx: ModuleContext, original: cst.SimpleStatementSuite,
                  updated: cst.SimpleStatementSuite) -> cst.SimpleStatementSuite:
    if not any(isinstance(s, cst.ImportFrom) for s in original.body):
        return updated
    return updated.with_changes(body=_joined(_rewrite(ctx, original.body, updated.body)))


def _joined(pieces: list[list[cst.BaseSmallStatement]]) -> list[cst.BaseSmallStatement]:
    """The pieces on one line: a piece's statements joined with ``; ``, each statement
    keeping its own semicolon after it."""
    out: list[cst.BaseSmallStatement] = []
    for piece in pieces:
        if len(piece) == 2:
            semicolon = piece[0].semicolon
            piece = [piece[0].with_changes(semicolon=cst.Semicolon(
                whitespace_after=cst.SimpleWhitespace(" "))),
                piece[1].with_changes(semicolon=semicolon)]
        out.extend(piece)
    return out
