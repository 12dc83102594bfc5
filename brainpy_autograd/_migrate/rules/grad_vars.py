"""Rule ``grad_vars``: report ``grad_vars`` that hold plain arrays.

Only variables can be differentiated through ``grad_vars``: ``bm.zeros(3)`` in
the call, or ``self.w`` that this module assigns only ``bm.random.random(...)``,
is reported (nothing is changed). A call with ``*args`` or ``**kwargs`` is not
checked: where ``grad_vars`` is cannot be told.

>>> from brainpy_autograd._migrate import migrate_source
>>> out = migrate_source("import brainpy.math as bm\\ng = bm.grad(f, grad_vars=[bm.zeros(3)])\\n")
>>> [f.message[:40] for f in out.findings]
['grad_vars of grad() holds a plain array ']
"""

from __future__ import annotations

import libcst as cst

from .._context import ModuleContext, TransformCall
from .._registry import Rule, register
from .._syntax import code
from ._analysis import attributes, value_kind


@register(TransformCall, Rule.GRAD_VARS)
def check_grad_vars(ctx: ModuleContext, call: TransformCall) -> None:
    args = call.original.args
    if any(a.star for a in args):
        return
    arg = next((a for a in args if a.keyword and a.keyword.value == "grad_vars"), None)
    if arg is None and call.grad_vars_index is not None:
        arg = args[call.grad_vars_index]
    if arg is None:
        return
    for leaf in _leaves(arg.value):
        if isinstance(leaf, cst.Call) and value_kind(ctx, leaf) == "array":
            ctx.find(leaf, f"grad_vars of {call.name}() holds a plain array `{code(leaf)}`: "
                           f"only variables can be differentiated there; make it "
                           f"bm.TrainVar(...).")
        elif isinstance(leaf, cst.Attribute) and leaf.attr.value in attributes(ctx).plain:
            line = attributes(ctx).plain[leaf.attr.value]
            ctx.find(leaf, f"grad_vars of {call.name}() holds `{code(leaf)}`, assigned a "
                           f"plain array at line {line}: only variables can be "
                           f"differentiated there; make it bm.TrainVar(...).")


def _leaves(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return [leaf for e in node.elements for leaf in _leaves(e.value)]
    if isinstance(node, cst.Dict):
        return [leaf for e in node.elements if isinstance(e, cst.DictElement)
                for leaf in _leaves(e.value)]
    return [node]
