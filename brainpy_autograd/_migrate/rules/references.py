"""Rule ``references``: ``bm.grad`` (``bp.math.grad``, ``brainpy.math.jax.hessian``...) ->
``brainpy_autograd.grad``.

Every attribute that names a BrainPy transform, however imported (in a decorator and
an alias's right-hand side too), becomes ours; a target (``bm.grad = hook``) and a use
before every import of its name (:mod:`.._scopes`) are reported (docs/migrate-command.md).
The import that bound the name is recorded for :mod:`.import_placement`.

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

import ast

import libcst as cst
from libcst.metadata import ExpressionContext, ExpressionContextProvider

from .._context import OURS, TARGETS, Finding, ModuleContext
from .._registry import Rule, register
from .._scopes import binding_imports
from .._syntax import code
from ._bindings import other_bindings, transform_uses


@register(cst.Module, Rule.REFERENCES, on="visit")
def find_rebindings(ctx: ModuleContext, module: cst.Module) -> None:
    """Leave the module if a name that a brainpy import binds, used as ``bm.grad``, is
    bound by anything else too, anywhere in it (:mod:`._bindings`)."""
    try:
        tree = ast.parse(module.code)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        # libcst parsed what Python does not: the bindings cannot be read
        ctx.refusal = Finding(1, 1, f"Python cannot parse this file ({err}); left as it is.")
        return
    other = other_bindings(tree)
    ctx.state["shadow"] = other.get(OURS)
    uses = transform_uses(tree, set(other) - {OURS}, TARGETS)
    if uses and ctx.refusal is None:  # reported at the first use in the file
        name, (line, column) = min(uses.items(), key=lambda item: item[1])
        ctx.refusal = Finding(line, column, (
            f"`{name}` is imported from brainpy and also bound by something else in "
            f"this file (line {other[name][0]}: an assignment, a loop, a `with`, `except` or "
            f"`match` target, a parameter, `del`, another import, a patch such as "
            f"`setattr({name}, ...)`...), so its uses may not be brainpy's; left as it is: "
            f"rewrite its calls by hand (`{OURS}.grad`, without dyn_vars/child_objs), or "
            f"give the other binding another name and run the migration again."))


@register(cst.Attribute, Rule.REFERENCES)
def rename(ctx: ModuleContext, original: cst.Attribute,
           updated: cst.Attribute) -> cst.BaseExpression:
    target = ctx.target(original, bound=False)
    if target is None or target[0] == OURS:
        return updated
    if ctx.get_metadata(ExpressionContextProvider, original) is not ExpressionContext.LOAD:
        ctx.find(original, f"`{code(original)}` is assigned or deleted here: this patches "
                           f"BrainPy's own `{target[1]}`, so it is left as it is (`{OURS}."
                           f"{target[1]}` would not reach BrainPy); the uses of it that this "
                           f"file has rewritten to `{OURS}.{target[1]}` do not see the "
                           f"patch: check them by hand.")
        return updated
    bindings = binding_imports(ctx, original)
    if not bindings:
        name = code(original.value)
        ctx.find(original, f"`{code(original)}` runs before any import binds `{name}` (one "
                           f"further down does), so it is left as it is: `{OURS}` would not "
                           f"be bound there either; move the import above it and run the "
                           f"migration again.")
        return updated
    shadow = ctx.state.get("shadow")
    if shadow is not None:
        ctx.refuse(original, f"`{OURS}` is bound by something other than `import {OURS}` in "
                             f"this file (line {shadow[0]}), so `{OURS}."
                             f"{target[1]}` might not mean the transform there; left as it "
                             f"is: rename that binding and run the migration again.")
        return updated
    ctx.bindings += bindings
    ctx.counts.references += 1
    return cst.Attribute(value=cst.Name(OURS), attr=cst.Name(target[1]))
