"""Source rewriting for the migration command (libcst): BrainPy 2.x autodiff calls.

:func:`migrate_source` parses one module with libcst (a concrete syntax tree:
comments and formatting survive), resolves every name through the module's
imports (``QualifiedNameProvider``), and

- rewrites references to ``grad``, ``vector_grad``, ``functional_vector_grad``,
  ``jacobian``, ``jacrev``, ``jacfwd`` and ``hessian`` of ``brainpy.math``
  (however imported, ``brainpy.math.jax`` of early 2.x included) to
  ``brainpy_autograd``: ``bm.grad`` becomes ``brainpy_autograd.grad`` (the
  import is added once; a ``brainpy`` import left unused is removed), and
  ``from brainpy.math import grad as g`` becomes
  ``from brainpy_autograd import grad as g``;
- removes ``dyn_vars=``, ``child_objs=`` and an empty ``reduce_axes=`` from
  those calls (and from calls of brainpy_autograd itself), and a BrainPy 2.2
  positional ``dyn_vars`` when the argument is recognisably variables (the
  arguments after it become keywords);
- reports, by line, what it leaves for a person: a non-empty ``reduce_axes``,
  a third positional argument it cannot classify, ``grad_vars`` holding plain
  arrays where it can tell, star imports from ``brainpy.math``, and
  ``**kwargs`` that may carry legacy keywords.

Running it on its own output changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import cast

import libcst as cst
import libcst.matchers as m
from libcst.metadata import (
    MetadataWrapper,
    PositionProvider,
    QualifiedName,
    QualifiedNameProvider,
    ScopeProvider,
)

from ._api import ALIASES, TRANSFORMS
from ._legacy import OLD_POSITIONAL_ORDER

__all__ = ["Finding", "Outcome", "migrate_source", "TARGETS", "SOURCES"]

OURS = "brainpy_autograd"
TARGETS = frozenset(TRANSFORMS)
#: modules whose autodiff names are BrainPy's: the public ``brainpy.math`` paths
#: and the internal ``brainpy._src.math`` ones (BrainPy 2.4-2.6 code imports them)
SOURCES = frozenset(
    prefix + suffix
    for prefix in ("brainpy.math", "brainpy._src.math")
    for suffix in ("", ".jax", ".autograd", ".jax.autograd", ".object_transform",
                   ".object_transform.autograd")
)
#: the BrainPy 2.2 positional order of each name
_OLD_ORDER = {name: OLD_POSITIONAL_ORDER[ALIASES.get(name, name)] for name in TARGETS}
_STATE_FACTORIES = ("Variable", "TrainVar", "Parameter", "VarList", "VarDict", "var_list",
                    "var_dict", "VariableView")
_ARRAY_MODULES = ("brainpy.math", "jax.numpy", "numpy")


@dataclass(frozen=True)
class Finding:
    """Something the migration left for a person, at a line of the module."""

    line: int
    column: int
    message: str


@dataclass
class Outcome:
    """The result of migrating one module."""

    code: str
    #: ``code`` in the module's own encoding (a UTF-8 BOM and a PEP 263 coding line kept)
    data: bytes = b""
    findings: list[Finding] = field(default_factory=list)
    references: int = 0  # names rewritten to brainpy_autograd
    keywords_removed: int = 0
    positionals_removed: int = 0

    @property
    def changes(self) -> int:
        return self.references + self.keywords_removed + self.positionals_removed


#: Every transform name contains one of these: a module without them has nothing to migrate.
_TOKENS = ("grad", "jac", "hessian")


def worth_parsing(source: str | bytes) -> bool:
    """Whether ``source`` can hold anything to migrate (it mentions brainpy and a transform).

    Files that fail this are not parsed at all, which is most of a large tree.
    """
    text = source.decode("latin-1") if isinstance(source, bytes) else source
    return "brainpy" in text and any(t in text for t in _TOKENS)


def migrate_source(source: str | bytes) -> Outcome:
    """Migrate one module (raises ``libcst.ParserSyntaxError``).

    ``source`` is the text, or the file's bytes: then the encoding is read as
    Python does (a UTF-8 BOM, a PEP 263 coding line) and ``Outcome.data`` is
    written back in it.
    """
    module = cst.parse_module(source)
    # One pass with one metadata resolution: libcst's codemod framework would add a
    # deep copy and two more passes (AddImportsVisitor, RemoveImportsVisitor) per
    # file, about 4x the time of parsing and resolving names (benchmarks/migrate_speed.py).
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    command = _MigrateCommand(wrapper)
    new_module = wrapper.visit(command)
    outcome = command.outcome
    outcome.code = new_module.code
    outcome.data = new_module.bytes
    outcome.findings.sort(key=lambda f: (f.line, f.column))
    return outcome


# ------------------------------------------------------------------ analysis


def _qualified(names: Collection[QualifiedName]) -> set[str]:
    return {n.name for n in names}


@dataclass
class _Attributes:
    """What this module assigns to attributes (``self.w = ...``), by attribute name.

    An attribute counts as one kind only if every assignment to it in the module
    is of that kind.
    """

    plain: dict[str, int]  # plain arrays (bm.zeros(3)...), with the first line
    states: frozenset[str]  # Variables / States (bm.Variable(...), bm.TrainVar(...))
    ints: frozenset[str]  # int literals (argnums-like)


def _attribute_kinds(wrapper: MetadataWrapper) -> _Attributes:
    finder = _AssignmentFinder()
    wrapper.visit(finder)

    def only(kind: str) -> frozenset[str]:
        return frozenset(n for n, kinds in finder.kinds.items() if kinds == {kind})

    return _Attributes(
        plain={n: line for n, line in finder.first_line.items() if finder.kinds[n] == {"array"}},
        states=only("state"),
        ints=only("int"),
    )


class _AssignmentFinder(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self) -> None:
        self.kinds: dict[str, set[str]] = {}
        self.first_line: dict[str, int] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if not isinstance(target.target, cst.Attribute):
                continue
            name = target.target.attr.value
            kind = "int" if _is_int(node.value) else _value_kind(node.value, self)
            self.kinds.setdefault(name, set()).add(kind)
            if kind == "array":
                line = self.get_metadata(PositionProvider, node).start.line
                self.first_line.setdefault(name, line)


def _is_int(node: cst.BaseExpression) -> bool:
    return m.matches(node, m.Integer() | m.UnaryOperation(operator=m.Minus(),
                                                          expression=m.Integer()))


def _looks_like_vars(name: str) -> bool:
    """A name that says it holds variables: ``dyn_vars``, ``train_vars``, ``variables``."""
    text = name.lower()
    return text.endswith(("vars", "variables"))


def _value_kind(node: cst.BaseExpression, visitor: cst.MetadataDependent) -> str:
    """'array' for a call of a plain-array constructor, 'state' for a State, else 'other'."""
    if not isinstance(node, cst.Call):
        return "other"
    for name in _qualified(visitor.get_metadata(QualifiedNameProvider, node.func, set())):
        base = name.rsplit(".", 1)[-1]
        if base in _STATE_FACTORIES or base.endswith("State"):
            return "state"
        if any(name.startswith(prefix + ".") for prefix in _ARRAY_MODULES):
            return "array"
    return "other"


def _classify_positional(node: cst.BaseExpression, attrs: _Attributes,
                         in_container: bool = False) -> str:
    """Is a third positional argument 'vars' (BrainPy 2.2's dyn_vars), 'argnums' or 'unknown'?

    'vars' only when that is certain: ``self.vars()``, ``net.train_vars().unique()``,
    a State constructor, an attribute this module assigns only Variables, a name
    such as ``dyn_vars``, or a list/tuple/dict of such things (a list literal of
    attributes, ``[self.V, self.m]``, is 2.2's way of listing variables). Anything
    else that is not an int is 'unknown': BrainPy 2.9 reads it as ``argnums``.
    """
    if _is_int(node):
        return "argnums"
    if m.matches(node, m.Name("None")):
        return "vars"  # dyn_vars=None: dropping it reads the same either way
    if isinstance(node, (cst.Name, cst.Attribute)):
        text = node.value if isinstance(node, cst.Name) else node.attr.value
        if "argnum" in text.lower() or (isinstance(node, cst.Attribute) and text in attrs.ints):
            return "argnums"
        if _looks_like_vars(text):
            return "vars"
        if isinstance(node, cst.Attribute) and (text in attrs.states or in_container):
            return "vars"
        return "unknown"
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute):
            if func.attr.value in ("vars", "train_vars"):
                return "vars"
            if func.attr.value == "unique" and isinstance(func.value, cst.Call):
                return _classify_positional(func.value, attrs)
        if isinstance(func, (cst.Attribute, cst.Name)):
            last = func.attr.value if isinstance(func, cst.Attribute) else func.value
            if last in _STATE_FACTORIES or last.endswith("State"):
                return "vars"
        return "unknown"
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        kinds = {_classify_positional(e.value, attrs, True) for e in node.elements}
        return kinds.pop() if len(kinds) == 1 and "unknown" not in kinds else "unknown"
    if isinstance(node, cst.Dict):
        kinds = {_classify_positional(e.value, attrs, True) for e in node.elements
                 if isinstance(e, cst.DictElement)}
        return "vars" if kinds == {"vars"} else "unknown"
    return "unknown"


# ------------------------------------------------------------------ rewriting


def _imports_module(module: cst.Module, name: str) -> bool:
    """Whether ``module`` has a top-level ``import name``."""
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import) and any(
                        a.asname is None and cst.helpers.get_full_name_for_node(a.name) == name
                        for a in small.names):
                    return True
    return False


def _is_import_line(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)


def _import_position(body: list[cst.BaseStatement]) -> int:
    """Where a new import goes: after the imports at the top of the module (after its
    docstring and ``from __future__`` imports when it has no other imports)."""
    position = 0
    for index, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            break
        if _is_import_line(stmt):
            position = index + 1
        elif index == 0 and m.matches(stmt, m.SimpleStatementLine(
                body=[m.Expr(value=m.SimpleString() | m.ConcatenatedString())])):
            position = 1  # the docstring
        else:
            break
    return position


def _module_aliases(module: cst.Module) -> set[str]:
    """Module-level names bound exactly once, by a plain ``name = something.attr`` or
    ``name = other_name``: the candidates for ``grad = bm.grad``."""
    counts: dict[str, int] = {}
    candidates: set[str] = set()

    class Bindings(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            counts.setdefault(node.value, 0)

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            for name in _bound_names(node.target):
                counts[name] = counts.get(name, 0) + 1

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            counts[node.name.value] = counts.get(node.name.value, 0) + 1

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            counts[node.name.value] = counts.get(node.name.value, 0) + 1

    module.visit(Bindings())
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)
                    and isinstance(small.value, (cst.Attribute, cst.Name))):
                candidates.add(small.targets[0].target.value)
    return {n for n in candidates if counts.get(n) == 1}


def _bound_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _bound_names(e.value)]
    return []


class _ShiftContinuations(cst.CSTTransformer):
    """Indent by ``delta`` every continuation line that starts at or after ``column``
    (the call's parenthesis: lines aligned under it or under its first argument).

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


def _keyword(arg: cst.Arg, name: str) -> cst.Arg:
    return arg.with_changes(
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                              whitespace_after=cst.SimpleWhitespace("")),
    )


def _code(node: cst.CSTNode | cst.MaybeSentinel) -> str:
    return cst.Module([]).code_for_node(node) if isinstance(node, cst.CSTNode) else ""


def _edit_args(args: Sequence[cst.Arg], drop: set[int],
               replace: dict[int, cst.Arg]) -> list[cst.Arg]:
    """``args`` without the ``drop`` indices and with ``replace``, punctuated as before.

    An argument keeps its own comma (and the comment and line break after it);
    when a dropped argument carried the only line break, the argument before it
    takes that break over, and the new last argument ends like the old last one.
    """
    out: list[cst.Arg] = []
    for i, arg in enumerate(args):
        if i in drop:
            if out and "\n" not in _code(out[-1].comma) and "\n" in _code(arg.comma):
                out[-1] = out[-1].with_changes(comma=arg.comma)
            continue
        out.append(replace.get(i, arg))
    if out and (len(args) - 1) in drop:
        out[-1] = out[-1].with_changes(comma=args[-1].comma)
    return out


class _MigrateCommand(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ScopeProvider)

    def __init__(self, wrapper: MetadataWrapper) -> None:
        super().__init__()
        self.outcome = Outcome(code="")
        self._wrapper = wrapper
        self._module = wrapper.module
        #: ids of the original nodes inside references rewritten to brainpy_autograd
        self._consumed: set[int] = set()
        self._imports: list[tuple[cst.Import, cst.Import]] = []  # (original, updated)
        self._need_module_import = False
        self._needed_names: dict[str, str | None] = {}  # from brainpy_autograd import k as v
        self._attributes: _Attributes | None = None
        self._aliases = _module_aliases(self._module)  # `grad = bm.grad`: name -> its target
        self._alias_targets: dict[str, tuple[str, str]] = {}
        self._lines: list[str] | None = None

    @property
    def attributes(self) -> _Attributes:
        """The module's attribute assignments, analysed when a call first needs them."""
        if self._attributes is None:
            self._attributes = _attribute_kinds(self._wrapper)
        return self._attributes

    # -- helpers

    def _target(self, node: cst.CSTNode) -> tuple[str, str] | None:
        """(module, name) if ``node`` names an autodiff function of BrainPy or ours.

        Only a name or an attribute names one. A call such as ``bm.grad(f)`` also
        carries the qualified name ``brainpy.math.grad`` in libcst's metadata, but
        calling *its result*, ``bm.grad(f)(x, t)``, calls the user's function.
        """
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return None
        for name in _qualified(self.get_metadata(QualifiedNameProvider, node, set())):
            module, _, attr = name.rpartition(".")
            if attr in TARGETS and (module in SOURCES or module == OURS):
                return module, attr
        return None

    def _call_target(self, func: cst.BaseExpression) -> tuple[str, str] | None:
        """The transform that a call of ``func`` calls: a name of ours or BrainPy's, or a
        module-level alias of one (``grad = bm.grad`` ... ``grad(f, dyn_vars=v)``)."""
        target = self._target(func)
        if target is None and isinstance(func, cst.Name) and func.value in self._alias_targets:
            names = _qualified(self.get_metadata(QualifiedNameProvider, func, set()))
            if names == {func.value}:  # the module-level name, not a local that shadows it
                return self._alias_targets[func.value]
        return target

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            if name in self._aliases:
                target = self._target(node.value)
                if target is not None:
                    self._alias_targets[name] = target

    def _find(self, node: cst.CSTNode, message: str) -> None:
        pos = self.get_metadata(PositionProvider, node).start
        self.outcome.findings.append(Finding(pos.line, pos.column + 1, message))

    # -- imports

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:
        self._imports.append((original, updated))
        return updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        body: list[cst.BaseStatement] = []
        originals = {id(upd): orig for orig, upd in self._imports}
        for stmt in updated.body:
            kept = self._without_unused_imports(stmt, originals)
            if kept is not None:
                body.append(kept)
        new_lines = []
        if self._need_module_import and not _imports_module(original, OURS):
            new_lines.append(cst.parse_statement(f"import {OURS}\n"))
        if self._needed_names:
            names = ", ".join(k if v is None else f"{k} as {v}"
                              for k, v in sorted(self._needed_names.items()))
            new_lines.append(cst.parse_statement(f"from {OURS} import {names}\n"))
        if new_lines:
            at = _import_position(body)
            body[at:at] = new_lines
            after = at + len(new_lines)
            following = body[after] if after < len(body) else None
            if isinstance(following, (cst.SimpleStatementLine, cst.BaseCompoundStatement)) \
                    and not _is_import_line(following) and not following.leading_lines:
                # a blank line between the imports and the code
                body[after] = following.with_changes(leading_lines=[cst.EmptyLine()])
        return updated.with_changes(body=body)

    def _without_unused_imports(self, stmt: cst.BaseStatement,
                                originals: dict[int, cst.Import]) -> cst.BaseStatement | None:
        """``stmt`` without the brainpy import aliases that the rewrite left unused.

        ``originals`` maps each updated ``Import`` (by id) to its original node.
        """
        if not isinstance(stmt, cst.SimpleStatementLine):
            return stmt
        small: list[cst.BaseSmallStatement] = []
        changed = False
        for node in stmt.body:
            original = originals.get(id(node))
            if original is None or not isinstance(node, cst.Import):
                small.append(node)
                continue
            kept = [a for a, o in zip(node.names, original.names) if not self._unused(original, o)]
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

    def _unused(self, statement: cst.Import, alias: cst.ImportAlias) -> bool:
        """Whether every use of ``alias`` (a brainpy import) was rewritten away."""
        module = cst.helpers.get_full_name_for_node(alias.name) or ""
        if module != "brainpy" and not module.startswith("brainpy."):
            return False
        scope = self.get_metadata(ScopeProvider, statement, None)
        if scope is None:
            return False
        if alias.asname is not None:
            bound = [cst.helpers.get_full_name_for_node(alias.asname.name) or ""]
        else:  # `import brainpy.math` binds `brainpy` (and libcst tracks `brainpy.math`)
            parts = module.split(".")
            bound = [".".join(parts[: i + 1]) for i in range(len(parts))]
        references = [ref for name in bound for assignment in scope.assignments[name]
                      if getattr(assignment, "node", None) is statement
                      for ref in assignment.references]
        return bool(references) and all(id(ref.node) in self._consumed for ref in references)

    def leave_ImportFrom(self, original: cst.ImportFrom,
                         updated: cst.ImportFrom) -> cst.ImportFrom | cst.RemovalSentinel:
        if original.module is None or original.relative:
            return updated
        module = cst.helpers.get_full_name_for_node(original.module)
        if module not in SOURCES:
            return updated
        if isinstance(original.names, cst.ImportStar):
            self._find(original, f"`from {module} import *` may bring BrainPy's autodiff "
                                 f"functions; import them from brainpy_autograd explicitly.")
            return updated
        assert not isinstance(updated.names, cst.ImportStar)
        kept = []
        for alias in updated.names:
            name = cst.helpers.get_full_name_for_node(alias.name)
            if name in TARGETS:
                asname = (cst.helpers.get_full_name_for_node(alias.asname.name)
                          if alias.asname else None)
                self._needed_names[name] = asname
                self.outcome.references += 1
            else:
                kept.append(alias)
        if len(kept) == len(updated.names):
            return updated
        if not kept:
            return cst.RemoveFromParent()
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=kept)

    # -- references

    def leave_Attribute(self, original: cst.Attribute,
                        updated: cst.Attribute) -> cst.BaseExpression:
        target = self._target(original)
        if target is None or target[0] == OURS:
            return updated
        self._need_module_import = True
        node: cst.BaseExpression = original.value  # `bm`, or `bp.math` and `bp`: now unused
        while True:
            self._consumed.add(id(node))
            if not isinstance(node, cst.Attribute):
                break
            node = node.value
        self.outcome.references += 1
        return cst.Attribute(value=cst.Name(OURS), attr=cst.Name(target[1]))

    # -- calls

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if updated.func is not original.func:  # renamed inside: bm.grad(...) or bm.grad(f)(...)
            updated = self._keep_alignment(original, updated)
        target = self._call_target(original.func)
        if target is None:
            return updated
        name = target[1]
        args = original.args  # metadata lives on the original nodes; indices match updated
        drop: set[int] = set()
        replace: dict[int, cst.Arg] = {}
        if any(a.star == "**" for a in args):
            self._find(original, f"{name}() takes **kwargs: check that they carry no "
                                 f"dyn_vars, child_objs or reduce_axes.")
        for i, arg in enumerate(args):
            if arg.keyword is not None and self._drop_keyword(arg):
                drop.add(i)
        positional = [i for i, a in enumerate(args) if a.keyword is None and not a.star]
        grad_vars_index = self._positional(original, name, positional, drop, replace,
                                           updated.args)
        if not any(a.star for a in args):
            self._check_grad_vars(name, args, grad_vars_index)
        if not drop and not replace:
            return updated
        return updated.with_changes(args=_edit_args(updated.args, drop, replace))

    def _keep_alignment(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """Shift continuation lines aligned under the call's parenthesis by as much as
        the renamed function moved it (``bm.grad(`` -> ``brainpy_autograd.grad(``, and
        the outer parenthesis of ``bm.grad(f)(x,\n y)``)."""
        delta = len(_code(updated.func)) - len(_code(original.func))
        if delta == 0:
            return updated
        start = self.get_metadata(PositionProvider, original).start
        paren_column = start.column + len(_code(original.func))  # the "(" itself
        if self._lines is None:
            self._lines = self._module.code.splitlines()
        line = self._lines[start.line - 1]
        block_indent = len(line) - len(line.lstrip(" "))
        shifted = updated.with_changes(args=[
            a.visit(_ShiftContinuations(paren_column, delta, block_indent))
            for a in updated.args])
        return cast(cst.Call, shifted)

    def _drop_keyword(self, arg: cst.Arg) -> bool:
        """Whether a keyword argument is a legacy one to remove (reporting the rest)."""
        assert arg.keyword is not None
        keyword = arg.keyword.value
        if keyword in ("dyn_vars", "child_objs"):
            self.outcome.keywords_removed += 1
            return True
        if keyword == "reduce_axes":
            if m.matches(arg.value, m.Tuple(elements=[]) | m.List(elements=[])):
                self.outcome.keywords_removed += 1
                return True
            self._find(arg, f"reduce_axes={_code(arg.value)} is no longer supported (JAX "
                            f"removed it): sum over the axis in the loss with jax.lax.psum "
                            f"inside jax.shard_map, then drop it (README: 'Beyond one "
                            f"device').")
        return False

    def _positional(self, call: cst.Call, name: str, positional: list[int], drop: set[int],
                    replace: dict[int, cst.Arg], updated: Sequence[cst.Arg]) -> int | None:
        """Handle a BrainPy 2.2 positional ``dyn_vars``; return grad_vars' index."""
        args = call.args
        grad_vars = positional[1] if len(positional) > 1 else None
        if len(positional) < 3:
            return grad_vars
        third = args[positional[2]]
        kind = _classify_positional(third.value, self.attributes)
        if kind == "argnums":
            return grad_vars
        code = _code(third.value)
        if kind == "unknown":
            self._find(third, f"cannot tell whether the third positional argument `{code}` "
                              f"of {name}() is argnums or BrainPy 2.2's dyn_vars. If it holds "
                              f"variables, remove it and pass later arguments by keyword; if "
                              f"it is argnums, write argnums={code}.")
            return grad_vars
        old = _OLD_ORDER[name]
        if len(positional) > len(old):
            self._find(call, f"{name}() has more positional arguments than its BrainPy 2.2 "
                             f"form {name}({', '.join(old)}); left as it is.")
            return grad_vars
        self.outcome.positionals_removed += 1
        for key, index in zip(old, positional):
            if key == "dyn_vars":
                drop.add(index)
            elif key == "grad_vars":
                grad_vars = index
            elif key != "func":
                replace[index] = _keyword(updated[index], key)
        return grad_vars

    def _check_grad_vars(self, name: str, args: Sequence[cst.Arg],
                         index: int | None) -> None:
        arg = next((a for a in args if a.keyword and a.keyword.value == "grad_vars"), None)
        if arg is None and index is not None:
            arg = args[index]
        if arg is None:
            return
        for leaf in self._leaves(arg.value):
            if isinstance(leaf, cst.Call) and _value_kind(leaf, self) == "array":
                self._find(leaf, f"grad_vars of {name}() holds a plain array `{_code(leaf)}`: "
                                 f"only variables can be differentiated there; make it "
                                 f"bm.TrainVar(...).")
            elif isinstance(leaf, cst.Attribute) and leaf.attr.value in self.attributes.plain:
                line = self.attributes.plain[leaf.attr.value]
                self._find(leaf, f"grad_vars of {name}() holds `{_code(leaf)}`, assigned a "
                                 f"plain array at line {line}: only variables can be "
                                 f"differentiated there; make it bm.TrainVar(...).")

    def _leaves(self, node: cst.BaseExpression) -> list[cst.BaseExpression]:
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return [leaf for e in node.elements for leaf in self._leaves(e.value)]
        if isinstance(node, cst.Dict):
            return [leaf for e in node.elements if isinstance(e, cst.DictElement)
                    for leaf in self._leaves(e.value)]
        return [node]
