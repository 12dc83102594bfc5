"""Rule ``from_imports``: ``from brainpy.math import g`` -> ``from brainpy_autograd import g``.

Where the statement stands, so that the names are bound at the same point of start-up
(docs/migrate-command.md, first two sections); the names that are not transforms stay
on the original line, the transforms move to a ``from brainpy_autograd import`` after it.

>>> from brainpy_autograd._migrate import migrate_source
>>> print(migrate_source("from brainpy.math import grad as g, zeros\\n").code)
from brainpy.math import zeros
from brainpy_autograd import grad as g
<BLANKLINE>
"""

from __future__ import annotations

import io
import tokenize

import libcst as cst

from .._context import OURS, SOURCES, TARGETS, ModuleContext
from .._registry import Rule, register
from .._syntax import code, followed_by, full_name

_OURS_MODULE = cst.Name(OURS)
_Line = cst.SimpleStatementLine | cst.SimpleStatementSuite


def _split(ctx: ModuleContext, original: cst.ImportFrom, updated: cst.ImportFrom, tail: str
           ) -> tuple[cst.ImportFrom | None, cst.ImportFrom | None]:
    """(what stays imported from BrainPy, what is now imported from us); the first is
    ``updated`` itself when nothing moves. ``tail``: the line's comment after a
    parenthesised import, which follows its last name and stays on the line."""
    module = full_name(original.module) if original.module and not original.relative else ""
    if module not in SOURCES:  # (a relative import is never BrainPy's)
        return updated, None
    if isinstance(original.names, cst.ImportStar) or isinstance(updated.names, cst.ImportStar):
        ctx.find(original, f"`from {module} import *` may bring BrainPy's autodiff "
                           f"functions; import them from brainpy_autograd explicitly.")
        return updated, None
    names = list(updated.names)
    moved = [a for a in names if full_name(a.name) in TARGETS]
    if not moved:
        return updated, None
    kept = [a for a in names if full_name(a.name) not in TARGETS]
    if not kept:
        ctx.counts.references += len(moved)
        return None, updated.with_changes(module=_OURS_MODULE)
    stays = _part(updated, kept, keep_head=True)
    ours = _part(updated, moved, keep_head=False).with_changes(module=_OURS_MODULE)
    if "#" in code(original) + tail and _comments(code(original) + tail) != sorted(
            _comments(code(stays) + tail) + _comments(code(ours))):
        ctx.refuse(original, f"the comments of this `from {module} import (...)` cannot be "
                             f"kept each with its own name once its transforms move to "
                             f"`from {OURS} import`; left as it is: split it by hand (one "
                             f"import for the transforms) and run the migration again.")
        return updated, None
    ctx.counts.references += len(moved)
    return stays, ours


def _part(statement: cst.ImportFrom, names: list[cst.ImportAlias],
          keep_head: bool) -> cst.ImportFrom:
    """``statement`` importing only ``names`` (some of its own, in order): each name keeps
    its comma and the comment after it; the last one ends as the statement's last did
    (a trailing comma kept or not, the closing parenthesis where it was). A comment
    right after the opening parenthesis stays only where ``keep_head``."""
    assert not isinstance(statement.names, cst.ImportStar)  # never split (reported)
    last, original_last = names[-1], statement.names[-1]
    rpar, lpar = statement.rpar, statement.lpar
    if last is not original_last and isinstance(last.comma, cst.Comma):
        after = last.comma.whitespace_after
        if isinstance(original_last.comma, cst.Comma):  # a trailing comma: keep one
            end = original_last.comma.whitespace_after
            if isinstance(after, cst.ParenthesizedWhitespace) and \
                    isinstance(end, cst.ParenthesizedWhitespace):
                after = after.with_changes(indent=end.indent, last_line=end.last_line)
            last = last.with_changes(comma=last.comma.with_changes(whitespace_after=after))
        else:  # no trailing comma: the comment after this name moves before the ")"
            last = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
            if rpar is not None and isinstance(after, cst.ParenthesizedWhitespace):
                end = rpar.whitespace_before
                if isinstance(end, cst.ParenthesizedWhitespace):
                    after = after.with_changes(indent=end.indent, last_line=end.last_line)
                else:
                    after = after.with_changes(last_line=cst.SimpleWhitespace(""))
                rpar = rpar.with_changes(whitespace_before=after)
    if not keep_head and lpar is not None and isinstance(
            lpar.whitespace_after, cst.ParenthesizedWhitespace):
        lpar = lpar.with_changes(whitespace_after=lpar.whitespace_after.with_changes(
            first_line=cst.TrailingWhitespace(), empty_lines=[]))
    return statement.with_changes(names=[*names[:-1], last], lpar=lpar, rpar=rpar)


def _comments(source: str) -> list[tuple[str, str]]:
    """Each comment of an import's ``source`` with the name before it (``import``: none)."""
    found, name = [], ""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME:
            name = token.string
        elif token.type == tokenize.COMMENT:
            found.append((name, token.string))
    return sorted(found)


@register(cst.SimpleStatementLine, Rule.FROM_IMPORTS)
@register(cst.SimpleStatementSuite, Rule.FROM_IMPORTS)
def rewrite_line(ctx: ModuleContext, original: _Line, updated: _Line
                 ) -> _Line | cst.FlattenSentinel[cst.BaseStatement]:
    """Split each ``from brainpy.math import ...`` of a line (or of a suite, ``if x: ...``):
    a statement that is a line of its own becomes two lines, others stay on their line."""
    if not any(isinstance(s, cst.ImportFrom) for s in original.body):
        return updated
    pieces: list[list[cst.BaseSmallStatement]] = []  # one list per statement of the line
    end = original.trailing_whitespace.comment if isinstance(original, cst.SimpleStatementLine) \
        and len(original.body) == 1 and "\n" in code(original.body[0]) else None
    for old, new in zip(original.body, updated.body):
        if isinstance(old, cst.ImportFrom) and isinstance(new, cst.ImportFrom):
            tail = f"  {end.value}" if end else ""
            pieces.append([s for s in _split(ctx, old, new, tail) if s is not None])
        else:
            pieces.append([new])
    if isinstance(updated, cst.SimpleStatementLine) and len(pieces) == 1 \
            and len(pieces[0]) == 2:
        kept, ours = pieces[0]
        return cst.FlattenSentinel([updated.with_changes(body=[kept]),
                                    cst.SimpleStatementLine(body=[ours])])
    return updated.with_changes(body=[small for piece in pieces for small in (
        followed_by(*piece) if len(piece) == 2 else piece)])
