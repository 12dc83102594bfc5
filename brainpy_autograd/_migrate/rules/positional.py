"""Rule ``positional``: BrainPy 2.2's positional ``dyn_vars`` (``bm.grad(f, grad_vars, dyn_vars)``).

The third positional argument is removed only when it is certainly variables
(:func:`._analysis.classify_positional`); the arguments after it become keywords, in
the transform's 2.2 order (``_names.OLD_POSITIONAL_ORDER``), and go through
:func:`.legacy_keywords.is_legacy` as they do. What it keeps, and which forms it
reports: docs/migrate-command.md (its first section). It also tells :mod:`.grad_vars`
where ``grad_vars`` is (third for ``hessian`` and ``vector_grad`` in their 2.2 form,
where it becomes the keyword ``grad_vars=``).

>>> from brainpy_autograd._migrate import migrate_source
>>> print(migrate_source("import brainpy.math as bm\\ng = bm.grad(f, f.a, f.vars(), 0)\\n").code)
import brainpy.math as bm
import brainpy_autograd
<BLANKLINE>
g = brainpy_autograd.grad(f, f.a, argnums=0)
<BLANKLINE>
"""

from __future__ import annotations

import libcst as cst

from ..._names import ALIASES, OLD_POSITIONAL_ORDER
from .._context import TARGETS, ModuleContext, TransformCall
from .._registry import Rule, register
from .._syntax import code, is_none, keyword_arg
from ._analysis import attributes, classify_positional
from .legacy_keywords import is_legacy

#: the BrainPy 2.2 positional order of each name
_OLD_ORDER = {name: OLD_POSITIONAL_ORDER[ALIASES.get(name, name)] for name in TARGETS}
#: the BrainPy 2.9 positional order of every name (``brainpy-2.9-autograd-source.txt``), up
#: to argnums
_NEW_ORDER = ("func", "grad_vars", "argnums")


@register(TransformCall, Rule.POSITIONAL)
def drop_positional_dyn_vars(ctx: ModuleContext, call: TransformCall) -> None:
    """Drop a certain BrainPy 2.2 positional ``dyn_vars`` and pass what follows it by
    keyword (the module docstring says how the 2.2 and 2.9 forms are told apart)."""
    positional, args, name = call.positional, call.original.args, call.name
    old = _OLD_ORDER[name]
    second_form = old.index("dyn_vars") == 1  # hessian, vector_grad
    if len(positional) < (2 if second_form else 3):
        return
    if len(positional) == 2:  # hessian(f, x): dyn_vars (2.2) or grad_vars (2.9)
        if not is_none(args[positional[1]].value):
            _ambiguous(ctx, call, args[positional[1]], "second")
        return
    third = args[positional[2]]
    kind = classify_positional(third.value, attributes(ctx))
    if is_none(third.value):
        # 2.2's None dyn_vars (grad_vars for hessian) or 2.9's None argnums: the same call
        # only when nothing follows it and, for hessian, the second place is None too
        same = len(positional) == 3 and not any(a.star == "*" for a in args) and (
            not second_form or is_none(args[positional[1]].value))
        kind = ("vars" if not second_form else "argnums") if same else "unknown"
    if kind == "argnums":
        return
    if kind == "unknown":
        _ambiguous(ctx, call, third, "third")
        return
    if any(a.star == "*" for a in args):
        ctx.find(call.original, f"{name}() has BrainPy 2.2's positional dyn_vars and a "
                                f"`*` argument, whose places cannot be told; left as it "
                                f"is: remove dyn_vars and pass the arguments after it by "
                                f"keyword.")
        return
    if len(positional) > len(old):
        ctx.find(call.original, f"{name}() has more positional arguments than its BrainPy "
                                f"2.2 form {name}({', '.join(old)}); left as it is.")
        return
    ctx.counts.positionals_removed += 1
    call.read = dict(zip(positional, old))
    for key, index in zip(old, positional):
        if key == "dyn_vars":
            call.drop.add(index)
        elif key == "grad_vars":
            call.grad_vars_index = index
            if second_form:  # a keyword: `hessian(f, gv)` would read as 2.2's dyn_vars
                call.replace[index] = keyword_arg(call.updated.args[index], key)
        elif key != "func" and is_legacy(ctx, args[index], key):
            call.drop.add(index)  # an empty positional reduce_axes, in this same run
        elif key != "func":
            call.replace[index] = keyword_arg(call.updated.args[index], key)


def _ambiguous(ctx: ModuleContext, call: TransformCall, arg: cst.Arg, place: str) -> None:
    name, text = call.name, code(arg.value)
    old, new = _OLD_ORDER[call.name], _NEW_ORDER
    index = ("second", "third").index(place) + 1
    ctx.find(arg, f"cannot tell whether {name}() is called in its BrainPy 2.9 form "
                  f"{name}({', '.join(new)}, ...), where the {place} positional argument "
                  f"`{text}` is {new[index]}, or in its BrainPy 2.2 form "
                  f"{name}({', '.join(old[:4])}, ...), where it is {old[index]}; left as "
                  f"it is: pass the arguments after func by keyword (without dyn_vars).")
