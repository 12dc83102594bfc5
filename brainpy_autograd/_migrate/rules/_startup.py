"""Whether removing a brainpy import keeps the module's start-up order (:mod:`.unused_imports`).

``import brainpy.math as bm`` imports JAX at once; ``import brainpy_autograd`` does
not (it imports JAX when a transform is first used). So removing the brainpy
import moves the moment JAX is imported later, and whatever runs in between, an
``os.environ["XLA_FLAGS"] = ...`` say, now runs before JAX reads its settings
instead of after. The import may go only when everything between it and the next
moment JAX is imported anyway is certainly harmless.

>>> import libcst as cst
>>> loads_jax(cst.parse_statement("g = brainpy_autograd.grad(f)\\n").body[0])
True
>>> harmless(cst.parse_statement("os.environ['XLA_FLAGS'] = '1'\\n").body[0])
False
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

import libcst as cst

from .._context import OURS, TARGETS
from .._syntax import full_name

__all__ = ["start_up_unchanged", "loads_jax", "harmless"]

#: packages that import JAX when imported (JAX's own, and those built on it)
JAX_FAMILY = frozenset({"jax", "jaxlib", "brainpy", "brainstate", "brainunit", "flax", "optax",
                        "equinox"})
#: packages whose import cannot change what JAX reads when it starts, besides the
#: standard library (their import sets no environment variable and imports no JAX)
INERT = frozenset({"__future__", OURS, "numpy", "scipy", "matplotlib", "pandas", "tqdm"}
                  | set(getattr(sys, "stdlib_module_names", ())))


def start_up_unchanged(before: Iterable[cst.CSTNode], after: Iterable[cst.CSTNode]) -> bool:
    """Whether a brainpy import may go: JAX was imported already by a statement
    ``before`` it, or each statement ``after`` it (in order, module level) is harmless up
    to one that imports JAX (or the module's end)."""
    if any(loads_jax(unit) for unit in before):
        return True
    for unit in after:
        if loads_jax(unit):
            return True
        if not harmless(unit):
            return False
    return True


def units(statements: Sequence[cst.BaseStatement]) -> list[cst.CSTNode]:
    """The module-level statements in the order they run (``a; b`` is two)."""
    out: list[cst.CSTNode] = []
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            out.extend(statement.body)
        else:
            out.append(statement)
    return out


def _top(name: str) -> str:
    return name.split(".")[0]


def _imported(unit: cst.CSTNode) -> list[str] | None:
    """The modules an import statement imports (None: not an import)."""
    if isinstance(unit, cst.Import):
        return [full_name(a.name) for a in unit.names]
    if isinstance(unit, cst.ImportFrom):
        return ["." if unit.relative or unit.module is None else full_name(unit.module)]
    return None


def loads_jax(unit: cst.CSTNode) -> bool:
    """Whether a statement certainly imports JAX, first thing: an import of JAX or of a
    package built on it, a transform imported from brainpy_autograd, or a statement
    whose first effect is using one (``g = brainpy_autograd.grad(f)``)."""
    modules = _imported(unit)
    if modules is not None:
        if any(_top(m) in JAX_FAMILY for m in modules):
            return True
        return isinstance(unit, cst.ImportFrom) and modules == [OURS] and isinstance(
            unit.names, Sequence) and any(full_name(a.name) in TARGETS for a in unit.names)
    if isinstance(unit, (cst.FunctionDef, cst.ClassDef)):
        return bool(unit.decorators) and _is_ours(_first_effect(unit.decorators[0].decorator))
    value = getattr(unit, "value", None) if isinstance(unit, (cst.Assign, cst.AnnAssign,
                                                              cst.Expr)) else None
    return isinstance(value, cst.BaseExpression) and _is_ours(_first_effect(value))


def _is_ours(node: cst.BaseExpression | None) -> bool:
    return (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)
            and node.value.value == OURS and node.attr.value in TARGETS)


def _first_effect(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """The first part of ``node`` that does something when evaluated (None: nothing does:
    names, literals, attributes of those, containers of them). Using a transform of
    brainpy_autograd counts (it imports JAX), and any call."""
    if isinstance(node, (cst.Name, cst.BaseNumber, cst.SimpleString, cst.Ellipsis)):
        return None
    if isinstance(node, cst.ConcatenatedString):
        return None
    if isinstance(node, cst.Attribute):
        return _first_effect(node.value) or (node if _is_ours(node) else None)
    if isinstance(node, cst.UnaryOperation):
        return _first_effect(node.expression)
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return next((e for e in (_first_effect(x.value) for x in node.elements) if e), None)
    if isinstance(node, cst.Call):
        inner = [_first_effect(node.func), *(_first_effect(a.value) for a in node.args)]
        return next((e for e in inner if e is not None), node)
    return node  # anything else: assume it does something


def _plain_annotation(annotation: cst.Annotation) -> bool:
    """Whether evaluating an annotation (Python does, without ``from __future__ import
    annotations``) certainly does nothing: names, attributes and strings, subscripted
    (``list[int]``, ``Optional[np.ndarray]``) or joined with ``|``."""
    def plain(node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Subscript):
            return plain(node.value) and all(
                isinstance(e.slice, cst.Index) and plain(e.slice.value) for e in node.slice)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return plain(node.left) and plain(node.right)
        if isinstance(node, (cst.List, cst.Tuple)):
            return all(plain(e.value) for e in node.elements)
        return isinstance(node, (cst.Name, cst.Attribute, cst.SimpleString, cst.Ellipsis,
                                 cst.ConcatenatedString)) and _first_effect(node) is None
    return plain(annotation.annotation)


def harmless(unit: cst.CSTNode) -> bool:
    """Whether a module-level statement certainly cannot change what JAX reads when it
    starts (so it may run before JAX is imported instead of after)."""
    modules = _imported(unit)
    if modules is not None:
        return all(_top(m) in INERT for m in modules)
    if isinstance(unit, cst.Expr):  # a docstring, `...`
        return isinstance(unit.value, (cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis))
    if isinstance(unit, cst.Pass):
        return True
    if isinstance(unit, (cst.Assign, cst.AnnAssign)):  # `N = 100`, `names = ("a", "b")`
        targets = [t.target for t in unit.targets] if isinstance(unit, cst.Assign) \
            else [unit.target]
        annotated = not isinstance(unit, cst.AnnAssign) or _plain_annotation(unit.annotation)
        return annotated and all(isinstance(t, cst.Name) for t in targets) and (
            unit.value is None or _first_effect(unit.value) is None)
    if isinstance(unit, cst.FunctionDef):  # defaults and annotations run, decorators too
        params = unit.params
        every = [*params.params, *params.kwonly_params, *params.posonly_params,
                 *(p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param))]
        defaults = [p.default for p in every if p.default is not None]
        notes = [p.annotation for p in every if p.annotation is not None]
        notes += [unit.returns] if unit.returns is not None else []
        return (not unit.decorators and all(_first_effect(d) is None for d in defaults)
                and all(_plain_annotation(n) for n in notes))
    if isinstance(unit, cst.ClassDef):  # its body runs
        return (not unit.decorators and not unit.keywords
                and all(isinstance(b.value, cst.Name) for b in unit.bases)
                and isinstance(unit.body, cst.IndentedBlock)
                and all(harmless(u) for u in units(unit.body.body)))
    return False
