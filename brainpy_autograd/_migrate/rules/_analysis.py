"""What the call rules need to know about a module's values: is this variables, an int, an array?

Shared by :mod:`.positional` (is a third positional argument BrainPy 2.2's
``dyn_vars``?) and :mod:`.grad_vars` (does ``grad_vars`` hold plain arrays?).
The module's attribute assignments are analysed once, when a call first needs
them, with the pass's own metadata (no second resolution).

>>> import libcst as cst
>>> nothing = Attributes({}, frozenset(), frozenset())
>>> classify_positional(cst.parse_expression("self.vars()"), nothing)
'vars'
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from .._context import ModuleContext
from .._syntax import is_int, is_none

__all__ = ["Attributes", "attributes", "classify_positional", "value_kind"]

STATE_FACTORIES = ("Variable", "TrainVar", "Parameter", "VarList", "VarDict", "var_list",
                   "var_dict", "VariableView")
_ARRAY_MODULES = ("brainpy.math", "jax.numpy", "numpy")


@dataclass
class Attributes:
    """What this module assigns to attributes (``self.w = ...``), by attribute name.

    An attribute counts as one kind only if every assignment to it in the module
    is of that kind.
    """

    plain: dict[str, int]  # plain arrays (bm.zeros(3)...), with the first line
    states: frozenset[str]  # Variables / States (bm.Variable(...), bm.TrainVar(...))
    ints: frozenset[str]  # int literals (argnums-like)


def attributes(ctx: ModuleContext) -> Attributes:
    """The module's attribute assignments (analysed on the first call, then kept)."""
    return ctx.once("attributes", lambda: ctx.walk(_AssignmentFinder(ctx)).attributes())


class _AssignmentFinder(cst.CSTVisitor):
    def __init__(self, ctx: ModuleContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.kinds: dict[str, set[str]] = {}
        self.first_line: dict[str, int] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if not isinstance(target.target, cst.Attribute):
                continue
            name = target.target.attr.value
            kind = "int" if is_int(node.value) else value_kind(self.ctx, node.value)
            self.kinds.setdefault(name, set()).add(kind)
            if kind == "array":
                self.first_line.setdefault(name, self.ctx.line_of(node))

    def attributes(self) -> Attributes:
        only = {kind: frozenset(n for n, kinds in self.kinds.items() if kinds == {kind})
                for kind in ("array", "state", "int")}
        return Attributes(plain={n: self.first_line[n] for n in only["array"]},
                          states=only["state"], ints=only["int"])


def value_kind(ctx: ModuleContext, node: cst.BaseExpression) -> str:
    """'array' for a call of a plain-array constructor, 'state' for a State, else 'other'."""
    if not isinstance(node, cst.Call):
        return "other"
    for name in ctx.qualified(node.func):
        if _makes_state(name.rsplit(".", 1)[-1]):
            return "state"
        if any(name.startswith(prefix + ".") for prefix in _ARRAY_MODULES):
            return "array"
    return "other"


def classify_positional(node: cst.BaseExpression, attrs: Attributes,
                        in_container: bool = False) -> str:
    """Is a third positional argument 'vars' (BrainPy 2.2's dyn_vars), 'argnums' or 'unknown'?

    'vars' only when that is certain (docs/migrate-command.md lists the forms; in a
    list literal, ``[self.V, self.m]``, any attribute: 2.2's way of listing variables).
    Anything else that is not an int is 'unknown': BrainPy 2.9 reads it as ``argnums``.
    """
    if is_int(node):
        return "argnums"
    if is_none(node):
        return "vars"  # dyn_vars=None: dropping it reads the same either way
    if isinstance(node, (cst.Name, cst.Attribute)):
        text = node.value if isinstance(node, cst.Name) else node.attr.value
        if "argnum" in text.lower() or (isinstance(node, cst.Attribute) and text in attrs.ints):
            return "argnums"
        if text.lower().endswith(("vars", "variables")):  # dyn_vars, train_vars, variables
            return "vars"
        if isinstance(node, cst.Attribute) and (text in attrs.states or in_container):
            return "vars"
        return "unknown"
    if isinstance(node, cst.Call):
        return _classify_call(node, attrs)
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        kinds = {classify_positional(e.value, attrs, True) for e in node.elements}
        return kinds.pop() if len(kinds) == 1 and "unknown" not in kinds else "unknown"
    if isinstance(node, cst.Dict):
        kinds = {classify_positional(e.value, attrs, True) for e in node.elements
                 if isinstance(e, cst.DictElement)}
        return "vars" if kinds == {"vars"} else "unknown"
    return "unknown"


def _classify_call(node: cst.Call, attrs: Attributes) -> str:
    func = node.func
    if isinstance(func, cst.Attribute):
        if func.attr.value in ("vars", "train_vars"):
            return "vars"
        if func.attr.value == "unique" and isinstance(func.value, cst.Call):
            return classify_positional(func.value, attrs)
    if isinstance(func, (cst.Attribute, cst.Name)):
        if _makes_state(func.attr.value if isinstance(func, cst.Attribute) else func.value):
            return "vars"
    return "unknown"


def _makes_state(name: str) -> bool:  # a function of this (last) name makes a State
    return name in STATE_FACTORIES or name.endswith("State")
