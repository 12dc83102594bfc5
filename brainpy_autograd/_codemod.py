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

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import PositionProvider, QualifiedName, QualifiedNameProvider

from ._api import ALIASES, TRANSFORMS
from ._legacy import OLD_POSITIONAL_ORDER

__all__ = ["Finding", "Outcome", "migrate_source", "TARGETS", "SOURCES"]

OURS = "brainpy_autograd"
TARGETS = frozenset(TRANSFORMS)
#: modules whose autodiff names are BrainPy's
SOURCES = frozenset({
    "brainpy.math", "brainpy.math.jax", "brainpy.math.autograd", "brainpy.math.jax.autograd",
    "brainpy.math.object_transform", "brainpy.math.object_transform.autograd",
})
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
    findings: list[Finding] = field(default_factory=list)
    references: int = 0  # names rewritten to brainpy_autograd
    keywords_removed: int = 0
    positionals_removed: int = 0

    @property
    def changes(self) -> int:
        return self.references + self.keywords_removed + self.positionals_removed


def migrate_source(source: str) -> Outcome:
    """Migrate one module's source text (raises ``libcst.ParserSyntaxError``)."""
    module = cst.parse_module(source)
    context = CodemodContext()
    command = _MigrateCommand(context, _plain_array_attributes(module))
    new_module = command.transform_module(module)
    outcome = command.outcome
    outcome.code = new_module.code
    outcome.findings.sort(key=lambda f: (f.line, f.column))
    return outcome


# ------------------------------------------------------------------ analysis


def _qualified(names: Collection[QualifiedName]) -> set[str]:
    return {n.name for n in names}


def _plain_array_attributes(module: cst.Module) -> dict[str, int]:
    """Attribute names assigned only plain arrays in this module (``self.w = bm.zeros(3)``).

    Maps the attribute name to the line of its (first) assignment. An attribute
    assigned anything else anywhere in the module is not included.
    """
    wrapper = cst.MetadataWrapper(module)
    finder = _AssignmentFinder()
    wrapper.visit(finder)
    return {name: line for name, line in finder.plain.items() if name not in finder.other}


class _AssignmentFinder(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self) -> None:
        self.plain: dict[str, int] = {}
        self.other: set[str] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if not isinstance(target.target, cst.Attribute):
                continue
            name = target.target.attr.value
            kind = _value_kind(node.value, self)
            if kind == "array":
                line = self.get_metadata(PositionProvider, node).start.line
                self.plain.setdefault(name, line)
            else:
                self.other.add(name)


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


def _classify_positional(node: cst.BaseExpression) -> str:
    """Is the third positional argument 'vars' (BrainPy 2.2 dyn_vars), 'argnums' or 'unknown'?"""
    if m.matches(node, m.Integer() | m.UnaryOperation(operator=m.Minus(),
                                                      expression=m.Integer())):
        return "argnums"
    if m.matches(node, m.Name("None")):
        return "vars"  # dyn_vars=None: dropping it reads the same either way
    if isinstance(node, cst.Name):
        text = node.value.lower()
        if "argnum" in text:
            return "argnums"
        return "vars" if "var" in text else "unknown"
    if isinstance(node, cst.Attribute):
        return "unknown" if "argnum" in node.attr.value.lower() else "vars"
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("vars", "train_vars",
                                                                   "unique", "nodes"):
            return "vars"
        if isinstance(func, (cst.Attribute, cst.Name)):
            last = func.attr.value if isinstance(func, cst.Attribute) else func.value
            if last in _STATE_FACTORIES or last.endswith("State"):
                return "vars"
        return "unknown"
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        kinds = {_classify_positional(e.value) for e in node.elements}
        return kinds.pop() if len(kinds) == 1 and "unknown" not in kinds else "unknown"
    if isinstance(node, cst.Dict):
        kinds = {_classify_positional(e.value) for e in node.elements
                 if isinstance(e, cst.DictElement)}
        return "vars" if kinds == {"vars"} else "unknown"
    return "unknown"


# ------------------------------------------------------------------ rewriting


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


class _MigrateCommand(VisitorBasedCodemodCommand):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self, context: CodemodContext, plain_attributes: dict[str, int]) -> None:
        super().__init__(context)
        self.outcome = Outcome(code="")
        self.plain_attributes = plain_attributes

    # -- helpers

    def _target(self, node: cst.CSTNode) -> tuple[str, str] | None:
        """(module, name) if ``node`` names an autodiff function of BrainPy or ours."""
        for name in _qualified(self.get_metadata(QualifiedNameProvider, node, set())):
            module, _, attr = name.rpartition(".")
            if attr in TARGETS and (module in SOURCES or module == OURS):
                return module, attr
        return None

    def _find(self, node: cst.CSTNode, message: str) -> None:
        pos = self.get_metadata(PositionProvider, node).start
        self.outcome.findings.append(Finding(pos.line, pos.column + 1, message))

    # -- imports

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
                AddImportsVisitor.add_needed_import(self.context, OURS, name, asname)
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
        AddImportsVisitor.add_needed_import(self.context, OURS)
        root = original
        while isinstance(root.value, cst.Attribute):
            root = root.value
        if isinstance(root.value, cst.Name):  # `bm.grad`: maybe `bm` is now unused
            for name in _qualified(self.get_metadata(QualifiedNameProvider, root.value, set())):
                RemoveImportsVisitor.remove_unused_import(
                    self.context, name, asname=None if name == root.value.value
                    else root.value.value)
        self.outcome.references += 1
        return cst.Attribute(value=cst.Name(OURS), attr=cst.Name(target[1]))

    # -- calls

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        target = self._target(original.func)
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
        kind = _classify_positional(third.value)
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
            elif isinstance(leaf, cst.Attribute) and leaf.attr.value in self.plain_attributes:
                line = self.plain_attributes[leaf.attr.value]
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
