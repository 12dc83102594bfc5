"""The single libcst pass: one parse and one metadata resolution per module, every rule in it.

:class:`_Pass` calls each node's callbacks (:mod:`._registry`) in rule order; a call
of a transform goes to the call rules as a :class:`~._context.TransformCall`.

libcst's codemod framework would add a deep copy and two more passes
(AddImportsVisitor, RemoveImportsVisitor) per file, about 4x the time of parsing
and resolving names (``benchmarks/migrate_speed.py``).

>>> print(migrate_source("import brainpy.math as bm\\ng = bm.grad(f, dyn_vars=v)\\n").code)
import brainpy.math as bm
import brainpy_autograd
<BLANKLINE>
g = brainpy_autograd.grad(f)
<BLANKLINE>
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import (
    ExpressionContextProvider,
    MetadataWrapper,
    PositionProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from . import rules  # noqa: F401 - registers every rule
from ._context import Counts, Finding, ModuleContext, TransformCall
from ._registry import callbacks
from ._syntax import edit_args

__all__ = ["Outcome", "NestedTooDeeply", "migrate_source", "worth_parsing", "check_nesting",
           "python_error"]

_VISIT = callbacks("visit")
_LEAVE = callbacks("leave")
_CALL_RULES = _LEAVE.get(TransformCall, ())

#: Every transform name contains one of these: a module without them has nothing to migrate.
_TOKENS = ("grad", "jac", "hessian")


@dataclass
class Outcome:
    """The result of migrating one module."""

    code: str
    #: ``code`` in the module's own encoding (a UTF-8 BOM and a PEP 263 coding line kept)
    data: bytes = b""
    findings: list[Finding] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)

    @property
    def changes(self) -> int:
        return self.counts.changes


def worth_parsing(source: str | bytes) -> bool:
    """Whether ``source`` can hold anything to migrate (it mentions brainpy and a transform).

    Files that fail this are not parsed at all, which is most of a large tree.
    """
    text = source.decode("latin-1") if isinstance(source, bytes) else source
    return "brainpy" in text and any(t in text for t in _TOKENS)


class NestedTooDeeply(ValueError):
    """Python itself cannot parse the module: it nests too deeply (``line``: where, if
    Python said)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def check_nesting(source: str | bytes) -> None:
    """Raise :class:`NestedTooDeeply` for a module nested deeper than Python parses.

    libcst's native parser crashes the whole process (a stack overflow) on a few
    thousand nested brackets or unary operators, and takes minutes on a few
    thousand chained ``+``; Python's own parser refuses those cleanly, in about
    1% of the time libcst takes to parse and resolve a module.
    """
    err = _compile_error(source, full=False)
    if isinstance(err, (RecursionError, MemoryError)):
        raise NestedTooDeeply("nested too deeply for Python to parse")
    if isinstance(err, SyntaxError) and "too many" in str(err.msg):  # nested parentheses...
        raise NestedTooDeeply(str(err.msg), err.lineno)


def python_error(source: str | bytes, full: bool = False) -> tuple[int, int, str] | None:
    """Where (line, column, both 1-based) and why Python itself cannot compile
    ``source``; None when it can (or says nothing better than libcst would: a null byte).

    libcst places a tokenizer error at 1:1 and a missing ``:`` on the line after it;
    Python's own message names the line a reader must fix. CR-only line endings are
    read as LF, as :func:`migrate_source` reads them. Without ``full`` only the
    parser runs; with it, the compiler too (a module-level ``nonlocal``, a keyword
    argument given twice).
    """
    err = _compile_error(_as_lf(source), full)
    return (err.lineno or 1, err.offset or 1, str(err.msg)) if isinstance(err, SyntaxError) \
        else None


def _compile_error(source: str | bytes, full: bool) -> Exception | None:
    """What Python's parser (with ``full``, its compiler too) raises for ``source``."""
    try:
        compile(source, "<module>", "exec", 0 if full else ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        return err
    return None


def migrate_source(source: str | bytes, path: Path | None = None,
                   cell_mark: str | None = None) -> Outcome:
    """Migrate one module (raises ``libcst.ParserSyntaxError``).

    ``path``, the file the module was read from, is where the modules that its
    star imports name are looked for. ``cell_mark`` begins the comment line that
    starts each cell of a notebook joined into one module (cells run in any order).

    ``source`` is the text, or the file's bytes: then the encoding is read as
    Python does (a UTF-8 BOM, a PEP 263 coding line) and ``Outcome.data`` is
    written back in it. A module that the rules refuse to rewrite comes back
    unchanged, with the refusal among its findings. Raises
    :class:`NestedTooDeeply` for a module Python itself cannot parse for its depth.
    """
    # Old Mac line endings (CR only): libcst drops the last one, so the module is
    # read with LF and written back with CR (Python reads both the same way).
    original, source = source, _as_lf(source)
    cr_only = source is not original
    check_nesting(source)
    module = cst.parse_module(source)
    lost = _not_kept(module, source)
    if lost is not None:  # libcst would drop a character (a form feed before code)
        return Outcome(code=original if isinstance(original, str) else "",
                       data=original if isinstance(original, bytes) else b"",
                       findings=[Finding(lost, 1, (
                           "the parser cannot write this line back byte for byte (a form "
                           "feed before code on it would be dropped), so the file is left as "
                           "it is: put the form feed on a line of its own and run the "
                           "migration again."))])
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    walk = _Pass(module, path, cell_mark)
    new_module = wrapper.visit(walk)
    ctx = walk.ctx
    findings = list(ctx.findings)
    if ctx.refusal is not None:
        new_module, ctx.counts = module, Counts()
        findings.append(ctx.refusal)
    code, data = new_module.code, new_module.bytes
    broken = None if new_module is module else _broken(source, data if isinstance(
        source, bytes) else code)
    if broken is not None:  # the last guard: a tool that edits code never breaks it
        code, data, ctx.counts = module.code, module.bytes, Counts()
        findings.append(broken)
    findings.sort(key=lambda f: (f.line, f.column))
    if cr_only:
        code, data = code.replace("\n", "\r"), data.replace(b"\n", b"\r")
    return Outcome(code=code, data=data, findings=findings, counts=ctx.counts)


def _broken(source: str | bytes, new: str | bytes) -> Finding | None:
    """A finding if ``new``, the rewrite of ``source``, does not compile where ``source``
    does (a rule's mistake); None when it compiles, or when neither does."""
    error = python_error(new, full=True)
    if error is None or python_error(source, full=True) is not None:
        return None
    line, _, why = error
    return Finding(1, 1, f"the rewritten file would not compile ({why}, at its line "
                         f"{line}), so the file is left as it is: please report this, with "
                         f"the file.")


def _not_kept(module: cst.Module, source: str | bytes) -> int | None:
    """The first line (1-based) that ``module`` does not write back as ``source`` has
    it; None when it writes all of it back."""
    if "\x0c" not in (source.decode("latin-1") if isinstance(source, bytes) else source):
        return None  # (the one thing libcst is known to drop: checked where it can be)
    written = module.bytes if isinstance(source, bytes) else module.code
    if written == source:
        return None
    old, new = source.splitlines(), written.splitlines()
    return next((i + 1 for i, (a, b) in enumerate(zip(old, new)) if a != b),
                min(len(old), len(new)) + 1)


def _as_lf(source: str | bytes) -> str | bytes:
    """``source`` with CR-only line endings as LF (``source`` itself if it has none)."""
    if isinstance(source, bytes):
        return source.replace(b"\r", b"\n") if b"\r" in source and b"\n" not in source else source
    return source.replace("\r", "\n") if "\r" in source and "\n" not in source else source


def given_twice(call: TransformCall) -> str | None:
    """A parameter that ``call`` passes by position (as a rule read its BrainPy 2.2 form)
    and by name too: passed by keyword, or removed (``dyn_vars``), the rewrite would hide
    BrainPy's TypeError."""
    keywords = {arg.keyword.value for arg in call.original.args if arg.keyword is not None}
    return next((key for key in call.read.values() if key in keywords), None)


class _Pass(cst.CSTTransformer):
    # (ScopeProvider resolves ExpressionContextProvider anyway: reading it costs nothing)
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ScopeProvider,
                             ExpressionContextProvider)

    def __init__(self, module: cst.Module, path: Path | None, cell_mark: str | None) -> None:
        super().__init__()
        self.ctx = ModuleContext(self, module, path, cell_mark)

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            self.ctx.deferred += 1
        for callback in _VISIT.get(type(node), ()):
            callback(self.ctx, node)
        return True

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        if isinstance(original_node, (cst.FunctionDef, cst.Lambda)):
            self.ctx.deferred -= 1
        result: Any = updated_node
        for callback in _LEAVE.get(type(original_node), ()):
            result = callback(self.ctx, original_node, result)
            if not isinstance(result, cst.CSTNode):
                break  # removed or split: no later rule sees this node
        if isinstance(original_node, cst.Call) and isinstance(result, cst.Call):
            result = self._edit_call(original_node, result)
        if isinstance(original_node, (cst.Import, cst.ImportFrom)):
            self.ctx.updated_imports[id(original_node)] = result
        return result

    def _edit_call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        target = self.ctx.call_target(original.func)
        if target is None:
            return updated
        call = TransformCall(original, updated, target[1])
        for callback in _CALL_RULES:
            callback(self.ctx, call)
        if not call.drop and not call.replace:
            return updated
        twice = given_twice(call)
        if twice is not None:
            self.ctx.refuse(original, f"{call.name}() gets `{twice}` twice, by position in its "
                                      f"BrainPy 2.2 form and as `{twice}=` (BrainPy "
                                      f"rejects it too); the file is left as it is: give "
                                      f"{twice} once and run the migration again.")
            return updated
        return updated.with_changes(args=edit_args(updated.args, call.drop, call.replace))
