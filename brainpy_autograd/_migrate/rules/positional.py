"""Rule ``positional``: BrainPy 2.2's positional ``dyn_vars`` (``bm.grad(f, grad_vars, dyn_vars)``).

The third positional argument is removed only when it is certainly variables
(:func:`._analysis.classify_positional`); the arguments after it become
keywords, in the 2.2 order of that transform (``_names.OLD_POSITIONAL_ORDER``).
An int there is BrainPy 2.9's ``argnums`` and is kept; anything it cannot
classify is kept and reported. It also tells :mod:`.grad_vars` where the
``grad_vars`` argument is (second for most transforms, third for ``hessian``
and ``vector_grad`` in their 2.2 form).

>>> from brainpy_autograd._migrate import migrate_source
>>> print(migrate_source("import brainpy.math as bm\\ng = bm.grad(f, f.a, f.vars(), 0)\\n").code)
import brainpy.math as bm
import brainpy_autograd
<BLANKLINE>
g = brainpy_autograd.grad(f, f.a, argnums=0)
<BLANKLINE>
"""

from __future__ import annotations

from ..._names import ALIASES, OLD_POSITIONAL_ORDER
from .._context import TARGETS, ModuleContext, TransformCall
from .._registry import Rule, register
from .._syntax import code, keyword_arg
from ._analysis import attributes, classify_positional

#: the BrainPy 2.2 positional order of each name
_OLD_ORDER = {name: OLD_POSITIONAL_ORDER[ALIASES.get(name, name)] for name in TARGETS}


@register(TransformCall, Rule.POSITIONAL)
def drop_positional_dyn_vars(ctx: ModuleContext, call: TransformCall) -> None:
    positional = call.positional
    if len(positional) < 3:
        return
    third = call.original.args[positional[2]]
    kind = classify_positional(third.value, attributes(ctx))
    if kind == "argnums":
        return
    name, text = call.name, code(third.value)
    if kind == "unknown":
        ctx.find(third, f"cannot tell whether the third positional argument `{text}` "
                        f"of {name}() is argnums or BrainPy 2.2's dyn_vars. If it holds "
                        f"variables, remove it and pass later arguments by keyword; if "
                        f"it is argnums, write argnums={text}.")
        return
    old = _OLD_ORDER[name]
    if len(positional) > len(old):
        ctx.find(call.original, f"{name}() has more positional arguments than its BrainPy "
                                f"2.2 form {name}({', '.join(old)}); left as it is.")
        return
    ctx.counts.positionals_removed += 1
    for key, index in zip(old, positional):
        if key == "dyn_vars":
            call.drop.add(index)
        elif key == "grad_vars":
            call.grad_vars_index = index
        elif key != "func":
            call.replace[index] = keyword_arg(call.updated.args[index], key)
