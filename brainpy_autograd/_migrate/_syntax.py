"""Small libcst helpers that several rules and the pass use.

Plain ``isinstance`` tests rather than ``libcst.matchers``: importing the
matchers module alone costs about 0.5 s, half of the command's start-up budget.

>>> import libcst as cst
>>> is_int(cst.parse_expression("-1")), code(cst.parse_expression("f( x )"))
(True, 'f( x )')
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

__all__ = ["code", "full_name", "is_int", "is_none", "is_import_line", "keyword_arg",
           "edit_args", "followed_by"]


def code(node: cst.CSTNode | cst.MaybeSentinel) -> str:
    """The source text of ``node`` (empty for a sentinel)."""
    return cst.Module([]).code_for_node(node) if isinstance(node, cst.CSTNode) else ""


def full_name(node: cst.CSTNode) -> str:
    """``a.b.c`` for a dotted name (an empty string for anything else)."""
    return get_full_name_for_node(node) or ""


def is_int(node: cst.BaseExpression) -> bool:
    """An int literal, or a negated one."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    return isinstance(node, cst.Integer)


def is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def is_import_line(stmt: cst.CSTNode) -> bool:
    """A line made only of ``import``/``from ... import`` statements."""
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)


def followed_by(first: cst.BaseSmallStatement,
         second: cst.BaseSmallStatement) -> list[cst.BaseSmallStatement]:
    """``first; second`` on one line, ``second`` ending as ``first`` did."""
    return [first.with_changes(semicolon=cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" "))),
            second.with_changes(semicolon=first.semicolon)]


def keyword_arg(arg: cst.Arg, name: str) -> cst.Arg:
    """``arg`` passed as ``name=...`` (no spaces around ``=``)."""
    return arg.with_changes(
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                              whitespace_after=cst.SimpleWhitespace("")),
    )


def edit_args(args: Sequence[cst.Arg], drop: set[int],
              replace: dict[int, cst.Arg]) -> list[cst.Arg]:
    """``args`` without the ``drop`` indices and with ``replace``, punctuated as before.

    An argument keeps its own comma (and the comment and line break after it);
    when a dropped argument carried the only line break, the argument before it
    takes that break over, and the new last argument ends like the old last one.
    """
    out: list[cst.Arg] = []
    for i, arg in enumerate(args):
        if i in drop:
            if out and "\n" not in code(out[-1].comma) and "\n" in code(arg.comma):
                out[-1] = out[-1].with_changes(comma=arg.comma)
            elif out:  # its comments stay, on lines of their own where it was
                out[-1] = _take_comments(out[-1], arg)
            continue
        out.append(replace.get(i, arg))
    if out and (len(args) - 1) in drop:
        last = args[-1].comma
        kept = out[-1].comma
        if isinstance(kept, cst.Comma) and isinstance(last, cst.Comma) and isinstance(
                kept.whitespace_after, cst.ParenthesizedWhitespace) and isinstance(
                last.whitespace_after, cst.ParenthesizedWhitespace):
            last = last.with_changes(whitespace_after=kept.whitespace_after.with_changes(
                indent=last.whitespace_after.indent,
                last_line=last.whitespace_after.last_line))
        out[-1] = out[-1].with_changes(comma=last)
    return out


def _take_comments(kept: cst.Arg, dropped: cst.Arg) -> cst.Arg:
    """``kept`` (a multi-line argument before ``dropped``) with the comment after
    ``dropped``'s comma as a line of its own, where ``dropped`` stood."""
    comma, theirs = kept.comma, dropped.comma
    if not (isinstance(comma, cst.Comma) and isinstance(theirs, cst.Comma)):
        return kept
    mine, after = comma.whitespace_after, theirs.whitespace_after
    if not (isinstance(mine, cst.ParenthesizedWhitespace)
            and isinstance(after, cst.ParenthesizedWhitespace)):
        return kept
    lines = list(after.empty_lines)
    if after.first_line.comment is not None:
        lines.insert(0, cst.EmptyLine(indent=mine.indent, whitespace=mine.last_line,
                                      comment=after.first_line.comment))
    if not lines:
        return kept
    return kept.with_changes(comma=comma.with_changes(
        whitespace_after=mine.with_changes(empty_lines=[*mine.empty_lines, *lines])))
