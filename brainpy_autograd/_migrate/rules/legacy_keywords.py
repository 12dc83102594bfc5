"""Rule ``legacy_keywords``: drop ``dyn_vars=``, ``child_objs=`` and an empty ``reduce_axes=``
(``()``, ``[]``, or ``None``, its default).

On the calls of BrainPy's transforms and ours (which accept them with a warning), and
on the positional ones :mod:`.positional` makes keywords; what is reported instead (a
non-empty ``reduce_axes``, ``**kwargs``): docs/migrate-command.md, "What it reports".

>>> from brainpy_autograd._migrate import migrate_source
>>> src = "import brainpy_autograd as bpa\\ng = bpa.grad(f, dyn_vars=v, reduce_axes=())\\n"
>>> print(migrate_source(src).code)
import brainpy_autograd as bpa
g = bpa.grad(f)
<BLANKLINE>
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    Assignment,
    QualifiedNameProvider,
    QualifiedNameSource,
    ScopeProvider,
)

from .._context import OURS, SOURCES, ModuleContext, TransformCall
from .._registry import Rule, register
from .._syntax import code, is_none
from ._bindings import is_brainpy_module


@register(TransformCall, Rule.LEGACY_KEYWORDS)
def drop_legacy_keywords(ctx: ModuleContext, call: TransformCall) -> None:
    args = call.original.args
    if any(a.star == "**" for a in args):
        ctx.find(call.original, f"{call.name}() takes **kwargs: check that they carry no "
                                f"dyn_vars, child_objs or reduce_axes.")
    for i, arg in enumerate(args):
        if arg.keyword is not None and is_legacy(ctx, arg, arg.keyword.value):
            call.drop.add(i)


#: the keywords BrainPy's transforms took that ours no longer need
LEGACY = ("dyn_vars", "child_objs", "reduce_axes")


@register(cst.Call, Rule.LEGACY_KEYWORDS)
def report_untraced(ctx: ModuleContext, original: cst.Call, updated: cst.Call) -> cst.Call:
    """A call with a legacy keyword that the migration did not rewrite, in a module that
    uses a transform, or a module of them, as a value (:class:`_PassedOn`): there a call
    of anything may be a transform's, unless :func:`_traced` says what it is."""
    legacy = [a for a in original.args if a.keyword is not None
              and a.keyword.value in LEGACY]
    func = original.func
    if not legacy or ctx.call_target(func) is not None or _traced(ctx, func):
        return updated
    if not ctx.once("passed_on", lambda: ctx.walk(_PassedOn(ctx)).found):
        return updated  # no transform goes anywhere but its own call: not one of them
    names = " and ".join(f"{a.keyword.value}=" for a in legacy if a.keyword is not None)
    ctx.find(legacy[0], f"{names} {'is' if len(legacy) == 1 else 'are'} passed to "
                        f"`{code(func)}`, which the migration cannot trace to its function "
                        f"(this file uses a transform or brainpy.math as a value: an alias, "
                        f"an attribute, a container, an argument); if it is a brainpy.math "
                        f"transform (brainpy_autograd's now), remove {names} by hand"
                        + (" (a non-empty reduce_axes: docs/multidevice.md)."
                           if "reduce_axes=" in names else "."))
    return updated


def _traced(ctx: ModuleContext, func: cst.BaseExpression) -> bool:
    """Whether a call of ``func`` is certainly not a transform's: a BrainPy name imported
    as such (``bm.jit``; a transform would have been rewritten), or a name that only
    ``def`` or ``class`` statements bind."""
    names = ctx.get_metadata(QualifiedNameProvider, func, set())
    if names and all(n.source == QualifiedNameSource.IMPORT and is_brainpy_module(n.name)
                     for n in names):
        return True
    if not isinstance(func, cst.Name):
        return False
    scope = ctx.get_metadata(ScopeProvider, func)
    found = scope[func.value] if scope is not None else ()
    return bool(found) and all(isinstance(a, Assignment)
                               and isinstance(a.node, (cst.FunctionDef, cst.ClassDef))
                               for a in found)


class _PassedOn(cst.CSTVisitor):
    """Finds a transform, or a module that holds transforms, used as a value (the forms:
    docs/migrate-command.md, "What it reports"): anything but the callee of a call, a
    bare decorator or, for a module, the start of an attribute (``bm.grad``, ``bm.jit``)."""

    def __init__(self, ctx: ModuleContext) -> None:
        super().__init__()
        self.ctx, self.direct, self.found = ctx, set[int](), False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            return False
        if isinstance(node, cst.Call):
            self.direct.add(id(node.func))
        elif isinstance(node, cst.Decorator):
            self.direct.add(id(node.decorator))
        elif isinstance(node, cst.Attribute):
            self.direct.add(id(node.value))
        if not isinstance(node, (cst.Attribute, cst.Name)):
            return True
        if id(node) not in self.direct and (
                self.ctx.target(node) is not None
                or self.ctx.qualified(node) & (SOURCES | {OURS, "brainpy"})):
            self.found = True
        return not self.found


def is_legacy(ctx: ModuleContext, arg: cst.Arg, keyword: str) -> bool:
    """Whether ``arg``, passed as ``keyword`` (by name, or by position: :mod:`.positional`
    hands over a 2.2 positional ``reduce_axes``), is a legacy one to remove; the rest is
    reported."""
    if keyword in ("dyn_vars", "child_objs"):
        if not _without_effects(arg.value):
            ctx.find(arg, f"{keyword}={code(arg.value)} may do something when evaluated (a "
                          f"call), which removing it would stop; left in place: remove it "
                          f"by hand (keeping any call that must still run).")
            return False
        ctx.counts.keywords_removed += 1
        return True
    if keyword == "reduce_axes":
        value = arg.value
        if (isinstance(value, (cst.Tuple, cst.List)) and not value.elements) or is_none(value):
            ctx.counts.keywords_removed += 1  # (), [] or None, the default
            return True
        ctx.find(arg, f"reduce_axes={code(arg.value)} is no longer supported (JAX "
                      f"removed it): sum over the axis in the loss with jax.lax.psum "
                      f"inside jax.shard_map, then drop it (docs/multidevice.md).")
    return False


#: BrainPy's methods that only collect variables: ``model.vars()``,
#: ``net.train_vars().unique()``, ``self.nodes().subset(bm.Variable)``
COLLECTORS = frozenset({"vars", "train_vars", "unique", "nodes", "subset", "implicit_vars",
                        "include", "exclude", "not_subset"})


def _without_effects(node: cst.BaseExpression) -> bool:
    """Whether evaluating ``node`` certainly does nothing that removing it would stop: a
    name, an attribute, a literal, a container or subscript of those, or BrainPy's
    variable collectors called on them."""
    if isinstance(node, (cst.Name, cst.BaseNumber, cst.SimpleString, cst.ConcatenatedString,
                         cst.Ellipsis)):
        return True
    if isinstance(node, cst.Attribute):
        return _without_effects(node.value)
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return all(not isinstance(e, cst.StarredElement) and _without_effects(e.value)
                   for e in node.elements)
    if isinstance(node, cst.Dict):
        return all(isinstance(e, cst.DictElement) and _without_effects(e.key)
                   and _without_effects(e.value) for e in node.elements)
    if isinstance(node, cst.Subscript):
        return _without_effects(node.value) and all(
            isinstance(e.slice, cst.Index) and _without_effects(e.slice.value)
            for e in node.slice)
    if isinstance(node, cst.Call):
        func = node.func
        return (isinstance(func, cst.Attribute) and func.attr.value in COLLECTORS
                and _without_effects(func.value)
                and all(not a.star and _without_effects(a.value) for a in node.args))
    return False
