"""Rule ``legacy_keywords``: drop ``dyn_vars=``, ``child_objs=`` and an empty ``reduce_axes=``
(``()``, ``[]``, or ``None``, its default).

On calls of BrainPy's transforms (and of brainpy_autograd's own, which accept
them with a warning). A non-empty ``reduce_axes`` cannot be dropped without
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

from .._context import ModuleContext, TransformCall
from .._registry import Rule, register
from .._syntax import code, is_empty_sequence


@register(TransformCall, Rule.LEGACY_KEYWORDS)
def drop_legacy_keywords(ctx: ModuleContext, call: TransformCall) -> None:
    args = call.original.args
    if any(a.star == "**" for a in args):
        ctx.find(call.original, f"{call.name}() takes **kwargs: check that they carry no "
                                f"dyn_vars, child_objs or reduce_axes.")
    for i, arg in enumerate(args):
        if arg.keyword is not None and _is_legacy(ctx, arg):
            call.drop.add(i)


def _is_legacy(ctx: ModuleContext, arg: cst.Arg) -> bool:
    """Whether a keyword argument is a legacy one to remove (reporting the rest)."""
    assert arg.keyword is not None
    keyword = arg.keyword.value
    if keyword in ("dyn_vars", "child_objs"):
        ctx.counts.keywords_removed += 1
        return True
    if keyword == "reduce_axes":
        if is_empty_sequence(arg.value) or (isinstance(arg.value, cst.Name)
                                            and arg.value.value == "None"):  # the default
            ctx.counts.keywords_removed += 1
            return True
        ctx.find(arg, f"reduce_axes={code(arg.value)} is no longer supported (JAX "
                      f"removed it): sum over the axis in the loss with jax.lax.psum "
                      f"inside jax.shard_map, then drop it (docs/multidevice.md).")
    return False
