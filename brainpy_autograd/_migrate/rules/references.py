"""Rule ``references``: ``bm.grad`` (``bp.math.grad``, ``brainpy.math.jax.hessian``...) ->
``brainpy_autograd.grad``.

Every attribute that names a BrainPy transform, however its module was imported,
becomes the same name of ours; a decorator (``@bm.grad``) and an alias's
right-hand side (``grad = bm.grad``) too. The import statement that bound the
reference's module name is recorded, so that :mod:`.import_placement` puts
``import brainpy_autograd`` right after it (that import itself stays).

>>> from brainpy_autograd._migrate import migrate_source
>>> src = "import brainpy as bp\\nnet = bp.DynSysGroup()\\ng = bp.math.hessian(net)\\n"
>>> print(migrate_source(src).code)
import brainpy as bp
import brainpy_autograd
<BLANKLINE>
net = bp.DynSysGroup()
g = brainpy_autograd.hessian(net)
<BLANKLINE>
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ScopeProvider

from .._context import OURS, ModuleContext
from .._registry import Rule, register
from .._syntax import code, full_name
from ._bindings import unsure_binding


def _record_binding(ctx: ModuleContext, chain: list[cst.BaseExpression]) -> None:
    """Record the import statement that binds the reference's module name.

    libcst records the access on the outermost node it resolved: the name ``bm``
    of ``bm.grad``, the attribute ``brainpy.math`` of ``brainpy.math.grad``. A
    name that something else binds too (``bm = None`` after a failed import)
    makes the module one to leave as it is.
    """
    for node in chain:
        scope = ctx.get_metadata(ScopeProvider, node)
        accesses = scope.accesses[node] if scope is not None else ()
        if not accesses:
            continue
        for access in accesses:
            for referent in access.referents:
                binder = getattr(referent, "node", None)
                if isinstance(binder, (cst.Import, cst.ImportFrom)) \
                        and ctx.get_metadata(ScopeProvider, binder) is not referent.scope:
                    ctx.refuse(binder, f"this import binds `{code(node)}` of another scope "
                                       f"(a `global` or `nonlocal` declaration), where "
                                       f"`import {OURS}` right after it would not bind "
                                       f"`{OURS}`; left as it is: import brainpy where "
                                       f"`{code(node)}` lives and run the migration again.")
                elif isinstance(binder, (cst.Import, cst.ImportFrom)):
                    ctx.bindings.append(binder)
                else:
                    ctx.refuse(node, f"`{code(node)}` is also bound by something other than "
                                     f"an import, so where brainpy is imported cannot be "
                                     f"told; left as it is: rewrite its calls by hand, or "
                                     f"give the other binding another name and run the "
                                     f"migration again.")
        return


def _ours_shadowed(ctx: ModuleContext) -> cst.CSTNode | None:
    """What binds the name ``brainpy_autograd`` in the module other than ``import
    brainpy_autograd`` (a parameter, a local, a class attribute, ``import x as
    brainpy_autograd``...), in any scope; None when nothing does."""
    if "shadow" not in ctx.state:
        ctx.state["shadow"] = None
        for scope in ctx.scopes():
            for assignment in scope.assignments[OURS]:
                binder = getattr(assignment, "node", None)
                if not (isinstance(binder, cst.Import) and all(
                        a.asname is None and full_name(a.name).split(".")[0] == OURS
                        for a in binder.names if _binds(a) == OURS)):
                    ctx.state["shadow"] = binder
                    break
        if ctx.state["shadow"] is None:  # `del`, `case brainpy_autograd:`
            ctx.state["shadow"] = unsure_binding(ctx.module)
    shadow: cst.CSTNode | None = ctx.state["shadow"]
    return shadow


def _binds(alias: cst.ImportAlias) -> str:
    """The name an ``import`` alias binds (``bm`` for ``brainpy.math as bm``, else
    ``brainpy``)."""
    if alias.asname is not None:
        return full_name(alias.asname.name)
    return full_name(alias.name).split(".")[0]


@register(cst.Attribute, Rule.REFERENCES)
def rename(ctx: ModuleContext, original: cst.Attribute,
           updated: cst.Attribute) -> cst.BaseExpression:
    target = ctx.target(original)
    if target is None or target[0] == OURS:
        return updated
    shadow = _ours_shadowed(ctx)
    if shadow is not None:
        ctx.refuse(original, f"`{OURS}` is bound by something other than `import {OURS}` in "
                             f"this file (line {ctx.line_of(shadow)}), so `{OURS}."
                             f"{target[1]}` might not mean the transform there; left as it "
                             f"is: rename that binding and run the migration again.")
        return updated
    chain: list[cst.BaseExpression] = []
    node: cst.BaseExpression = original.value  # `bm`, or `bp.math` and `bp`
    while True:
        chain.append(node)
        if not isinstance(node, cst.Attribute):
            break
        node = node.value
    _record_binding(ctx, chain)
    ctx.counts.references += 1
    return cst.Attribute(value=cst.Name(OURS), attr=cst.Name(target[1]))
