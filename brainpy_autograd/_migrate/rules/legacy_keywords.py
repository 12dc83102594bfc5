"""Rule ``legacy_keywords``: drop ``dyn_vars=``, ``child_objs=`` and an empty ``reduce_axes=``
(``()``, ``[]``, or ``None``, its default).

On calls of BrainPy's transforms (and of brainpy_autograd's own, which accept
them with a warning), and on the positional ones that :mod:`.positional` turns
into keywords. A non-empty ``reduce_axes`` cannot be dropped without
changing the result and is reported, and so is a ``**kwargs`` that may carry
any of them.

>>> from brainpy_autograd._migrate import migrate_source
>>> src = "import brainpy_autograd as bpa\\ng = bpa.grad(f, dyn_vars=v, reduce_axes=())\\n"
>>> print(migrate_source(src).code)
import brainpy_autograd as bpa
g = bpa.grad(f)
<BLANKLINE>
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import GlobalScope, ScopeProvider

from .._context import ModuleContext, TransformCall
from .._registry import Rule, register
from .._syntax import code, is_none


@register(TransformCall, Rule.LEGACY_KEYWORDS)
def drop_legacy_keywords(ctx: ModuleContext, call: TransformCall) -> None:
    args = call.original.args
    if any(a.star == "**" for a in args):
        ctx.find(call.original, f"{call.name}() takes **kwargs: check that they carry no "
                                f"dyn_vars, child_objs or reduce_axes.")
    for i, arg in enumerate(args):
        if arg.keyword is not None and is_legacy(ctx, arg):
            call.drop.add(i)


@register(cst.Call, Rule.LEGACY_KEYWORDS)
def report_untraced(ctx: ModuleContext, original: cst.Call, updated: cst.Call) -> cst.Call:
    """A call with ``dyn_vars=``/``child_objs=`` of something the migration cannot trace
    to its function: an element of a container (``transforms[0](f, dyn_vars=v)``), a
    call's result, or a name bound inside a function (a local alias)."""
    legacy = [a for a in original.args if a.keyword is not None
              and a.keyword.value in ("dyn_vars", "child_objs")]
    func = original.func
    if not legacy or ctx.call_target(func) is not None:
        return updated
    if isinstance(func, cst.Attribute) or (isinstance(func, cst.Name) and not _local(ctx, func)):
        return updated  # named where it is defined: not a transform if not recognised
    if not _transform_passed_on(ctx):
        return updated  # no transform goes anywhere but its own call: not one of them
    keyword = legacy[0].keyword
    assert keyword is not None
    ctx.find(legacy[0], f"{keyword.value}= is passed to `{code(func)}`, which the migration "
                        f"cannot trace to its function (a container's element, a local "
                        f"name); if it is a brainpy.math transform (brainpy_autograd's "
                        f"now), remove {keyword.value}= by hand.")
    return updated


class _PassedOn(cst.CSTVisitor):
    """Finds a transform used as a value (``[bm.grad]``, ``run(bm.grad)``), not called,
    decorating, or given a module-level alias's name."""

    def __init__(self, ctx: ModuleContext) -> None:
        super().__init__()
        self.ctx, self.direct, self.found = ctx, set[int](), False

    def visit_Call(self, node: cst.Call) -> None:
        self.direct.add(id(node.func))

    def visit_Decorator(self, node: cst.Decorator) -> None:
        self.direct.add(id(node.decorator))

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name) and \
                isinstance(self.ctx.get_metadata(ScopeProvider, node), GlobalScope):
            self.direct.add(id(node.value))

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return self._check(node)

    def visit_Name(self, node: cst.Name) -> bool:
        return self._check(node)

    def _check(self, node: cst.Attribute | cst.Name) -> bool:
        if id(node) not in self.direct and self.ctx.target(node) is not None:
            self.found = True
        return not self.found


def _transform_passed_on(ctx: ModuleContext) -> bool:
    def find() -> bool:
        finder = _PassedOn(ctx)
        ctx.module.visit(finder)
        return finder.found

    return ctx.once("passed_on", find)


def _local(ctx: ModuleContext, name: cst.Name) -> bool:
    """Whether ``name`` is bound in a function's (or a class's) own scope."""
    scope = ctx.get_metadata(ScopeProvider, name)
    return scope is not None and not isinstance(scope, GlobalScope) and \
        bool(scope.assignments[name.value])


def is_legacy(ctx: ModuleContext, arg: cst.Arg, keyword: str | None = None) -> bool:
    """Whether an argument is a legacy one to remove (reporting the rest): a keyword
    argument, or a positional one in the place of ``keyword`` (BrainPy 2.2's positional
    ``reduce_axes``, which :mod:`.positional` hands over here, so that one run gives the
    final result)."""
    if keyword is None:
        assert arg.keyword is not None
        keyword = arg.keyword.value
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
